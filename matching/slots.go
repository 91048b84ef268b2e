package matching

import (
	"encoding/base32"
	"hash/maphash"
	"strings"

	"socle"
)

// idBytes is the size of the random part of an id of the usual form.
const idBytes = 12

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

var idSeed = maphash.MakeSeed()

// rawID returns the 12 bytes of an id "per_<20 base32>" (socle.NewID), false for any
// other form.
func rawID(id string) ([idBytes]byte, bool) {
	var raw [idBytes]byte
	rest, ok := strings.CutPrefix(id, socle.PrefixPerson+"_")
	if !ok || len(rest) != idEncoding.EncodedLen(idBytes) {
		return raw, false
	}
	n, err := idEncoding.Decode(raw[:], []byte(rest))
	if err != nil || n != idBytes || idEncoding.EncodeToString(raw[:]) != rest {
		return raw, false
	}
	return raw, true
}

// idOf returns the id of a slot.
func (x *Index) idOf(slot int32) string {
	if id, ok := x.odd[slot]; ok {
		return id
	}
	return socle.PrefixPerson + "_" + idEncoding.EncodeToString(x.idRaw[int(slot)*idBytes:][:idBytes])
}

// slot finds the slot of a person by id.
func (x *Index) slot(id string) (int32, bool) {
	if len(x.table) == 0 {
		return 0, false
	}
	raw, canonical := rawID(id)
	mask := uint64(len(x.table) - 1)
	for i := maphash.String(idSeed, id) & mask; ; i = (i + 1) & mask {
		v := x.table[i]
		if v == 0 {
			return 0, false
		}
		slot := v - 1
		if odd, isOdd := x.odd[slot]; isOdd {
			if odd == id {
				return slot, true
			}
		} else if canonical && string(x.idRaw[int(slot)*idBytes:][:idBytes]) == string(raw[:]) {
			return slot, true
		}
	}
}

// addSlot gives a new person a slot, growing the table to keep it at
// at most four fifths full (linear probing stays short).
func (x *Index) addSlot(id string) int32 {
	slot := int32(len(x.persons))
	x.persons = append(x.persons, personEntry{})
	raw, canonical := rawID(id)
	if canonical {
		x.idRaw = append(x.idRaw, raw[:]...)
	} else {
		var zero [idBytes]byte
		x.idRaw = append(x.idRaw, zero[:]...)
		x.odd[slot] = id
	}
	if 5*len(x.persons) > 4*len(x.table) {
		x.grow()
	} else {
		x.place(id, slot)
	}
	return slot
}

func (x *Index) place(id string, slot int32) {
	mask := uint64(len(x.table) - 1)
	i := maphash.String(idSeed, id) & mask
	for x.table[i] != 0 {
		i = (i + 1) & mask
	}
	x.table[i] = slot + 1
}

func (x *Index) grow() {
	n := max(1024, 2*len(x.table))
	x.table = make([]int32, n)
	for slot := range int32(len(x.persons)) {
		x.place(x.idOf(slot), slot)
	}
}
