package gate_test

import (
	"context"
	"testing"

	"socle"
	"socle/audit"
	"socle/gate"
	"socle/policy"
	"socle/store/auditsql"
)

// newSpaceEnv is newEnv's network without sensitive sections, so that it
// needs no encryption key: a mission locale that follows one person, and a
// person nobody there follows; the gate searches the real audit index.
func newSpaceEnv(t *testing.T) *env {
	t.Helper()
	e := newStack(t, false, audit.Options{})
	e.gate.SetAuditSearch(auditsql.New(e.db))
	e.network(t, false)
	return e
}

func (e *env) self(p *socle.Person) gate.Request {
	return gate.Request{Actor: socle.Actor{PersonID: p.ID, Strength: socle.AuthClient}, RequestID: "self", RemoteAddr: "192.0.2.1"}
}

func TestMyFileIsHerWholeRecordAndAudited(t *testing.T) {
	e := newSpaceEnv(t)
	ctx := context.Background()
	p, fs, err := e.gate.MyFile(ctx, e.self(e.followed))
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != e.followed.ID || p.Identity == nil || p.Contact == nil || p.Parcours == nil {
		t.Fatalf("MyFile = %+v, want her whole record", p)
	}
	if len(fs) != 1 || fs[0].PersonID != e.followed.ID {
		t.Fatalf("follow-ups = %v", fs)
	}
	hits, err := auditsql.New(e.db).AuditSearch(ctx, socle.AuditQuery{PersonRef: e.followed.ID, Action: "self_read"})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || !hits[0].Event.Allowed || hits[0].Event.Purpose != "droit_acces" || hits[0].Event.Records != 2 {
		t.Fatalf("self_read audit = %+v", hits)
	}
}

func TestOnlyThePersonHerselfEntersHerSpace(t *testing.T) {
	e := newSpaceEnv(t)
	ctx := context.Background()
	agentAsPerson := e.adviser
	agentAsPerson.PersonID = e.followed.ID
	tests := []struct {
		name string
		req  gate.Request
		code string
	}{
		{"anonymous", gate.Request{}, socle.EUNAUTHENTICATED},
		{"an adviser", e.req(policy.PurposeAccompagnement), socle.EUNAUTHENTICATED},
		{"an adviser claiming a person id", gate.Request{Actor: agentAsPerson}, socle.EFORBIDDEN},
		{"a malformed person id", gate.Request{Actor: socle.Actor{PersonID: "../x", Strength: socle.AuthClient}}, socle.EUNAUTHENTICATED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := e.gate.MyFile(ctx, tt.req); socle.ErrorCode(err) != tt.code {
				t.Errorf("MyFile: %v, want %s", err, tt.code)
			}
			if _, err := e.gate.MyAccessHistory(ctx, tt.req, 0, 10); socle.ErrorCode(err) != tt.code {
				t.Errorf("MyAccessHistory: %v, want %s", err, tt.code)
			}
		})
	}
}

func TestMyAccessHistoryShowsHerAccessesOnly(t *testing.T) {
	e := newSpaceEnv(t)
	ctx := context.Background()
	if _, _, err := e.gate.ReadPerson(ctx, e.req(policy.PurposeAccompagnement), e.followed.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.gate.ReadPerson(ctx, e.req(policy.PurposeAccompagnement), e.stranger.ID, 0); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("reading a stranger: %v", err)
	}
	hits, err := e.gate.MyAccessHistory(ctx, e.self(e.followed), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Event.AgentID != e.adviser.AgentID || hits[0].Event.Action != "read" || !hits[0].Event.Allowed {
		t.Fatalf("her history = %+v, want the adviser's read", hits)
	}
	// The stranger sees the denied read, and not the followed person's.
	hits, err = e.gate.MyAccessHistory(ctx, e.self(e.stranger), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Event.Allowed || hits[0].Event.PersonRef != e.stranger.ID {
		t.Fatalf("stranger's history = %+v, want the denied read only", hits)
	}
	// Her consultation of the history is itself recorded, and paging works.
	hits, err = e.gate.MyAccessHistory(ctx, e.self(e.followed), 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Event.Action != "self_history" {
		t.Fatalf("newest entry = %+v, want her previous consultation", hits)
	}
	older, err := e.gate.MyAccessHistory(ctx, e.self(e.followed), hits[0].Index, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(older) != 1 || older[0].Event.Action != "read" {
		t.Fatalf("older entries = %+v", older)
	}
}

func TestAPersonGetsNothingThroughTheStaffPath(t *testing.T) {
	e := newSpaceEnv(t)
	ctx := context.Background()
	req := e.self(e.followed)
	req.Purpose = policy.PurposeAccompagnement
	for _, id := range []string{e.stranger.ID, e.followed.ID} {
		if p, _, err := e.gate.ReadPerson(ctx, req, id, 0); p != nil || socle.ErrorCode(err) != socle.ENOTFOUND {
			t.Errorf("ReadPerson(%s) by a person = %v, %v; want not found", id, p, err)
		}
	}
}
