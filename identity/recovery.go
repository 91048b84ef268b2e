package identity

import (
	"context"
	"fmt"
	"slices"
	"socle/audit"

	"socle"
)

// approvalsNeeded is the four eyes of a second-factor recovery.
const approvalsNeeded = 2

var errResetFailed = socle.Errorf(socle.EUNAUTHENTICATED, "Adresse ou code incorrect.")

// ResetPassword sets a new password for the agent of email, only on a valid
// TOTP code of hers (never used before). Every failure answers the same and
// counts towards the account's lock. All her sessions end.
func (s *Service) ResetPassword(ctx context.Context, email, code, password string, c Client) error {
	if err := s.checkAddr(ctx, c); err != nil {
		return err
	}
	if err := s.CheckPassword(ctx, password, nil); err != nil {
		return err
	}
	t, err := s.store.Throttle(ctx, accountKey(email))
	if err != nil {
		return err
	}
	a, err := s.store.AgentByEmail(ctx, email)
	if err != nil && socle.ErrorCode(err) != socle.ENOTFOUND {
		return err
	}
	ok := a != nil && !a.Disabled && !s.Now().Before(s.lockedUntil(t))
	if ok {
		if ok, err = s.checkTOTP(ctx, a.ID, code); err != nil {
			return err
		}
	}
	if !ok {
		if err := s.fail(ctx, email, a, c, "password_reset_failed", "password reset refused"); err != nil {
			return err
		}
		return errResetFailed
	}
	if err := s.CheckPassword(ctx, password, a); err != nil {
		return err
	}
	hash, err := HashPassword(password, s.cfg.Password)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(ctx, a.ID, hash); err != nil {
		return err
	}
	if err := s.store.DeleteSessionsOf(ctx, a.ID); err != nil {
		return err
	}
	if err := s.store.ResetFailures(ctx, accountKey(a.Email)); err != nil {
		return err
	}
	if err := s.audit(ctx, audit.Act{Action: "password_reset", AgentID: a.ID, OrganisationID: a.OrganisationID, RemoteAddr: c.RemoteAddr, Allowed: true, Explanation: "password reset with the second factor"}); err != nil {
		return err
	}
	s.notify(ctx, a, "Mot de passe modifié", "Le mot de passe de votre compte Socle vient d'être réinitialisé avec votre second facteur, et toutes vos sessions ont été fermées. Si ce n'était pas vous, prévenez immédiatement l'administrateur de votre structure.")
	return nil
}

// RequestRecovery asks, for the agent of email who lost her second factor,
// that the administrators of her organisation approve a re-enrolment. The
// answer is the same whether the account exists or not.
func (s *Service) RequestRecovery(ctx context.Context, email string, c Client) error {
	if err := s.checkAddr(ctx, c); err != nil {
		return err
	}
	// Requests count against the address so that they cannot flood admins.
	if _, err := s.store.RecordFailure(ctx, addrKey(c.RemoteAddr), s.Now().UTC(), s.cfg.AddrWindow); err != nil {
		return err
	}
	a, err := s.store.AgentByEmail(ctx, email)
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if a.Disabled {
		return nil
	}
	_, err = s.openRecovery(ctx, a, "", c)
	return err
}

// openRecovery creates the pending request of a, or returns the one that
// exists; approver, when set, approves it at once.
func (s *Service) openRecovery(ctx context.Context, a *socle.Agent, approver string, c Client) (*socle.RecoveryRequest, error) {
	reqs, err := s.store.RecoveriesOf(ctx, a.OrganisationID)
	if err != nil {
		return nil, err
	}
	var req *socle.RecoveryRequest
	for _, r := range reqs {
		if r.AgentID == a.ID && r.Status == socle.RecoveryPending {
			req = r
		}
	}
	if req == nil {
		req = &socle.RecoveryRequest{ID: socle.NewID("rec"), AgentID: a.ID, OrganisationID: a.OrganisationID, Status: socle.RecoveryPending, CreatedAt: s.Now().UTC(),
			RequestedBy: approver, RequestedFrom: c.RemoteAddr}
		if err := s.store.CreateRecovery(ctx, req); err != nil {
			return nil, err
		}
		if err := s.audit(ctx, audit.Act{Action: "recovery_requested", AgentID: approver, OrganisationID: a.OrganisationID, ResourceKind: "agent", ResourceID: a.ID, RemoteAddr: c.RemoteAddr, Allowed: true}); err != nil {
			return nil, err
		}
		s.notify(ctx, a, "Demande de récupération", "Une récupération de votre second facteur a été demandée. Elle ne sera effectuée qu'après l'accord de deux administrateurs de votre structure. Si vous n'êtes pas à l'origine de cette demande, prévenez-les.")
		s.notifyAdmins(ctx, a, "Récupération à approuver", fmt.Sprintf("%s a demandé la récupération de son second facteur. Vérifiez son identité (en personne ou par un moyen déjà connu) avant d'approuver, dans Socle, page Récupérations.", a.FullName()))
	}
	if approver == "" {
		return req, nil
	}
	ad, err := s.store.Agent(ctx, approver)
	if err != nil {
		return nil, err
	}
	return s.approve(ctx, req, a, ad, c)
}

// adminOf checks that actor is an administrator, with her second factor,
// of the organisation orgID, and returns her.
func (s *Service) adminOf(ctx context.Context, actor socle.Actor, orgID string) (*socle.Agent, error) {
	ad, err := s.requireMFA(ctx, actor)
	if err != nil {
		return nil, err
	}
	if !ad.HasRole(socle.RoleOrgAdmin) || ad.OrganisationID != orgID {
		return nil, socle.Errorf(socle.EFORBIDDEN, "Seuls les administrateurs de la structure de l'agent peuvent le faire.")
	}
	return ad, nil
}

// OpenRecovery lets an administrator start (and approve, as first pair of
// eyes) the recovery of an agent of her organisation.
func (s *Service) OpenRecovery(ctx context.Context, actor socle.Actor, agentID string, c Client) (*socle.RecoveryRequest, error) {
	a, err := s.store.Agent(ctx, agentID)
	if err != nil {
		return nil, err
	}
	ad, err := s.adminOf(ctx, actor, a.OrganisationID)
	if err != nil {
		return nil, err
	}
	if ad.ID == a.ID {
		return nil, socle.Errorf(socle.EFORBIDDEN, "On ne peut pas approuver sa propre récupération.")
	}
	if s.Now().Sub(ad.CreatedAt) < FreshAccountAge {
		return nil, errFreshAccount
	}
	return s.openRecovery(ctx, a, ad.ID, c)
}

// ApproveRecovery records the approval of an administrator of the agent's
// own organisation. At the second distinct approval the agent's factors
// are removed, her sessions end and a one-time re-enrolment link is mailed
// to her. Nobody else (platform staff, another organisation) can approve.
func (s *Service) ApproveRecovery(ctx context.Context, actor socle.Actor, id string, c Client) (*socle.RecoveryRequest, error) {
	req, err := s.store.Recovery(ctx, id)
	if err != nil {
		return nil, err
	}
	a, err := s.store.Agent(ctx, req.AgentID)
	if err != nil {
		return nil, err
	}
	// The agent's current organisation counts, not the one of the request.
	ad, err := s.adminOf(ctx, actor, a.OrganisationID)
	if err != nil || req.OrganisationID != a.OrganisationID {
		if aerr := s.audit(ctx, audit.Act{Action: "recovery_refused", AgentID: actor.AgentID, OrganisationID: actor.OrganisationID, ResourceKind: "agent", ResourceID: a.ID, RemoteAddr: c.RemoteAddr}); aerr != nil {
			return nil, aerr
		}
		if err == nil {
			err = socle.Errorf(socle.EFORBIDDEN, "Cette demande ne concerne pas votre structure.")
		}
		return nil, err
	}
	if ad.ID == a.ID {
		return nil, socle.Errorf(socle.EFORBIDDEN, "On ne peut pas approuver sa propre récupération.")
	}
	if req.Status != socle.RecoveryPending {
		return nil, socle.Errorf(socle.ECONFLICT, "Cette demande a déjà été traitée.")
	}
	return s.approve(ctx, req, a, ad, c)
}

// approve counts the approval of ad, an administrator of a's organisation,
// if the four-eyes rule lets her approve (checkSecondEyes); the
// administrator who opened the request counts as its first pair of eyes.
func (s *Service) approve(ctx context.Context, req *socle.RecoveryRequest, a *socle.Agent, ad *socle.Agent, c Client) (*socle.RecoveryRequest, error) {
	approver := ad.ID
	if approver != req.RequestedBy && !slices.Contains(req.Approvers, approver) {
		rule := Request{By: req.RequestedBy, From: req.RequestedFrom, At: req.CreatedAt, Subject: a.ID, Others: req.Approvers}
		if err := s.checkSecondEyes(ctx, ad, rule); err != nil {
			if socle.ErrorCode(err) == socle.EFORBIDDEN {
				if aerr := s.audit(ctx, audit.Act{Action: "recovery_refused", AgentID: ad.ID, OrganisationID: ad.OrganisationID, ResourceKind: "agent", ResourceID: a.ID, RemoteAddr: c.RemoteAddr, Explanation: socle.ErrorMessage(err)}); aerr != nil {
					return nil, aerr
				}
			}
			return nil, err
		}
	}
	req, decided, err := s.store.ApproveRecovery(ctx, req.ID, approver, approvalsNeeded, s.Now().UTC())
	if err != nil {
		return nil, err
	}
	if !decided {
		return req, s.audit(ctx, audit.Act{Action: "recovery_approval", AgentID: approver, OrganisationID: a.OrganisationID, ResourceKind: "agent", ResourceID: a.ID, RemoteAddr: c.RemoteAddr, Allowed: true, Records: len(req.Approvers)})
	}
	if err := s.store.SetTOTP(ctx, a.ID, ""); err != nil {
		return nil, err
	}
	if err := s.store.DeleteWebAuthnCredentials(ctx, a.ID); err != nil {
		return nil, err
	}
	if err := s.store.DeleteSessionsOf(ctx, a.ID); err != nil {
		return nil, err
	}
	link, err := s.issueToken(ctx, a, socle.TokenRecovery)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, audit.Act{Action: "recovery_approved", AgentID: approver, OrganisationID: a.OrganisationID, ResourceKind: "agent", ResourceID: a.ID, RemoteAddr: c.RemoteAddr, Allowed: true, Explanation: fmt.Sprintf("approved by %v", req.Approvers)}); err != nil {
		return nil, err
	}
	s.notifyLink(ctx, a, "Récupération approuvée", "Deux administrateurs de votre structure ont approuvé la récupération de votre second facteur. Vos anciens facteurs ont été supprimés et vos sessions fermées. Enregistrez un nouveau second facteur (et un nouveau mot de passe) avec ce lien, valable 72 heures et une seule fois :", link)
	return req, nil
}

// PendingRecoveries lists the requests an administrator may approve.
func (s *Service) PendingRecoveries(ctx context.Context, actor socle.Actor) ([]*socle.RecoveryRequest, error) {
	ad, err := s.adminOf(ctx, actor, actor.OrganisationID)
	if err != nil {
		return nil, err
	}
	all, err := s.store.RecoveriesOf(ctx, ad.OrganisationID)
	if err != nil {
		return nil, err
	}
	var out []*socle.RecoveryRequest
	for _, r := range all {
		if r.Status == socle.RecoveryPending {
			out = append(out, r)
		}
	}
	return out, nil
}
