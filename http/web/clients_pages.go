package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"socle"
	"socle/gate"
	"socle/http/httpx"
	"socle/oauth"
)

// clientPages are the administration of the API clients (partner systems
// with OAuth2 client credentials): the operations of `socle client`
// (create, list, show, disable, rotate-secret) for a platform
// administrator over every structure, and for a structure's administrator
// over her own. A secret is shown once, on the page that answers its
// creation or rotation, and never stored in clear.
type clientPages struct {
	*renderer
	oauth *oauth.Service
	gate  *gate.Gate
	dir   httpx.Directory
}

// clientsPath is the page of the API clients.
const clientsPath = "/admin/clients"

// scopeActions are the actions a client's scope may name, in the order of
// the form.
var scopeActions = []socle.Action{socle.ActionRead, socle.ActionSearch, socle.ActionCreate, socle.ActionUpdate, socle.ActionExport}

// clientsView is the list of clients with the creation form.
type clientsView struct {
	form
	Clients []clientRow
	// Organisations are those the administrator may create a client for;
	// one only for a structure's administrator.
	Organisations []orgOption
	Purposes      []scopePurpose
	Name          string
	// Errors are the form's errors by field: nom, structure, portees.
	Errors map[string]string
	// Created is the client just created or whose secret was renewed,
	// with its secret shown once.
	Created *clientRow
	Secret  string
	Notice  string
}

type orgOption struct {
	ID, Name string
	Selected bool
}

// scopePurpose is one purpose of the form with its actions.
type scopePurpose struct {
	Code, Label string
	Actions     []scopeAction
}

type scopeAction struct {
	Scope, Label string
	Checked      bool
}

// clientRow is a client in words.
type clientRow struct {
	ID, Name, Organisation, Method, Created string
	Scopes                                  []string
	Disabled                                bool
	// Secret says the client authenticates with a secret, which can be
	// renewed.
	Secret bool
}

// clientView is one client, with the agreement rules it acts under.
type clientView struct {
	form
	Client     clientRow
	Agreements []string
	Secret     string
	Notice     string
}

// adminScope returns the organisation whose clients the actor
// administers ("" for every one) and whether she administers any.
func adminScope(actor socle.Actor) (string, bool) {
	switch {
	case slices.Contains(actor.Roles, socle.RolePlatformAdmin):
		return "", true
	case slices.Contains(actor.Roles, socle.RoleOrgAdmin) && actor.OrganisationID != "":
		return actor.OrganisationID, true
	}
	return "", false
}

// clientOf returns the client id of the request's path if the actor
// administers it; ENOTFOUND otherwise, so that another structure's
// administrator does not learn it exists.
func (s *clientPages) clientOf(ctx context.Context, actor socle.Actor, id string) (*socle.OAuthClient, error) {
	org, ok := adminScope(actor)
	if !ok {
		return nil, userErrorf(socle.EFORBIDDEN, msgClientsForbidden)
	}
	c, err := s.oauth.Client(ctx, id)
	if err != nil {
		return nil, err
	}
	if org != "" && c.OrganisationID != org {
		return nil, socle.Errorf(socle.ENOTFOUND, "client not found")
	}
	return c, nil
}

func (s *clientPages) row(ctx context.Context, c *socle.OAuthClient) clientRow {
	row := clientRow{ID: c.ID, Name: c.Name, Organisation: s.words.organisation(ctx, c.OrganisationID), Created: frenchDay(c.CreatedAt),
		Disabled: c.Disabled, Secret: c.Method == socle.OAuthClientSecret, Method: "Clé publique (private_key_jwt)"}
	if row.Secret {
		row.Method = "Secret partagé"
	}
	for _, sc := range c.Scopes {
		row.Scopes = append(row.Scopes, s.scopeLabel(sc))
	}
	return row
}

// scopeLabel writes a scope in words: « Accompagnement : Consultation ».
func (s *clientPages) scopeLabel(scope string) string {
	purpose, action, _ := strings.Cut(scope, ":")
	label := purpose
	for _, p := range s.gate.Purposes() {
		if p.Code == purpose {
			label = p.Label
		}
	}
	return label + " : " + strings.ToLower(labelOf(actionLabels, action))
}

// renderList renders the list of clients and the form, with v's form
// state.
func (s *clientPages) renderList(w http.ResponseWriter, r *http.Request, status int, v *clientsView) {
	ctx := r.Context()
	actor := httpx.ActorFrom(ctx)
	scope, ok := adminScope(actor)
	if !ok {
		s.renderError(w, r, userErrorf(socle.EFORBIDDEN, msgClientsForbidden))
		return
	}
	clients, err := s.oauth.Clients(ctx, scope)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, c := range clients {
		v.Clients = append(v.Clients, s.row(ctx, c))
	}
	var orgs []*socle.Organisation
	if scope == "" {
		if orgs, err = s.dir.Organisations(ctx, socle.OrganisationFilter{}); err != nil {
			s.renderError(w, r, err)
			return
		}
	} else if o, err := s.dir.Organisation(ctx, scope); err == nil {
		orgs = []*socle.Organisation{o}
	} else {
		s.renderError(w, r, err)
		return
	}
	chosen := r.PostFormValue("structure")
	for _, o := range orgs {
		v.Organisations = append(v.Organisations, orgOption{ID: o.ID, Name: o.Name, Selected: o.ID == chosen})
	}
	checked := r.PostForm["portees"]
	for _, p := range s.gate.Purposes() {
		sp := scopePurpose{Code: p.Code, Label: p.Label}
		for _, a := range scopeActions {
			sc := oauth.Scope(p.Code, a)
			sp.Actions = append(sp.Actions, scopeAction{Scope: sc, Label: labelOf(actionLabels, string(a)), Checked: slices.Contains(checked, sc)})
		}
		v.Purposes = append(v.Purposes, sp)
	}
	staffPage(s.renderer, w, r, status, "clients", "Clients de l'API", "clients", v)
}

func handleClientsPage(s *clientPages) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		s.renderList(w, r, http.StatusOK, &clientsView{})
	})
}

// handleClientCreate creates a client from the form; its errors are shown
// next to their fields with the answers kept, and the secret once.
func handleClientCreate(s *clientPages) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		actor := httpx.ActorFrom(r.Context())
		scope, ok := adminScope(actor)
		if !ok {
			s.renderError(w, r, userErrorf(socle.EFORBIDDEN, msgClientsForbidden))
			return
		}
		v := &clientsView{Name: strings.TrimSpace(r.PostFormValue("nom")), Errors: map[string]string{}}
		org := r.PostFormValue("structure")
		if scope != "" {
			org = scope
		}
		scopes := r.PostForm["portees"]
		if v.Name == "" || len(v.Name) > 200 {
			v.Errors["nom"] = msgClientName
		}
		if org == "" {
			v.Errors["structure"] = msgClientOrganisation
		}
		if len(scopes) == 0 {
			v.Errors["portees"] = msgClientScopes
		}
		if len(v.Errors) == 0 {
			c, secret, err := s.oauth.CreateClient(r.Context(), oauth.NewClient{OrganisationID: org, Name: v.Name, Method: socle.OAuthClientSecret, Scopes: scopes})
			switch {
			case err == nil:
				row := s.row(r.Context(), c)
				s.renderList(w, r, http.StatusCreated, &clientsView{Created: &row, Secret: secret, Notice: msgClientCreated})
				return
			case socle.ErrorCode(err) != socle.EINVALID:
				s.renderError(w, r, err)
				return
			case strings.Contains(socle.ErrorMessage(err), "organisation_id"):
				v.Errors["structure"] = msgClientOrganisation
			case strings.Contains(socle.ErrorMessage(err), "scopes"):
				v.Errors["portees"] = msgClientScopeNotGranted
			default:
				v.Errors["nom"] = message(err)
			}
		}
		s.renderList(w, r, http.StatusBadRequest, v)
	})
}

func (s *clientPages) renderClient(w http.ResponseWriter, r *http.Request, c *socle.OAuthClient, v *clientView) {
	ctx := r.Context()
	v.Client = s.row(ctx, c)
	agreements, err := s.oauth.Agreements(ctx, c)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, a := range agreements {
		v.Agreements = append(v.Agreements, s.agreementSentence(a.AgreementRule))
	}
	staffPage(s.renderer, w, r, http.StatusOK, "client", "Client « "+c.Name+" »", "clients", v)
}

func handleClientPage(s *clientPages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, ok := staffOnly(w, r)
		if !ok {
			return
		}
		c, err := s.clientOf(r.Context(), actor, r.PathValue("id"))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.renderClient(w, r, c, &clientView{})
	})
}

// handleClientAction disables a client or renews its secret.
func handleClientAction(s *clientPages, action string) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		c, err := s.clientOf(ctx, httpx.ActorFrom(ctx), r.PathValue("id"))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		v := &clientView{}
		switch action {
		case "desactiver":
			if err := s.oauth.DisableClient(ctx, c.ID); err != nil {
				s.renderError(w, r, err)
				return
			}
			c.Disabled, v.Notice = true, msgClientDisabled
		case "secret":
			if c.Disabled {
				s.renderError(w, r, userErrorf(socle.ECONFLICT, msgClientDisabledNoSecret))
				return
			}
			if v.Secret, err = s.oauth.RotateSecret(ctx, c.ID); err != nil {
				s.renderError(w, r, err)
				return
			}
			v.Notice = msgClientSecretRotated
		}
		s.renderClient(w, r, c, v)
	})
}

// agreementSentence writes an agreement rule in words: its purpose, the
// data it reads and writes, and over whom.
func (s *clientPages) agreementSentence(a socle.AgreementRule) string {
	words := func(set socle.CategorySet) string {
		var out []string
		for _, c := range set.List() {
			out = append(out, strings.ToLower(c.Label()))
		}
		if len(out) == 0 {
			return "rien"
		}
		return strings.Join(out, ", ")
	}
	label := a.Purpose
	for _, p := range s.gate.Purposes() {
		if p.Code == a.Purpose {
			label = p.Label
		}
	}
	return label + " : lecture de " + words(a.Read) + " ; écriture de " + words(a.Write) + " ; " + labelOf(populationLabels, string(a.Population)) + "."
}
