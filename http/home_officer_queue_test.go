package http

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"socle"
	"socle/gate"
	"socle/store/storetest"
)

// TestOfficerHomeListsHerQuestionsAndTheRightsRequestsWaiting reads a
// privacy officer's home once she asked two agents for an explanation
// (one answered) and a person followed by her structure asked for a
// rectification: the answer to read comes first, the question waiting
// gives its deadline, and the rectification requests are counted without
// naming the person.
func TestOfficerHomeListsHerQuestionsAndTheRightsRequestsWaiting(t *testing.T) {
	ctx := context.Background()
	st := newParcoursConsoleStack(t)
	db, csvc, p, env := st.db, st.cases, st.parcours, st.env

	org, dpo, officer := st.officerOf(t, "Mission locale")
	silent, talkative := storetest.NewAgent(org.ID, "muette@ml.fr"), storetest.NewAgent(org.ID, "bavarde@ml.fr")
	silent.FamilyName, talkative.FamilyName = "Muette", "Bavarde"
	for _, a := range []*socle.Agent{silent, talkative} {
		if err := db.CreateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	asker := socle.Actor{AgentID: dpo.ID, OrganisationID: org.ID, Roles: dpo.Roles, Strength: socle.AuthMFA}
	for _, a := range []*socle.Agent{silent, talkative} {
		c, err := csvc.Raise(ctx, &socle.Alert{Rule: "family", Score: 3, Principal: "agent:" + a.ID, OrganisationID: org.ID, Reason: "Dossier d'un proche."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := csvc.Ask(ctx, asker, c.ID, "Pourquoi avez-vous ouvert ce dossier ?"); err != nil {
			t.Fatal(err)
		}
		if a == talkative {
			if _, err := csvc.Answer(ctx, socle.Actor{AgentID: a.ID, OrganisationID: org.ID, Strength: socle.AuthMFA}, c.ID, "Une personne reçue à l'accueil."); err != nil {
				t.Fatal(err)
			}
		}
	}
	person := storetest.NewPerson(8)
	person.Health, person.Justice, person.Bank = nil, nil, nil
	if err := db.CreatePerson(ctx, person); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateFollowup(ctx, &socle.Followup{PersonID: person.ID, OrganisationID: org.ID, Start: socle.NewDate(2025, 3, 2)}); err != nil {
		t.Fatal(err)
	}
	self := gate.Request{Actor: socle.Actor{PersonID: person.ID, Strength: socle.AuthClient}, RequestID: "self"}
	if _, err := p.RequestRectification(ctx, self, socle.CatContact, "Mon numéro de téléphone a changé."); err != nil {
		t.Fatal(err)
	}

	resp, body := env.get(officer, "/", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("home: %d", resp.StatusCode)
	}
	questions := section(t, body, `id="file-questions"`, `</ul>`)
	answered, waiting := strings.Index(questions, "Bavarde"), strings.Index(questions, "Muette")
	if answered < 0 || waiting < 0 || answered > waiting {
		t.Errorf("the answer to read does not come before the question waiting:\n%s", questions)
	}
	if !strings.Contains(questions, "Réponse reçue, à lire") || !strings.Contains(questions, "réponse attendue au plus tard le") {
		t.Errorf("the questions do not say where they stand:\n%s", questions)
	}
	if !strings.Contains(body, `Vos demandes d'explication <span class="fr-badge fr-badge--sm fr-badge--warning">2</span>`) {
		t.Errorf("the count of her questions is wrong:\n%s", section(t, body, `id="file-explications"`, `</h3>`))
	}
	rights := section(t, body, `id="file-droits"`, `</p>`)
	if !strings.Contains(rights, "1 demande(s) de rectification attendent") {
		t.Errorf("the rectification request waiting is not counted:\n%s", rights)
	}
	if strings.Contains(body, person.Identity.FamilyName) || strings.Contains(body, person.ID) {
		t.Error("the privacy officer's home names the person who asked for a rectification")
	}
}
