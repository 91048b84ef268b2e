package storetest

import (
	"context"
	"maps"
	"testing"

	"socle"
	"socle/store/sqlstore"
)

// runKeys checks what a server relies on to refuse keys that do not belong
// to the data: a new store holds no data and no fingerprint; a fingerprint,
// once recorded, is never replaced; an organisation is data, geography and
// fingerprints are not.
func runKeys(t *testing.T, open func(t *testing.T) *sqlstore.DB) {
	ctx := context.Background()
	t.Run("FingerprintsAreRecordedOnce", func(t *testing.T) {
		s := open(t)
		if held, err := s.HoldsData(ctx); err != nil || held {
			t.Fatalf("new store HoldsData = %v, %v; want false", held, err)
		}
		if fps, err := s.KeyFingerprints(ctx); err != nil || len(fps) != 0 {
			t.Fatalf("new store KeyFingerprints = %v, %v; want none", fps, err)
		}
		first := map[string]string{"person-master.key": "aa", "audit-signer.key": "bb"}
		if err := s.RecordKeyFingerprints(ctx, first); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordKeyFingerprints(ctx, map[string]string{"person-master.key": "cc", "forms.key": "dd"}); err != nil {
			t.Fatal(err)
		}
		got, err := s.KeyFingerprints(ctx)
		want := map[string]string{"person-master.key": "aa", "audit-signer.key": "bb", "forms.key": "dd"}
		if err != nil || !maps.Equal(got, want) {
			t.Fatalf("KeyFingerprints = %v, %v; want %v", got, err, want)
		}
		if held, err := s.HoldsData(ctx); err != nil || held {
			t.Fatalf("store with only fingerprints HoldsData = %v, %v; want false", held, err)
		}
	})
	t.Run("AnOrganisationIsData", func(t *testing.T) {
		s := open(t)
		if err := s.ImportGeo(ctx, []socle.Region{{Code: "11", Name: "Île-de-France"}}, []socle.Departement{{Code: "75", RegionCode: "11", Name: "Paris"}}, nil); err != nil {
			t.Fatal(err)
		}
		if held, err := s.HoldsData(ctx); err != nil || held {
			t.Fatalf("store with only geography HoldsData = %v, %v; want false", held, err)
		}
		if err := s.CreateOrganisation(ctx, NewOrganisation("Mission Locale", socle.KindYouth)); err != nil {
			t.Fatal(err)
		}
		if held, err := s.HoldsData(ctx); err != nil || !held {
			t.Fatalf("store with an organisation HoldsData = %v, %v; want true", held, err)
		}
		if len(s.Pools()) == 0 {
			t.Fatal("no connection pool")
		}
	})
}
