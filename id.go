package socle

import (
	"crypto/rand"
	"encoding/base32"
	"io"
	"strings"
)

// Prefixes of opaque identifiers, so that an id says what it names.
const (
	PrefixOrganisation = "org"
	PrefixAgent        = "agt"
	PrefixPerson       = "per"
	PrefixFollowup     = "fol"
	PrefixCompany      = "cmp"
	PrefixContact      = "ctc"
	PrefixOffer        = "off"
	PrefixEvent        = "evt"
	PrefixOrientation  = "ori"
	PrefixCommitment   = "cte"
	PrefixMatch        = "mer"
)

// idBytes is 96 bits of randomness: ids cannot be guessed or enumerated.
const idBytes = 12

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// idLen is the length of the random part of an id.
var idLen = idEncoding.EncodedLen(idBytes)

// NewID returns a new random identifier with the given prefix.
func NewID(prefix string) string { return NewIDFrom(rand.Reader, prefix) }

// NewIDFrom returns an identifier drawn from r, so that the demo network is
// deterministic for a seed. r must not fail; a failing reader panics.
func NewIDFrom(r io.Reader, prefix string) string {
	var b [idBytes]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		panic("socle: reading id randomness: " + err.Error())
	}
	return prefix + "_" + idEncoding.EncodeToString(b[:])
}

// ValidID reports whether id is well formed for the prefix. It does not say
// whether the id exists.
func ValidID(prefix, id string) bool {
	rest, ok := strings.CutPrefix(id, prefix+"_")
	if !ok || len(rest) != idLen {
		return false
	}
	for _, c := range rest {
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// CheckID returns an EINVALID error naming what when id is malformed.
func CheckID(prefix, what, id string) error {
	if !ValidID(prefix, id) {
		return Errorf(EINVALID, "%s: malformed identifier (expected %s_ followed by %d characters)", what, prefix, idLen)
	}
	return nil
}
