package audit

import (
	"context"
	"fmt"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"socle"
)

// Entry is one entry of the log with what a person needs to check it: the
// canonical leaf, whose RFC 6962 leaf hash goes into an inclusion proof.
type Entry struct {
	Index    uint64
	Event    socle.AuditEvent
	Leaf     []byte
	LeafHash []byte
}

// Entry returns entry index.
func (l *Log) Entry(ctx context.Context, index uint64) (Entry, error) {
	if index >= l.Size() {
		return Entry{}, socle.Errorf(socle.ENOTFOUND, "Entrée %d absente du journal.", index)
	}
	var e Entry
	err := l.st.ReadRange(ctx, index, index+1, func(i uint64, r Record) error {
		e.Leaf = append([]byte(nil), r.Leaf...)
		return nil
	})
	if err != nil {
		return Entry{}, fmt.Errorf("read audit entry %d: %w", index, err)
	}
	i, ev, err := DecodeLeaf(e.Leaf)
	if err != nil {
		return Entry{}, err
	}
	if i != index {
		return Entry{}, &CorruptError{Index: index, Err: fmt.Errorf("entry holds index %d", i)}
	}
	e.Index, e.Event, e.LeafHash = index, ev, rfc6962.DefaultHasher.HashLeaf(e.Leaf)
	return e, nil
}

// InclusionProof returns the RFC 6962 proof that entry index is in the tree
// of size treeSize; check it with proof.VerifyInclusion.
func (l *Log) InclusionProof(ctx context.Context, index, treeSize uint64) ([][]byte, error) {
	if treeSize > l.Size() || index >= treeSize {
		return nil, socle.Errorf(socle.EINVALID, "Preuve d'inclusion impossible : entrée %d, taille %d, journal de %d entrées.", index, treeSize, l.Size())
	}
	nodes, err := proof.Inclusion(index, treeSize)
	if err != nil {
		return nil, fmt.Errorf("inclusion proof: %w", err)
	}
	return l.rehash(ctx, nodes)
}

// ConsistencyProof returns the RFC 6962 proof that the tree of size from is
// a prefix of the tree of size to; check it with proof.VerifyConsistency.
func (l *Log) ConsistencyProof(ctx context.Context, from, to uint64) ([][]byte, error) {
	if to > l.Size() || from > to {
		return nil, socle.Errorf(socle.EINVALID, "Preuve de cohérence impossible : de %d à %d, journal de %d entrées.", from, to, l.Size())
	}
	nodes, err := proof.Consistency(from, to)
	if err != nil {
		return nil, fmt.Errorf("consistency proof: %w", err)
	}
	return l.rehash(ctx, nodes)
}

func (l *Log) rehash(ctx context.Context, nodes proof.Nodes) ([][]byte, error) {
	hashes, err := l.nodeHashes(ctx, nodes.IDs)
	if err != nil {
		return nil, err
	}
	p, err := nodes.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
	if err != nil {
		return nil, fmt.Errorf("build proof: %w", err)
	}
	return p, nil
}
