package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"socle"
	"socle/gate"
	"socle/internal/stacktest"
	"socle/oauth"
	"socle/store/auditsql"
	"socle/store/storetest"
	"socle/webhook"
)

// receiver is a partner's endpoint: it verifies each delivery's signature
// with go-jose against the key set Socle publishes, and answers the
// statuses it is told to, in turn.
type receiver struct {
	t    *testing.T
	jwks func() []byte

	mu       sync.Mutex
	statuses []int // answered in turn; 200 once exhausted
	got      []webhook.Payload
	bad      []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err := verify(rc.jwks(), r.Header.Get(webhook.HeaderSignature), body); err != nil {
		rc.bad = append(rc.bad, err.Error())
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var p webhook.Payload
	if err := json.Unmarshal(body, &p); err != nil || p.DeliveryID != r.Header.Get(webhook.HeaderDelivery) {
		rc.bad = append(rc.bad, "payload")
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	status := http.StatusOK
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
	}
	if status == http.StatusOK {
		rc.got = append(rc.got, p)
	}
	w.WriteHeader(status)
}

// verify checks a detached JWS over body with the published key it names,
// as a partner's code would.
func verify(jwks []byte, sig string, body []byte) error {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks, &set); err != nil {
		return err
	}
	obj, err := jose.ParseDetached(sig, body, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return err
	}
	h := obj.Signatures[0].Protected
	keys := set.Key(h.KeyID)
	if len(keys) == 0 {
		return &json.UnsupportedValueError{Str: "unknown kid " + h.KeyID}
	}
	if h.ExtraHeaders[jose.HeaderType] != oauth.DetachedType {
		return &json.UnsupportedValueError{Str: "typ"}
	}
	return obj.DetachedVerify(body, keys[0].Key)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestDeliveriesAreSignedRetriedAndReplayed: a département's system
// subscribes; a change of a person the département follows is delivered,
// signed with the published key, after a failure and a retry, and can be
// replayed; a change of a person it does not follow is never delivered;
// the reading of the feed is audited with the client as principal.
func TestDeliveriesAreSignedRetriedAndReplayed(t *testing.T) {
	ctx := context.Background()
	s := stacktest.New(t, stacktest.Options{})
	db := s.DB
	dep := storetest.NewOrganisation("Département du Rhône", socle.KindDepartement, "69")
	must(t, db.CreateOrganisation(ctx, dep))
	followed, stranger := storetest.NewPerson(1), storetest.NewPerson(2)
	for _, p := range []*socle.Person{followed, stranger} {
		p.Parcours.Situation = socle.SituationJobseeker
		must(t, db.CreatePerson(ctx, p))
	}
	must(t, db.CreateFollowup(ctx, &socle.Followup{PersonID: followed.ID, OrganisationID: dep.ID, Start: socle.NewDate(2025, 3, 2)}))

	clk := &clock{t: time.Now()}
	auth, err := oauth.New(ctx, db, db, s.Log, oauth.Config{Issuer: "https://socle.test", SecretKey: make([]byte, 32), Now: clk.Now})
	must(t, err)
	client, _, err := auth.CreateClient(ctx, oauth.NewClient{OrganisationID: dep.ID, Name: "SI du département",
		Method: socle.OAuthClientSecret, Scopes: []string{"accompagnement:read"}})
	must(t, err)
	svc, err := webhook.New(db, s.Gate, db, auth, webhook.Config{AllowLoopbackHTTP: true, Now: clk.Now})
	must(t, err)

	rc := &receiver{t: t, jwks: auth.JWKS, statuses: []int{http.StatusServiceUnavailable}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	actor := socle.Actor{ClientID: client.ID, OrganisationID: dep.ID, OrgKind: dep.Kind, Departements: dep.Departements,
		Scopes: client.Scopes, Strength: socle.AuthClient}

	// Refusals: an agent, a purpose outside the token, a non-https URL.
	for _, tt := range []struct {
		name         string
		actor        socle.Actor
		url, purpose string
		code         string
	}{
		{"an agent", socle.Actor{AgentID: "agt_x", OrganisationID: dep.ID, Strength: socle.AuthMFA}, srv.URL, "accompagnement", socle.EFORBIDDEN},
		{"outside the token", actor, srv.URL, "controle", socle.EFORBIDDEN},
		{"plain http elsewhere", actor, "http://partner.example.fr/hook", "accompagnement", socle.EINVALID},
		{"no purpose", actor, srv.URL, "", socle.EINVALID},
	} {
		if _, err := svc.Subscribe(ctx, tt.actor, tt.url, tt.purpose); socle.ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
	sub, err := svc.Subscribe(ctx, actor, srv.URL+"/hook", "accompagnement")
	must(t, err)

	// Both persons change; only the followed one is queued.
	for _, p := range []*socle.Person{followed, stranger} {
		p.Contact.Phone = "0699887766"
		must(t, db.UpdatePerson(ctx, p, socle.SetOf(socle.CatContact)))
	}
	must(t, svc.Queue(ctx))
	must(t, svc.Queue(ctx)) // nothing new: nothing queued twice

	// First attempt: the receiver fails; the delivery waits.
	if n, err := svc.Deliver(ctx); err != nil || n != 0 {
		t.Fatalf("first round: %d delivered, %v", n, err)
	}
	log, err := svc.Deliveries(ctx, actor, sub.ID, "", 10)
	must(t, err)
	if len(log) != 1 || log[0].Status != socle.DeliveryPending || log[0].Attempts != 1 || log[0].LastStatus != 503 ||
		!log[0].NextAt.After(clk.Now()) || log[0].Change.ID != followed.ID {
		t.Fatalf("after a failure: %+v", log)
	}
	if n, _ := svc.Deliver(ctx); n != 0 {
		t.Errorf("retried before its time")
	}
	clk.add(time.Minute)
	if n, err := svc.Deliver(ctx); err != nil || n != 1 {
		t.Fatalf("retry: %d delivered, %v", n, err)
	}
	if _, err := svc.Replay(ctx, actor, log[0].ID); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.Deliver(ctx); err != nil || n != 1 {
		t.Fatalf("replay: %d delivered, %v", n, err)
	}
	rc.mu.Lock()
	got, bad := rc.got, rc.bad
	rc.mu.Unlock()
	if len(bad) > 0 {
		t.Errorf("signatures refused by the receiver: %v", bad)
	}
	if len(got) != 2 || got[0].DeliveryID != log[0].ID || got[1].DeliveryID != log[0].ID || got[0].Change.ID != followed.ID ||
		got[0].Change.Version != 3 || got[0].Purpose != "accompagnement" {
		t.Errorf("received %+v, want the followed person's change twice (delivery, replay)", got)
	}
	log, err = svc.Deliveries(ctx, actor, sub.ID, "", 10)
	must(t, err)
	if len(log) != 1 || log[0].Status != socle.DeliveryDelivered || log[0].Attempts != 3 || log[0].DeliveredAt.IsZero() {
		t.Errorf("delivery log: %+v", log)
	}

	// Another client sees neither the subscription nor its deliveries.
	other := actor
	other.ClientID = "cli_other"
	if _, err := svc.Deliveries(ctx, other, sub.ID, "", 10); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("another client's delivery log: %v", err)
	}
	if _, err := svc.Replay(ctx, other, log[0].ID); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("another client's replay: %v", err)
	}

	// The feed was read as the client, audited.
	hits, err := auditsql.New(db).AuditSearch(ctx, socle.AuditQuery{Action: string(gate.ActionChanges), Limit: 10})
	must(t, err)
	if len(hits) == 0 || hits[0].Event.ClientID != client.ID || !hits[0].Event.Allowed || hits[0].Event.Records != 1 {
		t.Errorf("audit of the feed read: %+v", hits)
	}

	// A receiver that stays down: retried with growing waits, then failed
	// once the delivery is 24 hours old.
	followed.Contact.Phone = "0611111111"
	must(t, db.UpdatePerson(ctx, followed, socle.SetOf(socle.CatContact)))
	must(t, svc.Queue(ctx))
	rc.mu.Lock()
	rc.statuses = make([]int, 100)
	for i := range rc.statuses {
		rc.statuses[i] = http.StatusInternalServerError
	}
	rc.mu.Unlock()
	var waits []time.Duration
	for range 40 {
		if _, err := svc.Deliver(ctx); err != nil {
			t.Fatal(err)
		}
		log, err = svc.Deliveries(ctx, actor, sub.ID, "", 1)
		must(t, err)
		if log[0].Status != socle.DeliveryPending {
			break
		}
		wait := log[0].NextAt.Sub(clk.Now())
		waits = append(waits, wait)
		clk.add(wait)
	}
	if log[0].Status != socle.DeliveryFailed {
		t.Fatalf("after 40 failures: %+v", log[0])
	}
	if len(waits) < 5 || waits[0] > time.Minute || waits[3] < 2*waits[0] || waits[len(waits)-1] > 72*time.Minute {
		t.Errorf("waits between attempts: %v", waits)
	}
	if age := clk.Now().Sub(log[0].Created); age < 22*time.Hour || age > 25*time.Hour {
		t.Errorf("failed after %s, want about 24 h", age)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
