package witness

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	fnote "github.com/transparency-dev/formats/note"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

const origin = "socle.test/audit"

// testTree is a log of leaves "leaf 0", "leaf 1", … whose checkpoints a
// log key signs, with a forked twin that differs from leaf fork on.
type testTree struct {
	signer note.Signer
	leaves [][]byte
}

func newTestTree(t *testing.T, n int) (*testTree, string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	tt := &testTree{signer: s}
	for i := range n {
		tt.leaves = append(tt.leaves, fmt.Appendf(nil, "leaf %d", i))
	}
	return tt, vkey
}

func (tt *testTree) root(t *testing.T, size uint64) []byte {
	t.Helper()
	f := compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	r := f.NewEmptyRange(0)
	for _, l := range tt.leaves[:size] {
		if err := r.Append(rfc6962.DefaultHasher.HashLeaf(l), nil); err != nil {
			t.Fatal(err)
		}
	}
	if size == 0 {
		return rfc6962.DefaultHasher.EmptyRoot()
	}
	root, err := r.GetRootHash(nil)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func (tt *testTree) checkpoint(t *testing.T, size uint64) []byte {
	t.Helper()
	text := fmt.Sprintf("%s\n%d\n%s\n", tt.signer.Name(), size, base64.StdEncoding.EncodeToString(tt.root(t, size)))
	msg, err := note.Sign(&note.Note{Text: text}, tt.signer)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// proof returns the consistency proof from old to size, computed from the
// leaves.
func (tt *testTree) proof(t *testing.T, old, size uint64) [][]byte {
	t.Helper()
	if old == 0 || old == size {
		return nil
	}
	nodes, err := proof.Consistency(old, size)
	if err != nil {
		t.Fatal(err)
	}
	hashes := make([][]byte, len(nodes.IDs))
	for k, id := range nodes.IDs {
		sub := &testTree{leaves: tt.leaves[id.Index<<id.Level : (id.Index+1)<<id.Level]}
		hashes[k] = sub.root(t, uint64(len(sub.leaves)))
	}
	p, err := nodes.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func request(old uint64, proof [][]byte, cp []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", old)
	for _, h := range proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h) + "\n")
	}
	b.WriteString("\n")
	b.Write(cp)
	return b.Bytes()
}

type testWitness struct {
	w    *Witness
	vkey string
	dir  string
	skey string
	logs []string
	srv  *httptest.Server
}

func newTestWitness(t *testing.T, logs ...string) *testWitness {
	t.Helper()
	skey, vkey, err := GenerateKey("witness.test/w1")
	if err != nil {
		t.Fatal(err)
	}
	tw := &testWitness{vkey: vkey, dir: t.TempDir(), skey: skey, logs: logs}
	tw.restart(t)
	return tw
}

// restart starts a new witness process over the same state and key.
func (tw *testWitness) restart(t *testing.T) {
	t.Helper()
	if tw.srv != nil {
		tw.srv.Close()
	}
	w, err := New(Config{SignerKey: tw.skey, Logs: tw.logs, Dir: tw.dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	tw.w = w
	tw.srv = httptest.NewServer(w.Handler("/"))
	t.Cleanup(tw.srv.Close)
}

// post sends an add-checkpoint request over HTTP and returns the status
// and the body.
func (tw *testWitness) post(t *testing.T, body []byte) (int, string, string) {
	t.Helper()
	resp, err := http.Post(tw.srv.URL+"/add-checkpoint", "text/plain", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// mustCosign submits a checkpoint and checks the cosignature.
func (tw *testWitness) mustCosign(t *testing.T, tt *testTree, logKey string, old, size uint64) {
	t.Helper()
	cp := tt.checkpoint(t, size)
	status, _, body := tw.post(t, request(old, tt.proof(t, old, size), cp))
	if status != http.StatusOK {
		t.Fatalf("add-checkpoint %d→%d: %d %s", old, size, status, body)
	}
	wv, err := fnote.NewVerifierForCosignatureV1(tw.vkey)
	if err != nil {
		t.Fatal(err)
	}
	lv, err := note.NewVerifier(logKey)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(append(cp, body...), note.VerifierList(wv, lv))
	if err != nil || len(n.Sigs) != 2 {
		t.Fatalf("cosigned checkpoint does not verify: %v (%d signatures)", err, len(n.Sigs))
	}
}

func TestWitnessFollowsALogAndRefusesWhatBreaksIt(t *testing.T) {
	tt, logKey := newTestTree(t, 40)
	forked := &testTree{signer: tt.signer, leaves: append([][]byte(nil), tt.leaves...)}
	forked.leaves[15] = []byte("forged leaf 15")
	other, _ := newTestTree(t, 40) // same origin, another key
	tw := newTestWitness(t, logKey)
	tw.mustCosign(t, tt, logKey, 0, 10)
	tw.mustCosign(t, tt, logKey, 10, 20)
	tw.mustCosign(t, tt, logKey, 20, 20) // the same checkpoint again

	badProof := tt.proof(t, 20, 30)
	badProof[0] = bytes.Repeat([]byte{7}, 32)
	unknown := tt.checkpoint(t, 30)
	unknown = bytes.Replace(unknown, []byte(origin), []byte("unknown.test/log"), 1)

	tests := []struct {
		name       string
		body       []byte
		wantStatus int
		wantSize   string // the body of a 409
	}{
		{"no checkpoint", []byte("old 20\n\n"), http.StatusBadRequest, ""},
		{"no old size line", []byte("20\n\n" + string(tt.checkpoint(t, 30))), http.StatusBadRequest, ""},
		{"old size with a leading zero", []byte("old 020\n\n" + string(tt.checkpoint(t, 30))), http.StatusBadRequest, ""},
		{"unknown origin", request(20, tt.proof(t, 20, 30), unknown), http.StatusNotFound, ""},
		{"checkpoint signed by another key", request(20, tt.proof(t, 20, 30), other.checkpoint(t, 30)), http.StatusForbidden, ""},
		{"old size larger than the checkpoint", request(20, nil, tt.checkpoint(t, 10)), http.StatusBadRequest, ""},
		{"rollback to a smaller tree", request(10, tt.proof(t, 10, 15), tt.checkpoint(t, 15)), http.StatusConflict, "20\n"},
		{"stale old size", request(10, tt.proof(t, 10, 30), tt.checkpoint(t, 30)), http.StatusConflict, "20\n"},
		{"other root at the cosigned size", request(20, nil, forked.checkpoint(t, 20)), http.StatusConflict, "20\n"},
		{"forked tree with its own proof", request(20, forked.proof(t, 20, 30), forked.checkpoint(t, 30)), http.StatusUnprocessableEntity, ""},
		{"altered proof", request(20, badProof, tt.checkpoint(t, 30)), http.StatusUnprocessableEntity, ""},
		{"proof from size 0", request(0, tt.proof(t, 10, 30), tt.checkpoint(t, 30)), http.StatusBadRequest, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, ctype, body := tw.post(t, tc.body)
			if status != tc.wantStatus {
				t.Fatalf("status %d (%s), want %d", status, body, tc.wantStatus)
			}
			if tc.wantSize != "" && (body != tc.wantSize || ctype != SizeContentType) {
				t.Errorf("409 body %q (%s), want %q (%s)", body, ctype, tc.wantSize, SizeContentType)
			}
		})
	}

	// Nothing refused moved the witness: it still holds 20, and after a
	// restart too.
	tw.restart(t)
	if status, _, body := tw.post(t, request(0, nil, tt.checkpoint(t, 30))); status != http.StatusConflict || body != "20\n" {
		t.Fatalf("after restart: %d %q, want 409 20", status, body)
	}
	tw.mustCosign(t, tt, logKey, 20, 40)
	if status, _, body := tw.post(t, request(20, tt.proof(t, 20, 30), tt.checkpoint(t, 30))); status != http.StatusConflict || body != "40\n" {
		t.Fatalf("rollback after restart: %d %q, want 409 40", status, body)
	}
	latest, err := tw.w.Latest(origin)
	if err != nil || !bytes.HasPrefix(latest, []byte(origin+"\n40\n")) {
		t.Fatalf("latest %q, %v", latest, err)
	}
}

func TestWitnessUpdatesAtomically(t *testing.T) {
	tt, logKey := newTestTree(t, 64)
	tw := newTestWitness(t, logKey)
	tw.mustCosign(t, tt, logKey, 0, 8)
	// Many requests from size 8 at once: exactly one may succeed, and the
	// witness must end at its size.
	var mu sync.Mutex
	var won []uint64
	var wg sync.WaitGroup
	for size := uint64(9); size <= 64; size++ {
		wg.Go(func() {
			status, _, _ := tw.post(t, request(8, tt.proof(t, 8, size), tt.checkpoint(t, size)))
			if status == http.StatusOK {
				mu.Lock()
				won = append(won, size)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(won) != 1 {
		t.Fatalf("%d requests from the same old size were cosigned: %v", len(won), won)
	}
	status, _, body := tw.post(t, request(0, nil, tt.checkpoint(t, 64)))
	if status != http.StatusConflict || body != fmt.Sprintf("%d\n", won[0]) {
		t.Fatalf("witness holds %q, want %d", body, won[0])
	}
}

func TestWitnessKeys(t *testing.T) {
	var skey, vkey string
	var err error
	// Keys whose base64 holds "+" are common: enough rounds to meet some.
	for range 50 {
		skey, vkey, err = GenerateKey("witness.test/w1")
		if err != nil {
			t.Fatal(err)
		}
		got, err := VerifierKey(skey)
		if err != nil || got != vkey {
			t.Fatalf("VerifierKey(%q) = %q, %v; want %q", skey, got, err, vkey)
		}
	}
	if !strings.HasPrefix(vkey, "witness.test/w1+") {
		t.Errorf("verifier key %q does not carry the name", vkey)
	}
	if _, err := New(Config{SignerKey: skey, Dir: t.TempDir()}); err == nil {
		t.Error("a witness without logs started")
	}
}
