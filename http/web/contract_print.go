package web

import (
	"net/http"

	"socle"
	"socle/commitment"
	"socle/gate"
	"socle/http/httpx"
)

func handlePrintCommitment(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p == nil {
			httpx.WriteError(w, r, socle.Errorf(socle.EUNAVAILABLE, "the parcours service is not configured"))
			return
		}
		req := httpx.GateRequest(r)
		if req.Purpose == "" {
			req.Purpose = "accompagnement"
		}
		c, err := p.Commitment(r.Context(), req, r.PathValue("id"))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		d, err := commitment.Parse(c.Document)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = commitment.Page(w, commitment.View{Document: d, Hash: c.DocumentHash, Status: c.Status, Signatures: c.Signatures, PublicKey: p.PublicKey()}, "/parcours/contrat.css")
	})
}

func handleContractCSS() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(commitment.Stylesheet())
	})
}
