package identity

import (
	"context"
	"fmt"
	"slices"
	"socle/audit"

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
// her a one-time activation link, where she sets her password and enrols
// her second factor. The link goes to her mailbox only: it is never shown
// to the administrator who created the account. A role that widens access
// (see widening) is not given at creation: it is asked afterwards and
// approved by a second administrator.
func (s *Service) CreateAgent(ctx context.Context, actor socle.Actor, a *socle.Agent, c Client) error {
	ad, err := s.adminOf(ctx, actor, a.OrganisationID)
	if err != nil {
		return err
	}
	if err := checkGrantable(a.Roles); err != nil {
		return err
	}
	for _, r := range a.Roles {
		if widening(r) {
			return socle.Errorf(socle.EFORBIDDEN, "Le rôle « %s » ne se donne pas à la création du compte : créez-le avec un rôle courant, puis attribuez ce rôle ; un second administrateur devra l'approuver.", r.Label())
		}
	}
	a.ID, a.Disabled, a.CreatedAt = "", false, s.Now().UTC()
	if err := s.store.CreateAgent(ctx, a); err != nil {
		return err
	}
	if err := s.store.RecordAgentCreated(ctx, a.ID, ad.ID, c.RemoteAddr); err != nil {
		return fmt.Errorf("recording who created the account: %w", err)
	}
	link, err := s.issueToken(ctx, a, socle.TokenActivation)
	if err != nil {
		return err
	}
	if err := s.audit(ctx, audit.Act{Action: "agent_created", AgentID: ad.ID, OrganisationID: ad.OrganisationID, ResourceKind: "agent", ResourceID: a.ID, RemoteAddr: c.RemoteAddr, Allowed: true, Explanation: fmt.Sprintf("roles %v", a.Roles)}); err != nil {
		return err
	}
	s.notifyLink(ctx, a, "Votre compte Socle", "Un compte Socle a été créé pour vous. Choisissez votre mot de passe et enregistrez votre second facteur avec ce lien, valable 72 heures et une seule fois :", link)
	return nil
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

// widening reports whether granting r widens access beyond the ordinary
// work of an adviser: sensitive categories (gestionnaire), the audit log
// (auditeur) or the administration of agents (administrateur). Such a
// grant waits for a second administrator (ApproveChange).
func widening(r socle.Role) bool {
	return r == socle.RoleContractManager || r == socle.RoleOrgAdmin || r == socle.RoleAuditor
}

// SetRoles replaces the roles of an agent of the actor's organisation.
// An administrator never gives herself a role. When the new roles add one
// that widens access, nothing changes yet: the change is stored and
// returned, pending, until a second administrator approves it
// (ApproveChange); the privacy officers are notified. Otherwise it applies
// at once and the change returned is nil. When roles change, every open
// session of the agent ends (the actor's own too when she changed hers):
// a session is never carried across a change of privilege.
func (s *Service) SetRoles(ctx context.Context, actor socle.Actor, agentID string, roles []socle.Role, c Client) (*socle.Change, error) {
	a, ad, err := s.managed(ctx, actor, agentID)
	if err != nil {
		return nil, err
	}
	if err := checkGrantable(roles); err != nil {
		return nil, err
	}
	if a.HasRole(socle.RolePlatformAdmin) && !slices.Contains(roles, socle.RolePlatformAdmin) {
		return nil, socle.Errorf(socle.EFORBIDDEN, "Le rôle d'administrateur de la plateforme ne se retire pas ici.")
	}
	if ad.ID == a.ID && !slices.Contains(roles, socle.RoleOrgAdmin) {
		return nil, socle.Errorf(socle.EFORBIDDEN, "Vous ne pouvez pas retirer votre propre rôle d'administrateur.")
	}
	if a.HasRole(socle.RolePlatformAdmin) {
		roles = append(roles, socle.RolePlatformAdmin)
	}
	roles = slices.Compact(slices.Sorted(slices.Values(roles)))
	var added, widened []socle.Role
	for _, r := range roles {
		if !a.HasRole(r) {
			added = append(added, r)
			if widening(r) {
				widened = append(widened, r)
			}
		}
	}
	if ad.ID == a.ID && len(added) > 0 {
		return nil, socle.Errorf(socle.EFORBIDDEN, "Vous ne pouvez pas vous attribuer un rôle : un autre administrateur de votre structure doit le faire.")
	}
	if len(widened) > 0 {
		return s.proposeRoles(ctx, ad, a, roles, widened, c)
	}
	return nil, s.applyRoles(ctx, ad.ID, ad.OrganisationID, a, roles, c, "")
}

// applyRoles sets the roles of a; by is the administrator who changed
// them, approval the approval's explanation when a second one approved.
func (s *Service) applyRoles(ctx context.Context, by, byOrg string, a *socle.Agent, roles []socle.Role, c Client, approval string) error {
	before := a.Roles
	a.Roles = roles
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
	if err := s.audit(ctx, audit.Act{Action: "agent_roles_changed", AgentID: by, OrganisationID: byOrg, ResourceKind: "agent", ResourceID: a.ID, RemoteAddr: c.RemoteAddr, Allowed: true, Explanation: fmt.Sprintf("roles %v -> %v%s", before, a.Roles, approval)}); err != nil {
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
	return s.audit(ctx, audit.Act{Action: action, AgentID: ad.ID, OrganisationID: ad.OrganisationID, ResourceKind: "agent", ResourceID: a.ID, RemoteAddr: c.RemoteAddr, Allowed: true})
}
