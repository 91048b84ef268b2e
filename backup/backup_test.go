package backup

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
)

const pass = "a passphrase long enough"

func TestWriteThenRead(t *testing.T) {
	workFactor = 10
	t.Cleanup(func() { workFactor = 0 })
	dir := t.TempDir()
	key := filepath.Join(dir, "person-master.key")
	if err := os.WriteFile(key, []byte("0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	m := Manifest{CreatedAt: time.Now().UTC(), Store: "sqlite", Database: "socle.db", Keys: map[string]string{"person-master.key": "ab"}}
	if err := Write(&buf, pass, m, []File{{Name: KeysDir + "person-master.key", Path: key}}, nil); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte("0123456789abcdef")) {
		t.Fatal("the key is in clear in the backup")
	}
	if _, err := Open(bytes.NewReader(buf.Bytes()), "another passphrase"); !errors.Is(err, ErrPassphrase) {
		t.Fatalf("wrong passphrase: %v, want ErrPassphrase", err)
	}
	r, err := Open(bytes.NewReader(buf.Bytes()), pass)
	if err != nil {
		t.Fatal(err)
	}
	if r.Manifest.Format != Format || r.Manifest.Keys["person-master.key"] != "ab" {
		t.Fatalf("manifest %+v", r.Manifest)
	}
	name, _, body, err := r.Next()
	if err != nil || name != KeysDir+"person-master.key" {
		t.Fatalf("Next = %q, %v", name, err)
	}
	if b, _ := io.ReadAll(body); string(b) != "0123456789abcdef\n" {
		t.Fatalf("key read back as %q", b)
	}
	if _, _, _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last member: %v, want EOF", err)
	}
	if err := Write(io.Discard, "short", m, nil, nil); err == nil || !strings.Contains(err.Error(), "at least") {
		t.Fatalf("short passphrase: %v", err)
	}
}

// A crafted archive cannot name a member outside the restore's directory.
func TestMembersOutsideTheArchiveAreRefused(t *testing.T) {
	for _, name := range []string{"../evil", "/etc/passwd", "keys/../../evil", "keys//x"} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			rcp, err := age.NewScryptRecipient(pass)
			if err != nil {
				t.Fatal(err)
			}
			rcp.SetWorkFactor(10)
			enc, err := age.Encrypt(&buf, rcp)
			if err != nil {
				t.Fatal(err)
			}
			tw := tar.NewWriter(enc)
			mb, _ := json.Marshal(Manifest{Format: Format})
			for _, f := range []struct {
				name string
				body []byte
			}{{ManifestName, mb}, {name, []byte("x")}} {
				if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o600, Size: int64(len(f.body)), Typeflag: tar.TypeReg}); err != nil {
					t.Fatal(err)
				}
				tw.Write(f.body)
			}
			tw.Close()
			enc.Close()
			r, err := Open(&buf, pass)
			if err != nil {
				t.Fatal(err)
			}
			if got, _, _, err := r.Next(); err == nil {
				t.Fatalf("member %q accepted as %q", name, got)
			}
		})
	}
}
