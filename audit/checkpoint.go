package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// GenerateKey returns a new Ed25519 key pair for signing checkpoints of the
// log named origin (for example "socle.example.fr/audit"), as note keys:
// the signer key ("PRIVATE+KEY+<origin>+...") stays in the server's data
// directory; the verifier key ("<origin>+<hash>+<key>") is published so that
// anyone can check checkpoints.
func GenerateKey(origin string) (signerKey, verifierKey string, err error) {
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return "", "", fmt.Errorf("generate audit key for %q: %w", origin, err)
	}
	return skey, vkey, nil
}

// Checkpoint is a signed statement of the log's tree size and root hash, in
// the C2SP tlog-checkpoint format: the note text is the origin, the size in
// decimal and the base64 root hash, one per line, followed by the signature.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   []byte
	Note   []byte // the signed note, to store and to hand out as is
}

// checkpointBody returns the note text of a checkpoint.
func checkpointBody(origin string, size uint64, root []byte) string {
	return origin + "\n" + strconv.FormatUint(size, 10) + "\n" + base64.StdEncoding.EncodeToString(root) + "\n"
}

// signCheckpoint signs a checkpoint with s, whose name is the origin.
func signCheckpoint(s note.Signer, size uint64, root []byte) (Checkpoint, error) {
	msg, err := note.Sign(&note.Note{Text: checkpointBody(s.Name(), size, root)}, s)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("sign checkpoint %d: %w", size, err)
	}
	return Checkpoint{Origin: s.Name(), Size: size, Root: root, Note: msg}, nil
}

// OpenCheckpoint checks the signature of a checkpoint note with v and parses
// it. The origin must be v's name.
func OpenCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("open checkpoint: %w", err)
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 {
		return Checkpoint{}, fmt.Errorf("open checkpoint: want at least 3 lines")
	}
	if lines[0] != v.Name() {
		return Checkpoint{}, fmt.Errorf("open checkpoint: origin %q, want %q", lines[0], v.Name())
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("open checkpoint: bad size %q", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != hashSize {
		return Checkpoint{}, fmt.Errorf("open checkpoint: bad root hash %q", lines[2])
	}
	return Checkpoint{Origin: lines[0], Size: size, Root: root, Note: bytes.Clone(msg)}, nil
}

// ParseCheckpoint is OpenCheckpoint with a verifier key string.
func ParseCheckpoint(msg []byte, verifierKey string) (Checkpoint, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit verifier key: %w", err)
	}
	return OpenCheckpoint(msg, v)
}

// VerifierKey returns the verifier key that matches signerKey, so that a
// server keeping only its signer key can publish the verifier key.
func VerifierKey(signerKey string) (string, error) {
	signer, err := note.NewSigner(signerKey)
	if err != nil {
		return "", fmt.Errorf("audit signer key: %w", err)
	}
	// A signer key is "PRIVATE+KEY+<name>+<hash>+<base64(algorithm||seed)>";
	// note.NewSigner has checked it, and 1 is its Ed25519 algorithm.
	parts := strings.SplitN(signerKey, "+", 5)
	enc := parts[len(parts)-1]
	data, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(data) != 1+ed25519.SeedSize || data[0] != 1 {
		return "", fmt.Errorf("audit signer key: not an Ed25519 note key")
	}
	pub := ed25519.NewKeyFromSeed(data[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return "", fmt.Errorf("audit verifier key: %w", err)
	}
	if v, err := note.NewVerifier(vkey); err != nil || v.KeyHash() != signer.KeyHash() {
		return "", fmt.Errorf("audit verifier key does not match the signer key")
	}
	return vkey, nil
}
