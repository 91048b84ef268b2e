package space

import (
	"context"
	"fmt"

	"socle"
)

// Download is the history of accesses to a person's file with what she
// needs to check, on her own, that each entry is in the audit log that the
// network published: the signed checkpoint, the key that verifies it, and
// for each entry its exact leaf and its inclusion proof. Byte fields are
// base64 in JSON.
type Download struct {
	HowToVerify []string `json:"how_to_verify"`
	// Checkpoint is the signed note (C2SP tlog-checkpoint): origin, tree
	// size and root hash, then the Ed25519 signature.
	Checkpoint  string          `json:"checkpoint"`
	VerifierKey string          `json:"verifier_key"`
	Origin      string          `json:"origin"`
	TreeSize    uint64          `json:"tree_size"`
	RootHash    []byte          `json:"root_hash"`
	Entries     []DownloadEntry `json:"entries"`
}

// DownloadEntry is one entry of the history with its proof.
type DownloadEntry struct {
	Index uint64           `json:"index"`
	Event socle.AuditEvent `json:"event"`
	// Leaf is the entry exactly as logged; its RFC 6962 leaf hash is
	// SHA-256(0x00 || leaf).
	Leaf     []byte `json:"leaf"`
	LeafHash []byte `json:"leaf_hash"`
	// Proof is the inclusion proof of the leaf in the tree of the
	// checkpoint; absent while Pending.
	Proof [][]byte `json:"inclusion_proof,omitempty"`
	// Pending says the entry is newer than the checkpoint: it will be
	// provable against the next one (within seconds).
	Pending bool `json:"pending,omitempty"`
}

var howToVerify = []string{
	"1. Vérifiez la signature du point de contrôle (checkpoint) avec la clé de vérification (verifier_key) : format « note » signée (golang.org/x/mod/sumdb/note), Ed25519.",
	"2. Le point de contrôle contient, ligne par ligne, l'origine du journal, sa taille (tree_size) et le haché racine (root_hash, base64).",
	"3. Pour chaque entrée, calculez le haché de feuille RFC 6962 : SHA-256(0x00 || leaf), où leaf est la valeur décodée du base64 ; il doit égaler leaf_hash.",
	"4. Vérifiez la preuve d'inclusion (inclusion_proof) de cette feuille à la position index dans un arbre de tree_size entrées contre root_hash (RFC 6962, section 2.1.1 ; par exemple github.com/transparency-dev/merkle/proof.VerifyInclusion).",
	"5. Une entrée marquée pending est plus récente que le point de contrôle : téléchargez de nouveau dans quelques secondes pour obtenir sa preuve.",
	"Si une vérification échoue, le journal a été altéré : signalez-le au délégué à la protection des données.",
}

// Proofs returns the download of hits: each entry with its inclusion proof
// against the latest checkpoint.
func (s *Service) Proofs(ctx context.Context, hits []socle.AuditHit) (*Download, error) {
	cp, err := s.log.Checkpoint(ctx)
	if err != nil && socle.ErrorCode(err) != socle.ENOTFOUND {
		return nil, fmt.Errorf("reading the checkpoint: %w", err)
	}
	d := &Download{HowToVerify: howToVerify, Checkpoint: string(cp.Note), VerifierKey: s.cfg.VerifierKey,
		Origin: cp.Origin, TreeSize: cp.Size, RootHash: cp.Root, Entries: make([]DownloadEntry, 0, len(hits))}
	for _, h := range hits {
		e, err := s.log.Entry(ctx, h.Index)
		if err != nil {
			return nil, fmt.Errorf("reading audit entry %d: %w", h.Index, err)
		}
		de := DownloadEntry{Index: e.Index, Event: e.Event, Leaf: e.Leaf, LeafHash: e.LeafHash}
		if e.Event.PersonRef != h.Event.PersonRef {
			return nil, fmt.Errorf("audit entry %d does not match the index", h.Index)
		}
		if h.Index < cp.Size {
			if de.Proof, err = s.log.InclusionProof(ctx, h.Index, cp.Size); err != nil {
				return nil, fmt.Errorf("proving audit entry %d: %w", h.Index, err)
			}
		} else {
			de.Pending = true
		}
		d.Entries = append(d.Entries, de)
	}
	return d, nil
}
