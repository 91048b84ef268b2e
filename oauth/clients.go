package oauth

import (
	"context"
	"fmt"
	"slices"

	"socle"
	"socle/policy"
)

// Clients lists the clients of an organisation, or every client with "".
func (s *Service) Clients(ctx context.Context, organisationID string) ([]*socle.OAuthClient, error) {
	cs, err := s.store.OAuthClients(ctx, organisationID)
	if err != nil {
		return nil, fmt.Errorf("oauth: listing clients: %w", err)
	}
	return cs, nil
}

// Client returns a client, ENOTFOUND if none.
func (s *Service) Client(ctx context.Context, id string) (*socle.OAuthClient, error) {
	c, err := s.store.OAuthClient(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("oauth: client: %w", err)
	}
	return c, nil
}

// Agreements returns the rules of the agreements in force that a client
// acts under: those of its organisation's kind or of its organisation
// itself, granted to systems, for the purposes of its scopes.
func (s *Service) Agreements(ctx context.Context, c *socle.OAuthClient) ([]policy.Agreement, error) {
	org, err := s.orgs.Organisation(ctx, c.OrganisationID)
	if err != nil {
		return nil, fmt.Errorf("oauth: organisation of the client: %w", err)
	}
	var purposes []string
	for _, sc := range c.Scopes {
		if p, _, ok := parseScope(sc); ok {
			purposes = append(purposes, p)
		}
	}
	var out []policy.Agreement
	for _, a := range s.cfg.Agreements() {
		if !a.UsableBySystems() || !slices.Contains(purposes, a.Purpose) {
			continue
		}
		if a.OrganisationID == org.ID || a.OrganisationID == "" && a.OrgKind == org.Kind {
			out = append(out, a)
		}
	}
	return out, nil
}

// RotateSecret gives a client_secret client a new secret, returned once;
// the previous one stops working at once (the token endpoint reads the
// stored hash at each request). Tokens already issued stay valid until
// they expire; revoke them or disable the client to stop them sooner.
func (s *Service) RotateSecret(ctx context.Context, id string) (string, error) {
	c, err := s.store.OAuthClient(ctx, id)
	if err != nil {
		return "", fmt.Errorf("oauth: rotating secret: %w", err)
	}
	if c.Method != socle.OAuthClientSecret {
		return "", socle.Errorf(socle.EINVALID, "client %s authenticates with %s, not a secret", id, c.Method)
	}
	secret := "socle_cs_" + randomString(32) // 256 bits
	if err := s.store.SetOAuthClientSecret(ctx, id, s.hashSecret(secret)); err != nil {
		return "", fmt.Errorf("oauth: rotating secret: %w", err)
	}
	if err := s.audit(ctx, socle.AuditEvent{Action: "client_secret_rotated", Allowed: true, ClientID: id, OrganisationID: c.OrganisationID,
		Explanation: "Secret du client « " + c.Name + " » renouvelé ; l'ancien n'est plus accepté."}); err != nil {
		return "", err
	}
	return secret, nil
}
