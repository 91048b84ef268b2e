package http

import (
	"net/http"
	"strconv"

	"socle"
	"socle/gate"
	"socle/matching"
)

// companyRoutes registers the mise en relation API: candidates for an
// offer, proposals, offers for a person. Every call passes the gate with
// the purpose mise_en_relation.
func companyRoutes(s *Server) {
	s.handle("GET /api/v1/offers/{id}/candidates", handleCandidates(s.gate, s.matching))
	s.handle("POST /api/v1/offers/{id}/matches", handlePropose(s.gate, s.matching))
	s.handle("GET /api/v1/persons/{id}/offers", handleOffersForPerson(s.gate, s.matching))
}

func limitParam(r *http.Request, def int) int {
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 {
		return min(n, 200)
	}
	return def
}

func matchingIndex(idx *matching.Index) error {
	if idx == nil {
		return socle.Errorf(socle.EUNAVAILABLE, "the matching index is not available")
	}
	return nil
}

func handleCandidates(g *gate.Gate, idx *matching.Index) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := matchingIndex(idx); err != nil {
			writeError(w, r, err)
			return
		}
		cands, err := g.MatchCandidates(r.Context(), gateRequest(r), idx, r.PathValue("id"), limitParam(r, 20))
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

func handlePropose(g *gate.Gate, idx *matching.Index) http.Handler {
	type body struct {
		PersonID string `json:"person_id"`
		Consent  bool   `json:"consent"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := matchingIndex(idx); err != nil {
			writeError(w, r, err)
			return
		}
		b, err := decode[body](r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		req := gateRequest(r)
		m, d, err := g.Propose(r.Context(), req, idx, r.PathValue("id"), b.PersonID, b.Consent)
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

func handleOffersForPerson(g *gate.Gate, idx *matching.Index) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := matchingIndex(idx); err != nil {
			writeError(w, r, err)
			return
		}
		req := gateRequest(r)
		offers, d, err := g.OffersForPerson(r.Context(), req, idx, r.PathValue("id"), limitParam(r, 20))
		if err != nil {
			writeError(w, r, err)
			return
		}
		encode(w, http.StatusOK, struct {
			Items  []matching.ScoredOffer `json:"items"`
			Access accessInfo             `json:"access"`
		}{offers, accessOf(req.Purpose, d)})
	})
}
