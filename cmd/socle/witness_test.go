package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/audit"
	"socle/store/storetest"
)

var witnessListening = regexp.MustCompile(`listening on (http://\S+)`)

// startWitness runs `socle witness keygen` and `socle witness serve` for
// the log whose verifier key is logKey, and returns the witness's URL, its
// verifier key and its state directory. It stops at cleanup.
func startWitness(t *testing.T, logKey string) (url, key, state string) {
	t.Helper()
	dir := t.TempDir()
	keyFile, state := filepath.Join(dir, "witness.key"), filepath.Join(dir, "state")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"witness", "keygen", "--name", "witness.test/w1", "--key", keyFile}, noEnv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	key = strings.TrimSpace(out.String())
	ctx, cancel := context.WithCancel(context.Background())
	stdout := &syncBuffer{}
	var serveErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		serveErr = run(ctx, []string{"witness", "serve", "--addr", "127.0.0.1:0", "--key", keyFile, "--state", state, "--log", logKey}, noEnv, stdout, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		if serveErr != nil {
			t.Errorf("witness serve: %v", serveErr)
		}
	})
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := witnessListening.FindStringSubmatch(stdout.String()); m != nil {
			if !strings.Contains(stdout.String(), "verifier key: "+key) {
				t.Fatalf("witness prints another key:\n%s", stdout)
			}
			return m[1], key, state
		}
		select {
		case <-done:
			t.Fatalf("witness serve stopped: %v", serveErr)
		default:
		}
	}
	t.Fatalf("witness serve did not start:\n%s", stdout)
	return "", "", ""
}

// witnessedDir is auditedDir with a witness: the app gets its checkpoints
// cosigned, the last one when it closes. It returns the directory, the
// size of the log and the witness.
func witnessedDir(t *testing.T) (dir string, size uint64, url, key, state string) {
	t.Helper()
	dir = t.TempDir()
	k, err := loadKeys(dir)
	must(t, err)
	logKey, err := audit.VerifierKey(k.auditSigner)
	must(t, err)
	url, key, state = startWitness(t, logKey)
	_, sizes := auditedDirIn(t, dir, []audit.Witness{{URL: url, Key: key}})
	return dir, sizes[1], url, key, state
}

// appendForged appends an event to the audit log of dir as an intruder who
// read the signer key would: through the real log code, so that its hashes
// are correct and a checkpoint covering it is signed.
func appendForged(t *testing.T, dir string) {
	t.Helper()
	appendToAuditLog(t, storeFlags{data: dir}, socle.AuditEvent{Time: time.Now().UTC(), Action: "read", Allowed: true, AgentID: "agt_forged", Records: 1})
}

func TestAuditVerifyAgainstTheWitness(t *testing.T) {
	base, size, url, key, state := witnessedDir(t)
	last := strconv.FormatUint(size, 10)
	cutAt := strconv.FormatUint(size-5, 10)
	stateFile := filepath.Join(state, "socle.audit.checkpoint")
	if b, err := os.ReadFile(stateFile); err != nil || !bytes.HasPrefix(b, []byte("socle.audit\n"+last+"\n")) {
		t.Fatalf("the witness holds %q, %v; want the checkpoint of size %s signed when the app closed", b, err, last)
	}
	cutTail := func(t *testing.T, dir string) {
		tamper(t, dir, func(db storetest.AuditTx) error {
			for _, q := range []string{
				`DELETE FROM audit_entries WHERE idx >= ` + cutAt,
				`DELETE FROM audit_checkpoints WHERE tree_size > ` + cutAt,
				`DELETE FROM audit_witnessed`,
			} {
				if _, err := db.ExecContext(context.Background(), q); err != nil {
					return err
				}
			}
			return nil
		})
	}
	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string)
		args   []string // beside --data
		want   string   // "" when intact; else the failure names this
		// aloneIntact: verify without the witness says intact, which is
		// the hole the witness closes.
		aloneIntact bool
	}{
		{name: "intact", args: []string{"--witness", url, "--witness-key", key}, aloneIntact: true},
		{name: "intact against the witness's kept checkpoint", args: []string{"--checkpoint", stateFile, "--witness-key", key}, aloneIntact: true},
		{
			name:   "tail cut off together with the last checkpoint",
			tamper: cutTail,
			args:   []string{"--witness", url, "--witness-key", key},
			want:   "entries from " + cutAt + " on were cut off", aloneIntact: true,
		},
		{
			name:   "tail cut off, checked against the kept checkpoint",
			tamper: cutTail,
			args:   []string{"--checkpoint", stateFile, "--witness-key", key},
			want:   "first bad entry " + cutAt + ": log cut back to " + cutAt + " entries; a witnessed checkpoint covers " + last, aloneIntact: true,
		},
		{
			name: "tail entry forged with correct hashes and a re-signed checkpoint",
			tamper: func(t *testing.T, dir string) {
				tamper(t, dir, func(db storetest.AuditTx) error {
					for _, q := range []string{
						`DELETE FROM audit_entries WHERE idx = ` + strconv.FormatUint(size-1, 10),
						`DELETE FROM audit_checkpoints WHERE tree_size = ` + last,
					} {
						if _, err := db.ExecContext(context.Background(), q); err != nil {
							return err
						}
					}
					return nil
				})
				appendForged(t, dir)
			},
			args: []string{"--witness", url, "--witness-key", key},
			want: "cosigned another checkpoint of size " + last, aloneIntact: true,
		},
		{
			name:   "entry forged after the witnessed checkpoint",
			tamper: appendForged,
			args:   []string{"--witness", url, "--witness-key", key},
			want:   "entries " + last + " to " + last + " are covered by no witnessed checkpoint", aloneIntact: true,
		},
		{
			name: "index block deleted",
			tamper: func(t *testing.T, dir string) {
				tamper(t, dir, func(db storetest.AuditTx) error {
					_, err := db.ExecContext(context.Background(), `DELETE FROM audit_blocks WHERE block = 0`)
					return err
				})
			},
			want: "audit_blocks 0 (entries 0-1023): missing",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyDir(t, base)
			if tt.tamper != nil {
				tt.tamper(t, dir)
			}
			var out bytes.Buffer
			err := run(context.Background(), append([]string{"audit", "verify", "--data", dir}, tt.args...), noEnv, &out, io.Discard)
			if tt.want == "" {
				if err != nil || !strings.Contains(out.String(), "witnessed up to: "+last+"\n") || !strings.Contains(out.String(), "audit log intact") {
					t.Fatalf("verify: %v\n%s", err, out.String())
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("verify = %v, want a failure naming %q\n%s", err, tt.want, out.String())
			}
			var alone bytes.Buffer
			err = run(context.Background(), []string{"audit", "verify", "--data", dir}, noEnv, &alone, io.Discard)
			if tt.aloneIntact != (err == nil) {
				t.Errorf("verify without the witness: %v\n%s", err, alone.String())
			}
		})
	}
	// The witness was only asked: it still holds the same checkpoint.
	if b, _ := os.ReadFile(stateFile); !bytes.HasPrefix(b, []byte("socle.audit\n"+last+"\n")) {
		t.Errorf("verification moved the witness: %q", b)
	}
}

func TestServeGetsItsLastCheckpointWitnessed(t *testing.T) {
	dir := t.TempDir()
	k, err := loadKeys(dir)
	must(t, err)
	logKey, err := audit.VerifierKey(k.auditSigner)
	must(t, err)
	url, key, state := startWitness(t, logKey)
	t.Run("serve", func(t *testing.T) {
		// Cleanup shuts the server down at the end of this subtest.
		startServer(t, "--demo", "--demo-persons", "50", "--data", dir, "--witness", url, "--witness-key", key)
	})
	var out bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify", "--data", dir, "--witness", url, "--witness-key", key}, noEnv, &out, io.Discard); err != nil {
		t.Fatalf("after shutdown, the log is not witnessed up to its end: %v\n%s", err, out.String())
	}
	entries := regexp.MustCompile(`entries: (\d+)\n`).FindStringSubmatch(out.String())
	b, err := os.ReadFile(filepath.Join(state, "socle.audit.checkpoint"))
	if err != nil || entries == nil || entries[1] == "0" || !bytes.HasPrefix(b, []byte("socle.audit\n"+entries[1]+"\n")) {
		t.Fatalf("witness holds %q (%v), the log %v entries", b, err, entries)
	}
	if err := run(context.Background(), []string{"serve", "--witness", url}, noEnv, io.Discard, io.Discard); !errors.As(err, new(usageError)) {
		t.Errorf("serve with a witness without its key = %v, want a usage error", err)
	}
}
