package audit

import (
	"bytes"
	"context"
	"slices"
	"testing"
)

func TestVerifyTampering(t *testing.T) {
	const n = 100 // checkpoints at 16, 32, 48, 64, 80, 96 and 100
	tests := []struct {
		name     string
		entries  func(t *testing.T, p [][]byte) [][]byte // rewrites entries.log
		cps      func(t *testing.T, p [][]byte) [][]byte // rewrites checkpoints.log
		firstBad uint64
	}{
		{name: "intact"},
		{
			name: "altered entry",
			entries: func(t *testing.T, p [][]byte) [][]byte {
				p[37] = bytes.Replace(p[37], []byte(`"allowed":true`), []byte(`"allowed":false`), 1)
				return p
			},
			firstBad: 37,
		},
		{
			name:     "deleted entry",
			entries:  func(t *testing.T, p [][]byte) [][]byte { return slices.Delete(p, 37, 38) },
			firstBad: 37,
		},
		{
			name: "swapped entries",
			entries: func(t *testing.T, p [][]byte) [][]byte {
				p[37], p[40] = p[40], p[37]
				return p
			},
			firstBad: 37,
		},
		{
			name:     "inserted entry",
			entries:  func(t *testing.T, p [][]byte) [][]byte { return slices.Insert(p, 37, p[20]) },
			firstBad: 37,
		},
		{
			name:     "truncated log",
			entries:  func(t *testing.T, p [][]byte) [][]byte { return p[:90] },
			firstBad: 90,
		},
		{
			// Entry and every stored hash rewritten consistently: only the
			// checkpoint after it can tell, so entries from the last good
			// checkpoint (32) on are not trusted.
			name: "history rewritten with hashes",
			entries: func(t *testing.T, p [][]byte) [][]byte {
				p[37] = bytes.Replace(p[37], []byte(`"allowed":true`), []byte(`"allowed":false`), 1)
				return rehashAll(t, p)
			},
			firstBad: 32,
		},
		{
			name: "stored tree hash altered",
			entries: func(t *testing.T, p [][]byte) [][]byte {
				p[39][1+2*hashSize] ^= 1 // node (2, 9) stored with entry 39 covers 36-39
				return p
			},
			firstBad: 36,
		},
		{
			name: "checkpoint signature altered",
			cps: func(t *testing.T, p [][]byte) [][]byte {
				p[3][len(p[3])-5] ^= 1 // the checkpoint of size 48 (after the one of size 0)
				return p
			},
			firstBad: 32,
		},
		{
			name: "checkpoint removed",
			cps: func(t *testing.T, p [][]byte) [][]byte {
				if cpSizeOf(p[len(p)-1]) != n {
					t.Fatalf("last checkpoint has size %d", cpSizeOf(p[len(p)-1]))
				}
				return p[:len(p)-1]
			},
			// Not tampering that Verify can see: the tail is merely
			// unanchored; checked below through Verified.
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			tl := openTestLog(t, Options{CheckpointEvery: 16})
			tl.appendN(t, 0, n)
			tl.close(t)
			if tt.entries != nil {
				tl.st.setEntryPayloads(t, tt.entries(t, tl.st.entryPayloads()))
			}
			if tt.cps != nil {
				tl.st.setCheckpointPayloads(t, tt.cps(t, tl.st.checkpointPayloads()))
			}
			fl := tl.st
			var last uint64
			rep, err := Verify(ctx, fl, tl.vkey, func(done uint64) { last = done })
			if err != nil {
				t.Fatal(err)
			}
			wantOK := tt.entries == nil && (tt.cps == nil || tt.firstBad == 0)
			if rep.OK != wantOK || (!wantOK && rep.FirstBad != tt.firstBad) {
				t.Fatalf("report %+v, want OK=%v FirstBad=%d", rep, wantOK, tt.firstBad)
			}
			if rep.OK {
				if last != n {
					t.Errorf("last progress %d, want %d", last, n)
				}
				if tt.cps == nil && rep.Verified != n {
					t.Errorf("verified %d, want %d", rep.Verified, n)
				}
				if tt.cps != nil && rep.Verified != 96 {
					t.Errorf("verified %d after removing the last checkpoint, want 96", rep.Verified)
				}
			}
		})
	}
}
