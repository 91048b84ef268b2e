package socle

import "context"

// GeoStore holds the reference geography.
type GeoStore interface {
	// ImportGeo replaces the reference geography in one transaction.
	ImportGeo(ctx context.Context, regions []Region, deps []Departement, communes []Commune) error
	Departements(ctx context.Context) ([]Departement, error)
	// Commune returns the commune with that INSEE code, ENOTFOUND if none.
	Commune(ctx context.Context, code string) (*Commune, error)
	// Communes returns communes of a département, largest first; all when dep is "".
	Communes(ctx context.Context, dep string, limit int) ([]Commune, error)
}

// OrganisationStore holds organisations.
type OrganisationStore interface {
	CreateOrganisation(ctx context.Context, o *Organisation) error
	Organisation(ctx context.Context, id string) (*Organisation, error)
	Organisations(ctx context.Context, f OrganisationFilter) ([]*Organisation, error)
}

// AgentStore holds agents.
type AgentStore interface {
	CreateAgent(ctx context.Context, a *Agent) error
	Agent(ctx context.Context, id string) (*Agent, error)
	AgentByEmail(ctx context.Context, email string) (*Agent, error)
	AgentsOf(ctx context.Context, organisationID string) ([]*Agent, error)
}

// PersonQuery selects persons. The gate fills OrganisationID so that an
// adviser only searches among the persons her organisation follows.
type PersonQuery struct {
	OrganisationID string // followed by this organisation (open follow-up)
	FamilyName     string // prefix, case- and accent-insensitive
	GivenName      string // prefix, case- and accent-insensitive
	BirthDate      Date
	NIR            string
	CommuneCode    string
	Limit          int
	// Departements restricts to persons living in one of these départements
	// (a territory agreement); Situations to persons in one of these
	// situations. Empty does not filter.
	Departements []string
	Situations   []Situation
}

// PersonStore holds persons. Reads take the granted categories and return
// only those sections: masking happens inside the store layer, so a masked
// field never leaves it.
type PersonStore interface {
	CreatePerson(ctx context.Context, p *Person) error
	Person(ctx context.Context, id string, granted CategorySet) (*Person, error)
	// UpdatePerson replaces the sections of p that are in granted and present in p.
	UpdatePerson(ctx context.Context, p *Person, granted CategorySet) error
	SearchPersons(ctx context.Context, q PersonQuery, granted CategorySet) ([]*Person, error)
	CountPersons(ctx context.Context) (int, error)
}

// FollowupStore holds follow-ups.
type FollowupStore interface {
	CreateFollowup(ctx context.Context, f *Followup) error
	// Followups returns the follow-ups of a person, newest first.
	Followups(ctx context.Context, personID string) ([]*Followup, error)
	// ChangeReferent ends on endOn (or on its first day, if later) the
	// open follow-up of next's organisation for next's person and stores
	// next, in one transaction. ECONFLICT if that organisation has no open
	// follow-up of the person; EINVALID if next is invalid.
	ChangeReferent(ctx context.Context, next *Followup, endOn Date) error
}

// CompanyStore holds companies, their contacts and offers.
type CompanyStore interface {
	CreateCompany(ctx context.Context, c *Company) error
	Company(ctx context.Context, id string) (*Company, error)
	CompanyBySIRET(ctx context.Context, siret string) (*Company, error)
	Companies(ctx context.Context, communePrefix string, limit int) ([]*Company, error)
	CreateContact(ctx context.Context, c *CompanyContact) error
	Contacts(ctx context.Context, companyID string) ([]*CompanyContact, error)
	CreateOffer(ctx context.Context, o *Offer) error
	Offer(ctx context.Context, id string) (*Offer, error)
	Offers(ctx context.Context, f OfferFilter) ([]*Offer, error)
}

// OfferFilter selects offers.
type OfferFilter struct {
	CompanyID   string
	ROMECode    string
	Departement string
	OpenOnly    bool
	Limit       int
}

// Batch is a slice of the network loaded at once (the demo, imports).
type Batch struct {
	Organisations []*Organisation
	Agents        []*Agent
	Persons       []*Person
	Followups     []*Followup
	Companies     []*Company
	Contacts      []*CompanyContact
	Offers        []*Offer
	// Provenance records which organisation supplied the sections of the
	// batch's persons (or of persons loaded before), and when.
	Provenance []Provenance
}

// Size is the number of records in b.
func (b *Batch) Size() int {
	return len(b.Organisations) + len(b.Agents) + len(b.Persons) + len(b.Followups) + len(b.Companies) + len(b.Contacts) + len(b.Offers) + len(b.Provenance)
}

// Store is everything Socle persists. Both the SQLite and the PostgreSQL
// stores implement it and pass the same test suite.
type Store interface {
	GeoStore
	OrganisationStore
	AgentStore
	PersonStore
	FollowupStore
	CompanyStore
	// Load inserts a batch in one transaction, the fast path of bulk loads.
	Load(ctx context.Context, b *Batch) error
	// Empty reports whether the store holds no organisation yet.
	Empty(ctx context.Context) (bool, error)
	Ping(ctx context.Context) error
	Close() error
}
