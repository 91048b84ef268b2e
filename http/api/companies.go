package api

import (
	"net/http"
	"strconv"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

func handlePortfolio(g *gate.Gate) http.Handler {
	// By name, then id.
	return httpx.List(50, 200, func(c *socle.Company) string { return c.Name + "|" + c.ID }, func(r *http.Request) ([]*socle.Company, error) {
		return g.Portfolio(r.Context(), httpx.GateRequest(r))
	})
}

func handleCompanyFile(g *gate.Gate) http.Handler {
	return httpx.Read(func(r *http.Request) (any, error) {
		req := httpx.GateRequest(r)
		f, d, err := g.CompanyFile(r.Context(), req, r.PathValue("id"))
		return struct {
			*gate.CompanyFile
			Access accessInfo `json:"access"`
		}{f, accessOf(req.Purpose, d)}, err
	})
}

func handleFollowCompany(g *gate.Gate) http.Handler {
	return httpx.Answer(http.StatusCreated, byID(g.FollowCompany))
}

func handleUnfollowCompany(g *gate.Gate) http.Handler {
	return httpx.NoContent(func(r *http.Request) error {
		return g.UnfollowCompany(r.Context(), httpx.GateRequest(r), r.PathValue("id"))
	})
}

func handleCompanyAction(g *gate.Gate) http.Handler {
	type body struct {
		Kind string `json:"kind"`
		Note string `json:"note"`
	}
	return httpx.Command(http.StatusCreated, func(r *http.Request, b body) (*socle.CompanyAction, error) {
		return g.RecordCompanyAction(r.Context(), httpx.GateRequest(r), r.PathValue("id"), b.Kind, b.Note)
	})
}

// handleSaveOffer creates an offer of a company (update false) or replaces
// an offer (update true); the gate puts it in the matching index at once.
func handleSaveOffer(g *gate.Gate, update bool) http.Handler {
	status := http.StatusCreated
	if update {
		status = http.StatusOK
	}
	return httpx.Command(status, func(r *http.Request, o socle.Offer) (*socle.Offer, error) {
		if update {
			o.ID = r.PathValue("id")
		} else {
			o.ID, o.CompanyID = "", r.PathValue("id")
		}
		return &o, g.SaveOffer(r.Context(), httpx.GateRequest(r), &o)
	})
}

// handleReadOffer answers an offer, the representation whose ETag an
// update of the offer names in If-Match.
func handleReadOffer(g *gate.Gate) http.Handler {
	return httpx.Read(byID(g.Offer))
}

func limitParam(r *http.Request, def int) int {
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 {
		return min(n, 200)
	}
	return def
}

func handleCandidates(g *gate.Gate) http.Handler {
	return httpx.Read(func(r *http.Request) (httpx.Items[gate.Candidate], error) {
		cands, err := g.MatchCandidates(r.Context(), httpx.GateRequest(r), r.PathValue("id"), limitParam(r, 20))
		return httpx.ItemsOf(cands), err
	})
}

func handlePropose(g *gate.Gate) http.Handler {
	type body struct {
		PersonID string `json:"person_id"`
		Consent  bool   `json:"consent"`
	}
	return httpx.Command(http.StatusCreated, func(r *http.Request, b body) (any, error) {
		req := httpx.GateRequest(r)
		m, d, err := g.Propose(r.Context(), req, r.PathValue("id"), b.PersonID, b.Consent)
		return struct {
			Match  *socle.Match `json:"match"`
			Access accessInfo   `json:"access"`
		}{m, accessOf(req.Purpose, d)}, err
	})
}

func handleOffersForPerson(g *gate.Gate) http.Handler {
	return httpx.Read(func(r *http.Request) (any, error) {
		req := httpx.GateRequest(r)
		offers, d, err := g.OffersForPerson(r.Context(), req, r.PathValue("id"), limitParam(r, 20))
		return struct {
			Items  []socle.ScoredOffer `json:"items"`
			Access accessInfo          `json:"access"`
		}{offers, accessOf(req.Purpose, d)}, err
	})
}

func handleReadCompany(g *gate.Gate) http.Handler {
	return httpx.Read(func(r *http.Request) (any, error) {
		req := httpx.GateRequest(r)
		c, contacts, d, err := g.ReadCompany(r.Context(), req, r.PathValue("id"))
		return struct {
			*socle.Company
			Contacts []*socle.CompanyContact `json:"contacts"`
			Access   accessInfo              `json:"access"`
		}{c, httpx.NonNil(contacts), accessOf(req.Purpose, d)}, err
	})
}
