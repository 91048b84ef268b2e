package gate_test

import (
	"context"
	"slices"
	"testing"

	"socle"
	"socle/gate"
)

// TestChangeFeedListsWhatTheCallerMayRead: the feed lists the changes of
// the persons the caller's organisation follows and of companies, not
// those of a person it does not follow, pages by cursor, and is audited
// with the references it discloses.
func TestChangeFeedListsWhatTheCallerMayRead(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	client := gate.Request{Actor: socle.Actor{ClientID: "cli_ml", OrganisationID: e.adviser.OrganisationID, OrgKind: e.adviser.OrgKind,
		Departements: e.adviser.Departements, Scopes: []string{"accompagnement:read"}, Strength: socle.AuthClient}, Purpose: "accompagnement", RequestID: "feed"}

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
			hits, err := e.db.AuditSearch(ctx, socle.AuditQuery{Action: string(gate.ActionChanges), Limit: 50})
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
