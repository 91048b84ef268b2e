package http

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/internal/openapitest"
	"socle/orientation"
	"socle/policy"
	"socle/store/storetest"
)

// apiStep is one call of a scenario: the operation it exercises as the
// document names it, the path with its ids (built when the step runs, from
// what earlier steps kept), the body, the status wanted, and what to keep
// of the answer.
type apiStep struct {
	method, pattern string
	path            func() string
	body            any
	headers         map[string]string
	status          int
	keep            func(body map[string]any)
}

// runDocumented runs the steps with the browser c and checks each answer
// against the schema the OpenAPI document (served by the same server)
// gives for its operation and status: an undocumented status or a body
// outside its schema fails. It returns the operations called, true for
// those of which a success (2xx) was checked.
func runDocumented(t *testing.T, c *http.Client, base string, steps []apiStep) map[string]bool {
	t.Helper()
	doc, err := openapitest.Fetch(base + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	called := map[string]bool{}
	for _, st := range steps {
		path := st.path()
		if lazy, ok := st.body.(func() any); ok { // built from what earlier steps kept
			st.body = lazy()
		}
		resp, body := apiCall(t, c, base, st.method, path, st.headers, st.body)
		name := st.method + " " + st.pattern
		if resp.StatusCode != st.status {
			t.Errorf("%s (%s): %d %s, want %d", name, path, resp.StatusCode, body, st.status)
			continue
		}
		called[name] = called[name] || resp.StatusCode < 300
		if st.body != nil {
			b, _ := json.Marshal(st.body)
			capture(name+" request", b)
		}
		if resp.StatusCode < 300 {
			capture(name+" "+strings.Split(resp.Status, " ")[0], body)
		}
		status := http.StatusText(resp.StatusCode)
		code := strings.TrimSpace(strings.Split(resp.Status, " ")[0])
		for _, h := range doc.RequiredHeaders(st.method, st.pattern, code) {
			if resp.Header.Get(h) == "" {
				t.Errorf("%s answered %s without the header %s the document requires", name, status, h)
			}
		}
		if resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
			continue
		}
		if err := doc.ValidateBody(st.method, st.pattern, code, body); err != nil {
			t.Errorf("%s answered %s outside the document: %v\nbody: %.600s", name, status, err, body)
		}
		if st.keep != nil {
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			st.keep(m)
		}
	}
	return called
}

// examplesOut, when set, receives the bodies of the scenario's requests and
// 2xx answers keyed as http/api/openapi_examples.json is, to pick examples
// from (real answers of the real stack).
var examplesOut = flag.String("examples-out", "", "write the scenario's bodies, as openapi_examples.json keys them, to this file")

var captured = map[string]json.RawMessage{}

func capture(key string, body []byte) {
	if _, ok := captured[key]; !ok && *examplesOut != "" && json.Valid(body) {
		captured[key] = body
	}
}

// documentedOperations lists the API operations ("METHOD path") of the
// document the server at base serves.
func documentedOperations(t *testing.T, base string) []string {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for path, methods := range doc.Paths {
		for m := range methods {
			if strings.HasPrefix(path, "/api/v1/") && path != "/api/v1/openapi.json" {
				ops = append(ops, strings.ToUpper(m)+" "+path)
			}
		}
	}
	sort.Strings(ops)
	return ops
}

// answersNotCheckedHere are the operations whose answers this scenario
// does not check against the document, each with its reason. None now:
// the roles the daily scenario lacks (privacy officers, administrators, a
// company adviser, a partner system) have theirs (openapi_roles_test.go);
// a new operation is called there or here, or listed with why not.
var answersNotCheckedHere = map[string]string{}

func fixed(s string) func() string { return func() string { return s } }

// TestAPIAnswersMatchTheDocument calls the routes of a partner's daily
// work on a real stack (an adviser of a mission locale following a
// person, then a département's adviser), and checks every answer against
// its schema in the OpenAPI document, errors included.
func TestAPIAnswersMatchTheDocument(t *testing.T) {
	p := newParcoursEnv(t)
	ml := p.staff[p.ml.OrganisationID]
	alice := "/api/v1/persons/" + p.alice.ID
	acc, orient := "?purpose="+policy.PurposeAccompagnement, "?purpose="+policy.PurposeOrientation
	vars := map[string]string{}
	keep := func(name string, path ...string) func(map[string]any) {
		return func(m map[string]any) {
			var v any = m
			for _, k := range path {
				v = v.(map[string]any)[k]
			}
			vars[name], _ = v.(string)
		}
	}
	answers := orientation.Answers{"projet": {"defini"}, "derniere_activite": {"moins_6_mois"}, "autonomie": {"autonome"},
		"hebergement_stable": {"oui"}, "rqth": {"non"}, "sante_limite_emploi": {"non"}}
	start := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	nextReferent := storetest.NewAgent(p.ml.OrganisationID, "lucas@ml-lyon.fr")
	if err := p.db.CreateAgent(t.Context(), nextReferent); err != nil {
		t.Fatal(err)
	}
	newcomer := storetest.NewPerson(9)
	newcomer.Health, newcomer.Justice, newcomer.Bank = nil, nil, nil
	newcomer.Parcours.Situation = socle.SituationYouth
	contact := map[string]any{"contact": map[string]string{"phone": "0611223344", "postal_code": "69001", "commune_code": "69123"}}
	read := map[string]string{} // If-Match: the version ETag the GET kept
	called := runDocumented(t, ml, p.srv.URL, []apiStep{
		{method: "GET", pattern: "/api/v1/orientation/questionnaire", path: fixed("/api/v1/orientation/questionnaire"), status: 200},
		{method: "POST", pattern: "/api/v1/persons/{id}/orientations", path: fixed(alice + "/orientations" + orient),
			body: map[string]any{"answers": answers}, status: 201, keep: keep("orientation", "orientation", "id")},
		{method: "GET", pattern: "/api/v1/persons/{id}/orientations", path: fixed(alice + "/orientations" + orient), status: 200},
		{method: "POST", pattern: "/api/v1/orientations/{id}/confirm", path: func() string { return "/api/v1/orientations/" + vars["orientation"] + "/confirm" + orient },
			body: map[string]any{"operator_kind": socle.KindYouth, "parcours": socle.ParcoursProfessional, "modalite": socle.ModaliteRenforce,
				"organisation_id": p.ml.OrganisationID, "override_reason": "Demande un suivi rapproché pendant trois mois."}, status: 200},
		{method: "POST", pattern: "/api/v1/persons/{id}/events", path: fixed(alice + "/events" + acc),
			body: map[string]any{"kind": socle.EventAppointment, "title": "Entretien de suivi", "start": start}, status: 201},
		{method: "POST", pattern: "/api/v1/persons/{id}/events", path: fixed(alice + "/events" + acc),
			body: map[string]any{"kind": "fête", "title": "x", "start": start}, status: 400},
		{method: "GET", pattern: "/api/v1/persons/{id}/events", path: fixed(alice + "/events" + acc + "&limit=1"), status: 200},
		{method: "GET", pattern: "/api/v1/persons/{id}/events", path: fixed(alice + "/events" + acc + "&cursor=nope"), status: 400},
		{method: "GET", pattern: "/api/v1/agenda", path: fixed("/api/v1/agenda" + acc), status: 200},
		{method: "POST", pattern: "/api/v1/persons/{id}/commitments", path: fixed(alice + "/commitments" + acc),
			body: map[string]any{"actions": []string{"Atelier CV"}}, status: 201, keep: keep("commitment", "id")},
		{method: "GET", pattern: "/api/v1/commitments/{id}", path: func() string { return "/api/v1/commitments/" + vars["commitment"] + acc }, status: 200},
		{method: "POST", pattern: "/api/v1/commitments/{id}/signatures", path: func() string { return "/api/v1/commitments/" + vars["commitment"] + "/signatures" + acc }, status: 200},
		{method: "POST", pattern: "/api/v1/commitments/{id}/signing-link", path: func() string { return "/api/v1/commitments/" + vars["commitment"] + "/signing-link" + acc },
			status: 201, keep: keep("token", "token")},
		{method: "POST", pattern: "/api/v1/signing/{token}", path: func() string { return "/api/v1/signing/" + vars["token"] }, status: 200},
		{method: "POST", pattern: "/api/v1/signing/{token}", path: func() string { return "/api/v1/signing/" + vars["token"] }, status: 401},
		{method: "POST", pattern: "/api/v1/persons", path: fixed("/api/v1/persons" + acc), body: newcomer, status: 201},
		{method: "POST", pattern: "/api/v1/persons", path: fixed("/api/v1/persons" + acc), body: map[string]any{"identity": map[string]any{"nir": "123"}}, status: 400},
		{method: "GET", pattern: "/api/v1/persons", path: fixed("/api/v1/persons" + acc + "&family_name=" + p.alice.Identity.FamilyName), status: 200},
		{method: "GET", pattern: "/api/v1/persons", path: fixed("/api/v1/persons" + acc + "&birth_date=hier"), status: 400},
		{method: "GET", pattern: "/api/v1/portfolio", path: fixed("/api/v1/portfolio?purpose=" + policy.PurposeMatching), status: 200},
		{method: "GET", pattern: "/api/v1/indicators", path: fixed("/api/v1/indicators?purpose=" + policy.PurposeStatistics), status: 403},
		{method: "GET", pattern: "/api/v1/persons/{id}", path: fixed(alice + acc), status: 200, keep: func(m map[string]any) {
			read["If-Match"] = fmt.Sprintf(`"v%v"`, m["version"])
		}},
		{method: "GET", pattern: "/api/v1/persons/{id}", path: fixed(alice), status: 400},
		{method: "PATCH", pattern: "/api/v1/persons/{id}", path: fixed(alice + acc), headers: map[string]string{"If-Match": `"v999"`},
			body: contact, status: 412},
		{method: "PATCH", pattern: "/api/v1/persons/{id}", path: fixed(alice + acc), body: contact, status: 428},
		{method: "PATCH", pattern: "/api/v1/persons/{id}", path: fixed(alice + acc), headers: read, body: contact, status: 200},
		{method: "GET", pattern: "/api/v1/persons/{id}/followups", path: fixed(alice + "/followups" + acc), status: 200},
		{method: "PUT", pattern: "/api/v1/persons/{id}/referent", path: fixed(alice + "/referent" + acc), body: map[string]any{"agent_id": nextReferent.ID}, status: 200},
		{method: "PUT", pattern: "/api/v1/persons/{id}/referent", path: fixed(alice + "/referent" + acc), body: map[string]any{"agent_id": p.dep.AgentID}, status: 400},
		{method: "GET", pattern: "/api/v1/persons/{id}", path: fixed("/api/v1/persons/" + p.bob.ID + acc), status: 200},
		{method: "GET", pattern: "/api/v1/changes", path: fixed("/api/v1/changes" + acc), status: 200},
		{method: "GET", pattern: "/api/v1/changes", path: fixed("/api/v1/changes" + acc + "&cursor=x"), status: 400},
		{method: "GET", pattern: "/api/v1/purposes", path: fixed("/api/v1/purposes"), status: 200},
		{method: "GET", pattern: "/api/v1/departements", path: fixed("/api/v1/departements"), status: 200},
		{method: "GET", pattern: "/api/v1/communes", path: fixed("/api/v1/communes?q=Lyon"), status: 200},
		{method: "GET", pattern: "/api/v1/jobs", path: fixed("/api/v1/jobs?q=boulanger"), status: 200},
		{method: "GET", pattern: "/api/v1/organisations", path: fixed("/api/v1/organisations"), status: 200},
		{method: "GET", pattern: "/api/v1/organisations/{id}", path: fixed("/api/v1/organisations/" + p.ml.OrganisationID), status: 200},
		{method: "GET", pattern: "/api/v1/communes/{code}", path: fixed("/api/v1/communes/00000"), status: 404},
		{method: "GET", pattern: "/api/v1/offers", path: fixed("/api/v1/offers"), status: 200},
		{method: "GET", pattern: "/api/v1/persons/{id}/offers", path: fixed(alice + "/offers?purpose=" + policy.PurposeMatching), status: 200},
	})
	// The file worked on over the API: diagnostic, plan, notes,
	// rectifications, appointments, orientation requests.
	rect, err := p.parcours.RequestRectification(t.Context(), p.self(p.alice), socle.CatContact, "Mon numéro est le 06 98 76 54 32.")
	if err != nil {
		t.Fatal(err)
	}
	slotStart := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Minute)
	begun := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Minute)
	dep := p.staff[p.dep.OrganisationID]
	for k, ok := range runDocumented(t, ml, p.srv.URL, []apiStep{
		{method: "GET", pattern: "/api/v1/persons/{id}/diagnostic", path: fixed(alice + "/diagnostic" + acc), status: 200},
		{method: "PUT", pattern: "/api/v1/persons/{id}/diagnostic", path: fixed(alice + "/diagnostic" + acc),
			body: map[string]any{"freins": []any{}}, status: 428},
		{method: "PUT", pattern: "/api/v1/persons/{id}/diagnostic", path: fixed(alice + "/diagnostic" + acc), headers: map[string]string{"If-Match": `"v0"`},
			body: map[string]any{"freins": []any{map[string]any{"theme": "mobilite", "level": "important", "comment": "Pas de permis."}},
				"situation": map[string]any{"status": "sans_emploi", "project": []any{map[string]any{"code": "10891"}}}}, status: 200},
		{method: "PUT", pattern: "/api/v1/persons/{id}/diagnostic", path: fixed(alice + "/diagnostic" + acc), headers: map[string]string{"If-Match": `"v0"`},
			body: map[string]any{"freins": []any{map[string]any{"theme": "logement", "level": "leger"}}}, status: 412},
		{method: "POST", pattern: "/api/v1/persons/{id}/plan", path: fixed(alice + "/plan" + acc),
			body: map[string]any{"objectives": []any{map[string]any{"title": "Obtenir le permis B", "freins": []string{"mobilite"}}},
				"actions": []any{map[string]any{"objective_id": "1", "title": "Code de la route", "provider": "Auto-école sociale de Lyon", "start": "2026-04-01", "due": "2026-06-30"}}},
			status: 201, keep: func(m map[string]any) { vars["action"], _ = m["actions"].([]any)[0].(map[string]any)["id"].(string) }},
		{method: "POST", pattern: "/api/v1/persons/{id}/plan", path: fixed(alice + "/plan" + acc), body: map[string]any{"objectives": []any{map[string]any{"title": ""}}}, status: 400},
		{method: "GET", pattern: "/api/v1/persons/{id}/plan", path: fixed(alice + "/plan" + acc), status: 200},
		{method: "PATCH", pattern: "/api/v1/persons/{id}/plan/actions/{action}", path: func() string { return alice + "/plan/actions/" + vars["action"] + acc },
			body: map[string]any{"status": "en_cours"}, status: 200},
		{method: "PATCH", pattern: "/api/v1/persons/{id}/plan/actions/{action}", path: func() string { return alice + "/plan/actions/" + vars["action"] + acc },
			body: map[string]any{"status": "abandonnee"}, status: 400},
		{method: "POST", pattern: "/api/v1/persons/{id}/plan/agreement", path: fixed(alice + "/plan/agreement" + acc), body: map[string]any{"version": 1}, status: 200},
		{method: "POST", pattern: "/api/v1/persons/{id}/plan/contract", path: fixed(alice + "/plan/contract" + acc), status: 201},
		{method: "POST", pattern: "/api/v1/persons/{id}/notes", path: fixed(alice + "/notes" + acc), body: map[string]any{"text": "Entretien de suivi."}, status: 201},
		{method: "POST", pattern: "/api/v1/persons/{id}/notes", path: fixed(alice + "/notes" + acc), body: map[string]any{"texte": "Note."}, status: 400},
		{method: "GET", pattern: "/api/v1/persons/{id}/notes", path: fixed(alice + "/notes" + acc), status: 200},
		{method: "GET", pattern: "/api/v1/persons/{id}/notes", path: fixed(alice + "/notes" + acc + "&cursor=nope"), status: 400},
		{method: "GET", pattern: "/api/v1/persons/{id}/rectifications", path: fixed(alice + "/rectifications" + acc), status: 200},
		{method: "GET", pattern: "/api/v1/persons/{id}/rectifications", path: fixed(alice + "/rectifications" + acc + "&limit=0"), status: 400},
		{method: "POST", pattern: "/api/v1/persons/{id}/rectifications/{rid}/answer", path: fixed(alice + "/rectifications/" + rect.ID + "/answer" + acc),
			body: map[string]any{"decision": "refuse"}, status: 400},
		{method: "POST", pattern: "/api/v1/persons/{id}/rectifications/{rid}/answer", path: fixed(alice + "/rectifications/" + rect.ID + "/answer" + acc),
			body: map[string]any{"decision": "refuse", "answer": "Ce numéro ne répond pas : rappelez-nous."}, status: 200},
		{method: "POST", pattern: "/api/v1/slots", path: fixed("/api/v1/slots" + acc),
			body:   map[string]any{"start": slotStart, "end": slotStart.Add(30 * time.Minute), "location": "Antenne Lyon 8e", "modalite": "sur_place"},
			status: 201, keep: keep("slot", "id")},
		{method: "POST", pattern: "/api/v1/slots", path: fixed("/api/v1/slots" + acc), body: map[string]any{"start": slotStart, "end": slotStart.Add(time.Hour), "modalite": "pigeon"}, status: 400},
		{method: "GET", pattern: "/api/v1/slots", path: fixed("/api/v1/slots" + acc), status: 200},
		{method: "GET", pattern: "/api/v1/slots", path: fixed("/api/v1/slots" + acc + "&cursor=nope"), status: 400},
		{method: "POST", pattern: "/api/v1/persons/{id}/appointments", path: fixed(alice + "/appointments" + acc),
			body: func() any { return map[string]any{"slot_id": vars["slot"]} }, status: 201, keep: keep("booked", "id")},
		{method: "POST", pattern: "/api/v1/persons/{id}/appointments", path: fixed(alice + "/appointments" + acc),
			body:   map[string]any{"title": "Point d'étape", "start": begun, "end": begun.Add(30 * time.Minute), "location": "Antenne Lyon 8e", "modalite": "sur_place"},
			status: 201, keep: keep("begun", "id")},
		{method: "POST", pattern: "/api/v1/persons/{id}/appointments", path: fixed(alice + "/appointments" + acc),
			body: func() any { return map[string]any{"slot_id": vars["slot"]} }, status: 409},
		{method: "GET", pattern: "/api/v1/persons/{id}/appointments", path: fixed(alice + "/appointments" + acc), status: 200},
		{method: "POST", pattern: "/api/v1/appointments/{id}/attendance", path: func() string { return "/api/v1/appointments/" + vars["booked"] + "/attendance" + acc },
			body: map[string]string{"attendance": "honore"}, status: 409},
		{method: "POST", pattern: "/api/v1/appointments/{id}/attendance", path: func() string { return "/api/v1/appointments/" + vars["begun"] + "/attendance" + acc },
			body: map[string]string{"attendance": "honore"}, status: 200},
		{method: "POST", pattern: "/api/v1/appointments/{id}/cancellation", path: func() string { return "/api/v1/appointments/" + vars["booked"] + "/cancellation" + acc },
			body: map[string]string{"reason": "Conseillère absente."}, status: 200},
		{method: "POST", pattern: "/api/v1/persons/{id}/orientation-requests", path: fixed(alice + "/orientation-requests" + orient),
			body: map[string]any{"to_organisation_id": p.dep.OrganisationID, "parcours": "social", "motive": "Difficultés de logement."}, status: 201, keep: keep("handoff", "id")},
		{method: "POST", pattern: "/api/v1/persons/{id}/orientation-requests", path: fixed(alice + "/orientation-requests" + orient),
			body: map[string]any{"to_organisation_id": p.dep.OrganisationID, "parcours": "libre", "motive": "Logement."}, status: 400},
		{method: "GET", pattern: "/api/v1/persons/{id}/orientation-requests", path: fixed(alice + "/orientation-requests" + orient), status: 200},
		{method: "GET", pattern: "/api/v1/persons/{id}/orientation-requests", path: fixed(alice + "/orientation-requests" + orient + "&cursor=nope"), status: 400},
	}) {
		called[k] = called[k] || ok
	}
	// The département answers the request from its queue; the mission
	// locale records the outcome.
	for k, ok := range runDocumented(t, dep, p.srv.URL, []apiStep{
		{method: "GET", pattern: "/api/v1/orientation-requests", path: fixed("/api/v1/orientation-requests" + orient), status: 200},
		{method: "GET", pattern: "/api/v1/orientation-requests", path: fixed("/api/v1/orientation-requests" + orient + "&limit=1000"), status: 400},
		{method: "GET", pattern: "/api/v1/orientation-requests/{id}", path: func() string { return "/api/v1/orientation-requests/" + vars["handoff"] + orient }, status: 200},
		{method: "POST", pattern: "/api/v1/orientation-requests/{id}/answer", path: func() string { return "/api/v1/orientation-requests/" + vars["handoff"] + "/answer" + orient },
			body: map[string]any{"accept": false}, status: 400},
		{method: "POST", pattern: "/api/v1/orientation-requests/{id}/answer", path: func() string { return "/api/v1/orientation-requests/" + vars["handoff"] + "/answer" + orient },
			body: map[string]any{"accept": false, "reason": "autre", "comment": "Suivi social déjà engagé par le CCAS."}, status: 200},
	}) {
		called[k] = called[k] || ok
	}
	for k, ok := range runDocumented(t, ml, p.srv.URL, []apiStep{
		{method: "POST", pattern: "/api/v1/orientation-requests/{id}/outcome", path: func() string { return "/api/v1/orientation-requests/" + vars["handoff"] + "/outcome" + orient },
			body: map[string]any{"outcome": "maintien", "reason": "La personne reste suivie ici."}, status: 200},
	}) {
		called[k] = called[k] || ok
	}

	// A département's adviser does not follow Alice: 404, as the gate says.
	for k, ok := range runDocumented(t, dep, p.srv.URL, []apiStep{
		{method: "GET", pattern: "/api/v1/persons/{id}", path: fixed(alice + acc), status: 404},
		{method: "POST", pattern: "/api/v1/persons/{id}/events", path: fixed(alice + "/events" + acc),
			body: map[string]any{"kind": socle.EventAppointment, "title": "Entretien RSA", "start": start}, status: 404},
	}) {
		called[k] = called[k] || ok
	}
	// The other roles: privacy officers, administrators, a company
	// adviser, a partner system (openapi_roles_test.go).
	for k, ok := range runRoleScenario(t) {
		called[k] = called[k] || ok
	}
	var names []string
	for k := range called {
		names = append(names, k)
	}
	sort.Strings(names)
	t.Logf("%d operations checked against the document: %s", len(names), strings.Join(names, ", "))

	// The operations this scenario does not call yet are listed, so that
	// the list only shrinks: a new route is called here, or listed.
	var missing []string
	for _, op := range documentedOperations(t, p.srv.URL) {
		success, checked := called[op]
		switch {
		case checked && answersNotCheckedHere[op] != "":
			t.Errorf("%s is checked now: remove it from answersNotCheckedHere", op)
		case !checked && answersNotCheckedHere[op] == "":
			missing = append(missing, op)
		case checked && !success:
			// Errors alone would leave the body the route is for unchecked.
			t.Errorf("%s: only error answers checked against the document; call it once so that it succeeds", op)
		}
	}
	for _, op := range missing {
		t.Errorf("%s: no answer checked against the document (call it in this scenario, or list it in answersNotCheckedHere)", op)
	}
	if *examplesOut != "" {
		b, _ := json.MarshalIndent(captured, "", "  ")
		if err := os.WriteFile(*examplesOut, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
