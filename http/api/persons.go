package api

import (
	"net/http"
	"strings"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

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
		w.Header().Set("ETag", httpx.VersionETag(p.Version))
		httpx.Encode(w, http.StatusOK, personResponse{Person: p, Access: accessOf(req.Purpose, d)})
	})
}

func handleSearchPersons(g *gate.Gate) http.Handler {
	type searchPage struct {
		page[*socle.Person]
		Access accessInfo `json:"access"`
	}
	return httpx.Read(func(r *http.Request) (searchPage, error) {
		q := r.URL.Query()
		pq := socle.PersonQuery{
			FamilyName: q.Get("family_name"), GivenName: q.Get("given_name"),
			NIR: strings.ReplaceAll(q.Get("nir"), " ", ""), CommuneCode: q.Get("commune_code"),
		}
		if s := q.Get("birth_date"); s != "" {
			d, err := socle.ParseDate(s)
			if err != nil {
				return searchPage{}, socle.Errorf(socle.EINVALID, "parameter birth_date: expected YYYY-MM-DD")
			}
			pq.BirthDate = d
		}
		if pq.NIR != "" && !socle.ValidNIR(pq.NIR) {
			return searchPage{}, socle.Errorf(socle.EINVALID, "parameter nir: not a valid NIR")
		}
		if pq.CommuneCode != "" && !socle.ValidCommuneCode(pq.CommuneCode) {
			return searchPage{}, socle.Errorf(socle.EINVALID, "parameter commune_code: an INSEE commune code")
		}
		var err error
		if pq.Limit, err = httpx.IntParam(r, "limit", 20, 1, 50); err != nil {
			return searchPage{}, err
		}
		req := httpx.GateRequest(r)
		found, d, err := g.SearchPersons(r.Context(), req, pq)
		return searchPage{page[*socle.Person]{Items: httpx.NonNil(found), Limit: pq.Limit}, accessOf(req.Purpose, d)}, err
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
		version, err := ifMatchPerson(r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if p.Version != 0 && p.Version != version {
			httpx.WriteError(w, r, socle.Errorf(socle.EINVALID, "version: differs from If-Match; send it in If-Match only"))
			return
		}
		p.Version = version
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
		w.Header().Set("ETag", httpx.VersionETag(p.Version))
		httpx.Encode(w, http.StatusOK, personResponse{Person: &p, Access: accessOf(req.Purpose, d)})
	})
}

// ifMatchPerson reads the version of a person's file an update is made
// over (httpx.IfMatchVersion); 0 asks the store for no check, which only
// "*" may ask: a file's versions start at 1, so "v0" is stale.
func ifMatchPerson(r *http.Request) (int64, error) {
	v, err := httpx.IfMatchVersion(r)
	switch {
	case err != nil:
		return 0, err
	case v == httpx.AnyVersion:
		return 0, nil
	case v == 0:
		return 0, socle.Errorf(socle.ESTALE, "If-Match: a file's versions start at \"v1\"; read it again and send the ETag GET returns")
	}
	return v, nil
}
