package api

import (
	"net/http"
	"strconv"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

func handlePortfolio(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pg, err := httpx.PageParams(r, 50, 200)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		cs, err := g.Portfolio(r.Context(), httpx.GateRequest(r))
		// By name, then id.
		httpx.WritePage(w, r, cs, func(c *socle.Company) string { return c.Name + "|" + c.ID }, pg, err)
	})
}

func handleCompanyFile(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := httpx.GateRequest(r)
		f, d, err := g.CompanyFile(r.Context(), req, r.PathValue("id"))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		httpx.Encode(w, http.StatusOK, struct {
			*gate.CompanyFile
			Access accessInfo `json:"access"`
		}{f, accessOf(req.Purpose, d)})
	})
}

func handleFollowCompany(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := g.FollowCompany(r.Context(), httpx.GateRequest(r), r.PathValue("id"))
		httpx.Respond(w, r, http.StatusCreated, f, err)
	})
}

func handleUnfollowCompany(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := g.UnfollowCompany(r.Context(), httpx.GateRequest(r), r.PathValue("id")); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func handleCompanyAction(g *gate.Gate) http.Handler {
	type body struct {
		Kind string `json:"kind"`
		Note string `json:"note"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := httpx.Decode[body](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		a, err := g.RecordCompanyAction(r.Context(), httpx.GateRequest(r), r.PathValue("id"), b.Kind, b.Note)
		httpx.Respond(w, r, http.StatusCreated, a, err)
	})
}

// handleSaveOffer creates an offer of a company (update false) or replaces
// an offer (update true); the gate puts it in the matching index at once.
func handleSaveOffer(g *gate.Gate, update bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o, err := httpx.Decode[socle.Offer](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		status := http.StatusCreated
		if update {
			o.ID, status = r.PathValue("id"), http.StatusOK
		} else {
			o.ID, o.CompanyID = "", r.PathValue("id")
		}
		if err := g.SaveOffer(r.Context(), httpx.GateRequest(r), &o); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		httpx.Encode(w, status, &o)
	})
}

// handleReadOffer answers an offer, the representation whose ETag an
// update of the offer names in If-Match.
func handleReadOffer(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o, err := g.Offer(r.Context(), httpx.GateRequest(r), r.PathValue("id"))
		httpx.Respond(w, r, http.StatusOK, o, err)
	})
}

func limitParam(r *http.Request, def int) int {
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 {
		return min(n, 200)
	}
	return def
}

func handleCandidates(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cands, err := g.MatchCandidates(r.Context(), httpx.GateRequest(r), r.PathValue("id"), limitParam(r, 20))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if cands == nil {
			cands = []gate.Candidate{}
		}
		httpx.Encode(w, http.StatusOK, struct {
			Items []gate.Candidate `json:"items"`
		}{cands})
	})
}

func handlePropose(g *gate.Gate) http.Handler {
	type body struct {
		PersonID string `json:"person_id"`
		Consent  bool   `json:"consent"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := httpx.Decode[body](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		req := httpx.GateRequest(r)
		m, d, err := g.Propose(r.Context(), req, r.PathValue("id"), b.PersonID, b.Consent)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		httpx.Encode(w, http.StatusCreated, struct {
			Match  *socle.Match `json:"match"`
			Access accessInfo   `json:"access"`
		}{m, accessOf(req.Purpose, d)})
	})
}

func handleOffersForPerson(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := httpx.GateRequest(r)
		offers, d, err := g.OffersForPerson(r.Context(), req, r.PathValue("id"), limitParam(r, 20))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		httpx.Encode(w, http.StatusOK, struct {
			Items  []socle.ScoredOffer `json:"items"`
			Access accessInfo          `json:"access"`
		}{offers, accessOf(req.Purpose, d)})
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
