package http

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"socle"
)

// TestAgentCreationErrorsStandBesideTheirFields posts the agent creation
// form with one wrong answer at a time: the error stands beside its field
// (fr-input-group--error, aria-invalid, aria-describedby), the other
// answers come back, and no account is created.
func TestAgentCreationErrorsStandBesideTheirFields(t *testing.T) {
	e := newIdentityEnv(t)
	admin := e.browser()
	admin.login(e.admin)
	good := func() url.Values {
		return url.Values{"given_name": {"Noé"}, "family_name": {"Nouveau"}, "email": {"noe.nouveau@ml-lyon.fr"}, "roles": {string(socle.RoleAdviser)}}
	}
	tests := []struct {
		name   string
		change func(url.Values)
		status int
		// field is the id of the error's paragraph; kept an answer that comes back.
		field, message, kept string
	}{
		{"no given name", func(v url.Values) { v.Set("given_name", " ") }, http.StatusBadRequest, "erreur-prenom", "Indiquez le prénom", `value="Nouveau"`},
		{"no family name", func(v url.Values) { v.Set("family_name", "") }, http.StatusBadRequest, "erreur-nom", "Indiquez le nom", `value="Noé"`},
		{"an address that is none", func(v url.Values) { v.Set("email", "noe-at-ml") }, http.StatusBadRequest, "erreur-courriel", "adresse électronique valide", `value="noe-at-ml"`},
		{"no role", func(v url.Values) { v.Del("roles") }, http.StatusBadRequest, "erreur-roles", "Choisissez au moins un rôle", `value="noe.nouveau@ml-lyon.fr"`},
		{"a role that waits for a second administrator", func(v url.Values) { v.Set("roles", string(socle.RoleOrgAdmin)) }, http.StatusForbidden, "erreur-roles",
			"second administrateur", `value="` + string(socle.RoleOrgAdmin) + `" checked`},
		{"an address already taken", func(v url.Values) { v.Set("email", e.admin.Email) }, http.StatusConflict, "erreur-courriel", "Un compte existe déjà", `value="Nouveau"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := good()
			tt.change(form)
			form.Set("csrf", admin.csrf("/agents"))
			resp, body := admin.post("/agents", form)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			form2 := section(t, body, `id="nouvel-agent"`, `</form>`)
			errText := section(t, form2, `id="`+tt.field+`"`, `</p>`)
			if !strings.Contains(errText, tt.message) {
				t.Errorf("the error beside the field says %q, want %q", errText, tt.message)
			}
			if !strings.Contains(form2, `aria-describedby="`+tt.field+`"`) {
				t.Errorf("no field is described by its error %s", tt.field)
			}
			if tt.field != "erreur-roles" && (!strings.Contains(form2, `aria-invalid="true"`) || !strings.Contains(form2, "fr-input-group--error")) {
				t.Error("the field is not marked invalid")
			}
			if !strings.Contains(form2, tt.kept) {
				t.Errorf("the answer %s did not come back:\n%s", tt.kept, form2)
			}
		})
	}
	if _, page := admin.get("/agents"); strings.Contains(page, "noe.nouveau@ml-lyon.fr") {
		t.Error("a refused form created the account")
	}
}

// TestDeclarationErrorsStandBesideTheirFields posts the declaration and
// bulk task forms with a wrong answer: the error stands beside its field,
// marked invalid, and the answers come back.
func TestDeclarationErrorsStandBesideTheirFields(t *testing.T) {
	st, _, client := newSignedInConsole(t, socle.RoleAdviser)
	tests := []struct {
		name, action string
		form         url.Values
		// field is the input in error; kept an answer that comes back.
		field, message, kept string
	}{
		{"a call without a file", "/declarations", url.Values{"type": {"call"}, "reference": {"Appel 3949"}, "dossiers": {"per_inconnu"}},
			"dossiers", "Indiquez le ou les identifiants", `value="Appel 3949"`},
		{"a start that is no date", "/declarations", url.Values{"type": {"event"}, "reference": {"Forum emploi"}, "debut": {"demain"}},
			"debut", "date et une heure valides", `value="Forum emploi"`},
		{"a task without population", "/declarations/taches", url.Values{"finalite": {"accompagnement"}, "debut_tache": {"2026-12-04T09:00"}, "fin_tache": {"2026-12-04T18:00"}},
			"population", "Décrivez la population", `value="2026-12-04T09:00"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := st.env.postForm(client, "/declarations", tt.action, tt.form)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			checkFieldError(t, body, tt.field, tt.message, tt.kept)
		})
	}
}

// TestContractPageErrorsStandBesideTheirFields posts the contract page's
// forms with a wrong answer: no action, a start that is no date, a
// duration out of bounds. Each error stands beside its field and the
// answers come back; no appointment is set.
func TestContractPageErrorsStandBesideTheirFields(t *testing.T) {
	e := newParcoursEnv(t)
	c := e.staff[e.ml.OrganisationID]
	page := "/usagers/" + e.bob.ID + "/contrat"
	tests := []struct {
		name, action         string
		form                 url.Values
		field, message, kept string
	}{
		{"no action", page, url.Values{"actions": {"  \n "}}, "actions", "action", ""},
		{"a start that is no date", "/usagers/" + e.bob.ID + "/rendez-vous", url.Values{"debut": {"lundi"}, "duree": {"30"}, "titre": {"Bilan à trois mois"}, "modalite": {"visio"}},
			"debut", "date et l&#39;heure", `value="Bilan à trois mois"`},
		{"a duration out of bounds", "/usagers/" + e.bob.ID + "/rendez-vous", url.Values{"debut": {"2026-12-10T10:00"}, "duree": {"600"}, "lieu": {"Agence de Vaise"}, "modalite": {"visio"}},
			"duree", "de 5 à 480 minutes", `value="2026-12-10T10:00"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.net.postForm(c, page, tt.action, tt.form)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			checkFieldError(t, body, tt.field, tt.message, tt.kept)
			if tt.form.Get("modalite") == "visio" && !strings.Contains(body, `value="visio" selected`) {
				t.Error("the modalité chosen did not come back")
			}
		})
	}
	if _, body := e.staffGet(e.ml.OrganisationID, page); strings.Contains(body, "Bilan à trois mois") || !strings.Contains(body, `value="Rendez-vous de suivi"`) {
		t.Error("a refused appointment was set, or the form lost its defaults")
	}
}

// checkFieldError checks that the input named field of a page carries its
// error (aria-invalid, aria-describedby, the message beside it) and that
// the answer kept came back.
func checkFieldError(t *testing.T, body, field, message, kept string) {
	t.Helper()
	group := section(t, body, `for="`+field+`"`, `</div>`)
	if !strings.Contains(group, `aria-invalid="true" aria-describedby="erreur-`+field+`"`) || !strings.Contains(section(t, group, `id="erreur-`+field+`"`, `</p>`), message) {
		t.Errorf("the field %s does not carry its error %q:\n%s", field, message, group)
	}
	if !strings.Contains(body, kept) {
		t.Errorf("the answer %s did not come back", kept)
	}
}
