package http

import (
	"net/http"
	"strconv"

	"socle"
	"socle/gate"
)

// companyRoutes registers the mise en relation API: candidates for an
// offer, proposals, offers for a person. Every call passes the gate with
// the purpose mise_en_relation.
func companyRoutes(s *Server) {
	s.handle("GET /api/v1/offers/{id}/candidates", handleCandidates(s.gate))
	s.handle("POST /api/v1/offers/{id}/matches", handlePropose(s.gate))
	s.handle("GET /api/v1/persons/{id}/offers", handleOffersForPerson(s.gate))
	s.handle("GET /api/v1/portfolio", handlePortfolio(s.gate))
	s.handle("GET /api/v1/companies/{id}/file", handleCompanyFile(s.gate))
	s.handle("POST /api/v1/companies/{id}/followups", handleFollowCompany(s.gate))
	s.handle("DELETE /api/v1/companies/{id}/followups", handleUnfollowCompany(s.gate))
	s.handle("POST /api/v1/companies/{id}/actions", handleCompanyAction(s.gate))
	s.handle("POST /api/v1/companies/{id}/offers", handleSaveOffer(s.gate, false))
	s.handle("PUT /api/v1/offers/{id}", handleSaveOffer(s.gate, true))
}

func handlePortfolio(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs, err := g.Portfolio(r.Context(), gateRequest(r))
		if err != nil {
			writeError(w, r, err)
			return
		}
		if cs == nil {
			cs = []*socle.Company{}
		}
		encode(w, http.StatusOK, struct {
			Items []*socle.Company `json:"items"`
		}{cs})
	})
}

func handleCompanyFile(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := gateRequest(r)
		f, d, err := g.CompanyFile(r.Context(), req, r.PathValue("id"))
		if err != nil {
			writeError(w, r, err)
			return
		}
		encode(w, http.StatusOK, struct {
			*gate.CompanyFile
			Access accessInfo `json:"access"`
		}{f, accessOf(req.Purpose, d)})
	})
}

func handleFollowCompany(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := g.FollowCompany(r.Context(), gateRequest(r), r.PathValue("id"))
		respond(w, r, http.StatusCreated, f, err)
	})
}

func handleUnfollowCompany(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := g.UnfollowCompany(r.Context(), gateRequest(r), r.PathValue("id")); err != nil {
			writeError(w, r, err)
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
		b, err := decode[body](r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		a, err := g.RecordCompanyAction(r.Context(), gateRequest(r), r.PathValue("id"), b.Kind, b.Note)
		respond(w, r, http.StatusCreated, a, err)
	})
}

// handleSaveOffer creates an offer of a company (update false) or replaces
// an offer (update true); the gate puts it in the matching index at once.
func handleSaveOffer(g *gate.Gate, update bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o, err := decode[socle.Offer](r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		status := http.StatusCreated
		if update {
			o.ID, status = r.PathValue("id"), http.StatusOK
		} else {
			o.ID, o.CompanyID = "", r.PathValue("id")
		}
		if err := g.SaveOffer(r.Context(), gateRequest(r), &o); err != nil {
			writeError(w, r, err)
			return
		}
		encode(w, status, &o)
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
		cands, err := g.MatchCandidates(r.Context(), gateRequest(r), r.PathValue("id"), limitParam(r, 20))
		if err != nil {
			writeError(w, r, err)
			return
		}
		if cands == nil {
			cands = []gate.Candidate{}
		}
		encode(w, http.StatusOK, struct {
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
		b, err := decode[body](r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		req := gateRequest(r)
		m, d, err := g.Propose(r.Context(), req, r.PathValue("id"), b.PersonID, b.Consent)
		if err != nil {
			writeError(w, r, err)
			return
		}
		encode(w, http.StatusCreated, struct {
			Match  *socle.Match `json:"match"`
			Access accessInfo   `json:"access"`
		}{m, accessOf(req.Purpose, d)})
	})
}

func handleOffersForPerson(g *gate.Gate) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := gateRequest(r)
		offers, d, err := g.OffersForPerson(r.Context(), req, r.PathValue("id"), limitParam(r, 20))
		if err != nil {
			writeError(w, r, err)
			return
		}
		encode(w, http.StatusOK, struct {
			Items  []socle.ScoredOffer `json:"items"`
			Access accessInfo          `json:"access"`
		}{offers, accessOf(req.Purpose, d)})
	})
}
