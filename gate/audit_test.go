package gate_test

import (
	"context"
	"strings"
	"testing"

	"socle"
	"socle/gate"
	"socle/policy"
	"socle/store/auditsql"
	"socle/store/storetest"
)

// auditorEnv is newEnv with the audit index wired, one read of the
// followed person and one refused read of the stranger recorded.
func auditorEnv(t *testing.T) (*env, socle.Actor) {
	t.Helper()
	e := newEnv(t)
	e.gate.SetAuditSearch(auditsql.New(e.db))
	ctx := context.Background()
	if _, _, err := e.gate.ReadPerson(ctx, e.req(policy.PurposeAccompagnement), e.followed.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.gate.ReadPerson(ctx, e.req(policy.PurposeAccompagnement), e.stranger.ID, 0); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("reading a stranger: %v, want ENOTFOUND", err)
	}
	auditor := e.adviser
	auditor.AgentID = "agt_auditrice"
	auditor.Roles = []socle.Role{socle.RoleAuditor}
	return e, auditor
}

func TestSearchAuditByPerson(t *testing.T) {
	e, auditor := auditorEnv(t)
	ctx := context.Background()
	req := gate.Request{Actor: auditor, RequestID: "audit-1", RemoteAddr: "127.0.0.1"}
	ref := e.gate.PersonRef
	if ref == nil {
		ref = func(id string) string { return id }
	}
	for _, person := range []string{e.followed.ID, storetest.NIR(1)} {
		size := e.log.Size()
		// Only the reads: the first search is itself an entry about her.
		hits, err := e.gate.SearchAudit(ctx, req, socle.AuditQuery{PersonRef: person, Action: "read"})
		if err != nil {
			t.Fatalf("SearchAudit(%s): %v", person, err)
		}
		if len(hits) != 1 || hits[0].Event.PersonRef != ref(e.followed.ID) || !hits[0].Event.Allowed || hits[0].Event.AgentID != e.adviser.AgentID {
			t.Fatalf("SearchAudit(%s) = %+v; want the one read of the followed person", person, hits)
		}
		// The search itself is in the log, with the person's reference
		// and the number of entries shown, but not what was typed.
		if e.log.Size() != size+1 {
			t.Fatalf("log grew by %d entries, want 1", e.log.Size()-size)
		}
		entry, err := e.log.Entry(ctx, size)
		if err != nil {
			t.Fatal(err)
		}
		ev := entry.Event
		if ev.Action != string(gate.ActionAuditSearch) || !ev.Allowed || ev.Records != 1 || ev.PersonRef != ref(e.followed.ID) || ev.AgentID != auditor.AgentID {
			t.Errorf("recorded search = %+v", ev)
		}
		if strings.Contains(string(entry.Leaf), storetest.NIR(1)) {
			t.Error("the NIR typed by the auditor is in the log")
		}
	}
	hits, err := e.gate.SearchAudit(ctx, req, socle.AuditQuery{PersonRef: storetest.NIR(99)})
	if err != nil || len(hits) != 0 {
		t.Errorf("a NIR of nobody found %v, %v", hits, err)
	}
	if _, err := e.gate.SearchAudit(ctx, req, socle.AuditQuery{PersonRef: "Dupont"}); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("a name as person: %v, want EINVALID", err)
	}
}

func TestSearchAuditScope(t *testing.T) {
	e, auditor := auditorEnv(t)
	ctx := context.Background()
	weak := auditor
	weak.Strength = socle.AuthPassword
	other := auditor
	other.OrganisationID = "org_autre"
	national := other
	national.Roles = []socle.Role{socle.RoleAuditor, socle.RolePlatformAdmin}
	tests := []struct {
		name  string
		actor socle.Actor
		q     socle.AuditQuery
		code  string
		hits  int
	}{
		{"anonymous", socle.Actor{}, socle.AuditQuery{}, socle.EUNAUTHENTICATED, 0},
		{"adviser", e.adviser, socle.AuditQuery{}, socle.EFORBIDDEN, 0},
		{"auditor without second factor", weak, socle.AuditQuery{}, socle.EFORBIDDEN, 0},
		{"auditor of the organisation", auditor, socle.AuditQuery{Action: "read"}, "", 2},
		{"by agent and purpose", auditor, socle.AuditQuery{AgentID: e.adviser.AgentID, Purpose: policy.PurposeAccompagnement}, "", 2},
		{"auditor of another organisation sees nothing of it", other, socle.AuditQuery{}, "", 0},
		{"auditor asking for another organisation", other, socle.AuditQuery{OrganisationID: e.adviser.OrganisationID}, socle.EFORBIDDEN, 0},
		{"national auditor", national, socle.AuditQuery{OrganisationID: e.adviser.OrganisationID, Action: "read"}, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size := e.log.Size()
			hits, err := e.gate.SearchAudit(ctx, gate.Request{Actor: tt.actor}, tt.q)
			if socle.ErrorCode(err) != tt.code || (tt.code == "" && err != nil) {
				t.Fatalf("SearchAudit = %v, want code %q", err, tt.code)
			}
			if len(hits) != tt.hits {
				t.Errorf("%d hits, want %d", len(hits), tt.hits)
			}
			for _, h := range hits {
				if h.Event.OrganisationID != e.adviser.OrganisationID || h.Event.Action != "read" {
					t.Errorf("hit %d: %+v", h.Index, h.Event)
				}
			}
			// Every authenticated search, allowed or refused, is recorded.
			if want := size + 1; tt.code != socle.EUNAUTHENTICATED && e.log.Size() != want {
				t.Errorf("log size %d after the search, want %d", e.log.Size(), want)
			}
		})
	}
}

func TestSearchAuditFailsClosed(t *testing.T) {
	e, auditor := auditorEnv(t)
	if err := e.log.Close(); err != nil {
		t.Fatal(err)
	}
	hits, err := e.gate.SearchAudit(context.Background(), gate.Request{Actor: auditor}, socle.AuditQuery{})
	if hits != nil || socle.ErrorCode(err) != socle.EUNAVAILABLE {
		t.Fatalf("SearchAudit with the log closed = %v, %v; want nothing and EUNAVAILABLE", hits, err)
	}
}
