package audit

import (
	"crypto/sha256"
	"hash"
	"math/bits"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

// hashSize is the size of every tree hash (SHA-256).
const hashSize = sha256.Size

// slabHashes is how many hashes one slab holds (see treeHasher).
const slabHashes = 512

// treeHasher computes the RFC 6962 leaf and node hashes, exactly as
// rfc6962.DefaultHasher does (hash_test.go checks it), but without
// allocating per call: results are carved out of a shared slab, so hashing
// millions of leaves costs one allocation per slabHashes hashes. The
// results are never mutated, so they can be kept by a compact.Range. A
// treeHasher is not safe for concurrent use.
type treeHasher struct {
	d    hash.Hash
	slab []byte
	buf  [1 + 2*hashSize]byte
}

func newTreeHasher() *treeHasher {
	return &treeHasher{d: sha256.New()}
}

var leafPrefix = []byte{rfc6962.RFC6962LeafHashPrefix}

func (h *treeHasher) alloc() []byte {
	if len(h.slab) < hashSize {
		h.slab = make([]byte, hashSize*slabHashes)
	}
	b := h.slab[:0:hashSize]
	h.slab = h.slab[hashSize:]
	return b
}

// leaf returns SHA-256(0x00 || data).
func (h *treeHasher) leaf(data []byte) []byte {
	h.d.Reset()
	h.d.Write(leafPrefix)
	h.d.Write(data)
	return h.d.Sum(h.alloc())
}

// node returns SHA-256(0x01 || left || right); it is a compact.HashFn.
func (h *treeHasher) node(left, right []byte) []byte {
	h.buf[0] = rfc6962.RFC6962NodeHashPrefix
	copy(h.buf[1:], left)
	copy(h.buf[1+hashSize:], right)
	sum := sha256.Sum256(h.buf[:])
	return append(h.alloc(), sum[:]...)
}

// factory returns a compact range factory hashing with h.
func (h *treeHasher) factory() *compact.RangeFactory {
	return &compact.RangeFactory{Hash: h.node}
}

// hashesLen is the length of Record.Hashes for entry i.
func hashesLen(i uint64) int {
	return hashSize * (1 + bits.TrailingZeros64(^i))
}

// nodeEntry returns the entry that stores node id, and the offset of its
// hash in that entry's Hashes.
func nodeEntry(id compact.NodeID) (uint64, int) {
	return (id.Index+1)<<id.Level - 1, int(id.Level) * hashSize
}
