package audit

import (
	"time"
	"unicode/utf8"

	"socle"
)

// Act is what a service records in the journal des accès: who acted, what
// she did, to what, whether it was allowed and why. The gate fills the
// fields of a decided access (purpose, categories, person references…);
// identity and cases fill those of a sign-in or a review.
type Act struct {
	RequestID      string
	AgentID        string
	ClientID       string
	OrganisationID string
	Action         string
	ResourceKind   string
	ResourceID     string
	PersonRef      string
	PersonRefs     []string
	Categories     string
	Purpose        string
	Allowed        bool
	Explanation    string
	Facts          []socle.Fact
	RemoteAddr     string
	Records        int
	BreakGlass     string
	Basis          string
	Session        string
	Remote         string
	CallRef        string
}

// Event is the one constructor of audit events: every service that
// appends to the log (the gate, identity, cases) builds its events here,
// stamped at t in UTC. It refuses (EINVALID) an act whose text is not
// valid UTF-8: stored, it could not be read back in canonical form, and
// its inclusion proof and the person's access history would fail for good.
func Event(t time.Time, a Act) (socle.AuditEvent, error) {
	ev := socle.AuditEvent{
		Time: t.UTC(), RequestID: a.RequestID, AgentID: a.AgentID, ClientID: a.ClientID, OrganisationID: a.OrganisationID,
		Action: a.Action, ResourceKind: a.ResourceKind, ResourceID: a.ResourceID, PersonRef: a.PersonRef, PersonRefs: a.PersonRefs,
		Categories: a.Categories, Purpose: a.Purpose, Allowed: a.Allowed, Explanation: a.Explanation, Facts: a.Facts,
		RemoteAddr: a.RemoteAddr, Records: a.Records, BreakGlass: a.BreakGlass, Basis: a.Basis, Session: a.Session,
		Remote: a.Remote, CallRef: a.CallRef,
	}
	texts := []string{ev.RequestID, ev.AgentID, ev.ClientID, ev.OrganisationID, ev.Action, ev.ResourceKind, ev.ResourceID,
		ev.PersonRef, ev.Categories, ev.Purpose, ev.Explanation, ev.RemoteAddr, ev.BreakGlass, ev.CallRef}
	for _, f := range ev.Facts {
		texts = append(texts, f.Kind, f.Text)
		for k, v := range f.Detail {
			texts = append(texts, k, v)
		}
	}
	for _, s := range texts {
		if !utf8.ValidString(s) {
			return socle.AuditEvent{}, socle.Errorf(socle.EINVALID, "the access carries text that is not valid UTF-8; nothing is recorded nor returned")
		}
	}
	return ev, nil
}
