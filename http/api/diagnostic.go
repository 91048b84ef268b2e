package api

import (
	"net/http"

	"socle"
	"socle/commitment"
	"socle/gate"
	"socle/http/httpx"
	"socle/rome"
)

// ifMatchDiagnostic reads the version a write of a diagnostic is made over
// (httpx.IfMatchVersion): the ETag of the diagnostic the client read
// ("v0" for a person without one), or "*", which the gate takes as -1:
// over the current version.
func ifMatchDiagnostic(r *http.Request) (int, error) {
	v, err := httpx.IfMatchVersion(r)
	if err != nil {
		return 0, err
	}
	return int(v), nil
}

// resolveProject replaces the jobs of a project, named by their OGR
// appellation code, with the referential's appellation (label and ROME
// code); an unknown code is an error naming it.
func resolveProject(s *socle.ProfessionalSituation) error {
	if s == nil {
		return nil
	}
	for i, a := range s.Project {
		got, ok := rome.FullIndex().AppellationByCode(a.Code)
		if !ok {
			return socle.Errorf(socle.EINVALID, "invalid diagnostic: situation.project: %q is no ROME appellation code (GET /api/v1/jobs?q= finds them)", a.Code)
		}
		s.Project[i] = got
	}
	return nil
}

func handleDiagnostic(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := p.Diagnostic(r.Context(), httpx.GateRequest(r), r.PathValue("id"))
		if err == nil {
			w.Header().Set("ETag", httpx.VersionETag(int64(d.Version)))
		}
		httpx.Respond(w, r, http.StatusOK, d, err)
	})
}

func handleSaveDiagnostic(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		version, err := ifMatchDiagnostic(r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		u, err := httpx.Decode[socle.DiagnosticUpdate](r)
		if err == nil {
			err = resolveProject(u.Situation)
		}
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		d, err := p.SaveDiagnostic(r.Context(), httpx.GateRequest(r), r.PathValue("id"), version, u)
		if err == nil {
			w.Header().Set("ETag", httpx.VersionETag(int64(d.Version)))
		}
		httpx.Respond(w, r, http.StatusOK, d, err)
	})
}

func handlePlan(p *gate.Parcours) http.Handler {
	return httpx.Read(byID(p.Plan))
}

func handleSavePlan(p *gate.Parcours) http.Handler {
	return httpx.Command(http.StatusCreated, func(r *http.Request, body struct {
		Objectives []socle.Objective  `json:"objectives"`
		Actions    []socle.PlanAction `json:"actions"`
	}) (*socle.Plan, error) {
		return p.SavePlan(r.Context(), httpx.GateRequest(r), r.PathValue("id"), &socle.Plan{Objectives: body.Objectives, Actions: body.Actions})
	})
}

func handleUpdatePlanAction(p *gate.Parcours) http.Handler {
	return httpx.Command(http.StatusOK, func(r *http.Request, ch socle.ActionChange) (*socle.PlanAction, error) {
		return p.UpdatePlanAction(r.Context(), httpx.GateRequest(r), r.PathValue("id"), r.PathValue("action"), ch)
	})
}

func handlePlanAgreement(p *gate.Parcours) http.Handler {
	return httpx.Command(http.StatusOK, func(r *http.Request, body struct {
		Version int `json:"version"`
	}) (*socle.Plan, error) {
		return p.RecordPlanAgreement(r.Context(), httpx.GateRequest(r), r.PathValue("id"), body.Version)
	})
}

func handlePlanContract(p *gate.Parcours) http.Handler {
	return httpx.Answer(http.StatusCreated, func(r *http.Request) (commitmentView, error) {
		c, err := commitment.DrawFromPlan(r.Context(), p, httpx.GateRequest(r), r.PathValue("id"))
		return viewCommitment(p, c, err)
	})
}
