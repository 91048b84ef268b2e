package directory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"socle"
)

// Audit actions of the directory: every change to the register of
// protected persons and every declaration is an event of the log.
const (
	AuditProtectedList    = "protected_list"
	AuditProtectedAdd     = "protected_add"
	AuditProtectedRemove  = "protected_remove"
	AuditDeclared         = "declaration_added"
	AuditDeclarationEnded = "declaration_withdrawn"
)

// Store is what the service keeps and reads.
type Store interface {
	socle.DirectoryStore
	Agent(ctx context.Context, id string) (*socle.Agent, error)
	AgentsOf(ctx context.Context, organisationID string) ([]*socle.Agent, error)
}

// Service keeps the register of protected persons (privacy officers) and
// the declarations of agents, auditing every change before it is written.
// Safe for concurrent use.
type Service struct {
	store   Store
	auditor socle.Auditor
	// PersonRef turns a person id into its pseudonymous reference for the
	// audit log (the identity function when nil).
	PersonRef func(id string) string
	// Now is the clock.
	Now func() time.Time
}

// NewService returns the service; every change is refused when auditor
// is nil.
func NewService(store Store, auditor socle.Auditor) *Service {
	return &Service{store: store, auditor: auditor, Now: time.Now}
}

// Ref returns the audit log's reference of a person, for links to her
// accesses in the journal.
func (s *Service) Ref(id string) string { return s.ref(id) }

func (s *Service) ref(id string) string {
	if s.PersonRef == nil {
		return id
	}
	return s.PersonRef(id)
}

// audit appends the event of a change before it is written; an error
// means the change must not happen.
func (s *Service) audit(ctx context.Context, actor socle.Actor, action, personID, text string, records int) error {
	if s.auditor == nil {
		return socle.Errorf(socle.EUNAVAILABLE, "the audit log is not available: the change is refused")
	}
	ev := socle.AuditEvent{Time: s.Now().UTC(), AgentID: actor.AgentID, OrganisationID: actor.OrganisationID, Action: action,
		ResourceKind: "directory", Allowed: true, Explanation: text, Records: records}
	if personID != "" {
		ev.ResourceKind, ev.PersonRef = string(socle.ResourcePerson), s.ref(personID)
	}
	if err := s.auditor.Append(ctx, ev); err != nil {
		return socle.Errorf(socle.EUNAVAILABLE, "the change could not be recorded in the audit log; nothing is changed")
	}
	return nil
}

// checkOfficer lets in privacy officers signed in with a second factor.
func checkOfficer(actor socle.Actor) error {
	_, err := socle.CheckAuditor(actor)
	return err
}

// checkAgent lets in agents signed in with a second factor.
func checkAgent(actor socle.Actor) error {
	if !actor.Authenticated() {
		return socle.Errorf(socle.EUNAUTHENTICATED, "authentication required")
	}
	if actor.AgentID == "" {
		return socle.Errorf(socle.EFORBIDDEN, "only agents declare")
	}
	if actor.Strength < socle.AuthMFA {
		return socle.Errorf(socle.EUNAUTHENTICATED, "a sign-in with a second factor is required")
	}
	return nil
}

// Protected returns the register, read by a privacy officer (the read is
// audited: the register names persons).
func (s *Service) Protected(ctx context.Context, actor socle.Actor) ([]*socle.ProtectedPerson, error) {
	if err := checkOfficer(actor); err != nil {
		return nil, err
	}
	ps, err := s.store.ProtectedPersons(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, actor, AuditProtectedList, "", "Consultation du registre des personnes protégées.", len(ps)); err != nil {
		return nil, err
	}
	return ps, nil
}

// Protect adds a person to the register.
func (s *Service) Protect(ctx context.Context, actor socle.Actor, personID string, kind socle.ProtectionKind, reason string) (*socle.ProtectedPerson, error) {
	if err := checkOfficer(actor); err != nil {
		return nil, err
	}
	personID = strings.TrimSpace(personID)
	var p socle.Problems
	if !socle.ValidID(socle.PrefixPerson, personID) {
		p.Add("person_id", "a person identifier (per_…) is required")
	}
	if !kind.Valid() {
		p.Add("kind", "one of public_figure, elected, staff_relative, vip")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		p.Add("reason", "required, at most 500 characters")
	}
	if err := p.Err("protected person"); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, actor, AuditProtectedAdd, personID, "Ajout au registre des personnes protégées ("+kind.Label()+").", 1); err != nil {
		return nil, err
	}
	e := &socle.ProtectedPerson{PersonID: personID, Kind: kind, Reason: reason, AddedBy: actor.AgentID, AddedAt: s.Now()}
	if err := s.store.AddProtected(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

// Unprotect closes an entry of the register.
func (s *Service) Unprotect(ctx context.Context, actor socle.Actor, id string) error {
	if err := checkOfficer(actor); err != nil {
		return err
	}
	ps, err := s.store.ProtectedPersons(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(ps, func(p *socle.ProtectedPerson) bool { return p.ID == id && p.Active() })
	if i < 0 {
		return socle.Errorf(socle.ENOTFOUND, "protected person not found")
	}
	if err := s.audit(ctx, actor, AuditProtectedRemove, ps[i].PersonID, "Retrait du registre des personnes protégées.", 1); err != nil {
		return err
	}
	return s.store.RemoveProtected(ctx, id, actor.AgentID, s.Now())
}

// Limits of declarations.
const (
	MaxDelegation   = 92 * 24 * time.Hour // a quarter: longer is a transfer of portfolio
	MaxEventPersons = 500
	// CheckinWindow is how long a walk-in explains accesses to her file.
	CheckinWindow = 4 * time.Hour
	// CallWindow is how long a declared call explains accesses.
	CallWindow = time.Hour
)

// Declare records an explanation source of the actor, after checking it
// according to its kind, and audits it. The window is set by kind: a
// walk-in and a call from d.From (now when zero); a delegation and an
// event as given; a conflict from now on.
func (s *Service) Declare(ctx context.Context, actor socle.Actor, d *socle.Declaration) error {
	if err := checkAgent(actor); err != nil {
		return err
	}
	now := s.Now()
	d.AgentID, d.OrganisationID = actor.AgentID, actor.OrganisationID
	d.Reference, d.Note = strings.TrimSpace(d.Reference), strings.TrimSpace(d.Note)
	var p socle.Problems
	for i, id := range d.Persons {
		d.Persons[i] = strings.TrimSpace(id)
		if !socle.ValidID(socle.PrefixPerson, d.Persons[i]) {
			p.Add("persons", "a person identifier (per_…) is malformed")
			break
		}
	}
	if utf8.RuneCountInString(d.Note) > 500 || utf8.RuneCountInString(d.Reference) > 100 {
		p.Add("note", "at most 500 characters (reference: 100)")
	}
	onePerson := func() {
		if len(d.Persons) != 1 {
			p.Add("persons", "exactly one person")
		}
	}
	switch d.Kind {
	case socle.DeclareDelegation:
		d.Persons = nil
		if !socle.ValidID(socle.PrefixAgent, d.OfAgentID) || d.OfAgentID == actor.AgentID {
			p.Add("of_agent_id", "the colleague covered is required (another agent)")
		} else if of, err := s.store.Agent(ctx, d.OfAgentID); socle.ErrorCode(err) == socle.ENOTFOUND || (err == nil && of.OrganisationID != actor.OrganisationID) {
			p.Add("of_agent_id", "the colleague covered must be an agent of your organisation")
		} else if err != nil {
			return fmt.Errorf("declaring a delegation: %w", err)
		}
		if d.From.IsZero() || d.To.IsZero() || !d.To.After(d.From) {
			p.Add("to", "the delegation needs a start and an end after it")
		} else if d.To.Sub(d.From) > MaxDelegation {
			p.Add("to", "a delegation lasts at most three months")
		}
	case socle.DeclareCheckin:
		onePerson()
		d.From = orNow(d.From, now)
		d.To = d.From.Add(CheckinWindow)
	case socle.DeclareCall:
		onePerson()
		if d.Reference == "" {
			p.Add("reference", "the call reference of the phone platform is required")
		}
		d.From = orNow(d.From, now)
		d.To = d.From.Add(CallWindow)
	case socle.DeclareEvent:
		if len(d.Persons) == 0 || len(d.Persons) > MaxEventPersons {
			p.Add("persons", "between 1 and 500 persons registered")
		}
		if d.Reference == "" {
			p.Add("reference", "the name of the event is required")
		}
		if d.From.IsZero() || d.To.IsZero() || !d.To.After(d.From) || d.To.Sub(d.From) > 7*24*time.Hour {
			p.Add("to", "the event needs a start and an end after it, within a week")
		}
	case socle.DeclareConflict:
		onePerson()
		d.From, d.To = now, now.AddDate(100, 0, 0)
	default:
		p.Add("kind", "one of delegation, checkin, event, call, conflict")
	}
	if err := p.Err("declaration"); err != nil {
		return err
	}
	personID := ""
	if len(d.Persons) == 1 {
		personID = d.Persons[0]
	}
	if err := s.audit(ctx, actor, AuditDeclared, personID, "Déclaration : "+d.Kind.Label()+".", max(1, len(d.Persons))); err != nil {
		return err
	}
	return s.store.AddDeclaration(ctx, d)
}

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}

// Withdraw ends a declaration of the actor.
func (s *Service) Withdraw(ctx context.Context, actor socle.Actor, id string) error {
	if err := checkAgent(actor); err != nil {
		return err
	}
	if err := s.audit(ctx, actor, AuditDeclarationEnded, "", "Retrait d'une déclaration.", 1); err != nil {
		return err
	}
	return s.store.WithdrawDeclaration(ctx, id, actor.AgentID, s.Now())
}

// Colleagues returns the enabled agents of the actor's organisation other
// than her, whom she may declare to cover.
func (s *Service) Colleagues(ctx context.Context, actor socle.Actor) ([]*socle.Agent, error) {
	if err := checkAgent(actor); err != nil {
		return nil, err
	}
	as, err := s.store.AgentsOf(ctx, actor.OrganisationID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(as, func(a *socle.Agent) bool { return a.Disabled || a.ID == actor.AgentID }), nil
}

// Declarations returns the actor's declarations of the last 30 days and
// those still in force.
func (s *Service) Declarations(ctx context.Context, actor socle.Actor) ([]*socle.Declaration, error) {
	if err := checkAgent(actor); err != nil {
		return nil, err
	}
	return s.store.Declarations(ctx, actor.AgentID, s.Now().AddDate(0, 0, -30))
}

// HomeIndex is the gate's index of homes over the store (gate.Homes).
type HomeIndex struct {
	Marker *Marker
	Store  interface {
		SetPersonHome(ctx context.Context, h *socle.PersonHome) error
	}
}

// Marks implements gate.Homes.
func (h HomeIndex) Marks(p *socle.Person) socle.Marks { return h.Marker.PersonMarks(p) }

// SetPersonHome implements gate.Homes.
func (h HomeIndex) SetPersonHome(ctx context.Context, ph *socle.PersonHome) error {
	return h.Store.SetPersonHome(ctx, ph)
}

// Backfill indexes the homes of persons written without the gate (a
// bulk-loaded demo network, a migration), as the gate does after each
// write: without it the household and neighbour rules never fire for them.
// A person without identity or contact has nothing to index.
func (h HomeIndex) Backfill(ctx context.Context, persons []*socle.Person, from socle.Date) (int, error) {
	n := 0
	for _, p := range persons {
		if p.Identity == nil && p.Contact == nil {
			continue
		}
		ph := &socle.PersonHome{PersonID: p.ID, Marks: h.Marks(p), From: from}
		if p.Contact != nil {
			ph.Departement = socle.DepartementOf(p.Contact.CommuneCode)
		}
		if err := h.Store.SetPersonHome(ctx, ph); err != nil {
			return n, fmt.Errorf("indexing the home of a bulk-loaded person: %w", err)
		}
		n++
	}
	return n, nil
}

// Names returns the full names of agents by id, for the privacy officers'
// screens (an unknown id is left out).
func (s *Service) Names(ctx context.Context, actor socle.Actor, ids ...string) (map[string]string, error) {
	if err := checkOfficer(actor); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, id := range ids {
		if _, ok := out[id]; ok || id == "" {
			continue
		}
		a, err := s.store.Agent(ctx, id)
		if socle.ErrorCode(err) == socle.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		out[id] = a.FullName()
	}
	return out, nil
}
