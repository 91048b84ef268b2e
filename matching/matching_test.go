package matching

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"socle"
	"socle/rome"
)

func offer(code, commune string, skills ...string) *socle.Offer {
	return &socle.Offer{ID: "off_" + code + commune, ROMECode: code, Title: "Offre", CommuneCode: commune,
		Contract: "CDI", HoursPerWeek: 35, Skills: skills, Open: true}
}

func TestDistanceKm(t *testing.T) {
	tests := []struct {
		a, b     string
		min, max float64
	}{
		{"69123", "69123", 0, 0},
		{"69123", "69266", SameDepartementKm, SameDepartementKm},
		{"69123", "75056", 380, 420}, // Lyon – Paris
		{"2A004", "2B033", 85, 115},  // Ajaccio – Bastia
		{"97411", "75056", 9000, 9500},
		{"", "75056", UnknownKm, UnknownKm},
	}
	for _, tt := range tests {
		if got := DistanceKm(tt.a, tt.b); got < tt.min || got > tt.max {
			t.Errorf("DistanceKm(%s, %s) = %.0f, want in [%.0f, %.0f]", tt.a, tt.b, got, tt.min, tt.max)
		}
	}
}

func TestRankOrdersAndExplains(t *testing.T) {
	x := New(rome.Builtin())
	org := "org_a"
	x.UpsertAll([]Features{
		{PersonID: "same-code-here", ROMECodes: []string{"K2204"}, Skills: []string{"Nettoyage", "Hygiène"}, CommuneCode: "69123",
			ContractWanted: "CDI", HoursWanted: 35, Available: true, Organisations: []string{org}},
		{PersonID: "same-code-far", ROMECodes: []string{"K2204"}, CommuneCode: "13055", Available: true, Organisations: []string{org}},
		{PersonID: "same-family", ROMECodes: []string{"K2201"}, CommuneCode: "69123", Available: true, Organisations: []string{org}},
		{PersonID: "other-family", ROMECodes: []string{"M1607"}, CommuneCode: "69123", Available: true, Organisations: []string{org}},
		{PersonID: "not-followed", ROMECodes: []string{"K2204"}, CommuneCode: "69123", Available: true, Organisations: []string{"org_b"}},
	})
	got, err := x.Rank(offer("K2204", "69123", "nettoyage", "hygiène"), Filter{OrganisationID: org}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range got {
		ids = append(ids, s.PersonID)
	}
	// A person of the same family nearby comes before one of the same job 300 km away.
	if want := "same-code-here same-family same-code-far"; strings.Join(ids, " ") != want {
		t.Fatalf("ranking = %v, want %s", ids, want)
	}
	if got[0].Score != MaxScore {
		t.Errorf("best score = %v, want %v", got[0].Score, MaxScore)
	}
	sum := 0.0
	for _, r := range got[1].Reasons {
		sum += r.Points
		if r.Text == "" || r.Criterion == "" {
			t.Errorf("reason without text: %+v", r)
		}
	}
	if math.Abs(sum-got[1].Score) > 0.5 {
		t.Errorf("reasons add up to %v, score is %v", sum, got[1].Score)
	}
	if !strings.Contains(Explanation(got[0].Reasons), "Recherche le métier de l'offre, « Nettoyage de locaux »") {
		t.Errorf("explanation = %q", Explanation(got[0].Reasons))
	}
	if _, err := x.Rank(offer("K2204", "69123"), Filter{}, 10); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("rank without organisation: err = %v, want EINVALID", err)
	}
	// An update moves a person out of the family.
	x.Upsert(Features{PersonID: "same-family", ROMECodes: []string{"M1607"}, Organisations: []string{org}})
	got, _ = x.Rank(offer("K2204", "69123"), Filter{OrganisationID: org, Exclude: map[string]bool{"same-code-far": true}}, 10)
	if len(got) != 1 || got[0].PersonID != "same-code-here" {
		t.Errorf("after update and exclusion: %+v", got)
	}
}

func TestOffersFor(t *testing.T) {
	x := New(rome.Builtin())
	for i, c := range []string{"69123", "13055", "75056"} {
		x.UpsertOffer(offer("K2204", c))
		x.UpsertOffer(offer(fmt.Sprintf("M160%d", i+1), c))
	}
	closed := offer("K2204", "69266")
	x.UpsertOffer(closed)
	closed.Open = false
	x.UpsertOffer(closed)
	got := x.OffersFor(Features{PersonID: "p", ROMECodes: []string{"K2204"}, CommuneCode: "69123", Available: true}, 10)
	if len(got) != 3 || got[0].Offer.CommuneCode != "69123" || got[1].Score >= got[0].Score {
		for _, g := range got {
			t.Logf("%s %s %v", g.Offer.ROMECode, g.Offer.CommuneCode, g.Score)
		}
		t.Fatalf("offers for person: %d offers", len(got))
	}
}

func BenchmarkRank(b *testing.B) {
	x := New(rome.Builtin())
	codes := rome.Builtin().Codes
	var fs []Features
	for i := range 200_000 {
		fs = append(fs, Features{PersonID: fmt.Sprint(i), ROMECodes: []string{codes[i%len(codes)].Code},
			CommuneCode: "69123", Available: true, Organisations: []string{"org"}})
	}
	x.UpsertAll(fs)
	o := offer(codes[0].Code, "69123")
	for b.Loop() {
		if _, err := x.Rank(o, Filter{OrganisationID: "org"}, 20); err != nil {
			b.Fatal(err)
		}
	}
}
