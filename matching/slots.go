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
	for i := x.home(id); ; i = x.next(i) {
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

// home is where the probe for id starts: its hash mapped onto the table
// by multiplication, so that the table's size need not be a power of two.
func (x *Index) home(id string) int {
	return int(uint64(uint32(maphash.String(idSeed, id))) * uint64(len(x.table)) >> 32)
}

// next is the slot of the table after i, wrapping around.
func (x *Index) next(i int) int {
	if i++; i == len(x.table) {
		return 0
	}
	return i
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
	i := x.home(id)
	for x.table[i] != 0 {
		i = x.next(i)
	}
	x.table[i] = slot + 1
}

// grow rebuilds the table half again as large as the persons it holds: two
// thirds full, where doubling a power of two would leave it between two
// fifths and four fifths full, the table being a cost of every person.
func (x *Index) grow() {
	n := max(1024, len(x.persons)*3/2)
	x.table = make([]int32, n)
	for slot := range int32(len(x.persons)) {
		x.place(x.idOf(slot), slot)
	}
}
