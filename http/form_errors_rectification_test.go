package http

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"socle"
)

// TestRectificationAnswerErrorsStandBesideTheirFields: the adviser answers
// Alice's rectification request without a decision, then with a motive too
// short: each error stands beside its field of that request, the answers
// come back, and the request stays open.
func TestRectificationAnswerErrorsStandBesideTheirFields(t *testing.T) {
	e := newParcoursEnv(t)
	r, err := e.parcours.RequestRectification(t.Context(), e.self(e.alice), socle.CatContact, "Mon numéro est le 06 98 76 54 32.")
	if err != nil {
		t.Fatal(err)
	}
	page := "/usagers/" + e.alice.ID + "/rectifications"
	tests := []struct {
		name                 string
		form                 url.Values
		field, message, kept string
	}{
		{"no decision", url.Values{"motif": {"Numéro vérifié auprès de vous."}}, "decision-" + r.ID, "Choisissez d&#39;accepter ou de refuser", ">Numéro vérifié auprès de vous.</textarea>"},
		{"a motive too short", url.Values{"decision": {"refuser"}, "motif": {"Non"}}, "motif-" + r.ID, "Motivez votre réponse", `value="refuser" checked`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.net.postForm(e.staff[e.ml.OrganisationID], page, page+"/"+r.ID, tt.form)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			item := section(t, body, `id="demande-`+r.ID+`"`, `</section>`)
			checkChoiceOrFieldError(t, item, tt.field, "decision-"+r.ID, tt.message, tt.kept)
		})
	}
	if _, body := e.staffGet(e.ml.OrganisationID, page); !strings.Contains(body, `action="`+page+"/"+r.ID+`"`) {
		t.Error("a refused answer closed the request")
	}
}

// TestContractConsentErrorStandsBesideItsBox: Alice signs her contract
// without ticking that she read it: the error stands beside the box, and
// the contract stays unsigned.
func TestContractConsentErrorStandsBesideItsBox(t *testing.T) {
	e := newParcoursEnv(t)
	c := e.drawContract(t, "Atelier CV")
	cl := e.client()
	cl.login(e.alice.Contact.Email)
	page := "/usager/contrats/" + c.ID
	resp, body := cl.post(page+"/signature", url.Values{"csrf": {cl.csrf(page)}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("signing without consent: %d, want 400", resp.StatusCode)
	}
	box := section(t, body, `id="signer"`, `</form>`)
	if !strings.Contains(box, "fr-checkbox-group--error") || !strings.Contains(box, `aria-invalid="true" aria-describedby="erreur-accord"`) ||
		!strings.Contains(section(t, box, `id="erreur-accord"`, `</p>`), "Cochez la case") {
		t.Errorf("the consent does not carry its error:\n%s", box)
	}
	if signed(t, e, c.ID) {
		t.Error("the contract was signed without consent")
	}
}
