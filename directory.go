package socle

import (
	"context"
	"slices"
	"time"
)

// The detection directory: what misuse detection must know about staff and
// persons to recognise a relative's, a colleague's, a former colleague's, a
// public figure's or a neighbour's file, and the explanations users declare
// (a colleague's portfolio covered, a walk-in, an event, a phone call). The
// values that identify someone in real life (NIR + birth date, home
// address) are kept only as keyed hashes (Marks): the detector compares
// them for equality and never sees the clear values.

// Marks are the keyed hashes of a staff member's or a person's identity
// and home. Empty means unknown and never matches.
type Marks struct {
	Identity  string `json:"identity,omitempty"`  // NIR + birth date
	Surname   string `json:"surname,omitempty"`   // normalised family name
	Household string `json:"household,omitempty"` // persons living together, whatever their surnames
	Address   string `json:"address,omitempty"`   // the normalised home address
	Street    string `json:"street,omitempty"`    // the street of the home, without the number
}

// StaffRecord is an agent as the HR directory knows her: her own person
// record (Identity), her home and her employment dates. End is the last
// day of employment: after it she is former staff.
type StaffRecord struct {
	AgentID   string    `json:"agent_id"`
	Marks     Marks     `json:"marks"`
	Start     Date      `json:"start,omitzero"`
	End       Date      `json:"end,omitzero"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PersonHome is one address of a person's history: From the day it was
// recorded, To the day it was replaced (zero: current).
type PersonHome struct {
	PersonID    string `json:"person_id"`
	Marks       Marks  `json:"marks"`
	Departement string `json:"departement,omitempty"`
	From        Date   `json:"from"`
	To          Date   `json:"to,omitzero"`
}

// ProtectionKind is why a person is in the register of protected persons.
type ProtectionKind string

// The kinds of protected persons.
const (
	ProtectedPublicFigure  ProtectionKind = "public_figure"
	ProtectedElected       ProtectionKind = "elected"
	ProtectedStaffRelative ProtectionKind = "staff_relative"
	ProtectedVIP           ProtectionKind = "vip"
)

// ProtectionKinds lists the kinds in the order forms show them.
var ProtectionKinds = []ProtectionKind{ProtectedPublicFigure, ProtectedElected, ProtectedStaffRelative, ProtectedVIP}

// Valid reports whether k is a known kind.
func (k ProtectionKind) Valid() bool { return slices.Contains(ProtectionKinds, k) }

// Label is the French name of k.
func (k ProtectionKind) Label() string {
	switch k {
	case ProtectedPublicFigure:
		return "Personnalité publique"
	case ProtectedElected:
		return "Élu ou élue"
	case ProtectedStaffRelative:
		return "Proche d'un agent, à sa demande"
	case ProtectedVIP:
		return "Autre personne à protéger"
	}
	return string(k)
}

// ProtectedPerson is one entry of the register of protected persons kept
// by the privacy officers. An entry is never deleted: removing it records
// who removed it and when.
type ProtectedPerson struct {
	ID        string         `json:"id"`
	PersonID  string         `json:"person_id"`
	Kind      ProtectionKind `json:"kind"`
	Reason    string         `json:"reason"`
	AddedBy   string         `json:"added_by"`
	AddedAt   time.Time      `json:"added_at"`
	RemovedBy string         `json:"removed_by,omitempty"`
	RemovedAt time.Time      `json:"removed_at,omitzero"`
}

// Active reports whether the entry is in force.
func (p *ProtectedPerson) Active() bool { return p.RemovedAt.IsZero() }

// DeclarationKind is the kind of explanation a user declares.
type DeclarationKind string

// The kinds of declarations.
const (
	// DeclareDelegation: the agent covers a colleague's portfolio between
	// two dates (sick leave, holidays).
	DeclareDelegation DeclarationKind = "delegation"
	// DeclareCheckin: a walk-in welcomed at the reception of the agent's
	// organisation.
	DeclareCheckin DeclarationKind = "checkin"
	// DeclareEvent: the persons registered to a collective event
	// (job-dating, information meeting).
	DeclareEvent DeclarationKind = "event"
	// DeclareCall: a phone-platform call with a person, by its reference.
	DeclareCall DeclarationKind = "call"
	// DeclareConflict: a conflict of interest the agent declares: she must
	// not read that file.
	DeclareConflict DeclarationKind = "conflict"
)

// DeclarationKinds lists the kinds.
var DeclarationKinds = []DeclarationKind{DeclareDelegation, DeclareCheckin, DeclareEvent, DeclareCall, DeclareConflict}

// Valid reports whether k is a known kind.
func (k DeclarationKind) Valid() bool { return slices.Contains(DeclarationKinds, k) }

// Label is the French name of k.
func (k DeclarationKind) Label() string {
	switch k {
	case DeclareDelegation:
		return "Remplacement d'un collègue"
	case DeclareCheckin:
		return "Accueil d'une personne sans rendez-vous"
	case DeclareEvent:
		return "Événement collectif"
	case DeclareCall:
		return "Appel téléphonique"
	case DeclareConflict:
		return "Conflit d'intérêts"
	}
	return string(k)
}

// Declaration is an explanation source declared by an agent: it explains
// her accesses to its persons during its window (a delegation explains the
// persons of the colleague's portfolio; a conflict does the opposite).
type Declaration struct {
	ID             string          `json:"id"`
	Kind           DeclarationKind `json:"kind"`
	AgentID        string          `json:"agent_id"`
	OrganisationID string          `json:"organisation_id"`
	OfAgentID      string          `json:"of_agent_id,omitempty"` // delegation: the colleague covered
	Persons        []string        `json:"persons,omitempty"`     // person ids
	Reference      string          `json:"reference,omitempty"`   // the call reference, the event's name
	Note           string          `json:"note,omitempty"`
	From           time.Time       `json:"from"`
	To             time.Time       `json:"to"`
	CreatedAt      time.Time       `json:"created_at"`
	WithdrawnAt    time.Time       `json:"withdrawn_at,omitzero"`
}

// Covers reports whether d is in force at t.
func (d *Declaration) Covers(t time.Time) bool {
	return d.WithdrawnAt.IsZero() && !t.Before(d.From) && !t.After(d.To)
}

// Baseline is the learnt state of one principal in the detector, opaque to
// the store: the detector writes and reads its own versioned encoding, so
// that its baselines survive a restart.
type Baseline struct {
	Principal string    `json:"principal"` // "agent:ID" or "client:ID"
	Version   int       `json:"version"`
	State     []byte    `json:"-"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DirectoryStore keeps the detection directory. *sqlstore.DB implements it.
type DirectoryStore interface {
	// PutStaffRecord creates or replaces the record of an agent.
	PutStaffRecord(ctx context.Context, r *StaffRecord) error
	// StaffRecords returns every staff record.
	StaffRecords(ctx context.Context) ([]*StaffRecord, error)
	// SetPersonHome records p as the person's current home; a different
	// current home is closed the day before p.From (the address history).
	// Recording the same marks again changes nothing.
	SetPersonHome(ctx context.Context, p *PersonHome) error
	// PersonHomes returns the homes of a person, newest first.
	PersonHomes(ctx context.Context, personID string) ([]*PersonHome, error)
	// EachPersonHome calls fn with every current home.
	EachPersonHome(ctx context.Context, fn func(*PersonHome) error) error
	// AddProtected adds an entry to the register of protected persons;
	// ECONFLICT when the person already has an active entry.
	AddProtected(ctx context.Context, p *ProtectedPerson) error
	// RemoveProtected closes an active entry; ENOTFOUND when none.
	RemoveProtected(ctx context.Context, id, by string, at time.Time) error
	// ProtectedPersons returns the register, active entries first.
	ProtectedPersons(ctx context.Context) ([]*ProtectedPerson, error)
	// AddDeclaration stores a declaration.
	AddDeclaration(ctx context.Context, d *Declaration) error
	// WithdrawDeclaration closes a declaration of its agent; ENOTFOUND
	// when she has none with that id.
	WithdrawDeclaration(ctx context.Context, id, agentID string, at time.Time) error
	// Declarations returns the declarations of an agent ("" for all) that
	// end after a time, newest first.
	Declarations(ctx context.Context, agentID string, endsAfter time.Time) ([]*Declaration, error)
	// SaveBaselines creates or replaces the baselines given.
	SaveBaselines(ctx context.Context, bs []*Baseline) error
	// Baselines returns every stored baseline.
	Baselines(ctx context.Context) ([]*Baseline, error)
}
