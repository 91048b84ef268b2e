package api

import (
	"net/http"

	"socle"
	"socle/gate"
	"socle/geo"
	"socle/http/httpx"
	"socle/rome"
)

// page is the envelope of a list: the items and how many were asked for.
type page[T any] struct {
	Items []T `json:"items"`
	Limit int `json:"limit"`
}

// writeList answers the page of a list the request asks (limit, cursor:
// checked before list runs, so that a bad parameter costs no audited
// read), its items ordered by key.
func writeList[T any](w http.ResponseWriter, r *http.Request, key func(T) string, list func() ([]T, error)) {
	pg, err := httpx.PageParams(r, 50, 200)
	if err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	items, err := list()
	httpx.WritePage(w, r, items, key, pg, err)
}

func handlePurposes(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pg, err := httpx.PageParams(r, 100, 100)
		// By code.
		httpx.WritePage(w, r, g.Purposes(), func(p socle.Purpose) string { return p.Code }, pg, err)
	})
}

func handleDepartements(dir httpx.Directory) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pg, err := httpx.PageParams(r, 200, 200)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		deps, err := dir.Departements(r.Context())
		// By code: 01, 02, 2A, 2B, 03… as the codes sort.
		httpx.WritePage(w, r, deps, func(d socle.Departement) string { return d.Code }, pg, err)
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
		if offers == nil { // an empty list is [], as the document says
			offers = []*socle.Offer{}
		}
		httpx.Respond(w, r, http.StatusOK, page[*socle.Offer]{Items: offers, Limit: f.Limit}, err)
	})
}

// suggestionLimit bounds what an autocomplete answers: a list a person
// reads, not an export of the referential.
const suggestionLimit = 50

// suggestionQuery reads what an autocomplete asks: q, what the person
// typed, and how many suggestions.
func suggestionQuery(r *http.Request) (q string, limit int, err error) {
	limit, err = httpx.IntParam(r, "limit", 20, 1, suggestionLimit)
	if err != nil {
		return "", 0, err
	}
	q = r.URL.Query().Get("q")
	if len(q) > 100 {
		return "", 0, socle.Errorf(socle.EINVALID, "parameter q: at most 100 characters")
	}
	return q, limit, nil
}

// handleJobSuggestions answers the jobs of the ROME 4.0 whose label or
// appellation matches q: what the forms' autocomplete proposes.
func handleJobSuggestions(jobs *rome.Index) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, limit, err := suggestionQuery(r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		items := jobs.Search(q, limit)
		if items == nil {
			items = []rome.Suggestion{}
		}
		httpx.Encode(w, http.StatusOK, page[rome.Suggestion]{Items: items, Limit: limit})
	})
}

// communeSuggestion is a commune as the autocomplete proposes it: its
// label with the département, what a form accepts back.
type communeSuggestion struct {
	Code        string   `json:"code"`
	Label       string   `json:"label"`
	PostalCodes []string `json:"postal_codes"`
}

// handleCommuneSuggestions answers the communes whose name, postal code or
// INSEE code matches q, largest first.
func handleCommuneSuggestions(communes *geo.LazyIndex) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, limit, err := suggestionQuery(r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		x, err := communes.Get(r.Context())
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		items := []communeSuggestion{}
		for _, c := range x.Search(q, limit) {
			items = append(items, communeSuggestion{Code: c.Code, Label: geo.CommuneLabel(c), PostalCodes: c.PostalCodes})
		}
		httpx.Encode(w, http.StatusOK, page[communeSuggestion]{Items: items, Limit: limit})
	})
}
