package httpx

import (
	"net/http"

	"socle/gate"
	"socle/identity"
)

// StepUp checks the code and lifts the step-up of the gate's throttle.
func StepUp(id *identity.Service, g *gate.Gate, r *http.Request, code string) error {
	actor := ActorFrom(r.Context())
	if err := id.StepUp(r.Context(), actor, code, identity.ClientOf(r)); err != nil {
		return err
	}
	return g.Throttle.SteppedUp(r.Context(), actor, g.Now())
}
