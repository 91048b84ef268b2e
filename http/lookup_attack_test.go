package http

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"socle"
	"socle/gate"
	"socle/store/storetest"
)

// TestExactLookupAttack replays the outside attack: an adviser of a partner
// organisation of the Rhône, signed in with her second factor, looks up
// 300 persons her organisation does not follow, across 20 départements, by
// NIR and birth date. Before the fix all 300 answered a card. Now a lookup
// outside her territory answers no card without a reason; every lookup
// weighs gate.LookupWeight in the throttle, so that she is asked to step up
// after DefaultStepUp/LookupWeight lookups and, even with reasons, blocked
// after DefaultBlock/LookupWeight; while asked to step up or blocked she
// reads nothing personal at all (lookups, files, follow-ups); and every
// lookup is in the audit log as an exact lookup with its outcome.
func TestExactLookupAttack(t *testing.T) {
	e := newNetworkEnv(t)
	ctx := context.Background()
	e.gate.Throttle = gate.NewThrottle(e.db) // the platform's limits, as socle serve wires them
	deps := []string{"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19", "69"}
	var victims []*socle.Person
	for i := range 300 {
		p := storetest.NewPerson(1000 + i)
		dep := deps[i%len(deps)]
		p.Contact.CommuneCode, p.Contact.PostalCode = dep+"001", dep+"000"
		if err := e.db.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		victims = append(victims, p)
	}
	attacker := e.clients[socle.KindPartner]
	lookup := func(p *socle.Person, reason string) (int, []string) {
		t.Helper()
		q := url.Values{"purpose": {"accompagnement"}, "nir": {p.Identity.NIR}, "birth_date": {p.Identity.BirthDate.String()}}
		req, err := http.NewRequest("GET", e.srv.URL+"/api/v1/persons?"+q.Encode(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if reason != "" {
			req.Header.Set("X-Break-Glass", reason)
		}
		resp, err := attacker.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, it := range body.Items {
			ids = append(ids, it.ID)
		}
		if resp.StatusCode != http.StatusOK {
			ids = []string{body.Error.Code}
		}
		return resp.StatusCode, ids
	}

	allowed := gate.DefaultStepUp / gate.LookupWeight
	cards := 0
	for i, p := range victims {
		status, got := lookup(p, "")
		switch {
		case i < allowed && status != http.StatusOK:
			t.Fatalf("lookup %d: %d %v, want 200 under the step-up limit", i, status, got)
		case i >= allowed && (status != http.StatusForbidden || got[0] != socle.ESTEPUP):
			t.Fatalf("lookup %d: %d %v, want 403 %s past %d lookups", i, status, got, socle.ESTEPUP, allowed)
		case status == http.StatusOK && len(got) > 0:
			cards++
			if socle.DepartementOf(p.Contact.CommuneCode) != "69" {
				t.Fatalf("lookup %d answered a card of a person of département %s without a reason", i, socle.DepartementOf(p.Contact.CommuneCode))
			}
		}
	}
	if want := allowed / len(deps); cards > want+1 || cards == 0 {
		t.Errorf("%d cards answered, want only those of the Rhône among the first %d lookups (about %d)", cards, allowed, want)
	}
	// While the step-up is pending, nothing personal: her own followed
	// person's file and follow-ups included.
	for _, path := range []string{"/api/v1/persons/" + e.person.ID, "/api/v1/persons/" + e.person.ID + "/followups"} {
		if resp, body := e.get(attacker, path, "accompagnement"); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, socle.ESTEPUP) {
			t.Errorf("GET %s while a step-up is pending: %d %s", path, resp.StatusCode, body)
		}
	}

	// She steps up and goes on with reasons: every card is flagged, and
	// the block comes after DefaultBlock/LookupWeight lookups in all.
	// The next period's code: the current one was spent at sign-in.
	code, err := totp.GenerateCode(e.secrets[socle.KindPartner], time.Now().Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	resp := postJSON(t, attacker, e.srv.URL+"/api/v1/step-up", fmt.Sprintf(`{"code":%q}`, code))
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("step-up: %d", resp.StatusCode)
	}
	blockedAfter := gate.DefaultBlock / gate.LookupWeight
	for i := allowed; i < len(victims); i++ {
		status, got := lookup(victims[i], "Vérification d'identité demandée par la personne")
		switch {
		case i < blockedAfter && (status != http.StatusOK || len(got) != 1 || got[0] != victims[i].ID):
			t.Fatalf("justified lookup %d: %d %v, want the card", i, status, got)
		case i >= blockedAfter && (status != http.StatusForbidden || got[0] != socle.EFORBIDDEN):
			t.Fatalf("lookup %d: %d %v, want 403 %s past %d lookups", i, status, got, socle.EFORBIDDEN, blockedAfter)
		}
	}
	if resp, body := e.get(attacker, "/api/v1/persons/"+e.person.ID+"/followups", "accompagnement"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("follow-ups while blocked: %d %s", resp.StatusCode, body)
	}

	// Detection reads every lookup from the audit log: an exact lookup,
	// with its outcome and whether it was outside the territory.
	outcomes := map[string]int{}
	for i := range e.log.Size() {
		entry, err := e.log.Entry(ctx, i)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range entry.Event.Facts {
			if f.Kind == gate.FactExactLookup {
				outcomes[f.Detail["outcome"]+"/"+f.Detail["territory"]]++
			}
		}
	}
	throttledLookups := len(victims) - allowed + len(victims) - blockedAfter // asked to step up, then blocked
	if outcomes["found/out"]+outcomes["found/in"] != blockedAfter-allowed+cards || outcomes["refused/out"] != allowed-cards || outcomes["found/in"] < cards ||
		outcomes["throttled/"] != throttledLookups {
		t.Errorf("exact lookups in the audit log = %v", outcomes)
	}

	// A privacy officer of her organisation lifts the block, with a
	// reason, through the API; the page lists the blocks.
	officer := storetest.NewAgent(e.actors[socle.KindPartner].OrganisationID, "dpo@partenaire.fr")
	officer.Roles = []socle.Role{socle.RoleAuditor}
	dpo := e.enrolAndLogin(e.db, e.identity, officer)
	resp, body := e.get(dpo, "/alertes/blocages", "")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Lever le blocage") {
		t.Fatalf("blocks page: %d", resp.StatusCode)
	}
	principal := gate.PrincipalKey(e.actors[socle.KindPartner])
	blocked, err := e.db.Agent(context.Background(), e.actors[socle.KindPartner].AgentID)
	if err != nil {
		t.Fatal(err)
	}
	checkWords(t, "/alertes/blocages", strings.ReplaceAll(body, principal, "KEY"), blocked.FullName())
	// The page's form refuses a lifting without a reason, saying so.
	form := url.Values{"csrf": {csrfInput.FindStringSubmatch(body)[1]}, "compte": {principal}, "motif": {"vu"}}
	if resp, err := dpo.PostForm(e.srv.URL+"/alertes/blocages", form); err != nil {
		t.Fatal(err)
	} else {
		if page := readBody(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Indiquez le motif") {
			t.Errorf("lifting on the page without a reason: %d", resp.StatusCode)
		}
	}
	lift := e.srv.URL + "/api/v1/throttle/blocks/" + url.PathEscape(principal) + "/lift"
	if resp := postJSON(t, attacker, lift, `{"reason":"Je me débloque moi-même, voilà tout"}`); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the blocked adviser lifting her own block: %d, want 403", resp.StatusCode)
	}
	if resp := postJSON(t, dpo, lift, `{"reason":""}`); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("lifting without a reason: %d, want 400", resp.StatusCode)
	}
	if resp := postJSON(t, dpo, lift, `{"reason":"Alerte examinée : tests de recette déclarés en retard"}`); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("lifting with a reason: %d, want 204", resp.StatusCode)
	}
	if resp, body := e.get(attacker, "/api/v1/persons/"+e.person.ID+"/followups", "accompagnement"); resp.StatusCode != http.StatusOK {
		t.Errorf("follow-ups after the block is lifted: %d %s", resp.StatusCode, body)
	}
}

func postJSON(t *testing.T, c *http.Client, url, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", strings.TrimSuffix(url[:strings.Index(url, "/api/")], "/"))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// TestSearchPageLookupOutsideTheTerritory: the search page is the same
// lookup as the API: a person outside the adviser's territory is found by
// NIR and birth date only with a reason, which the audit log keeps.
func TestSearchPageLookupOutsideTheTerritory(t *testing.T) {
	e := newNetworkEnv(t)
	p := storetest.NewPerson(2000)
	p.Contact.CommuneCode, p.Contact.PostalCode = "13055", "13001"
	if err := e.db.CreatePerson(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	search := func(reason string) string {
		t.Helper()
		q := url.Values{"finalite": {"accompagnement"}, "nir": {p.Identity.NIR}, "naissance": {p.Identity.BirthDate.String()}, "motif": {reason}}
		resp, body := e.get(e.clients[socle.KindPartner], "/usagers?"+q.Encode(), "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("search page: %d", resp.StatusCode)
		}
		return body
	}
	if body := search(""); strings.Contains(body, "/usagers/"+p.ID) || !strings.Contains(body, "demande un motif") {
		t.Error("the search page found a person outside the territory without a reason, or did not say a reason is needed")
	}
	const reason = "Appel de la personne pour son inscription"
	if body := search(reason); !strings.Contains(body, "/usagers/"+p.ID) {
		t.Error("the search page did not find the person with a reason")
	}
	last, err := e.log.Entry(context.Background(), e.log.Size()-1)
	if err != nil {
		t.Fatal(err)
	}
	if last.Event.BreakGlass != reason || last.Event.Action != "search" {
		t.Errorf("last audit entry = %+v, want the lookup with its reason", last.Event)
	}
}
