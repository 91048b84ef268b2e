package http

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"socle"
	"socle/audit"
	"socle/http/api"
	"socle/internal/stacktest"
	"socle/policy"
	"socle/store/storetest"
)

// auditEnv is a real server with the audit log served: a mission locale
// with an adviser and an auditor signed in, and a person it follows.
type auditEnv struct {
	*networkEnv
	log               *audit.Log
	adviser, auditor  *http.Client
	adviserID, person string
}

func newAuditEnv(t *testing.T) *auditEnv {
	t.Helper()
	ctx := context.Background()
	s := stacktest.New(t, stacktest.Options{Audit: audit.Options{CheckpointEvery: 1}})
	db, log := s.DB, s.Log
	vkey := s.VerifierKey
	g := s.Gate
	g.PersonRef = func(id string) string { return audit.PersonRef([]byte("test key"), id) }
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := newIdentity(t, db, log, nil, logger)
	e := &auditEnv{networkEnv: &networkEnv{t: t}, log: log}
	e.srv = httptest.NewServer(NewServer(logger, Config{}, Services{Gate: g, Directory: db, Identity: svc, Auth: svc, Audit: log, AuditVerifierKey: vkey}))
	t.Cleanup(e.srv.Close)

	org := storetest.NewOrganisation("Mission Locale de Lyon", socle.KindYouth, "69")
	must(t, db.CreateOrganisation(ctx, org))
	p := storetest.NewPerson(5)
	p.Parcours.Situation = socle.SituationYouth
	must(t, db.CreatePerson(ctx, p))
	e.person = p.ID
	for _, role := range []socle.Role{socle.RoleAdviser, socle.RoleAuditor} {
		a := storetest.NewAgent(org.ID, string(role)+"@ml-lyon.fr")
		a.Roles = []socle.Role{role}
		must(t, db.CreateAgent(ctx, a))
		secret, err := svc.SetupDemoAgent(ctx, a.ID, testPassword)
		must(t, err)
		c := e.login(a.Email, secret)
		if role == socle.RoleAdviser {
			e.adviser, e.adviserID = c, a.ID
			must(t, db.CreateFollowup(ctx, &socle.Followup{PersonID: p.ID, OrganisationID: org.ID, AgentID: a.ID, Start: socle.NewDate(2025, 3, 2)}))
		} else {
			e.auditor = c
		}
	}
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// checkpoint fetches and checks the latest checkpoint with the published key.
func (e *auditEnv) checkpoint() audit.Checkpoint {
	e.t.Helper()
	resp, key := e.get(http.DefaultClient, "/.well-known/socle-audit-key", "")
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("verifier key: %d", resp.StatusCode)
	}
	resp, note := e.get(http.DefaultClient, "/api/v1/audit/checkpoint", "")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		e.t.Fatalf("checkpoint: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	cp, err := audit.ParseCheckpoint([]byte(note), strings.TrimSpace(key))
	if err != nil {
		e.t.Fatalf("checkpoint does not verify with the published key: %v\n%s", err, note)
	}
	return cp
}

func (e *auditEnv) read() {
	e.t.Helper()
	resp, body := e.get(e.adviser, "/api/v1/persons/"+e.person, policy.PurposeAccompagnement)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("adviser read: %d %s", resp.StatusCode, body)
	}
}

func TestAuditEntriesAPI(t *testing.T) {
	e := newAuditEnv(t)
	e.read()
	e.read()
	tests := []struct {
		name   string
		client *http.Client
		query  string
		status int
		hits   int
	}{
		{"auditor by person", e.auditor, "?action=read&person=" + e.person, http.StatusOK, 2},
		{"auditor by agent and purpose", e.auditor, "?agent=" + e.adviserID + "&purpose=accompagnement&limit=1", http.StatusOK, 1},
		{"auditor by day", e.auditor, "?action=read&person=" + e.person + "&from=2000-01-01&to=2100-01-01", http.StatusOK, 2},
		{"bad date", e.auditor, "?from=hier", http.StatusBadRequest, 0},
		{"bad limit", e.auditor, "?limit=501", http.StatusBadRequest, 0},
		{"adviser", e.adviser, "", http.StatusForbidden, 0},
		{"anonymous", http.DefaultClient, "", http.StatusUnauthorized, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.get(tt.client, "/api/v1/audit/entries"+tt.query, "")
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.status != http.StatusOK {
				return
			}
			var p struct {
				Items      []socle.AuditHit `json:"items"`
				NextBefore uint64           `json:"next_before"`
			}
			must(t, json.Unmarshal([]byte(body), &p))
			if len(p.Items) != tt.hits {
				t.Fatalf("%d entries, want %d: %s", len(p.Items), tt.hits, body)
			}
			for _, h := range p.Items {
				if h.Event.AgentID != e.adviserID || h.Event.Action != "read" || h.Event.PersonRef == "" || h.Event.PersonRef == e.person {
					t.Errorf("entry %d: %+v", h.Index, h.Event)
				}
			}
		})
	}
}

func TestAuditProofs(t *testing.T) {
	e := newAuditEnv(t)
	e.read()
	cp1 := e.checkpoint()
	e.read()
	e.read()
	cp2 := e.checkpoint()
	if cp2.Size <= cp1.Size {
		t.Fatalf("checkpoints %d then %d: the log did not grow", cp1.Size, cp2.Size)
	}
	for index := range cp2.Size {
		// The size is explicit: the checkpoint of the latest entry may
		// be signed between two requests.
		resp, body := e.get(http.DefaultClient, "/api/v1/audit/proofs/inclusion?index="+strconv.FormatUint(index, 10)+"&size="+strconv.FormatUint(cp2.Size, 10), "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("inclusion proof of %d: %d %s", index, resp.StatusCode, body)
		}
		var p api.Proof
		must(t, json.Unmarshal([]byte(body), &p))
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, index, p.TreeSize, p.LeafHash, p.Hashes, cp2.Root); err != nil || p.TreeSize != cp2.Size {
			t.Errorf("inclusion proof of %d in %d does not verify: %v", index, p.TreeSize, err)
		}
	}
	resp, body := e.get(http.DefaultClient, "/api/v1/audit/proofs/consistency?from="+strconv.FormatUint(cp1.Size, 10)+"&to="+strconv.FormatUint(cp2.Size, 10), "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consistency proof: %d %s", resp.StatusCode, body)
	}
	var p api.Proof
	must(t, json.Unmarshal([]byte(body), &p))
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, cp1.Size, cp2.Size, p.Hashes, cp1.Root, cp2.Root); err != nil {
		t.Errorf("consistency proof does not verify: %v", err)
	}

	bad := []struct{ path, param string }{
		{"/api/v1/audit/proofs/inclusion", "index"},
		{"/api/v1/audit/proofs/inclusion?index=x", "index"},
		{"/api/v1/audit/proofs/inclusion?index=-1", "index"},
		{"/api/v1/audit/proofs/inclusion?index=0&size=999999", "size"},
		{"/api/v1/audit/proofs/inclusion?index=3&size=2", "index"},
		{"/api/v1/audit/proofs/consistency?to=2", "from"},
		{"/api/v1/audit/proofs/consistency?from=3&to=2", "from"},
		{"/api/v1/audit/proofs/consistency?from=1&to=999999", "to"},
	}
	for _, b := range bad {
		resp, body := e.get(http.DefaultClient, b.path, "")
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "parameter "+b.param) {
			t.Errorf("GET %s: %d %s; want 400 naming %s", b.path, resp.StatusCode, body, b.param)
		}
	}
}

func TestJournalPages(t *testing.T) {
	e := newAuditEnv(t)
	e.read()
	resp, body := e.get(e.auditor, "/journal?personne="+e.person, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<table id="journal">`) || !strings.Contains(body, "Autorisé") || !strings.Contains(body, "Mission Locale de Lyon") {
		t.Fatalf("auditor's journal: %d\n%s", resp.StatusCode, body)
	}
	// A date the search cannot read stands beside its field, the answers kept.
	for _, field := range []string{"du", "au"} {
		resp, body = e.get(e.auditor, "/journal?personne="+e.person+"&"+field+"=hier", "")
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("bad date in %s: %d", field, resp.StatusCode)
		}
		checkFieldError(t, body, field, "Indiquez une date valide", `value="`+e.person+`"`)
		if strings.Contains(body, `role="alert"`) || !strings.Contains(body, `value="hier"`) {
			t.Errorf("bad date in %s: a page alert, or the date typed did not come back", field)
		}
	}
	resp, body = e.get(e.auditor, "/journal?personne="+e.person, "")
	i := strings.Index(body, `<a href="/journal/`)
	if i < 0 {
		t.Fatal("no link to an entry")
	}
	link := body[i+len(`<a href="`):]
	link = link[:strings.Index(link, `"`)]
	resp, body = e.get(e.auditor, link, "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<ol id="preuve">`) || !strings.Contains(body, "socle.test") {
		t.Errorf("entry page %s: %d\n%s", link, resp.StatusCode, body)
	}
	if resp, _ := e.get(e.adviser, "/journal", ""); resp.StatusCode != http.StatusForbidden {
		t.Errorf("adviser's journal: %d, want 403", resp.StatusCode)
	}
	noRedirect := &http.Client{CheckRedirect: stopRedirects}
	if resp, _ := e.get(noRedirect, "/journal", ""); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/connexion" {
		t.Errorf("anonymous journal: %d %s, want a redirection to /connexion", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := e.get(e.auditor, "/journal/999999", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("absent entry: %d, want 404", resp.StatusCode)
	}
}
