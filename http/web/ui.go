package web

import (
	"bytes"
	"context"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"socle/http/httpx"
	"socle/identity"
	"strings"

	"socle"
)

//go:embed templates/*.html templates/*.tmpl
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds one parsed template per page, each with the shared layout.
type pages struct {
	byName map[string]*template.Template
}

// templateFuncs: "heure" and "jour" write an instant in Europe/Paris
// (format.go), the one way a page shows a time.
var templateFuncs = template.FuncMap{"join": strings.Join, "heure": frenchTime, "jour": frenchDay}

func loadPages() *pages {
	p := &pages{byName: map[string]*template.Template{}}
	// partials.html holds the blocks several pages share (the offer form).
	layout := template.Must(template.New("layout").Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		p.byName[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, n))
	}
	return p
}

// renderer renders the pages; every group of pages holds it. identity,
// when set, gives the staff pages their form tokens.
type renderer struct {
	pages *pages
	// version is the release shown in the footer of every page.
	version  string
	identity *identity.Service
	// words names the codes of the referentials on every page (format.go).
	words *words
	// franceConnect is on when persons may sign in with FranceConnect:
	// the menu then opens the identity checks.
	franceConnect bool
	// apiClients is on when the API clients are administered here.
	apiClients bool
	// spaceUser names the person or the company contact signed in to her
	// space, for the header; nil leaves the space's name alone.
	spaceUser func(ctx context.Context, a socle.Actor) string
}

// view is what every page template receives: the layout's fields and the
// page's own typed view in Data.
type view struct {
	Title   string
	Nav     string
	Version string
	Data    any
	// Chrome is filled by render for the layout.
	Chrome chrome
	// actor, when set, is who the chrome shows instead of the request's
	// actor (a space's own session).
	actor *socle.Actor
	// who, when set, names the signed-in person or contact in the header
	// of her space.
	who string
}

// form is embedded in the view of a page with forms: the page helpers
// (staffPage, identityPage, linkLogin.render) fill its CSRF token.
type form struct{ CSRF string }

func (f *form) setCSRF(token string) { f.CSRF = token }

// formView is the typed view of a page with forms: it embeds form, whose
// CSRF token the page helpers fill.
type formView interface{ setCSRF(token string) }

// withCSRF puts the form token in the page's view.
func withCSRF(v formView, token string) formView {
	v.setCSRF(token)
	return v
}

// homeView is the home page: the organisations of the network by kind.
type homeView struct{ Kinds []kindCount }

// structuresView is the directory of organisations with its filters.
type structuresView struct {
	Organisations []*socle.Organisation
	More          bool
	KindOptions   []kindCount
	Departements  []socle.Departement
	Departement   string
}

// offersView is the list of open offers with its filter.
type offersView struct {
	Offers       []offerRow
	Departements []socle.Departement
	Departement  string
}

// render executes the page into a buffer first so that a template error
// becomes a clean error page, not half a page.
func (s *renderer) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	v.Version = s.version
	actor := httpx.ActorFrom(r.Context())
	if v.actor != nil {
		actor = *v.actor
	}
	v.Chrome = s.chromeOf(r, actor, v.Title, v.Data)
	if v.who != "" {
		v.Chrome.User = v.who
	}
	var buf bytes.Buffer
	if err := s.pages.byName[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		httpx.LoggerFrom(r.Context()).Error("rendering page", "page", name, "err", err, "request_id", httpx.RequestID(r.Context()))
		http.Error(w, "Erreur interne", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	httpx.StatusHeaders(w, status)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError shows an error page in French with the status of err.
func (s *renderer) renderError(w http.ResponseWriter, r *http.Request, err error) {
	if socle.ErrorCode(err) == socle.ESTEPUP && r.Method == http.MethodGet {
		// The volume throttle asks for a fresh second factor (detect_handlers.go).
		http.Redirect(w, r, "/verification-renforcee?retour="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	status := httpx.ErrorStatus(err)
	title, ok := statusTitles[status]
	if !ok {
		title = statusTitles[0]
	}
	msg := message(err)
	if status >= 500 {
		httpx.LoggerFrom(r.Context()).Error("page failed", "err", err, "request_id", httpx.RequestID(r.Context()))
		msg = codeMessages[socle.EINTERNAL]
	}
	s.render(w, r, status, "error", view{Title: title, Data: errorView{Message: msg, RequestID: httpx.RequestID(r.Context())}})
}

// errorView is what the error page shows: a French sentence and the
// request's reference for the support.
type errorView struct {
	Message   string
	RequestID string
}

// staticTypes are the content types of the static files whose extension
// the standard library does not know on every system (the DSFR fonts).
var staticTypes = map[string]string{".woff2": "font/woff2", ".svg": "image/svg+xml", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

// handleStatic serves the embedded static files. The vendored DSFR
// (static/dsfr, linked with its version in the query) is cached for a
// year; Socle's own files for an hour, since their address does not
// change between releases.
func handleStatic() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t, ok := staticTypes[path.Ext(r.URL.Path)]; ok {
			w.Header().Set("Content-Type", t)
		}
		if strings.HasPrefix(r.URL.Path, "/static/dsfr/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		files.ServeHTTP(w, r)
	})
}

type kindCount struct {
	Kind     socle.OrgKind
	Label    string
	Count    int
	Selected bool
}

func (s *publicPages) handleHome() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var kinds []kindCount
		for _, k := range socle.OrgKinds {
			orgs, err := s.dir.Organisations(r.Context(), socle.OrganisationFilter{Kind: k, Limit: 10_000})
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			if len(orgs) > 0 {
				kinds = append(kinds, kindCount{Kind: k, Label: k.Label(), Count: len(orgs)})
			}
		}
		s.render(w, r, http.StatusOK, "home", view{Title: "Accueil", Nav: "accueil", Data: homeView{Kinds: kinds}})
	})
}

func (s *publicPages) handleOrganisationsPage() http.Handler {
	const limit = 200
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := socle.OrgKind(r.URL.Query().Get("kind"))
		dep := r.URL.Query().Get("departement")
		if (kind != "" && !kind.Valid()) || (dep != "" && !socle.ValidDepartementCode(dep)) {
			s.renderError(w, r, userErrorf(socle.EINVALID, msgUnknownFilter))
			return
		}
		orgs, err := s.dir.Organisations(r.Context(), socle.OrganisationFilter{Kind: kind, Departement: dep, Limit: limit + 1})
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		deps, err := s.dir.Departements(r.Context())
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		more := len(orgs) > limit
		if more {
			orgs = orgs[:limit]
		}
		var options []kindCount
		for _, k := range socle.OrgKinds {
			options = append(options, kindCount{Kind: k, Label: k.Label(), Selected: k == kind})
		}
		s.render(w, r, http.StatusOK, "structures", view{Title: "Structures", Nav: "structures", Data: structuresView{
			Organisations: orgs, More: more, KindOptions: options, Departements: deps, Departement: dep,
		}})
	})
}

func (s *publicPages) handleOffersPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dep := r.URL.Query().Get("departement")
		if dep != "" && !socle.ValidDepartementCode(dep) {
			s.renderError(w, r, userErrorf(socle.EINVALID, msgUnknownDepartement))
			return
		}
		offers, err := s.dir.Offers(r.Context(), socle.OfferFilter{Departement: dep, OpenOnly: true, Limit: 100})
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		deps, err := s.dir.Departements(r.Context())
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, "offres", view{Title: "Offres", Nav: "offres", Data: offersView{
			Offers: s.words.offerRows(r.Context(), offers), Departements: deps, Departement: dep,
		}})
	})
}

func (s *publicPages) handleNotFoundPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, userErrorf(socle.ENOTFOUND, msgNoPage))
	})
}
