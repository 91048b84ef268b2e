package gate_test

import (
	"context"
	"slices"
	"testing"

	"socle"
	"socle/gate"
	"socle/internal/stacktest"
	"socle/store/auditsql"
	"socle/store/storetest"
)

// TestChangeFeedListsWhatTheCallerMayRead: the feed lists the changes of
// the persons the caller's organisation follows and of companies, not
// those of a person it does not follow, pages by cursor, and is audited
// with the references it discloses.
func TestChangeFeedListsWhatTheCallerMayRead(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	client := partnerSystem(e.adviser, "accompagnement", "accompagnement:read")

	ref := e.gate.PersonRef
	if ref == nil {
		ref = func(id string) string { return id }
	}
	// The network: the followed person created then followed, the
	// stranger created; then one more change to each.
	for _, p := range []*socle.Person{e.followed, e.stranger} {
		p.Contact.Phone = "0699887766"
		if err := e.db.UpdatePerson(ctx, p, socle.SetOf(socle.CatContact)); err != nil {
			t.Fatal(err)
		}
	}

	for _, tt := range []struct {
		name string
		req  gate.Request
	}{{"adviser", e.req("accompagnement")}, {"client", client}} {
		t.Run(tt.name, func(t *testing.T) {
			var seen []socle.RecordChange
			cursor := int64(0)
			for range 10 {
				page, d, err := e.gate.Changes(ctx, tt.req, cursor, 2)
				if err != nil || !d.Allow {
					t.Fatalf("Changes(%d): %+v, %v", cursor, d, err)
				}
				seen = append(seen, page.Changes...)
				if page.Next < cursor {
					t.Fatalf("cursor went back: %d after %d", page.Next, cursor)
				}
				cursor = page.Next
				if !page.More {
					break
				}
			}
			var versions []int
			for _, c := range seen {
				if c.ID == e.stranger.ID {
					t.Errorf("the feed lists a change of a person not followed: %+v", c)
				}
				if c.ID == e.followed.ID {
					versions = append(versions, c.Version)
				}
			}
			if !slices.Equal(versions, []int{1, 2, 3}) {
				t.Errorf("versions of the followed person = %v, want [1 2 3] (created, followed, updated)", versions)
			}
			hits, err := auditsql.New(e.db).AuditSearch(ctx, socle.AuditQuery{Action: string(gate.ActionChanges), Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, h := range hits {
				ev := h.Event
				if ev.ClientID == tt.req.Actor.ClientID && ev.AgentID == tt.req.Actor.AgentID && ev.Allowed &&
					slices.Contains(ev.PersonRefs, ref(e.followed.ID)) && !slices.Contains(ev.PersonRefs, ref(e.stranger.ID)) && ev.Records > 0 {
					found = true
				}
			}
			if !found {
				t.Errorf("no audited read of the feed by %s with its references", tt.name)
			}
		})
	}

	bad := client
	bad.Purpose = "orientation"
	if _, d, err := e.gate.Changes(ctx, bad, 0, 10); socle.ErrorCode(err) != socle.EFORBIDDEN || d.Allow {
		t.Errorf("a token without orientation:read: %v", err)
	}
	if _, _, err := e.gate.Changes(ctx, client, 0, gate.MaxChanges+1); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("a limit beyond the maximum: %v", err)
	}
	noPurpose := client
	noPurpose.Purpose = ""
	if _, _, err := e.gate.Changes(ctx, noPurpose, 0, 10); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("no purpose: %v", err)
	}
}

// TestChangeFeedIsNotThrottledAsReads: the feed lists references, not
// data, so that a busy feed does not block a partner's system; the reads
// that follow are throttled as usual.
func TestChangeFeedIsNotThrottledAsReads(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.gate.Throttle = gate.NewThrottle(e.db)
	e.gate.Throttle.StepUp, e.gate.Throttle.Block = 1, 2
	for i := range 4 {
		p := storetest.NewPerson(10 + i)
		p.Health, p.Justice, p.Bank = nil, nil, nil
		if err := e.db.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := e.db.CreateFollowup(ctx, &socle.Followup{PersonID: p.ID, OrganisationID: e.adviser.OrganisationID, Start: socle.NewDate(2025, 3, 2)}); err != nil {
			t.Fatal(err)
		}
	}
	client := partnerSystem(e.adviser, "accompagnement", "accompagnement:read")
	var ids []string
	for range 2 {
		page, _, err := e.gate.Changes(ctx, client, 0, 100)
		if err != nil {
			t.Fatalf("reading the feed: %v", err)
		}
		ids = ids[:0]
		for _, c := range page.Changes {
			if !slices.Contains(ids, c.ID) {
				ids = append(ids, c.ID)
			}
		}
	}
	if len(ids) != 5 {
		t.Fatalf("the feed lists %d persons, want 5", len(ids))
	}
	var err error
	for _, id := range ids {
		if _, _, err = e.gate.ReadPerson(ctx, client, id, 0); err != nil {
			break
		}
	}
	if code := socle.ErrorCode(err); code != socle.EFORBIDDEN && code != socle.ESTEPUP {
		t.Errorf("reading 5 persons past the limits: %v, want the throttle's refusal", err)
	}
}

// BenchmarkChangeFeedPage reads one page of 500 changes of persons the
// caller's organisation follows: each change decided as a read would be,
// the page audited with its references.
func BenchmarkChangeFeedPage(b *testing.B) {
	ctx := context.Background()
	s := stacktest.New(b, stacktest.Options{Unsealed: true})
	dep := storetest.NewOrganisation("Département du Rhône", socle.KindDepartement, "69")
	if err := s.DB.CreateOrganisation(ctx, dep); err != nil {
		b.Fatal(err)
	}
	for i := range 250 {
		p := storetest.NewPerson(100 + i)
		p.Health, p.Justice, p.Bank = nil, nil, nil
		if err := s.DB.CreatePerson(ctx, p); err != nil {
			b.Fatal(err)
		}
		if err := s.DB.CreateFollowup(ctx, &socle.Followup{PersonID: p.ID, OrganisationID: dep.ID, Start: socle.NewDate(2025, 3, 2)}); err != nil {
			b.Fatal(err)
		}
	}
	req := gate.Request{Actor: socle.Actor{ClientID: "cli_dep", OrganisationID: dep.ID, OrgKind: dep.Kind, Departements: dep.Departements,
		Scopes: []string{"accompagnement:read"}, Strength: socle.AuthClient}, Purpose: "accompagnement", RequestID: "bench"}
	b.ResetTimer()
	for b.Loop() {
		page, _, err := s.Gate.Changes(ctx, req, 0, gate.MaxChanges)
		if err != nil || len(page.Changes) != 500 {
			b.Fatalf("%d changes, %v", len(page.Changes), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/500, "ns/change")
}
