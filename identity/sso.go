package identity

import (
	"fmt"
	"net/http"
	"socle/audit"

	"socle"
)

// StartSSOSession opens the session of an agent the network's single
// sign-on identified. Without the provider's proof of a second factor the
// session is first-factor only, and Socle's own TOTP is asked next: SSO
// never bypasses the second-factor rule. Any previous session of the
// browser is dropped (no fixation).
func (s *Service) StartSSOSession(w http.ResponseWriter, r *http.Request, agentID string, mfa bool) error {
	ctx := r.Context()
	c := ClientOf(r)
	a, err := s.store.Agent(ctx, agentID)
	if err != nil {
		return err
	}
	if a.Disabled {
		return socle.Errorf(socle.EFORBIDDEN, "this account is disabled")
	}
	if err := s.dropPrevious(ctx, s.sessionToken(r)); err != nil {
		return err
	}
	strength, explanation := socle.AuthPassword, "single sign-on without a second factor: TOTP required"
	if mfa {
		strength, explanation = socle.AuthMFA, "single sign-on with the provider's second factor"
	}
	token, _, err := s.newSession(ctx, a.ID, strength, "sso", c)
	if err != nil {
		return err
	}
	if mfa {
		// Her own second factor, at the provider: it counts for the
		// four-eyes rule like Socle's (checkSecondEyes).
		if err := s.store.RecordFactorSignIn(ctx, a.ID, s.Now().UTC()); err != nil {
			return fmt.Errorf("recording the sign-in with a second factor: %w", err)
		}
	}
	if err := s.audit(ctx, audit.Act{Action: "login", AgentID: a.ID, OrganisationID: a.OrganisationID, RemoteAddr: c.RemoteAddr, Allowed: true, Explanation: explanation}); err != nil {
		return err
	}
	http.SetCookie(w, s.SessionCookie(token))
	return nil
}
