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

// PrefixIdentityCheck prefixes the ids of identity checks.
const PrefixIdentityCheck = "idc"

// IdentitySet is the identity a federation certifies for a person
// (FranceConnect's identité pivot). Names are compared normalised (case,
// accents, hyphens); BirthPlace is the INSEE COG code of the commune of
// birth, empty for a person born abroad.
type IdentitySet struct {
	// GivenNames are all the given names, space-separated, as on the
	// civil record.
	GivenNames string `json:"given_names"`
	// FamilyName is the birth name; PreferredUsername the usage name,
	// when the person has one.
	FamilyName        string `json:"family_name"`
	PreferredUsername string `json:"preferred_username,omitempty"`
	BirthDate         Date   `json:"birth_date"`
	BirthPlace        string `json:"birth_place,omitempty"`
	// Sex is "F" or "M", as Identity.Sex.
	Sex string `json:"sex"`
}

// IdentityCheckStatus is where an identity check stands.
type IdentityCheckStatus string

// The states of an identity check.
const (
	IdentityCheckOpen     IdentityCheckStatus = "open"
	IdentityCheckLinked   IdentityCheckStatus = "linked"   // a person's record was chosen and linked
	IdentityCheckRejected IdentityCheckStatus = "rejected" // no record is hers
)

// IdentityCheck is a federation login that matched no record or several:
// nobody was signed in, and a human decides which record, if any, is the
// person's. Linking one creates the FederationLink, so that her next
// login matches on the subject.
type IdentityCheck struct {
	ID       string
	Issuer   string
	Subject  string
	Identity IdentitySet
	// Candidates is how many records matched: 0 or more than 1.
	Candidates int
	Status     IdentityCheckStatus
	// PersonID is the record linked; ResolvedBy the agent who decided.
	PersonID   string
	ResolvedBy string
	CreatedAt  time.Time
	ResolvedAt time.Time
}

// IdentityCheckStore holds the identity checks and finds the records an
// identity set matches.
type IdentityCheckStore interface {
	FederationLinkStore
	// PersonsByIdentity returns the ids of at most limit persons whose
	// record matches the identity set: normalised family name (birth or
	// usage name), normalised given name (all of them or the first), birth
	// date, sex and birthplace (the COG code the record's NIR carries; a
	// record without NIR never matches).
	PersonsByIdentity(ctx context.Context, id IdentitySet, limit int) ([]string, error)
	// PersonsByNIR returns the ids of at most limit persons with that NIR
	// (spaces ignored) and that birth date: how a human designates the
	// record of a check, the birth date guarding against a mistyped NIR.
	PersonsByNIR(ctx context.Context, nir string, birthDate Date, limit int) ([]string, error)
	// CreateIdentityCheck queues an open check. A subject already waiting
	// is not queued twice: the open check is returned instead, with
	// created false.
	CreateIdentityCheck(ctx context.Context, c *IdentityCheck) (created bool, err error)
	// OpenIdentityChecks lists the open checks, oldest first.
	OpenIdentityChecks(ctx context.Context, limit int) ([]*IdentityCheck, error)
	// IdentityCheck returns a check, ENOTFOUND if none.
	IdentityCheck(ctx context.Context, id string) (*IdentityCheck, error)
	// ResolveIdentityCheck closes an open check: with a personID it links
	// the check's subject to that person (in the same transaction), without
	// one it rejects it. A check already resolved is ECONFLICT.
	ResolveIdentityCheck(ctx context.Context, id, agentID, personID string, at time.Time) error
}
