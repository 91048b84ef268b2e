package identity

import (
	"context"
	"fmt"
	"slices"

	"socle"
)

// grantable reports whether an organisation administrator may give r:
// platform administration is not hers to hand out.
func grantable(r socle.Role) bool { return r.Valid() && r != socle.RolePlatformAdmin }

func checkGrantable(roles []socle.Role) error {
	for _, r := range roles {
		if !grantable(r) {
			return socle.Errorf(socle.EFORBIDDEN, "Le rôle %q ne peut pas être attribué par un administrateur de structure.", r)
		}
	}
	return nil
}

// Agents lists the agents of the actor's organisation; she must administer it.
func (s *Service) Agents(ctx context.Context, actor socle.Actor) ([]*socle.Agent, error) {
	ad, err := s.adminOf(ctx, actor, actor.OrganisationID)
	if err != nil {
		return nil, err
	}
	return s.store.AgentsOf(ctx, ad.OrganisationID)
}

// CreateAgent creates an agent in the actor's own organisation and mails
// her a one-time activation link (also returned, for the administrator's
// page), where she sets her password and enrols her second factor.
func (s *Service) CreateAgent(ctx context.Context, actor socle.Actor, a *socle.Agent, c Client) (string, error) {
	ad, err := s.adminOf(ctx, actor, a.OrganisationID)
	if err != nil {
		return "", err
	}
	if err := checkGrantable(a.Roles); err != nil {
		return "", err
	}
	a.ID, a.Disabled = "", false
	if err := s.store.CreateAgent(ctx, a); err != nil {
		return "", err
	}
	link, err := s.issueToken(ctx, a, TokenActivation)
	if err != nil {
		return "", err
	}
	if err := s.audit(ctx, socle.AuditEvent{Action: "agent_created", AgentID: ad.ID, OrganisationID: ad.OrganisationID, ResourceKind: "agent", ResourceID: a.ID, RemoteAddr: c.RemoteAddr, Allowed: true, Explanation: fmt.Sprintf("roles %v", a.Roles)}); err != nil {
		return "", err
	}
	s.notify(ctx, a, "Votre compte Socle", "Un compte Socle a été créé pour vous. Choisissez votre mot de passe et enregistrez votre second facteur avec ce lien, valable 72 heures et une seule fois :\n\n"+link)
	return link, nil
}

// managed returns an agent of the actor's organisation, and the actor.
func (s *Service) managed(ctx context.Context, actor socle.Actor, agentID string) (*socle.Agent, *socle.Agent, error) {
	a, err := s.store.Agent(ctx, agentID)
	if err != nil {
		return nil, nil, err
	}
	ad, err := s.adminOf(ctx, actor, a.OrganisationID)
	if err != nil {
		return nil, nil, err
	}
	return a, ad, nil
}

// SetRoles replaces the roles of an agent of the actor's organisation.
// When they change, every open session of the agent ends (the actor's own
// too when she changed hers): a session is never carried across a change
// of privilege, and the agent logs in again with both factors.
func (s *Service) SetRoles(ctx context.Context, actor socle.Actor, agentID string, roles []socle.Role, c Client) error {
	a, ad, err := s.managed(ctx, actor, agentID)
	if err != nil {
		return err
	}
	if err := checkGrantable(roles); err != nil {
		return err
	}
	if a.HasRole(socle.RolePlatformAdmin) && !slices.Contains(roles, socle.RolePlatformAdmin) {
		return socle.Errorf(socle.EFORBIDDEN, "Le rôle d'administrateur de la plateforme ne se retire pas ici.")
	}
	if ad.ID == a.ID && !slices.Contains(roles, socle.RoleOrgAdmin) {
		return socle.Errorf(socle.EFORBIDDEN, "Vous ne pouvez pas retirer votre propre rôle d'administrateur.")
	}
	before := a.Roles
	if a.HasRole(socle.RolePlatformAdmin) {
		roles = append(roles, socle.RolePlatformAdmin)
	}
	a.Roles = slices.Compact(slices.Sorted(slices.Values(roles)))
	if err := a.Validate(); err != nil {
		return err
	}
	if err := s.store.UpdateAgent(ctx, a); err != nil {
		return err
	}
	changed := !slices.Equal(before, a.Roles)
	if changed {
		if err := s.store.DeleteSessionsOf(ctx, a.ID); err != nil {
			return fmt.Errorf("ending the sessions of %s after a change of roles: %w", a.ID, err)
		}
	}
	if err := s.audit(ctx, socle.AuditEvent{Action: "agent_roles_changed", AgentID: ad.ID, OrganisationID: ad.OrganisationID, ResourceKind: "agent", ResourceID: a.ID, RemoteAddr: c.RemoteAddr, Allowed: true, Explanation: fmt.Sprintf("roles %v -> %v", before, a.Roles)}); err != nil {
		return err
	}
	if changed {
		s.notify(ctx, a, "Vos habilitations ont changé", fmt.Sprintf("Un administrateur de votre structure a modifié vos rôles dans Socle : %v. Vos sessions ouvertes ont été fermées : reconnectez-vous.", a.Roles))
	}
	return nil
}

// SetDisabled disables (or enables again) an agent of the actor's
// organisation. A disabled agent's sessions end at once.
func (s *Service) SetDisabled(ctx context.Context, actor socle.Actor, agentID string, disabled bool, c Client) error {
	a, ad, err := s.managed(ctx, actor, agentID)
	if err != nil {
		return err
	}
	if ad.ID == a.ID && disabled {
		return socle.Errorf(socle.EFORBIDDEN, "Vous ne pouvez pas désactiver votre propre compte.")
	}
	a.Disabled = disabled
	if err := s.store.UpdateAgent(ctx, a); err != nil {
		return err
	}
	if disabled {
		if err := s.store.DeleteSessionsOf(ctx, a.ID); err != nil {
			return err
		}
	}
	action := "agent_enabled"
	if disabled {
		action = "agent_disabled"
	}
	return s.audit(ctx, socle.AuditEvent{Action: action, AgentID: ad.ID, OrganisationID: ad.OrganisationID, ResourceKind: "agent", ResourceID: a.ID, RemoteAddr: c.RemoteAddr, Allowed: true})
}
