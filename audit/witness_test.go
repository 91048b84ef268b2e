package audit

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"

	"socle/witness"
)

// testWitness is a real witness (package witness) behind an HTTP server.
type testWitness struct {
	w   *witness.Witness
	cfg Witness
	srv *httptest.Server
}

func startWitness(t testing.TB, logKeys ...string) *testWitness {
	t.Helper()
	skey, vkey, err := witness.GenerateKey("witness.test/w1")
	if err != nil {
		t.Fatal(err)
	}
	w, err := witness.New(witness.Config{SignerKey: skey, Logs: logKeys, Dir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w.Handler("/w"))
	t.Cleanup(srv.Close)
	return &testWitness{w: w, cfg: Witness{URL: srv.URL + "/w", Key: vkey}, srv: srv}
}

// witnessedLog writes 100 entries with checkpoints every 16 to a log
// witnessed by tw, and closes it: the last checkpoint (100) is witnessed.
func witnessedLog(t *testing.T) (*testLog, *testWitness) {
	t.Helper()
	skey, vkey, err := GenerateKey("socle.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	tw := startWitness(t, vkey)
	tl := &testLog{st: &memStorage{}, skey: skey, vkey: vkey}
	tl.reopen(t, Options{CheckpointEvery: 16, Witnesses: []Witness{tw.cfg}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	t.Cleanup(func() { tl.close(t) })
	tl.appendN(t, 0, 100)
	tl.close(t)
	return tl, tw
}

func TestCheckpointsAreWitnessed(t *testing.T) {
	tl, tw := witnessedLog(t)
	fl := tl.st
	size, msg, err := fl.LatestWitnessed(context.Background())
	if err != nil || size != 100 {
		t.Fatalf("latest witnessed checkpoint %d, %v; want 100 (signed at close)", size, err)
	}
	// The stored note carries the log's signature and the cosignature.
	if _, err := OpenWitnessed(msg, tl.vkey, []string{tw.cfg.Key}); err != nil {
		t.Fatalf("stored witnessed checkpoint: %v\n%s", err, msg)
	}
	// The witness keeps the same checkpoint outside the log's storage.
	held, err := tw.w.Latest("socle.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	cp, err := OpenWitnessed(held, tl.vkey, []string{tw.cfg.Key})
	if err != nil || cp.Size != 100 {
		t.Fatalf("witness holds %d, %v; want 100", cp.Size, err)
	}
	// A checkpoint cosigned by another witness key is refused.
	_, otherKey, err := witness.GenerateKey("witness.test/w1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenWitnessed(held, tl.vkey, []string{otherKey}); err == nil {
		t.Error("a checkpoint without the given witness's cosignature was accepted")
	}
}

// resign rewrites checkpoints.log with a checkpoint, signed with the log's
// key, of every size in sizes over the entries as they now are: what an
// intruder who read the signer key in the data directory can do.
func resign(t *testing.T, tl *testLog, sizes []uint64) {
	t.Helper()
	signer, err := note.NewSigner(tl.skey)
	if err != nil {
		t.Fatal(err)
	}
	th := newTreeHasher()
	rng := th.factory().NewEmptyRange(0)
	var out [][]byte
	put := func() {
		for _, s := range sizes {
			if s == rng.End() {
				root, err := rng.GetRootHash(nil)
				if err != nil {
					t.Fatal(err)
				}
				if s == 0 {
					root = rfc6962.DefaultHasher.EmptyRoot()
				}
				cp, err := signCheckpoint(signer, s, root)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, append(binary.LittleEndian.AppendUint64(nil, s), cp.Note...))
			}
		}
	}
	put()
	for _, p := range tl.st.entryPayloads() {
		r, err := parseEntry(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := rng.Append(th.leaf(r.Leaf), nil); err != nil {
			t.Fatal(err)
		}
		put()
	}
	tl.st.setCheckpointPayloads(t, out)
}

func TestVerifyAgainstTheWitness(t *testing.T) {
	sizes := func(max uint64) []uint64 {
		var s []uint64
		for x := uint64(0); x < max; x += 16 {
			s = append(s, x)
		}
		return append(s, max)
	}
	forge := func(p []byte) []byte {
		return bytes.Replace(p, []byte(`"allowed":true`), []byte(`"allowed":false`), 1)
	}
	tests := []struct {
		name      string
		tamper    func(t *testing.T, tl *testLog)
		mismatch  string // the witness check fails naming this
		witnessed uint64 // else Verify matches the witness up to this size
	}{
		{name: "intact", witnessed: 100},
		{
			name: "tail entry forged with correct hashes, checkpoints re-signed",
			tamper: func(t *testing.T, tl *testLog) {
				p := tl.st.entryPayloads()
				p[99] = forge(p[99])
				tl.st.setEntryPayloads(t, rehashAll(t, p))
				resign(t, tl, sizes(100))
			},
			mismatch: "cosigned another checkpoint of size 100",
		},
		{
			name: "tail cut off together with its checkpoints",
			tamper: func(t *testing.T, tl *testLog) {
				tl.st.setEntryPayloads(t, tl.st.entryPayloads()[:90])
				resign(t, tl, sizes(80))
			},
			mismatch: "entries from 90 on were cut off",
		},
		{
			name: "witnessed checkpoint removed",
			tamper: func(t *testing.T, tl *testLog) {
				resign(t, tl, sizes(96))
			},
			mismatch: "which the log no longer holds",
		},
		{
			name: "entry in the middle rewritten, every checkpoint re-signed",
			tamper: func(t *testing.T, tl *testLog) {
				p := tl.st.entryPayloads()
				p[37] = forge(p[37])
				tl.st.setEntryPayloads(t, rehashAll(t, p))
				resign(t, tl, sizes(100))
			},
			mismatch: "cosigned another checkpoint of size 100",
		},
		{
			// Appended after the witnessed checkpoint, with a signed
			// checkpoint: the log matches the witness up to 100, and the
			// entry after it is covered by no witness.
			name: "entry appended with correct hashes and a signed checkpoint",
			tamper: func(t *testing.T, tl *testLog) {
				p := tl.st.entryPayloads()
				r, err := parseEntry(p[99])
				if err != nil {
					t.Fatal(err)
				}
				leaf := bytes.Replace(r.Leaf, []byte(`"index":99,`), []byte(`"index":100,`), 1)
				p = append(p, entryPayload(Record{Leaf: leaf, Hashes: make([]byte, hashesLen(100))}))
				tl.st.setEntryPayloads(t, rehashAll(t, p))
				resign(t, tl, append(sizes(100), 101))
			},
			witnessed: 100,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			tl, tw := witnessedLog(t)
			held, err := tw.w.Latest("socle.test/audit")
			if err != nil {
				t.Fatal(err)
			}
			if tt.tamper != nil {
				tt.tamper(t, tl)
			}
			fl := tl.st
			// The log alone, with its own (re-signed) checkpoints, looks
			// intact: that is the hole the witness closes.
			alone, err := Verify(ctx, fl, tl.vkey, nil)
			if err != nil || !alone.OK {
				t.Fatalf("without the witness: %+v, %v", alone, err)
			}

			cp, err := AskWitness(ctx, fl, tl.vkey, tw.cfg, nil)
			var wm *WitnessMismatch
			if tt.mismatch != "" {
				if !errors.As(err, &wm) || !strings.Contains(wm.Problem, tt.mismatch) {
					t.Fatalf("AskWitness = %v, want a mismatch naming %q", err, tt.mismatch)
				}
			} else {
				if err != nil {
					t.Fatalf("AskWitness: %v", err)
				}
				rep, err := Verify(ctx, fl, tl.vkey, nil, cp)
				if err != nil || !rep.OK || rep.Witnessed != tt.witnessed {
					t.Fatalf("Verify against the witness: %+v, %v; want intact up to %d", rep, err, tt.witnessed)
				}
			}

			// The checkpoint the witness holds, kept as a file, tells the
			// same without asking the witness.
			kept, err := OpenWitnessed(held, tl.vkey, []string{tw.cfg.Key})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Verify(ctx, fl, tl.vkey, nil, kept)
			if err != nil {
				t.Fatal(err)
			}
			if wantOK := tt.mismatch == "" || tt.name == "witnessed checkpoint removed"; rep.OK != wantOK {
				t.Fatalf("Verify against the kept checkpoint: %+v, want OK=%v", rep, wantOK)
			}
		})
	}
}

func TestVerifyNamesTheWitnessedProblem(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		tamper   func(t *testing.T, tl *testLog)
		firstBad uint64
		problem  string
	}{
		{"tail cut off", func(t *testing.T, tl *testLog) {
			tl.st.setEntryPayloads(t, tl.st.entryPayloads()[:90])
			resign(t, tl, []uint64{0, 16, 32, 48, 64, 80})
		}, 90, "a witnessed checkpoint covers 100"},
		{"tail rewritten", func(t *testing.T, tl *testLog) {
			p := tl.st.entryPayloads()
			p[98] = bytes.Replace(p[98], []byte(`"read"`), []byte(`"list"`), 1)
			tl.st.setEntryPayloads(t, rehashAll(t, p))
			resign(t, tl, []uint64{0, 16, 32, 48, 64, 80, 96, 100})
		}, 96, "differs from the witnessed checkpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl, tw := witnessedLog(t)
			held, err := tw.w.Latest("socle.test/audit")
			if err != nil {
				t.Fatal(err)
			}
			kept, err := OpenWitnessed(held, tl.vkey, []string{tw.cfg.Key})
			if err != nil {
				t.Fatal(err)
			}
			tt.tamper(t, tl)
			fl := tl.st
			rep, err := Verify(ctx, fl, tl.vkey, nil, kept)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK || rep.FirstBad != tt.firstBad || !strings.Contains(rep.Problem, tt.problem) {
				t.Fatalf("report %+v, want first bad %d naming %q", rep, tt.firstBad, tt.problem)
			}
		})
	}
}

func TestWitnessRefusesALogCutBack(t *testing.T) {
	tl, tw := witnessedLog(t)
	// The log is cut back with its checkpoints, then the server starts
	// again: it signs a checkpoint of 90, which the witness, holding 100,
	// refuses, and the log says so when it closes.
	tl.st.setEntryPayloads(t, tl.st.entryPayloads()[:90])
	resign(t, tl, []uint64{0, 16, 32, 48, 64, 80})
	tl.reopen(t, Options{CheckpointEvery: 16, Witnesses: []Witness{tw.cfg}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	tl.closed = true
	err := tl.log.Close()
	tl.st.Close()
	if err == nil || !strings.Contains(err.Error(), "cut back or forked") {
		t.Fatalf("Close = %v, want the witness's refusal", err)
	}
	held, _ := tw.w.Latest("socle.test/audit")
	if !bytes.HasPrefix(held, []byte("socle.test/audit\n100\n")) {
		t.Fatalf("the witness moved: %q", held)
	}
}

func TestWitnessingContinuesAcrossRestarts(t *testing.T) {
	tl, tw := witnessedLog(t)
	opts := Options{CheckpointEvery: 16, Witnesses: []Witness{tw.cfg}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	tl.reopen(t, opts)
	tl.appendN(t, 100, 150)
	// A checkpoint stored while the server runs is witnessed in the
	// background, with a consistency proof from 100.
	deadline := time.Now().Add(10 * time.Second)
	for {
		cp, err := tl.log.Witnessed(context.Background())
		if err == nil && cp.Size >= 144 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint witnessed while running: %+v, %v", cp, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	tl.close(t)
	held, _ := tw.w.Latest("socle.test/audit")
	if !bytes.HasPrefix(held, []byte("socle.test/audit\n150\n")) {
		t.Fatalf("witness holds %q, want 150 after close", firstLine(held))
	}
	if rep := tl.verify(t); !rep.OK || rep.Size != 150 {
		t.Fatalf("verify %+v", rep)
	}
}

func TestLogWithWitnessesNeedsWitnessStorage(t *testing.T) {
	skey, _, err := GenerateKey("socle.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	st := struct{ Storage }{&memStorage{}} // hides PutWitnessed
	_, err = Open(context.Background(), st, skey, Options{Witnesses: []Witness{{URL: "http://127.0.0.1:1", Key: "x"}}})
	if err == nil || !strings.Contains(err.Error(), "does not keep witnessed checkpoints") {
		t.Fatalf("Open = %v", err)
	}
}
