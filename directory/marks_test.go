package directory

import (
	"testing"

	"socle"
)

func TestMarksMatchWhatPeopleWriteDifferently(t *testing.T) {
	m := NewMarker([]byte("key"))
	birth := socle.NewDate(1980, 5, 17)
	base := m.Marks("1 80 05 69 123 456 78", birth, "Lefèvre", Home{Address: "12 bis, Av. Jean-Jaurès", CommuneCode: "69123"})
	tests := []struct {
		name                     string
		nir, family              string
		home                     Home
		sameIdentity, sameHome   bool
		sameStreet, sameHousehld bool
	}{
		{"spelled out", "180056912345678", "LEFEVRE", Home{Address: "12 bis avenue Jean Jaures", CommuneCode: "69123"}, true, true, true, true},
		{"neighbour", "280056912345678", "Martin", Home{Address: "14 av Jean-Jaurès", CommuneCode: "69123"}, false, false, true, false},
		{"other town", "180056912345678", "Lefèvre", Home{Address: "12 bis av Jean-Jaurès", CommuneCode: "38185"}, true, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.Marks(tt.nir, birth, tt.family, tt.home)
			if (got.Identity == base.Identity) != tt.sameIdentity || (got.Address == base.Address) != tt.sameHome ||
				(got.Street == base.Street) != tt.sameStreet || (got.Household == base.Household) != tt.sameHousehld {
				t.Fatalf("marks %+v against %+v", got, base)
			}
		})
	}
	if other := NewMarker([]byte("other")).Marks("180056912345678", birth, "Lefèvre", Home{Address: "12 bis av Jean-Jaurès", CommuneCode: "69123"}); other.Identity == base.Identity {
		t.Fatal("a different key gives the same hash")
	}
	if empty := m.Marks("", socle.Date{}, "", Home{}); empty != (socle.Marks{}) {
		t.Fatalf("nothing known: marks %+v, want none", empty)
	}
}
