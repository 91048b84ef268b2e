package web

import (
	"context"
	"fmt"
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
		advisers, err := signerNames(r.Context(), p, c)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_ = commitment.Page(w, commitment.View{Document: d, Hash: c.DocumentHash, Status: c.Status, Signatures: c.Signatures, PublicKey: p.PublicKey(), Advisers: advisers}, "/parcours/contrat.css")
	})
}

func handleContractCSS() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(commitment.Stylesheet())
	})
}

// signerNames names the advisers who signed c: a contract shows a name,
// never an agent id.
func signerNames(ctx context.Context, p *gate.Parcours, c *socle.Commitment) (map[string]string, error) {
	var ids []string
	for _, s := range c.Signatures {
		if s.Role == socle.SignerAdviser {
			ids = append(ids, s.SignerID)
		}
	}
	names, err := p.AgentNames(ctx, ids...)
	if err != nil {
		return nil, fmt.Errorf("naming the contract's signers: %w", err)
	}
	return names, nil
}
