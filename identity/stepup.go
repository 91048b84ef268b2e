package identity

import (
	"context"
	"socle/audit"

	"socle"
)

// StepUp checks a fresh TOTP code of a signed-in agent: the gate's volume
// throttle asks for it before she reads more persons. A wrong or replayed
// code counts against the account as at login, and the lock applies.
func (s *Service) StepUp(ctx context.Context, actor socle.Actor, code string, c Client) error {
	if actor.AgentID == "" || actor.Strength < socle.AuthMFA {
		return socle.Errorf(socle.EUNAUTHENTICATED, "Connectez-vous avec votre second facteur.")
	}
	a, err := s.store.Agent(ctx, actor.AgentID)
	if err != nil {
		return err
	}
	t, err := s.store.Throttle(ctx, accountKey(a.Email))
	if err != nil {
		return err
	}
	ok := false
	if !s.Now().Before(s.lockedUntil(t)) {
		if ok, err = s.checkTOTP(ctx, a.ID, code); err != nil {
			return err
		}
	}
	if !ok {
		if err := s.fail(ctx, a.Email, a, c, "step_up_failed", "wrong or replayed TOTP code at a step-up"); err != nil {
			return err
		}
		return errBadCode
	}
	if err := s.store.ResetFailures(ctx, accountKey(a.Email)); err != nil {
		return err
	}
	return s.audit(ctx, audit.Act{Action: "step_up", Allowed: true, AgentID: a.ID, OrganisationID: a.OrganisationID,
		RemoteAddr: c.RemoteAddr, Explanation: "Nouvelle authentification par code TOTP après un volume inhabituel de lectures."})
}
