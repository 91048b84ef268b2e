// Package backup is the format of a Socle backup: one file, encrypted with
// an operator's passphrase (age, scrypt recipient), holding a tar archive of
// a manifest, the platform keys and a consistent copy of the database. The
// keys travel only encrypted; the passphrase never leaves the operator.
//
// Decrypt a backup by hand with the age tool: `age -d FILE | tar t`.
package backup

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"filippo.io/age"
)

// Format names this version of the layout in the manifest.
const Format = "socle-backup/1"

// ManifestName is the first member of the archive.
const ManifestName = "manifest.json"

// KeysDir is the folder of the archive that holds the platform keys.
const KeysDir = "keys/"

// MinPassphrase is the shortest passphrase accepted: it guards every key
// of the platform, so a short one is refused.
const MinPassphrase = 12

// Manifest describes a backup.
type Manifest struct {
	Format    string            `json:"format"`
	CreatedAt time.Time         `json:"created_at"`
	Version   string            `json:"socle_version"`
	Store     string            `json:"store"`    // "sqlite" or "postgres"
	Database  string            `json:"database"` // member holding the database copy
	Keys      map[string]string `json:"keys"`     // key file name → fingerprint
	AuditSize uint64            `json:"audit_size"`

	// AuditDatabase is the member holding the copy of the audit log's own
	// database (SQLite's audit file); empty when the log is in Database.
	AuditDatabase string `json:"audit_database,omitempty"`
}

// workFactor is the scrypt work factor (log2) of new backups; 0 keeps
// age's default (18: about a second of one core). Tests lower it.
var workFactor int

// File is a file on disk to put in the archive under Name.
type File struct {
	Name string
	Path string
}

// CheckPassphrase refuses a passphrase too short to guard the keys.
func CheckPassphrase(p string) error {
	if len([]rune(p)) < MinPassphrase {
		return fmt.Errorf("the passphrase must have at least %d characters", MinPassphrase)
	}
	return nil
}

// Write writes to w the encrypted archive of m and files, in order,
// calling progress with the bytes of each file copied.
func Write(w io.Writer, passphrase string, m Manifest, files []File, progress func(n int64)) error {
	if err := CheckPassphrase(passphrase); err != nil {
		return err
	}
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return fmt.Errorf("backup encryption: %w", err)
	}
	if workFactor > 0 {
		r.SetWorkFactor(workFactor)
	}
	enc, err := age.Encrypt(w, r)
	if err != nil {
		return fmt.Errorf("backup encryption: %w", err)
	}
	tw := tar.NewWriter(enc)
	m.Format = Format
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("backup manifest: %w", err)
	}
	if err := tw.WriteHeader(&tar.Header{Name: ManifestName, Mode: 0o600, Size: int64(len(mb)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("backup manifest: %w", err)
	}
	if _, err := tw.Write(mb); err != nil {
		return fmt.Errorf("backup manifest: %w", err)
	}
	for _, f := range files {
		if err := addFile(tw, f, m.CreatedAt, progress); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("backup archive: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("backup encryption: %w", err)
	}
	return nil
}

func addFile(tw *tar.Writer, f File, mtime time.Time, progress func(int64)) error {
	in, err := os.Open(f.Path)
	if err != nil {
		return fmt.Errorf("backup of %s: %w", f.Name, err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return fmt.Errorf("backup of %s: %w", f.Name, err)
	}
	if err := tw.WriteHeader(&tar.Header{Name: f.Name, Mode: 0o600, Size: fi.Size(), ModTime: mtime, Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("backup of %s: %w", f.Name, err)
	}
	var dst io.Writer = tw
	if progress != nil {
		dst = progressWriter{tw, progress}
	}
	if _, err := io.Copy(dst, in); err != nil {
		return fmt.Errorf("backup of %s: %w", f.Name, err)
	}
	return nil
}

type progressWriter struct {
	w  io.Writer
	fn func(int64)
}

func (p progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.fn(int64(n))
	return n, err
}

// ErrPassphrase is the error of a backup that the passphrase does not open.
var ErrPassphrase = errors.New("wrong passphrase: this backup was encrypted with another one")

// Reader reads an archive written by Write.
type Reader struct {
	Manifest Manifest
	tr       *tar.Reader
}

// Open decrypts r with the passphrase and reads the manifest.
func Open(r io.Reader, passphrase string) (*Reader, error) {
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, fmt.Errorf("backup decryption: %w", err)
	}
	dec, err := age.Decrypt(r, id)
	if err != nil {
		if _, ok := errors.AsType[*age.NoIdentityMatchError](err); ok {
			return nil, ErrPassphrase
		}
		return nil, fmt.Errorf("not a Socle backup (an age file encrypted with a passphrase): %w", err)
	}
	tr := tar.NewReader(dec)
	h, err := tr.Next()
	if err != nil || h.Name != ManifestName {
		return nil, fmt.Errorf("not a Socle backup: no manifest first (%v)", err)
	}
	var m Manifest
	if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil {
		return nil, fmt.Errorf("backup manifest: %w", err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("backup format %q is not %q: restore it with the Socle version that made it", m.Format, Format)
	}
	return &Reader{Manifest: m, tr: tr}, nil
}

// Next returns the next member of the archive, io.EOF after the last. Its
// name is checked to be a plain relative path (no "..", no absolute path),
// so that a crafted archive cannot write outside the restore's directory.
func (r *Reader) Next() (name string, size int64, body io.Reader, err error) {
	h, err := r.tr.Next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return "", 0, nil, io.EOF
		}
		return "", 0, nil, fmt.Errorf("backup archive: %w", err)
	}
	if h.Typeflag != tar.TypeReg || h.Name != path.Clean(h.Name) || path.IsAbs(h.Name) || strings.HasPrefix(h.Name, "../") || h.Name == ".." {
		return "", 0, nil, fmt.Errorf("backup archive: unexpected member %q", h.Name)
	}
	return h.Name, h.Size, r.tr, nil
}
