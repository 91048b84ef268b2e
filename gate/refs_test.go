package gate_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"socle"
	"socle/audit"
	"socle/policy"
)

// TestSearchEventsCarryEveryPersonShown: a list search records the
// reference of each person it returned, the typed explanation of the
// decision, and keyed hashes of the session and of the remote address.
func TestSearchEventsCarryEveryPersonShown(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	key := []byte("clé des références")
	e.gate.PersonRef = func(id string) string { return audit.PersonRef(key, id) }
	req := e.req(policy.PurposeAccompagnement)
	req.Actor.SessionID = "session-secrete"
	req.RemoteAddr = "192.0.2.7:51234"
	size := e.log.Size()
	found, _, err := e.gate.SearchPersons(ctx, req, socle.PersonQuery{FamilyName: e.followed.Identity.FamilyName[:3]})
	if err != nil || len(found) != 1 {
		t.Fatalf("search: %d found, %v", len(found), err)
	}
	entry, err := e.log.Entry(ctx, size)
	if err != nil {
		t.Fatal(err)
	}
	ev := entry.Event
	if !slices.Equal(ev.PersonRefs, []string{audit.PersonRef(key, e.followed.ID)}) || ev.Records != 1 {
		t.Fatalf("search event persons = %v (records %d), want the followed person's reference", ev.PersonRefs, ev.Records)
	}
	if ev.Session == "" || ev.Remote == "" || strings.Contains(string(entry.Leaf), "session-secrete") {
		t.Fatalf("session %q remote %q: want keyed hashes, never the session id", ev.Session, ev.Remote)
	}
	// Same device from another port: same remote reference.
	req.RemoteAddr = "192.0.2.7:40000"
	if _, _, err := e.gate.ReadPerson(ctx, req, e.followed.ID, 0); err != nil {
		t.Fatal(err)
	}
	read, err := e.log.Entry(ctx, e.log.Size()-1)
	if err != nil {
		t.Fatal(err)
	}
	if read.Event.Remote != ev.Remote || read.Event.Session != ev.Session {
		t.Errorf("the same device gets another reference: %q %q", read.Event.Remote, read.Event.Session)
	}
	// The adviser is the référent: the most specific explanation wins over
	// the follow-up the same decision lists first.
	if read.Event.Basis != "referent" {
		t.Errorf("read basis = %q, want referent", read.Event.Basis)
	}
	// A read records the categories read, not every one granted.
	if _, _, err := e.gate.ReadPerson(ctx, req, e.followed.ID, socle.SetOf(socle.CatIdentity)); err != nil {
		t.Fatal(err)
	}
	if narrow, err := e.log.Entry(ctx, e.log.Size()-1); err != nil || narrow.Event.Categories != socle.SetOf(socle.CatIdentity).String() {
		t.Fatalf("categories of an identity-only read = %q, %v", narrow.Event.Categories, err)
	}
	// The call reference of a phone platform is recorded; a malformed one
	// is refused before anything is read.
	req.CallRef = "APL-2025/0042"
	if _, _, err := e.gate.ReadPerson(ctx, req, e.followed.ID, 0); err != nil {
		t.Fatal(err)
	}
	if call, err := e.log.Entry(ctx, e.log.Size()-1); err != nil || call.Event.CallRef != "APL-2025/0042" {
		t.Fatalf("call reference recorded = %q, %v", call.Event.CallRef, err)
	}
	req.CallRef = "<script>"
	if _, _, err := e.gate.ReadPerson(ctx, req, e.followed.ID, 0); socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("malformed call reference: %v, want EINVALID", err)
	}
	req.CallRef = ""
	// A refused read records no basis.
	if _, _, err := e.gate.ReadPerson(ctx, req, e.stranger.ID, 0); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("stranger: %v", err)
	}
	refused, err := e.log.Entry(ctx, e.log.Size()-1)
	if err != nil {
		t.Fatal(err)
	}
	if refused.Event.Allowed || refused.Event.Basis != "" {
		t.Errorf("refused read: allowed %v basis %q", refused.Event.Allowed, refused.Event.Basis)
	}
}
