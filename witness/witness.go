// Package witness is a transparency log witness speaking the C2SP
// tlog-witness protocol (https://c2sp.org/tlog-witness): a log submits each
// new checkpoint with a consistency proof from the last one the witness
// cosigned, and the witness cosigns it (C2SP tlog-cosignature, Ed25519
// cosignature/v1) only if the log's signature verifies and the proof shows
// that the new tree extends the old one.
//
// A witness guarantees, for every log it knows, that it never cosigns two
// checkpoints that are inconsistent with each other, and never a smaller
// tree after a larger one, across restarts: the latest cosigned checkpoint
// of each log is persisted, atomically with the check, before the answer.
// That holds as long as its state directory survives; a witness whose state
// is lost must get a new key, never restart from nothing under the old one.
//
// Socle runs it as `socle witness serve`, outside the database of the log
// it witnesses, so that whoever can rewrite that database cannot also
// rewrite what the witness has seen.
package witness

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	fnote "github.com/transparency-dev/formats/note"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// Protocol limits (c2sp.org/tlog-witness).
const (
	// maxProofLines is the most consistency proof lines a request may hold.
	maxProofLines = 63
	// maxRequest bounds a request body: a checkpoint with a few signatures
	// and 63 hashes fit many times over.
	maxRequest = 64 << 10
	// SizeContentType is the type of a 409 answer, which holds the size
	// of the latest cosigned checkpoint.
	SizeContentType = "text/x.tlog.size"
)

// GenerateKey returns a new witness key pair named name (a schema-less URL
// such as "witness.example.fr/w1"): the signer key stays with the witness,
// the verifier key ("<name>+<hash>+<key>", signature type 0x04, Ed25519
// cosignature/v1) is given to the logs and to whoever checks cosignatures.
func GenerateKey(name string) (signerKey, verifierKey string, err error) {
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", "", fmt.Errorf("generate witness key %q: %w", name, err)
	}
	cvkey, err := fnote.VKeyToCosignatureV1(vkey)
	if err != nil {
		return "", "", fmt.Errorf("generate witness key %q: %w", name, err)
	}
	return skey, cvkey, nil
}

// VerifierKey returns the cosignature verifier key of a witness signer key.
func VerifierKey(signerKey string) (string, error) {
	s, err := fnote.NewSignerForCosignatureV1(signerKey)
	if err != nil {
		return "", fmt.Errorf("witness signer key: %w", err)
	}
	// A signer key is "PRIVATE+KEY+<name>+<hash>+<base64(0x01||seed)>".
	// The base64 may itself hold "+": split into five parts only.
	parts := strings.SplitN(signerKey, "+", 5)
	seed, err := base64.StdEncoding.DecodeString(parts[len(parts)-1])
	if err != nil || len(seed) != 33 || seed[0] != 1 {
		return "", errors.New("witness signer key: not an Ed25519 note key")
	}
	pub := ed25519.NewKeyFromSeed(seed[1:]).Public().(ed25519.PublicKey)
	plain, err := note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return "", fmt.Errorf("witness verifier key: %w", err)
	}
	vkey, err := fnote.VKeyToCosignatureV1(plain)
	if err != nil {
		return "", fmt.Errorf("witness verifier key: %w", err)
	}
	v, err := fnote.NewVerifierForCosignatureV1(vkey)
	if err != nil || v.KeyHash() != s.KeyHash() {
		return "", errors.New("witness verifier key does not match the signer key")
	}
	return vkey, nil
}

// Config is what a Witness needs.
type Config struct {
	// SignerKey is the witness's note signer key (from GenerateKey).
	SignerKey string
	// Logs are the verifier keys of the logs the witness accepts; a log's
	// origin is its key's name. Several keys may share an origin (a key
	// rotation): a signature by any of them is enough.
	Logs []string
	// Dir holds the latest cosigned checkpoint of each log, one file per
	// origin. It must survive the witness.
	Dir string
	// Logger reports refused checkpoints (slog.Default()).
	Logger *slog.Logger
}

// Witness cosigns checkpoints. It is safe for concurrent use.
type Witness struct {
	signer *fnote.Signer
	logs   map[string]note.Verifiers // by origin
	dir    string
	logger *slog.Logger

	// mu makes the check against the stored checkpoint and the update of
	// it one step: two requests never both pass the check of one size.
	mu sync.Mutex
}

// New returns a witness over its state directory, created if needed.
func New(cfg Config) (*Witness, error) {
	signer, err := fnote.NewSignerForCosignatureV1(cfg.SignerKey)
	if err != nil {
		return nil, fmt.Errorf("witness signer key: %w", err)
	}
	if len(cfg.Logs) == 0 {
		return nil, errors.New("witness: no log to witness")
	}
	byOrigin := map[string][]note.Verifier{}
	for _, k := range cfg.Logs {
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("witness: log key %q: %w", k, err)
		}
		byOrigin[v.Name()] = append(byOrigin[v.Name()], v)
	}
	logs := map[string]note.Verifiers{}
	for origin, vs := range byOrigin {
		logs[origin] = note.VerifierList(vs...)
	}
	if cfg.Dir == "" {
		return nil, errors.New("witness: no state directory")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("witness state: %w", err)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	w := &Witness{signer: signer, logs: logs, dir: cfg.Dir, logger: logger}
	// Read every stored state now: a witness that cannot read what it
	// cosigned must not start and cosign from nothing.
	for origin := range logs {
		if _, err := w.load(origin); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// Name is the witness's key name, which its cosignature lines carry.
func (w *Witness) Name() string { return w.signer.Name() }

// Error is a refused request, with the HTTP status the protocol gives it.
type Error struct {
	Status int
	// Size is, for a 409 Conflict, the size of the latest cosigned
	// checkpoint.
	Size uint64
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("witness: %d %s", e.Status, e.Msg) }

func refuse(status int, format string, args ...any) *Error {
	return &Error{Status: status, Msg: fmt.Sprintf(format, args...)}
}

// state is the latest checkpoint cosigned for one log.
type state struct {
	size uint64
	root []byte
}

// AddCheckpoint handles the body of an add-checkpoint request and returns
// the cosignature lines to answer with, or an *Error.
func (w *Witness) AddCheckpoint(body []byte) ([]byte, error) {
	old, hashes, msg, err := parseRequest(body)
	if err != nil {
		return nil, err
	}
	text, _, _ := bytes.Cut(msg, []byte("\n\n"))
	origin, _, _ := strings.Cut(string(text), "\n")
	known, ok := w.logs[origin]
	if !ok {
		return nil, refuse(http.StatusNotFound, "unknown log origin %q", origin)
	}
	n, err := note.Open(msg, known)
	if err != nil {
		return nil, refuse(http.StatusForbidden, "no valid signature of log %q: %v", origin, err)
	}
	size, root, err := parseCheckpoint(n.Text)
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "%v", err)
	}
	if old > size {
		return nil, refuse(http.StatusBadRequest, "old size %d is larger than the checkpoint size %d", old, size)
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	cur, err := w.load(origin)
	if err != nil {
		return nil, refuse(http.StatusInternalServerError, "%v", err)
	}
	if old != cur.size {
		return nil, &Error{Status: http.StatusConflict, Size: cur.size,
			Msg: fmt.Sprintf("old size %d, but the latest cosigned checkpoint of %q has size %d", old, origin, cur.size)}
	}
	switch {
	case old == size:
		if len(hashes) != 0 {
			return nil, refuse(http.StatusUnprocessableEntity, "a consistency proof between equal sizes must be empty")
		}
		if cur.root != nil && !bytes.Equal(cur.root, root) {
			w.logger.Warn("witness: log presents another root at a cosigned size (split view)", "origin", origin, "size", size, "request", string(body))
			return nil, &Error{Status: http.StatusConflict, Size: cur.size,
				Msg: fmt.Sprintf("checkpoint of size %d has another root than the one cosigned", size)}
		}
	default:
		if err := proof.VerifyConsistency(rfc6962.DefaultHasher, old, size, hashes, cur.root, root); err != nil {
			w.logger.Warn("witness: inconsistent checkpoint", "origin", origin, "old", old, "size", size, "err", err, "request", string(body))
			return nil, refuse(http.StatusUnprocessableEntity, "consistency proof from %d to %d does not verify: %v", old, size, err)
		}
	}

	// Keep the log's verified signatures and add ours: the stored file is
	// then itself a witnessed checkpoint that a verifier can use.
	cosigned, err := note.Sign(&note.Note{Text: n.Text, Sigs: n.Sigs}, w.signer)
	if err != nil {
		return nil, refuse(http.StatusInternalServerError, "cosign: %v", err)
	}
	if err := w.store(origin, cosigned); err != nil {
		return nil, refuse(http.StatusInternalServerError, "%v", err)
	}
	_, sigs, _ := bytes.Cut(cosigned, []byte("\n\n"))
	var mine bytes.Buffer
	prefix := "— " + w.signer.Name() + " "
	for line := range strings.Lines(string(sigs)) {
		if strings.HasPrefix(line, prefix) {
			mine.WriteString(line)
		}
	}
	return mine.Bytes(), nil
}

// parseRequest splits an add-checkpoint body into the old size, the
// consistency proof and the checkpoint note.
func parseRequest(body []byte) (old uint64, hashes [][]byte, msg []byte, err error) {
	r := bufio.NewReader(bytes.NewReader(body))
	line, err := r.ReadString('\n')
	if err != nil {
		return 0, nil, nil, refuse(http.StatusBadRequest, "no old size line")
	}
	num, isOld := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "old ")
	old, isSize := parseSize(num)
	if !isOld || !isSize {
		return 0, nil, nil, refuse(http.StatusBadRequest, "bad old size line %q", line)
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return 0, nil, nil, refuse(http.StatusBadRequest, "no empty line before the checkpoint")
		}
		if line == "\n" {
			break
		}
		if len(hashes) == maxProofLines {
			return 0, nil, nil, refuse(http.StatusBadRequest, "more than %d consistency proof lines", maxProofLines)
		}
		h, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(line, "\n"))
		if err != nil || len(h) != rfc6962.DefaultHasher.Size() {
			return 0, nil, nil, refuse(http.StatusBadRequest, "bad consistency proof line %q", line)
		}
		hashes = append(hashes, h)
	}
	if old == 0 && len(hashes) != 0 {
		return 0, nil, nil, refuse(http.StatusBadRequest, "a consistency proof from size 0 must be empty")
	}
	msg, _ = io.ReadAll(r)
	if len(msg) == 0 {
		return 0, nil, nil, refuse(http.StatusBadRequest, "no checkpoint after the empty line")
	}
	return old, hashes, msg, nil
}

// parseSize reads a size in ASCII decimal without leading zeroes.
func parseSize(s string) (uint64, bool) {
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil && strconv.FormatUint(n, 10) == s
}

// parseCheckpoint reads the size and root of a checkpoint's note text
// (c2sp.org/tlog-checkpoint: origin, size, root, then extension lines).
func parseCheckpoint(text string) (uint64, []byte, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return 0, nil, errors.New("checkpoint: want an origin, a size and a root hash line")
	}
	size, ok := parseSize(lines[1])
	if !ok {
		return 0, nil, fmt.Errorf("checkpoint: bad size %q", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != rfc6962.DefaultHasher.Size() {
		return 0, nil, fmt.Errorf("checkpoint: bad root hash %q", lines[2])
	}
	return size, root, nil
}

// path is the state file of a log: its origin escaped to a file name.
func (w *Witness) path(origin string) string {
	return filepath.Join(w.dir, url.QueryEscape(origin)+".checkpoint")
}

// Latest returns the latest checkpoint cosigned for origin, with the log's
// signature and the witness's cosignature, or nil if there is none.
func (w *Witness) Latest(origin string) ([]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	b, err := os.ReadFile(w.path(origin))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return b, err
}

// load reads the latest cosigned checkpoint of origin; size 0 and no root
// when there is none.
func (w *Witness) load(origin string) (state, error) {
	b, err := os.ReadFile(w.path(origin))
	if errors.Is(err, os.ErrNotExist) {
		return state{}, nil
	}
	if err != nil {
		return state{}, fmt.Errorf("witness state of %q: %w", origin, err)
	}
	n, err := note.Open(b, note.VerifierList(w.signer.Verifier()))
	if err != nil {
		return state{}, fmt.Errorf("witness state of %q: not cosigned by this witness: %w", origin, err)
	}
	size, root, err := parseCheckpoint(n.Text)
	if err != nil {
		return state{}, fmt.Errorf("witness state of %q: %w", origin, err)
	}
	return state{size: size, root: root}, nil
}

// store durably replaces the state of origin: a new file, synced, renamed
// over the old one, and the directory synced.
func (w *Witness) store(origin string, cosigned []byte) error {
	f, err := os.CreateTemp(w.dir, ".checkpoint-*")
	if err != nil {
		return fmt.Errorf("witness state: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(cosigned); err != nil {
		f.Close()
		return fmt.Errorf("witness state: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("witness state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("witness state: %w", err)
	}
	if err := os.Rename(f.Name(), w.path(origin)); err != nil {
		return fmt.Errorf("witness state: %w", err)
	}
	d, err := os.Open(w.dir)
	if err != nil {
		return fmt.Errorf("witness state: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("witness state: %w", err)
	}
	return nil
}

// Handler serves the protocol's submission API at prefix + "/add-checkpoint".
func (w *Witness) Handler(prefix string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+strings.TrimSuffix(prefix, "/")+"/add-checkpoint", func(rw http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, maxRequest))
		if err != nil {
			http.Error(rw, "request body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		sigs, err := w.AddCheckpoint(body)
		var e *Error
		switch {
		case errors.As(err, &e) && e.Status == http.StatusConflict:
			rw.Header().Set("Content-Type", SizeContentType)
			rw.WriteHeader(http.StatusConflict)
			fmt.Fprintf(rw, "%d\n", e.Size)
		case errors.As(err, &e):
			http.Error(rw, e.Msg, e.Status)
		case err != nil:
			http.Error(rw, err.Error(), http.StatusInternalServerError)
		default:
			rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = rw.Write(sigs)
		}
	})
	return mux
}
