package socle

import (
	"context"
	"time"
)

// FederationLink ties a subject of an identity federation (ProConnect for
// agents, FranceConnect for persons) to the agent or the person it was
// reconciled with at the first sign-in, so that later sign-ins match on the
// subject alone and never again on e-mail or identity set. Exactly one of
// AgentID and PersonID is set.
type FederationLink struct {
	// Issuer and Subject identify the account at the federation: a subject
	// is unique only within its issuer.
	Issuer    string
	Subject   string
	AgentID   string
	PersonID  string
	CreatedAt time.Time
}

// FederationLinkStore holds federation links.
type FederationLinkStore interface {
	// FederationLink returns the link of that subject, ENOTFOUND if none.
	FederationLink(ctx context.Context, issuer, subject string) (*FederationLink, error)
	// CreateFederationLink records a link; a subject already linked is
	// ECONFLICT, a link naming neither or both of an agent and a person
	// EINVALID.
	CreateFederationLink(ctx context.Context, l *FederationLink) error
}
