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

// limited answers the first items of a list, at most the limit parameter
// asks (def when absent, up to max, checked before list runs), in a page
// envelope.
func limited[T any](def, max int, list func(r *http.Request, limit int) ([]T, error)) http.Handler {
	return httpx.Read(func(r *http.Request) (page[T], error) {
		limit, err := httpx.IntParam(r, "limit", def, 1, max)
		if err != nil {
			return page[T]{}, err
		}
		items, err := list(r, limit)
		return page[T]{Items: httpx.NonNil(items), Limit: limit}, err
	})
}

func handlePurposes(g *gate.Gate) http.Handler {
	// By code.
	return httpx.List(100, 100, func(p socle.Purpose) string { return p.Code }, func(*http.Request) ([]socle.Purpose, error) {
		return g.Purposes(), nil
	})
}

func handleDepartements(dir httpx.Directory) http.Handler {
	// By code: 01, 02, 2A, 2B, 03… as the codes sort.
	return httpx.List(200, 200, func(d socle.Departement) string { return d.Code }, func(r *http.Request) ([]socle.Departement, error) {
		return dir.Departements(r.Context())
	})
}

func handleCommune(dir httpx.Directory) http.Handler {
	return httpx.Read(func(r *http.Request) (*socle.Commune, error) {
		code := r.PathValue("code")
		if !socle.ValidCommuneCode(code) {
			return nil, socle.Errorf(socle.EINVALID, "commune code %q: five characters, INSEE code", code)
		}
		return dir.Commune(r.Context(), code)
	})
}

// departementParam reads the optional parameter departement.
func departementParam(r *http.Request) (string, error) {
	d := r.URL.Query().Get("departement")
	if d != "" && !socle.ValidDepartementCode(d) {
		return "", socle.Errorf(socle.EINVALID, "parameter departement: a département code such as 69 or 2A")
	}
	return d, nil
}

func handleOrganisations(dir httpx.Directory) http.Handler {
	return httpx.Read(func(r *http.Request) (page[*socle.Organisation], error) {
		f := socle.OrganisationFilter{Kind: socle.OrgKind(r.URL.Query().Get("kind"))}
		if f.Kind != "" && !f.Kind.Valid() {
			return page[*socle.Organisation]{}, socle.Errorf(socle.EINVALID, "parameter kind: one of %v", socle.OrgKinds)
		}
		var err error
		if f.Departement, err = departementParam(r); err != nil {
			return page[*socle.Organisation]{}, err
		}
		if f.Limit, err = httpx.IntParam(r, "limit", 100, 1, 500); err != nil {
			return page[*socle.Organisation]{}, err
		}
		if f.Offset, err = httpx.IntParam(r, "offset", 0, 0, 1_000_000); err != nil {
			return page[*socle.Organisation]{}, err
		}
		orgs, err := dir.Organisations(r.Context(), f)
		return page[*socle.Organisation]{Items: orgs, Limit: f.Limit}, err
	})
}

func handleOrganisation(dir httpx.Directory) http.Handler {
	return httpx.Read(func(r *http.Request) (*socle.Organisation, error) {
		id := r.PathValue("id")
		if err := socle.CheckID(socle.PrefixOrganisation, "organisation id", id); err != nil {
			return nil, err
		}
		return dir.Organisation(r.Context(), id)
	})
}

func handleOffers(dir httpx.Directory) http.Handler {
	return httpx.Read(func(r *http.Request) (page[*socle.Offer], error) {
		f := socle.OfferFilter{ROMECode: r.URL.Query().Get("rome_code"), OpenOnly: true}
		if f.ROMECode != "" && !socle.ValidROME(f.ROMECode) {
			return page[*socle.Offer]{}, socle.Errorf(socle.EINVALID, "parameter rome_code: a ROME code such as M1607")
		}
		var err error
		if f.Departement, err = departementParam(r); err != nil {
			return page[*socle.Offer]{}, err
		}
		if f.Limit, err = httpx.IntParam(r, "limit", 50, 1, 200); err != nil {
			return page[*socle.Offer]{}, err
		}
		offers, err := dir.Offers(r.Context(), f)
		return page[*socle.Offer]{Items: httpx.NonNil(offers), Limit: f.Limit}, err
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
	return httpx.Read(func(r *http.Request) (page[rome.Suggestion], error) {
		q, limit, err := suggestionQuery(r)
		if err != nil {
			return page[rome.Suggestion]{}, err
		}
		return page[rome.Suggestion]{Items: httpx.NonNil(jobs.Search(q, limit)), Limit: limit}, nil
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
	return httpx.Read(func(r *http.Request) (page[communeSuggestion], error) {
		q, limit, err := suggestionQuery(r)
		if err != nil {
			return page[communeSuggestion]{}, err
		}
		x, err := communes.Get(r.Context())
		if err != nil {
			return page[communeSuggestion]{}, err
		}
		items := []communeSuggestion{}
		for _, c := range x.Search(q, limit) {
			items = append(items, communeSuggestion{Code: c.Code, Label: geo.CommuneLabel(c), PostalCodes: c.PostalCodes})
		}
		return page[communeSuggestion]{Items: items, Limit: limit}, nil
	})
}
