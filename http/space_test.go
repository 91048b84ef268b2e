package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"socle"
	"socle/audit"
	"socle/gate"
	"socle/identity"
	"socle/internal/stacktest"
	"socle/policy"
	"socle/space"
	"socle/store/storetest"
)

// recordingMailer is a Mailer that writes each mail to a buffer.
type recordingMailer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	n   int
}

func (m *recordingMailer) Send(_ context.Context, mail identity.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n++
	fmt.Fprintf(&m.buf, "To: %s\nSubject: %s\n\n%s\n.\n", mail.To, mail.Subject, mail.Body)
	return nil
}

var mailedLink = regexp.MustCompile(`http://[^\s]+/usager/connexion\?jeton=[A-Za-z0-9_-]+`)

// lastLink returns the link of the last mail and the number of mails.
func (m *recordingMailer) lastLink() (string, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	all := mailedLink.FindAllString(m.buf.String(), -1)
	if len(all) == 0 {
		return "", m.n
	}
	return all[len(all)-1], m.n
}

type spaceEnv struct {
	t        *testing.T
	srv      *httptest.Server
	svc      *space.Service
	mail     *recordingMailer
	gate     *gate.Gate
	log      *audit.Log
	adviser  socle.Actor
	alice    *socle.Person
	bob      *socle.Person
	verifier string
	ref      func(string) string
	mu       sync.Mutex
	clock    time.Duration // added to the real time by the space's clock
}

// setClock moves the space's clock d after the real time.
func (e *spaceEnv) setClock(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clock = d
}

func newSpaceEnv(t *testing.T) *spaceEnv {
	t.Helper()
	ctx := context.Background()
	s := stacktest.New(t, stacktest.Options{Unsealed: true, Audit: audit.Options{CheckpointEvery: 1}})
	st := s.DB
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := newSpaceCore(t, s, logger)

	ml := storetest.NewOrganisation("Mission Locale de Lyon", socle.KindYouth, "69")
	if err := st.CreateOrganisation(ctx, ml); err != nil {
		t.Fatal(err)
	}
	agent := storetest.NewAgent(ml.ID, "claire@ml-lyon.fr")
	agent.GivenName, agent.FamilyName = "Claire", "Conseillère"
	if err := st.CreateAgent(ctx, agent); err != nil {
		t.Fatal(err)
	}
	// Alice's address in mixed case: the space finds her whatever the case typed.
	e.createUsagers(st, "Alice.Usager@Example.fr", "bob@example.fr")
	for _, p := range []*socle.Person{e.alice, e.bob} {
		f := &socle.Followup{PersonID: p.ID, OrganisationID: ml.ID, AgentID: agent.ID, Start: socle.NewDate(2025, 3, 2)}
		if err := st.CreateFollowup(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	e.adviser = socle.Actor{AgentID: agent.ID, OrganisationID: ml.ID, OrgKind: ml.Kind, OrgName: ml.Name,
		Roles: agent.Roles, Departements: ml.Departements, Strength: socle.AuthMFA}
	h := NewServer(logger, Config{}, Services{Gate: e.gate, Directory: st, Space: e.svc, Auth: FirstOf(e.svc)})
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

// newSpaceCore builds the space service of a test over stack s, with
// person references, a recording mailer and a clock the test moves.
func newSpaceCore(t *testing.T, s *stacktest.Stack, logger *slog.Logger) *spaceEnv {
	t.Helper()
	refKey := []byte("0123456789abcdef0123456789abcdef")
	e := &spaceEnv{t: t, mail: &recordingMailer{}, verifier: s.VerifierKey, gate: s.Gate, log: s.Log,
		ref: func(id string) string { return audit.PersonRef(refKey, id) }}
	e.gate.PersonRef = e.ref
	var err error
	e.svc, err = space.New(s.DB, s.Log, e.mail, logger, space.Config{
		BaseURL: "http://socle.test", Key: []byte("a form key of 32 bytes, at least"), PersonRef: e.ref, VerifierKey: s.VerifierKey,
		MaxPerAddress: 8,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Now = func() time.Time {
		e.mu.Lock()
		defer e.mu.Unlock()
		return time.Now().Add(e.clock)
	}
	return e
}

// createUsagers creates e.alice and e.bob in st: young persons without
// sensitive sections, with the e-mail addresses given.
func (e *spaceEnv) createUsagers(st interface {
	CreatePerson(context.Context, *socle.Person) error
}, aliceEmail, bobEmail string) {
	e.t.Helper()
	e.alice, e.bob = storetest.NewPerson(1), storetest.NewPerson(2)
	for i, p := range []*socle.Person{e.alice, e.bob} {
		p.Health, p.Justice, p.Bank = nil, nil, nil
		p.Parcours.Situation = socle.SituationYouth
		p.Identity.BirthDate = socle.NewDate(2004, 3, 2)
		p.Contact.Email = []string{aliceEmail, bobEmail}[i]
		if err := st.CreatePerson(context.Background(), p); err != nil {
			e.t.Fatal(err)
		}
	}
}

// adviserReads reads p through the gate as the adviser, for accompaniment.
func (e *spaceEnv) adviserReads(p *socle.Person) {
	e.t.Helper()
	req := gate.Request{Actor: e.adviser, Purpose: policy.PurposeAccompagnement, RequestID: "adviser", RemoteAddr: "10.0.0.1"}
	if _, _, err := e.gate.ReadPerson(context.Background(), req, p.ID, 0); err != nil {
		e.t.Fatal(err)
	}
}

// spaceClient is a person's browser on the space.
type spaceClient struct {
	*browser
	e *spaceEnv
}

func (e *spaceEnv) client() *spaceClient {
	return &spaceClient{browser: newBrowser(e.t, e.srv.URL), e: e}
}

// requestLink asks a link for email and returns the page's status and body.
func (c *spaceClient) requestLink(email string) (int, string) {
	c.t.Helper()
	resp, body := c.post("/usager/lien", url.Values{"csrf": {c.csrf("/usager")}, "email": {email}})
	return resp.StatusCode, body
}

// login asks a link for email, opens it and returns the link.
func (c *spaceClient) login(email string) string {
	c.t.Helper()
	before, _ := c.e.mail.lastLink()
	if status, _ := c.requestLink(email); status != http.StatusOK {
		c.t.Fatalf("requesting a link: %d", status)
	}
	link, _ := c.e.mail.lastLink()
	if link == "" || link == before {
		c.t.Fatal("no new link was mailed")
	}
	resp, _ := c.get(strings.Replace(link, "http://socle.test", c.e.srv.URL, 1))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/usager/dossier" {
		c.t.Fatalf("opening the link: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return link
}

func TestSpaceLinkFlowEndToEnd(t *testing.T) {
	e := newSpaceEnv(t)
	e.adviserReads(e.alice)
	e.adviserReads(e.bob)

	c := e.client()
	link := c.login("  alice.usager@example.FR ")
	_, n := e.mail.lastLink()
	if n != 1 {
		t.Fatalf("%d mails, want 1", n)
	}

	resp, body := c.get("/usager/dossier")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dossier: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{e.alice.Identity.FamilyName, "Mission Locale de Lyon", "Claire Conseillère", "Coordonnées", "Alice.Usager@Example.fr"} {
		if !strings.Contains(body, want) {
			t.Errorf("the file page lacks %q", want)
		}
	}

	resp, body = c.get("/usager/acces")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("accesses: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{"Accès à mon dossier", "Mission Locale de Lyon", socle.RoleAdviser.Label(), "Accompagnement", "Consultation de votre dossier", "Connexion à votre espace"} {
		if !strings.Contains(body, want) {
			t.Errorf("the accesses page lacks %q", want)
		}
	}
	if strings.Contains(body, "Claire") {
		t.Error("the accesses page names the agent")
	}

	// The link served once.
	resp, body = c.get(strings.Replace(link, "http://socle.test", e.srv.URL, 1))
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "déjà servi") {
		t.Errorf("reusing the link: %d", resp.StatusCode)
	}

	// A parameter naming Bob changes nothing: the person comes from the session.
	d := c.download("/usager/acces.json?person=" + e.bob.ID + "&person_ref=" + e.ref(e.bob.ID))
	e.verify(d, e.alice)
	var adviserRead bool
	for _, en := range d.Entries {
		adviserRead = adviserRead || en.Event.AgentID == e.adviser.AgentID && en.Event.Action == "read"
	}
	if !adviserRead {
		t.Error("the download lacks the adviser's read")
	}

	// Logging out ends the session.
	resp, _ = c.post("/usager/deconnexion", url.Values{"csrf": {c.csrf("/usager/dossier")}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ = c.get("/usager/dossier"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/usager" {
		t.Errorf("the file after logout: %d", resp.StatusCode)
	}
}

func (c *spaceClient) download(path string) space.Download {
	c.t.Helper()
	resp, body := c.get(path)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		c.t.Fatalf("download: %d %s", resp.StatusCode, body)
	}
	var d space.Download
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		c.t.Fatal(err)
	}
	return d
}

// verify checks the download as the person would, with the merkle library
// and the verifier key only, and that every entry is about p.
func (e *spaceEnv) verify(d space.Download, p *socle.Person) {
	e.t.Helper()
	if d.VerifierKey != e.verifier || len(d.HowToVerify) == 0 {
		e.t.Fatalf("verifier key %q", d.VerifierKey)
	}
	cp, err := audit.ParseCheckpoint([]byte(d.Checkpoint), d.VerifierKey)
	if err != nil {
		e.t.Fatalf("the checkpoint does not verify: %v", err)
	}
	if cp.Size != d.TreeSize || !bytes.Equal(cp.Root, d.RootHash) {
		e.t.Fatalf("checkpoint %d/%x, download says %d/%x", cp.Size, cp.Root, d.TreeSize, d.RootHash)
	}
	if len(d.Entries) < 3 {
		e.t.Fatalf("%d entries, want at least the read, the login and the file", len(d.Entries))
	}
	for _, en := range d.Entries {
		if en.Event.PersonRef != e.ref(p.ID) {
			e.t.Fatalf("entry %d is about %s", en.Index, en.Event.PersonRef)
		}
		if en.Pending {
			e.t.Fatalf("entry %d is not covered by the checkpoint of size %d", en.Index, cp.Size)
		}
		leafHash := rfc6962.DefaultHasher.HashLeaf(en.Leaf)
		if !bytes.Equal(leafHash, en.LeafHash) {
			e.t.Fatalf("entry %d: leaf hash differs", en.Index)
		}
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, en.Index, cp.Size, leafHash, en.Proof, cp.Root); err != nil {
			e.t.Fatalf("entry %d: inclusion proof: %v", en.Index, err)
		}
	}
	// A tampered leaf does not verify.
	en := d.Entries[0]
	bad := bytes.Replace(en.Leaf, []byte(`"allowed":true`), []byte(`"allowed":false`), 1)
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, en.Index, cp.Size, rfc6962.DefaultHasher.HashLeaf(bad), en.Proof, cp.Root); err == nil {
		e.t.Fatal("a tampered entry verifies")
	}
}

func TestSpaceAnswersAlikeForUnknownAddresses(t *testing.T) {
	e := newSpaceEnv(t)
	c := e.client()
	notice := regexp.MustCompile(`<p class="[^"]*\binfo" role="status">([^<]*)</p>`)
	status, known := c.requestLink("bob@example.fr")
	_, n := e.mail.lastLink()
	status2, unknown := c.requestLink("nobody@example.fr")
	_, n2 := e.mail.lastLink()
	if status != http.StatusOK || status2 != http.StatusOK {
		t.Fatalf("statuses %d and %d", status, status2)
	}
	k, u := notice.FindStringSubmatch(known), notice.FindStringSubmatch(unknown)
	if k == nil || u == nil || k[1] != u[1] || !strings.Contains(k[1], "Si cette adresse est connue, un lien vous a été envoyé.") {
		t.Fatalf("notices %q and %q", k, u)
	}
	if n != 1 || n2 != 1 {
		t.Errorf("mails after known then unknown: %d, %d; want 1, 1", n, n2)
	}
	// Beyond three requests for one address, no more mail, the same answer.
	for range 3 {
		if status, body := c.requestLink("bob@example.fr"); status != http.StatusOK || !strings.Contains(body, space.LinkSent) {
			t.Fatalf("request: %d", status)
		}
	}
	if _, n := e.mail.lastLink(); n != 3 {
		t.Errorf("%d mails to one address, want 3", n)
	}
	// Beyond the quota of the client's address, a clear refusal.
	var last int
	for i := range 4 {
		last, _ = c.requestLink(fmt.Sprintf("other%d@example.fr", i))
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("status after many requests: %d, want 429", last)
	}
}

func TestSpaceRefusesExpiredLinksAndFormsWithoutToken(t *testing.T) {
	e := newSpaceEnv(t)
	c := e.client()
	if status, _ := c.requestLink("bob@example.fr"); status != http.StatusOK {
		t.Fatal(status)
	}
	link, _ := e.mail.lastLink()
	e.setClock(16 * time.Minute)
	resp, _ := c.get(strings.Replace(link, "http://socle.test", e.srv.URL, 1))
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("expired link: %d, want 404", resp.StatusCode)
	}
	e.setClock(0)

	for _, tt := range []struct{ path, csrf string }{
		{"/usager/lien", ""}, {"/usager/lien", "forged"}, {"/usager/deconnexion", ""},
	} {
		resp, _ := c.post(tt.path, url.Values{"csrf": {tt.csrf}, "email": {"bob@example.fr"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s with csrf %q: %d, want 403", tt.path, tt.csrf, resp.StatusCode)
		}
	}
	if _, n := e.mail.lastLink(); n != 1 {
		t.Errorf("%d mails, want 1", n)
	}

	// Without a session, the pages send to the link form.
	for _, path := range []string{"/usager/dossier", "/usager/acces", "/usager/acces.json"} {
		if resp, _ := e.client().get(path); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/usager" {
			t.Errorf("%s anonymous: %d", path, resp.StatusCode)
		}
	}
}

func TestSpaceSessionExpiresWhenIdle(t *testing.T) {
	e := newSpaceEnv(t)
	c := e.client()
	c.login("bob@example.fr")
	if resp, _ := c.get("/usager/dossier"); resp.StatusCode != http.StatusOK {
		t.Fatalf("dossier: %d", resp.StatusCode)
	}
	e.setClock(16 * time.Minute)
	if resp, _ := c.get("/usager/dossier"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("dossier after 16 idle minutes: %d, want a redirect", resp.StatusCode)
	}
}
