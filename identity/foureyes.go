package identity

import (
	"context"
	"fmt"
	"slices"
	"socle/audit"
	"time"

	"socle"
)

// FreshAccountAge is how old an account must be before it may approve a
// recovery or an administrative change: an account its own requester could
// have just created never counts as a second person.
const FreshAccountAge = 7 * 24 * time.Hour

// Request is what a second pair of eyes approves: who asked, from where,
// when, and about whom.
type Request struct {
	By      string // the requesting agent; "" when the agent concerned asked herself
	From    string // address of the request
	At      time.Time
	Subject string // the agent concerned, if any
	// Others are the agents whose approval is already counted: an approver
	// must be a different person from each of them too.
	Others []string
}

var (
	errOwnRequest      = socle.Errorf(socle.EFORBIDDEN, "Une demande est approuvée par une autre personne que son auteur et que l'agent concerné.")
	errFreshAccount    = socle.Errorf(socle.EFORBIDDEN, "Votre compte a moins de %d jours : il ne peut pas encore approuver une demande.", int(FreshAccountAge.Hours()/24))
	errEnrolledByOther = socle.Errorf(socle.EFORBIDDEN, "Votre compte a été activé depuis le poste, la session ou l'adresse de l'auteur de la demande : il ne peut pas l'approuver.")
	errNoFactorBefore  = socle.Errorf(socle.EFORBIDDEN, "Seul un administrateur qui s'était déjà connecté avec son second facteur avant la demande peut l'approuver.")
)

// checkSecondEyes applies the four-eyes rule to approver: she is neither
// the requester, nor the agent concerned, nor one of the approvals already
// counted; her account is at least FreshAccountAge old; it was not
// activated from the browser, session or address of one of them; and she
// signed in with her own second factor before the request was made.
func (s *Service) checkSecondEyes(ctx context.Context, approver *socle.Agent, req Request) error {
	others := slices.DeleteFunc(append([]string{req.By, req.Subject}, req.Others...), func(id string) bool { return id == "" })
	if slices.Contains(others, approver.ID) {
		return errOwnRequest
	}
	if s.Now().Sub(approver.CreatedAt) < FreshAccountAge {
		return errFreshAccount
	}
	origin, err := s.store.AgentOrigin(ctx, approver.ID)
	if err != nil {
		return fmt.Errorf("reading the origin of the approver's account: %w", err)
	}
	if origin.EnrolledBeside != "" && slices.Contains(others, origin.EnrolledBeside) {
		return errEnrolledByOther
	}
	if origin.EnrolledFrom != "" {
		addrs, err := s.addressesOf(ctx, req.From, others)
		if err != nil {
			return err
		}
		if slices.Contains(addrs, origin.EnrolledFrom) {
			return errEnrolledByOther
		}
	}
	if origin.FirstFactor.IsZero() || !origin.FirstFactor.Before(req.At) {
		return errNoFactorBefore
	}
	return nil
}

// addressesOf returns from and the addresses of the sessions and of the
// activation of each agent of ids.
func (s *Service) addressesOf(ctx context.Context, from string, ids []string) ([]string, error) {
	var out []string
	if from != "" {
		out = append(out, from)
	}
	for _, id := range ids {
		sessions, err := s.store.SessionsOf(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("reading the sessions of the requester: %w", err)
		}
		for _, se := range sessions {
			if se.RemoteAddr != "" {
				out = append(out, se.RemoteAddr)
			}
		}
		o, err := s.store.AgentOrigin(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("reading the origin of the requester's account: %w", err)
		}
		if o.EnrolledFrom != "" {
			out = append(out, o.EnrolledFrom)
		}
	}
	return out, nil
}

// CheckApprover applies the four-eyes rule to actor for the change ch: see
// checkSecondEyes. The register of agreements uses it for its changes.
func (s *Service) CheckApprover(ctx context.Context, actor socle.Actor, ch *socle.Change) error {
	ad, err := s.requireMFA(ctx, actor)
	if err != nil {
		return err
	}
	err = s.checkSecondEyes(ctx, ad, Request{By: ch.RequestedBy, From: ch.RequestedFrom, At: ch.RequestedAt, Subject: ch.Subject})
	if err != nil && socle.ErrorCode(err) == socle.EFORBIDDEN {
		if aerr := s.audit(ctx, audit.Act{Action: "change_approval_refused", AgentID: ad.ID, OrganisationID: ad.OrganisationID, ResourceKind: "change", ResourceID: ch.ID, Explanation: socle.ErrorMessage(err)}); aerr != nil {
			return aerr
		}
	}
	return err
}

// NotifyPrivacyOfficers notifies the privacy officers (auditeurs) of an
// organisation, or of the whole network when organisationID is "".
func (s *Service) NotifyPrivacyOfficers(ctx context.Context, organisationID, subject, body string) {
	officers, err := s.store.AgentsWithRole(ctx, socle.RoleAuditor, organisationID, maxNotified)
	if err != nil {
		s.logger.ErrorContext(ctx, "listing privacy officers", "err", err)
		return
	}
	for _, o := range officers {
		if !o.Disabled {
			s.notify(ctx, o, subject, body)
		}
	}
}

// maxNotified bounds the privacy officers notified of one change.
const maxNotified = 500
