package http

import (
	"io"
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
			form.Set("csrf", admin.token("/agents"))
			resp, err := admin.c.PostForm(e.srv.URL+"/agents", form)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body := string(b)
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
