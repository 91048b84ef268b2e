package audit

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"socle"
)

// Witnessing: a checkpoint signed by the log proves nothing to someone who
// can also rewrite the database and read the signer key beside it. A
// witness outside the database cosigns each checkpoint (C2SP tlog-witness
// and tlog-cosignature) only after checking a consistency proof from the
// last one it cosigned, and keeps that last one; a verifier then compares
// the log with what the witness holds, which catches a tail forged with
// correct hashes and re-signed, and a tail cut off with its checkpoints.

// Witness is a witness of the log.
type Witness struct {
	// URL is the witness's submission prefix: checkpoints are posted to
	// URL + "/add-checkpoint".
	URL string
	// Key is the verifier key of its cosignatures (a note verifier key,
	// Ed25519 cosignature/v1).
	Key string
}

// WitnessStorage is a Storage that also keeps the witnessed checkpoints: a
// Log with witnesses needs one.
type WitnessStorage interface {
	Storage
	// PutWitnessed durably stores a checkpoint of the given tree size
	// together with witness cosignatures: a signed note holding the log's
	// signature and one or more cosignature lines.
	PutWitnessed(ctx context.Context, size uint64, note []byte) error
	// LatestWitnessed returns the last witnessed checkpoint stored, or a
	// nil note if there is none.
	LatestWitnessed(ctx context.Context) (size uint64, note []byte, err error)
}

// witnessClient speaks the tlog-witness protocol to one witness.
type witnessClient struct {
	url string
	v   note.Verifier
	hc  *http.Client
	// size is the size of the latest checkpoint the witness cosigned, as
	// far as this log knows; 0 until it answers. Only one goroutine at a
	// time submits to a witness.
	size uint64
}

func newWitnessClient(w Witness, hc *http.Client) (*witnessClient, error) {
	v, err := fnote.NewVerifierForCosignatureV1(strings.TrimSpace(w.Key))
	if err != nil {
		return nil, fmt.Errorf("witness key %q: %w", w.Key, err)
	}
	if !strings.HasPrefix(w.URL, "http://") && !strings.HasPrefix(w.URL, "https://") {
		return nil, fmt.Errorf("witness URL %q: want http:// or https://", w.URL)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &witnessClient{url: strings.TrimSuffix(w.URL, "/") + "/add-checkpoint", v: v, hc: hc}, nil
}

// witnessConflict is a 409 answer: the witness's latest cosigned checkpoint
// has size Size, which is not the old size sent, or it has another root.
type witnessConflict struct{ size uint64 }

func (e *witnessConflict) Error() string {
	return fmt.Sprintf("witness holds a checkpoint of size %d", e.size)
}

// add posts one add-checkpoint request and returns the witness's verified
// cosignatures of the checkpoint cp (a note signed by logV).
func (c *witnessClient) add(ctx context.Context, old uint64, proof [][]byte, cp []byte, logV note.Verifier) ([]note.Signature, error) {
	var body bytes.Buffer
	fmt.Fprintf(&body, "old %d\n", old)
	for _, h := range proof {
		body.WriteString(base64.StdEncoding.EncodeToString(h))
		body.WriteByte('\n')
	}
	body.WriteByte('\n')
	body.Write(cp)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, &body)
	if err != nil {
		return nil, fmt.Errorf("witness %s: %w", c.v.Name(), err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("witness %s: %w", c.v.Name(), err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("witness %s: reading the answer: %w", c.v.Name(), err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusConflict:
		size, err := strconv.ParseUint(strings.TrimSuffix(string(answer), "\n"), 10, 64)
		if err != nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/x.tlog.size") {
			return nil, fmt.Errorf("witness %s: 409 without a tree size: %q", c.v.Name(), firstLine(answer))
		}
		return nil, &witnessConflict{size}
	default:
		return nil, fmt.Errorf("witness %s: %s: %q", c.v.Name(), resp.Status, firstLine(answer))
	}
	// The answer is signature lines: appended to the checkpoint they make
	// a note whose witness signatures we check; any other is ignored.
	n, err := note.Open(append(bytes.Clone(cp), answer...), note.VerifierList(logV, c.v))
	if err != nil {
		return nil, fmt.Errorf("witness %s: cosignature: %w", c.v.Name(), err)
	}
	var sigs []note.Signature
	for _, s := range n.Sigs {
		if s.Name == c.v.Name() && s.Hash == c.v.KeyHash() {
			sigs = append(sigs, s)
		}
	}
	if len(sigs) == 0 {
		return nil, fmt.Errorf("witness %s: no valid cosignature in its answer", c.v.Name())
	}
	return sigs, nil
}

func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	if len(line) > 200 {
		line = line[:200]
	}
	return string(line)
}

// submit gets cp cosigned by the witness, with a consistency proof from the
// witness's latest cosigned size, which it learns from a 409 answer.
func (l *Log) submit(ctx context.Context, c *witnessClient, cp Checkpoint) ([]note.Signature, error) {
	old := c.size
	for range 4 {
		if old > cp.Size {
			return nil, fmt.Errorf("witness %s has cosigned a checkpoint of size %d, but this log signs size %d: the log was cut back or forked", c.v.Name(), old, cp.Size)
		}
		var proof [][]byte
		if old > 0 && old < cp.Size {
			var err error
			if proof, err = l.ConsistencyProof(ctx, old, cp.Size); err != nil {
				return nil, fmt.Errorf("witness %s: %w", c.v.Name(), err)
			}
		}
		sigs, err := c.add(ctx, old, proof, cp.Note, l.verifier)
		var conflict *witnessConflict
		if errors.As(err, &conflict) && conflict.size != old {
			old = conflict.size
			continue
		}
		if conflict != nil {
			return nil, fmt.Errorf("witness %s has cosigned another checkpoint of size %d: the log was rewritten or forked", c.v.Name(), old)
		}
		if err != nil {
			return nil, err
		}
		c.size = cp.Size
		return sigs, nil
	}
	return nil, fmt.Errorf("witness %s: its latest size keeps changing", c.v.Name())
}

// witness gets cp cosigned by every witness that accepts it, and stores it
// with their cosignatures. It fails if no witness cosigned it; a witness
// that refuses while another cosigns is logged.
func (l *Log) witness(ctx context.Context, cp Checkpoint) error {
	type result struct {
		sigs []note.Signature
		err  error
	}
	results := make([]result, len(l.witnesses))
	done := make(chan struct{})
	for k, c := range l.witnesses {
		go func() {
			defer func() { done <- struct{}{} }()
			sigs, err := l.submit(ctx, c, cp)
			results[k] = result{sigs, err}
		}()
	}
	for range l.witnesses {
		<-done
	}
	n, err := note.Open(cp.Note, note.VerifierList(l.verifier))
	if err != nil {
		return fmt.Errorf("witness checkpoint %d: %w", cp.Size, err)
	}
	n.UnverifiedSigs = nil
	var errs []error
	for _, r := range results {
		if r.err != nil {
			errs = append(errs, r.err)
			continue
		}
		n.Sigs = append(n.Sigs, r.sigs...)
	}
	if len(errs) == len(results) {
		return fmt.Errorf("checkpoint %d not witnessed: %w", cp.Size, errors.Join(errs...))
	}
	cosigned, err := note.Sign(n)
	if err != nil {
		return fmt.Errorf("witnessed checkpoint %d: %w", cp.Size, err)
	}
	if err := l.wst.PutWitnessed(ctx, cp.Size, cosigned); err != nil {
		return fmt.Errorf("store witnessed checkpoint %d: %w", cp.Size, err)
	}
	w := cp
	w.Note = cosigned
	l.witnessed.Store(&w)
	if len(errs) > 0 {
		l.opts.Logger.Warn("audit checkpoint not cosigned by every witness", "size", cp.Size,
			"cosigned", len(results)-len(errs), "witnesses", len(results), "err", errors.Join(errs...))
	}
	return nil
}

// witnessLoop gets every new checkpoint cosigned, away from the writer so
// that a slow witness never delays an append. A checkpoint that no witness
// cosigned is retried every CheckpointInterval.
func (l *Log) witnessLoop(ctx context.Context) {
	defer close(l.witnessDone)
	retry := time.NewTicker(l.opts.CheckpointInterval)
	defer retry.Stop()
	for {
		select {
		case <-l.witnessWake:
		case <-retry.C:
		case <-ctx.Done():
			return
		}
		cp := l.cp.Load()
		if cp == nil {
			continue
		}
		if w := l.witnessed.Load(); w != nil && w.Size >= cp.Size {
			continue
		}
		wctx, cancel := context.WithTimeout(ctx, l.opts.WitnessTimeout)
		err := l.witness(wctx, *cp)
		cancel()
		if err != nil && ctx.Err() == nil {
			l.opts.Logger.Error("audit checkpoint witnessing failed", "size", cp.Size, "err", err)
		}
	}
}

// wakeWitnesses tells the witnessing loop that a checkpoint was stored.
func (l *Log) wakeWitnesses() {
	if l.witnessWake == nil {
		return
	}
	select {
	case l.witnessWake <- struct{}{}:
	default:
	}
}

// Witnessed returns the latest checkpoint cosigned by a witness, whose Note
// holds the log's signature and the witnesses' cosignatures.
func (l *Log) Witnessed(ctx context.Context) (Checkpoint, error) {
	cp := l.witnessed.Load()
	if cp == nil {
		return Checkpoint{}, socle.Errorf(socle.ENOTFOUND, "Aucun point de contrôle cosigné par un témoin.")
	}
	return *cp, nil
}

// WitnessMismatch is what AskWitness reports when the log cannot show the
// checkpoint a witness cosigned last: the log was cut back, rewritten or
// forked after the witness saw it.
type WitnessMismatch struct {
	Witness string // the witness's key name
	Size    uint64 // the size of the checkpoint it cosigned last
	LogSize uint64 // the entries the log holds
	Problem string
}

func (e *WitnessMismatch) Error() string { return e.Problem }

// AskWitness returns the latest checkpoint of the log in st that witness w
// cosigned, with a fresh cosignature from it, to pass to Verify. It never
// moves the witness forward: it only submits a stored checkpoint of
// exactly the size the witness holds (which the witness tells in a 409
// answer), and a witness cosigns that again only if its root is the one it
// cosigned before. When the log holds fewer entries than that size, no
// checkpoint of that size, or one with another root, AskWitness returns a
// *WitnessMismatch naming the problem; another error means it could not
// ask.
func AskWitness(ctx context.Context, st Storage, verifierKey string, w Witness, hc *http.Client) (Checkpoint, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit verifier key: %w", err)
	}
	c, err := newWitnessClient(w, hc)
	if err != nil {
		return Checkpoint{}, err
	}
	size, err := st.Size(ctx)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("ask witness: %w", err)
	}
	mismatch := func(at uint64, format string, args ...any) error {
		return &WitnessMismatch{Witness: c.v.Name(), Size: at, LogSize: size, Problem: fmt.Sprintf(format, args...)}
	}
	want, msg, err := st.LatestCheckpoint(ctx)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("ask witness: %w", err)
	}
	if msg == nil {
		return Checkpoint{}, mismatch(0, "the log holds no checkpoint to show witness %s: checkpoints were removed", c.v.Name())
	}
	for range 5 {
		if _, err := OpenCheckpoint(msg, v); err != nil {
			return Checkpoint{}, mismatch(want, "the log's checkpoint of size %d is not validly signed: %v", want, err)
		}
		sigs, err := c.add(ctx, want, nil, msg, v)
		var conflict *witnessConflict
		if errors.As(err, &conflict) {
			held := conflict.size
			if held == 0 && size > 0 {
				return Checkpoint{}, mismatch(0, "witness %s has cosigned no checkpoint of this log", c.v.Name())
			}
			if held == want {
				return Checkpoint{}, mismatch(held, "witness %s cosigned another checkpoint of size %d than the one the log holds: entries below %d were rewritten and the checkpoint re-signed", c.v.Name(), held, held)
			}
			if held > size {
				return Checkpoint{}, mismatch(held, "the log holds %d entries, but witness %s cosigned a checkpoint of size %d: entries from %d on were cut off", size, c.v.Name(), held, size)
			}
			if msg, err = checkpointOfSize(ctx, st, v, held); err != nil {
				return Checkpoint{}, err
			}
			if msg == nil {
				return Checkpoint{}, mismatch(held, "witness %s cosigned a checkpoint of size %d, which the log no longer holds: checkpoints were removed", c.v.Name(), held)
			}
			want = held
			continue
		}
		if err != nil {
			return Checkpoint{}, err
		}
		cp, err := OpenCheckpoint(msg, v)
		if err != nil {
			return Checkpoint{}, err
		}
		n, err := note.Open(msg, note.VerifierList(v))
		if err != nil {
			return Checkpoint{}, err
		}
		n.UnverifiedSigs, n.Sigs = nil, append(n.Sigs, sigs...)
		if cp.Note, err = note.Sign(n); err != nil {
			return Checkpoint{}, fmt.Errorf("witnessed checkpoint: %w", err)
		}
		return cp, nil
	}
	return Checkpoint{}, fmt.Errorf("witness %s: its latest size keeps changing", c.v.Name())
}

// checkpointOfSize returns the last stored checkpoint of the given size
// that v verifies, nil if there is none.
func checkpointOfSize(ctx context.Context, st Storage, v note.Verifier, size uint64) ([]byte, error) {
	var found []byte
	err := st.Checkpoints(ctx, func(s uint64, msg []byte) error {
		if s == size {
			if cp, err := OpenCheckpoint(msg, v); err == nil && cp.Size == size {
				found = bytes.Clone(msg)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ask witness: %w", err)
	}
	return found, nil
}

// OpenWitnessed checks a witnessed checkpoint kept outside the database (a
// witness's state file, or a checkpoint saved from the log): it must be
// signed by the log's verifierKey and, when witnessKeys are given,
// cosigned by at least one of them.
func OpenWitnessed(msg []byte, verifierKey string, witnessKeys []string) (Checkpoint, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit verifier key: %w", err)
	}
	cp, err := OpenCheckpoint(msg, v)
	if err != nil {
		return Checkpoint{}, err
	}
	if len(witnessKeys) == 0 {
		return cp, nil
	}
	var ws []note.Verifier
	for _, k := range witnessKeys {
		wv, err := fnote.NewVerifierForCosignatureV1(strings.TrimSpace(k))
		if err != nil {
			return Checkpoint{}, fmt.Errorf("witness key %q: %w", k, err)
		}
		ws = append(ws, wv)
	}
	n, err := note.Open(msg, note.VerifierList(ws...))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint of size %d: no valid cosignature from the given witnesses: %w", cp.Size, err)
	}
	if len(n.Sigs) == 0 {
		return Checkpoint{}, fmt.Errorf("checkpoint of size %d: no valid cosignature from the given witnesses", cp.Size)
	}
	return cp, nil
}
