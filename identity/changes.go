package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"socle/audit"
	"strings"

	"socle"
)

func roleLabels(roles []socle.Role) string {
	labels := make([]string, len(roles))
	for i, r := range roles {
		labels[i] = r.Label()
	}
	return strings.Join(labels, ", ")
}

// rolesChange is the payload of a change of roles: the roles it was asked
// over, and the new ones.
type rolesChange struct {
	Before []socle.Role `json:"before"`
	Roles  []socle.Role `json:"roles"`
}

// proposeRoles stores the change of a's roles to roles, which adds the
// widening roles widened, until a second administrator approves it.
func (s *Service) proposeRoles(ctx context.Context, ad, a *socle.Agent, roles, widened []socle.Role, c Client) (*socle.Change, error) {
	payload, err := json.Marshal(rolesChange{Before: a.Roles, Roles: roles})
	if err != nil {
		return nil, fmt.Errorf("encoding the roles: %w", err)
	}
	ch := &socle.Change{
		ID: socle.NewID("chg"), Kind: socle.ChangeRoles, OrganisationID: a.OrganisationID, Subject: a.ID,
		Payload: string(payload), Reason: "",
		Summary:     fmt.Sprintf("Attribuer à %s les rôles : %s (dont %s).", a.FullName(), roleLabels(roles), roleLabels(widened)),
		RequestedBy: ad.ID, RequestedFrom: c.RemoteAddr, RequestedAt: s.Now().UTC(), Status: socle.ChangePending,
	}
	if err := s.audit(ctx, audit.Act{Action: "change_requested", AgentID: ad.ID, OrganisationID: ad.OrganisationID, ResourceKind: "agent", ResourceID: a.ID, RemoteAddr: c.RemoteAddr, Allowed: true,
		Explanation: fmt.Sprintf("change %s: roles %v -> %v, waiting for a second administrator", ch.ID, a.Roles, roles)}); err != nil {
		return nil, err
	}
	if err := s.store.CreateChange(ctx, ch); err != nil {
		return nil, fmt.Errorf("storing the change of roles: %w", err)
	}
	body := fmt.Sprintf("%s demande de modifier les habilitations de %s : %s Cette modification donne accès à des données sensibles ou à l'administration ; elle ne s'applique qu'après l'approbation d'un second administrateur, dans Socle, page Demandes à approuver.", ad.FullName(), a.FullName(), ch.Summary)
	s.notifyAdmins(ctx, a, "Habilitation à approuver", body, ad.ID)
	s.NotifyPrivacyOfficers(ctx, a.OrganisationID, "Demande d'habilitation sensible", body)
	return ch, nil
}

// PendingChanges lists the role changes of the actor's organisation that
// wait for a second administrator.
func (s *Service) PendingChanges(ctx context.Context, actor socle.Actor) ([]*socle.Change, error) {
	ad, err := s.adminOf(ctx, actor, actor.OrganisationID)
	if err != nil {
		return nil, err
	}
	return s.store.PendingChanges(ctx, socle.ChangeRoles, ad.OrganisationID)
}

// pendingChange returns a pending role change of an organisation the
// actor administers, and the actor.
func (s *Service) pendingChange(ctx context.Context, actor socle.Actor, id string) (*socle.Change, *socle.Agent, error) {
	ch, err := s.store.Change(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if ch.Kind != socle.ChangeRoles {
		return nil, nil, socle.Errorf(socle.ENOTFOUND, "change not found")
	}
	ad, err := s.adminOf(ctx, actor, ch.OrganisationID)
	if err != nil {
		return nil, nil, err
	}
	if ch.Status != socle.ChangePending {
		return nil, nil, socle.Errorf(socle.ECONFLICT, "Cette demande a déjà été traitée.")
	}
	return ch, ad, nil
}

// ApproveChange approves a pending change of roles as its second pair of
// eyes: an administrator of the agent's organisation who passes the
// four-eyes rule (checkSecondEyes). The roles then apply, the agent's
// sessions end and the privacy officers are notified.
func (s *Service) ApproveChange(ctx context.Context, actor socle.Actor, id string, c Client) (*socle.Change, error) {
	ch, ad, err := s.pendingChange(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.CheckApprover(ctx, actor, ch); err != nil {
		return nil, err
	}
	var rc rolesChange
	if err := json.Unmarshal([]byte(ch.Payload), &rc); err != nil {
		return nil, fmt.Errorf("reading the roles of change %s: %w", ch.ID, err)
	}
	if err := checkGrantable(rc.Roles); err != nil {
		return nil, err
	}
	a, err := s.store.Agent(ctx, ch.Subject)
	if err != nil {
		return nil, err
	}
	// Approved over other roles, it would undo what changed since.
	if a.OrganisationID != ch.OrganisationID || !slices.Equal(a.Roles, rc.Before) {
		return nil, socle.Errorf(socle.ECONFLICT, "Les rôles de l'agent ont changé depuis la demande : refusez-la et refaites-la.")
	}
	roles := rc.Roles
	ok, err := s.store.DecideChange(ctx, ch.ID, socle.ChangeApproved, ad.ID, s.Now().UTC())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, socle.Errorf(socle.ECONFLICT, "Cette demande a déjà été traitée.")
	}
	if err := s.applyRoles(ctx, ch.RequestedBy, ch.OrganisationID, a, roles, c, fmt.Sprintf(", change %s approved by %s", ch.ID, ad.ID)); err != nil {
		return nil, err
	}
	s.NotifyPrivacyOfficers(ctx, ch.OrganisationID, "Habilitation sensible accordée", fmt.Sprintf("%s a approuvé la demande suivante, qui s'applique désormais : %s", ad.FullName(), ch.Summary))
	ch.Status, ch.DecidedBy = socle.ChangeApproved, ad.ID
	return ch, nil
}

// RejectChange refuses (or, for its author, withdraws) a pending change of
// roles; nothing changes.
func (s *Service) RejectChange(ctx context.Context, actor socle.Actor, id string, c Client) error {
	ch, ad, err := s.pendingChange(ctx, actor, id)
	if err != nil {
		return err
	}
	// Recorded before it happens, like every administrative change.
	if err := s.audit(ctx, audit.Act{Action: "change_rejected", AgentID: ad.ID, OrganisationID: ad.OrganisationID, ResourceKind: "agent", ResourceID: ch.Subject, RemoteAddr: c.RemoteAddr, Allowed: true, Explanation: "change " + ch.ID}); err != nil {
		return err
	}
	ok, err := s.store.DecideChange(ctx, ch.ID, socle.ChangeRejected, ad.ID, s.Now().UTC())
	if err != nil {
		return err
	}
	if !ok {
		return socle.Errorf(socle.ECONFLICT, "Cette demande a déjà été traitée.")
	}
	return nil
}
