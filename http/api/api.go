package api

import (
	"context"
	"net/http"
	"strings"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

// handleHealthz answers 200 while the process serves HTTP: liveness only,
// without authentication, the database or any other dependency.
func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.Encode(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// handleReadyz answers 200 when the server can serve: the database answers
// and ready (when set) finds nothing wrong; 503 with the reason otherwise.
func handleReadyz(dir httpx.Directory, ready func(ctx context.Context) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := dir.Ping(r.Context()); err != nil {
			httpx.WriteError(w, r, socle.Errorf(socle.EUNAVAILABLE, "database unreachable"))
			return
		}
		if ready != nil {
			if err := ready(r.Context()); err != nil {
				httpx.WriteError(w, r, socle.Errorf(socle.EUNAVAILABLE, "not ready: %s", socle.ErrorMessage(err)))
				return
			}
		}
		httpx.Encode(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

func handleAPINotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteError(w, r, socle.Errorf(socle.ENOTFOUND, "no API route %s %s", r.Method, r.URL.Path))
	})
}

// page is the envelope of a list: the items and how many were asked for.
type page[T any] struct {
	Items []T `json:"items"`
	Limit int `json:"limit"`
}

func handlePurposes(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.Encode(w, http.StatusOK, page[socle.Purpose]{Items: g.Purposes(), Limit: len(g.Purposes())})
	})
}

func handleDepartements(dir httpx.Directory) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		deps, err := dir.Departements(r.Context())
		httpx.Respond(w, r, http.StatusOK, page[socle.Departement]{Items: deps, Limit: len(deps)}, err)
	})
}

func handleCommune(dir httpx.Directory) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code := r.PathValue("code")
		if !socle.ValidCommuneCode(code) {
			httpx.WriteError(w, r, socle.Errorf(socle.EINVALID, "commune code %q: five characters, INSEE code", code))
			return
		}
		c, err := dir.Commune(r.Context(), code)
		httpx.Respond(w, r, http.StatusOK, c, err)
	})
}

func handleOrganisations(dir httpx.Directory) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f := socle.OrganisationFilter{Kind: socle.OrgKind(q.Get("kind")), Departement: q.Get("departement")}
		if f.Kind != "" && !f.Kind.Valid() {
			httpx.WriteError(w, r, socle.Errorf(socle.EINVALID, "parameter kind: one of %v", socle.OrgKinds))
			return
		}
		if f.Departement != "" && !socle.ValidDepartementCode(f.Departement) {
			httpx.WriteError(w, r, socle.Errorf(socle.EINVALID, "parameter departement: a département code such as 69 or 2A"))
			return
		}
		var err error
		if f.Limit, err = httpx.IntParam(r, "limit", 100, 1, 500); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if f.Offset, err = httpx.IntParam(r, "offset", 0, 0, 1_000_000); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		orgs, err := dir.Organisations(r.Context(), f)
		httpx.Respond(w, r, http.StatusOK, page[*socle.Organisation]{Items: orgs, Limit: f.Limit}, err)
	})
}

func handleOrganisation(dir httpx.Directory) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if err := socle.CheckID(socle.PrefixOrganisation, "organisation id", id); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		o, err := dir.Organisation(r.Context(), id)
		httpx.Respond(w, r, http.StatusOK, o, err)
	})
}

func handleOffers(dir httpx.Directory) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f := socle.OfferFilter{ROMECode: q.Get("rome_code"), Departement: q.Get("departement"), OpenOnly: true}
		if f.ROMECode != "" && !socle.ValidROME(f.ROMECode) {
			httpx.WriteError(w, r, socle.Errorf(socle.EINVALID, "parameter rome_code: a ROME code such as M1607"))
			return
		}
		if f.Departement != "" && !socle.ValidDepartementCode(f.Departement) {
			httpx.WriteError(w, r, socle.Errorf(socle.EINVALID, "parameter departement: a département code such as 69 or 2A"))
			return
		}
		var err error
		if f.Limit, err = httpx.IntParam(r, "limit", 50, 1, 200); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		offers, err := dir.Offers(r.Context(), f)
		httpx.Respond(w, r, http.StatusOK, page[*socle.Offer]{Items: offers, Limit: f.Limit}, err)
	})
}

// personResponse is a person as the API returns it: the granted sections and
// the explanation of why they are visible.
type personResponse struct {
	*socle.Person
	Access accessInfo `json:"access"`
}

type accessInfo struct {
	Purpose     string       `json:"purpose"`
	Categories  []string     `json:"categories"`
	Explanation string       `json:"explanation"`
	Facts       []socle.Fact `json:"facts"`
	BreakGlass  bool         `json:"break_glass,omitempty"`
}

func accessOf(purpose string, d socle.Decision) accessInfo {
	cats := []string{}
	for _, c := range d.Categories.List() {
		cats = append(cats, string(c))
	}
	return accessInfo{Purpose: purpose, Categories: cats, Explanation: d.Explanation(), Facts: d.Facts, BreakGlass: d.BreakGlass}
}

func handleReadPerson(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		want, err := socle.ParseCategories(r.URL.Query().Get("categories"))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		req := httpx.GateRequest(r)
		p, d, err := g.ReadPerson(r.Context(), req, r.PathValue("id"), want)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		httpx.Encode(w, http.StatusOK, personResponse{Person: p, Access: accessOf(req.Purpose, d)})
	})
}

func handleSearchPersons(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		pq := socle.PersonQuery{
			FamilyName: q.Get("family_name"), GivenName: q.Get("given_name"),
			NIR: strings.ReplaceAll(q.Get("nir"), " ", ""), CommuneCode: q.Get("commune_code"),
		}
		if s := q.Get("birth_date"); s != "" {
			d, err := socle.ParseDate(s)
			if err != nil {
				httpx.WriteError(w, r, socle.Errorf(socle.EINVALID, "parameter birth_date: expected YYYY-MM-DD"))
				return
			}
			pq.BirthDate = d
		}
		if pq.NIR != "" && !socle.ValidNIR(pq.NIR) {
			httpx.WriteError(w, r, socle.Errorf(socle.EINVALID, "parameter nir: not a valid NIR"))
			return
		}
		if pq.CommuneCode != "" && !socle.ValidCommuneCode(pq.CommuneCode) {
			httpx.WriteError(w, r, socle.Errorf(socle.EINVALID, "parameter commune_code: an INSEE commune code"))
			return
		}
		var err error
		if pq.Limit, err = httpx.IntParam(r, "limit", 20, 1, 50); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		req := httpx.GateRequest(r)
		found, d, err := g.SearchPersons(r.Context(), req, pq)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if found == nil {
			found = []*socle.Person{}
		}
		httpx.Encode(w, http.StatusOK, struct {
			page[*socle.Person]
			Access accessInfo `json:"access"`
		}{page[*socle.Person]{Items: found, Limit: pq.Limit}, accessOf(req.Purpose, d)})
	})
}

func handleCreatePerson(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := httpx.Decode[socle.Person](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if p.ID != "" {
			httpx.WriteError(w, r, socle.Errorf(socle.EINVALID, "id: assigned by the server, must not be sent"))
			return
		}
		req := httpx.GateRequest(r)
		d, err := g.CreatePerson(r.Context(), req, &p)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.Header().Set("Location", "/api/v1/persons/"+p.ID)
		httpx.Encode(w, http.StatusCreated, personResponse{Person: &p, Access: accessOf(req.Purpose, d)})
	})
}

func handleUpdatePerson(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := httpx.Decode[socle.Person](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		id := r.PathValue("id")
		if p.ID != "" && p.ID != id {
			httpx.WriteError(w, r, socle.Errorf(socle.EINVALID, "id: differs from the path"))
			return
		}
		p.ID = id
		if p.Categories() == 0 {
			httpx.WriteError(w, r, socle.Errorf(socle.EINVALID, "request body: no section to update"))
			return
		}
		if err := p.ValidateSections(); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		req := httpx.GateRequest(r)
		d, err := g.UpdatePerson(r.Context(), req, &p)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		httpx.Encode(w, http.StatusOK, personResponse{Person: &p, Access: accessOf(req.Purpose, d)})
	})
}

func handleFollowups(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := httpx.GateRequest(r)
		fs, d, err := g.Followups(r.Context(), req, r.PathValue("id"))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if fs == nil {
			fs = []*socle.Followup{}
		}
		httpx.Encode(w, http.StatusOK, struct {
			Items  []*socle.Followup `json:"items"`
			Access accessInfo        `json:"access"`
		}{fs, accessOf(req.Purpose, d)})
	})
}

func handleReadCompany(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := httpx.GateRequest(r)
		c, contacts, d, err := g.ReadCompany(r.Context(), req, r.PathValue("id"))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if contacts == nil {
			contacts = []*socle.CompanyContact{}
		}
		httpx.Encode(w, http.StatusOK, struct {
			*socle.Company
			Contacts []*socle.CompanyContact `json:"contacts"`
			Access   accessInfo              `json:"access"`
		}{c, contacts, accessOf(req.Purpose, d)})
	})
}
