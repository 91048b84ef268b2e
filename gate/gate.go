// Package gate is the single path to personal data. Every read and write of
// a person or a company passes its five steps, in order:
//
//	authenticate → declare purpose → decide → read/write (masked) → audit
//
// The HTTP layer holds a *Gate, never a store of personal data, so that the
// safe path is the only one. The audit append is synchronous and fails
// closed: when the event cannot be made durable, no data is returned.
package gate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"socle"
	"socle/audit"
	"socle/oauth"
)

// Purposes is the register of purposes (finalités).
type Purposes interface {
	// Purpose returns the registered purpose with that code.
	Purpose(code string) (socle.Purpose, bool)
	// Purposes lists the register, for error messages and forms.
	Purposes() []socle.Purpose
	// PurposesFor lists the purposes an actor may declare, whatever the
	// person: a refused purpose names them (purposes.go).
	PurposesFor(actor socle.Actor) []socle.Purpose
}

// Store is what the gate reads and writes, behind its checks: every
// feature the gate needs, so that the compiler refuses a store that lacks
// one and no safety feature switches itself off.
type Store interface {
	socle.PersonStore
	socle.FollowupStore
	socle.CompanyStore
	// A person's write goes with its provenance and follow-up in one
	// transaction.
	socle.PersonWriter
	// Who supplied each section, for the person's own space.
	socle.ProvenanceStore
	// Break-the-glass grants keep a justified access open for its time
	// limit and list it for review.
	Grants
	MatchStore
	PortfolioStore
	EmployerStore
	// The throttle's counts, step-ups and blocks.
	socle.ThrottleStore
	// The change feed of persons and companies, for partners' systems.
	socle.ChangeFeed
	// The notes of the follow-up, the sealed ones with the person's key.
	socle.NoteStore
	// An accepted rectification corrects the file in the same transaction.
	socle.RectificationApplier
	// The first answers of creates made with an Idempotency-Key.
	socle.IdempotentAnswers
}

// Gate checks, decides, masks and audits every access to personal data.
type Gate struct {
	store    Store
	policy   socle.Policy
	auditor  socle.Auditor
	purposes Purposes
	// PersonRef turns a person id into the pseudonymous reference kept in
	// the audit log. The identity function when nil.
	PersonRef func(personID string) string
	// Now is the clock, replaceable in tests.
	Now func() time.Time
	// Throttle limits the distinct persons a principal reads per window
	// (throttle.go): New sets one with the platform's limits over the
	// store, so that every gate has one.
	Throttle *Throttle
	// history searches the audit log for a person's own history, given
	// at construction (WithAuditSearch); nil answers EUNAVAILABLE.
	history AuditSearcher
	// homes is the detection directory's index of homes (homes.go), given
	// at construction (WithHomes); nil keeps none.
	homes Homes
	// matches is the index of the mise en relation (matching.go), given
	// at construction (WithMatching) and owned by the gate alone; nil
	// answers EUNAVAILABLE.
	matches socle.MatchIndex
}

// Option gives the gate an optional part at construction, so that no
// feature depends on a call made later.
type Option func(*Gate) error

// WithHomes makes the gate keep the detection directory's index of homes
// after every write of a person. Without it, no homes are kept.
func WithHomes(h Homes) Option {
	return func(g *Gate) error {
		if h == nil {
			return fmt.Errorf("gate: WithHomes given no index of homes")
		}
		g.homes = h
		return nil
	}
}

// WithMatching gives the gate the index of the mise en relation, which it
// alone holds: handlers reach it only through the gate's methods. Without
// it, those methods answer EUNAVAILABLE.
func WithMatching(idx socle.MatchIndex) Option {
	return func(g *Gate) error {
		if idx == nil {
			return fmt.Errorf("gate: WithMatching given no matching index")
		}
		g.matches = idx
		return nil
	}
}

// WithAuditSearch gives the gate the audit index that SearchAudit and
// MyAccessHistory search. Without it, they answer EUNAVAILABLE.
func WithAuditSearch(s AuditSearcher) Option {
	return func(g *Gate) error {
		if s == nil {
			return fmt.Errorf("gate: WithAuditSearch given no audit index")
		}
		g.history = s
		return nil
	}
}

// New returns a gate over the store with the given policy, audit log and
// purpose register, and the optional parts opts give. It refuses a
// missing part: a gate without one of them would switch a safety step off.
func New(store Store, policy socle.Policy, auditor socle.Auditor, purposes Purposes, opts ...Option) (*Gate, error) {
	for _, part := range []struct {
		name    string
		missing bool
	}{{"store", store == nil}, {"policy", policy == nil}, {"audit log", auditor == nil}, {"purpose register", purposes == nil}} {
		if part.missing {
			return nil, fmt.Errorf("gate: no %s", part.name)
		}
	}
	g := &Gate{store: store, policy: policy, auditor: auditor, purposes: purposes, Now: time.Now, Throttle: NewThrottle(store)}
	for _, opt := range opts {
		if err := opt(g); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// invalidator is a policy that caches relations and must forget a person's
// after a write changes them.
type invalidator interface{ Invalidate(personID string) }

func (g *Gate) invalidate(personID string) {
	if inv, ok := g.policy.(invalidator); ok {
		inv.Invalidate(personID)
	}
}

// Request is who asks and why, as the HTTP layer established it.
type Request struct {
	Actor      socle.Actor
	Purpose    string
	BreakGlass string
	RequestID  string
	RemoteAddr string
	// exactLookup marks a search by exact identifier, so that its refusal
	// by the throttle is recorded as a lookup too.
	exactLookup bool
	// IdempotencyKey, when set on a create, makes a retry of the same
	// request return the first result instead of creating twice.
	IdempotencyKey string
	// CallRef is the phone platform's reference of the call under way
	// (optional), recorded with the access for detection.
	CallRef string
}

// Purposes returns the purpose register, for forms and error messages.
func (g *Gate) Purposes() []socle.Purpose { return g.purposes.Purposes() }

// checkCaller runs the first two steps: authentication and purpose.
func (g *Gate) checkCaller(req Request) error {
	if !req.Actor.Authenticated() {
		return socle.Errorf(socle.EUNAUTHENTICATED, "authentication required")
	}
	if req.Actor.Strength < socle.AuthClient {
		return socle.Errorf(socle.EFORBIDDEN, "a second factor is required before accessing personal data")
	}
	// What the audit log records must read back as it was written.
	for _, f := range []struct{ name, text string }{{"purpose", req.Purpose}, {"break-the-glass justification", req.BreakGlass},
		{"request id", req.RequestID}, {"remote address", req.RemoteAddr}} {
		if !utf8.ValidString(f.text) {
			return socle.Errorf(socle.EINVALID, "%s: not valid UTF-8 text", f.name)
		}
	}
	if req.Purpose == "" {
		return socle.Errorf(socle.EINVALID, "purpose required: declare one of %s", g.purposeCodes())
	}
	if _, ok := g.purposes.Purpose(req.Purpose); !ok {
		return socle.Errorf(socle.EINVALID, "unknown purpose %q: declare one of %s", req.Purpose, g.purposeCodes())
	}
	if !validCallRef(req.CallRef) {
		return socle.Errorf(socle.EINVALID, "call reference: at most 64 letters, digits, '-', '_', '.' or '/'")
	}
	return nil
}

func (g *Gate) purposeCodes() string {
	var codes []string
	for _, p := range g.purposes.Purposes() {
		codes = append(codes, p.Code)
	}
	slices.Sort(codes)
	return strings.Join(codes, ", ")
}

// decision asks the partner token's scopes and the policy. A denial is a
// decision with Allow false, not an error; the error is a failure.
func (g *Gate) decision(ctx context.Context, req Request, action socle.Action, res socle.Resource, want socle.CategorySet) (socle.Decision, error) {
	ar := socle.AccessRequest{
		Actor: req.Actor, Action: action, Resource: res, Categories: want,
		Purpose: req.Purpose, BreakGlass: req.BreakGlass, Time: g.Now(),
		RequestID: req.RequestID, RemoteAddr: req.RemoteAddr,
	}
	if !oauth.ScopeAllows(req.Actor, req.Purpose, action) {
		// A partner's token is used beyond its scopes: refused whatever
		// the agreement says, and recorded.
		return scopeDenial(req.Purpose, action), nil
	}
	d, err := g.policy.Decide(ctx, ar)
	if err != nil {
		return d, fmt.Errorf("deciding %s on %s: %w", action, res.Kind, err)
	}
	return g.breakGlassWindow(ctx, req, ar, d)
}

// factScope is the fact of a partner token used beyond its scopes.
const factScope = "scope"

// scopeDenial is the refusal of a partner token used beyond its scopes.
func scopeDenial(purpose string, action socle.Action) socle.Decision {
	return socle.Decision{Facts: []socle.Fact{{Kind: factScope, Detail: map[string]string{"scope": oauth.Scope(purpose, action)},
		Text: "Le jeton du système partenaire ne couvre pas « " + oauth.Scope(purpose, action) + " » : l'accès est refusé."}}}
}

// tokenScopeDenied reports whether d refuses a partner token used beyond
// its scopes (whose fact names the scope, unlike a population scope).
func tokenScopeDenied(d socle.Decision) bool {
	return !d.Allow && len(d.Facts) > 0 && d.Facts[0].Kind == factScope && d.Facts[0].Detail["scope"] != ""
}

// event is the act of a decision on req as the audit log records it;
// every append of the gate starts from it.
func (g *Gate) event(req Request, action socle.Action, d socle.Decision, records int) audit.Act {
	var basis string
	if d.Allow {
		basis = socle.Basis(d.Facts, req.Actor.AgentID)
	}
	return audit.Act{
		Basis:          basis,
		Session:        g.keyedRef("session", req.Actor.SessionID),
		Remote:         g.keyedRef("remote", remoteHost(req.RemoteAddr)),
		CallRef:        req.CallRef,
		RequestID:      req.RequestID,
		AgentID:        req.Actor.AgentID,
		ClientID:       req.Actor.ClientID,
		OrganisationID: req.Actor.OrganisationID,
		Action:         string(action),
		Categories:     d.Categories.String(),
		Purpose:        req.Purpose,
		Allowed:        d.Allow,
		Explanation:    d.Explanation(),
		Facts:          d.Facts,
		RemoteAddr:     req.RemoteAddr,
		Records:        records,
		BreakGlass:     req.BreakGlass,
	}
}

// validPerson refuses an id that names no person, as an absent one.
func validPerson(id string) func() error {
	return func() error {
		if !socle.ValidID(socle.PrefixPerson, id) {
			return socle.Errorf(socle.ENOTFOUND, "person not found")
		}
		return nil
	}
}

// ReadPerson returns the person with the categories the policy grants out of
// want (all when want is 0), and the decision with its explanation.
func (g *Gate) ReadPerson(ctx context.Context, req Request, id string, want socle.CategorySet) (*socle.Person, socle.Decision, error) {
	if want == 0 {
		want = socle.AllCategories
	}
	s := spec{action: socle.ActionRead, res: personRes(id), want: want, valid: validPerson(id)}
	return access(ctx, g, req, s, func(ctx context.Context, d socle.Decision) (*socle.Person, outcome, error) {
		// The log records the categories read: those granted that were asked.
		p, err := g.store.Person(ctx, id, d.Categories&want)
		if socle.ErrorCode(err) == socle.ENOTFOUND {
			// A person the policy allowed but the store lacks is recorded
			// as a zero-record access, then reported absent.
			return nil, outcome{asked: want, refusal: fmt.Errorf("reading person: %w", err)}, nil
		} else if err != nil {
			return nil, outcome{}, fmt.Errorf("reading person: %w", err)
		}
		return p, outcome{records: 1, asked: want}, nil
	})
}

// SearchPersons searches among the persons the actor's organisation follows.
// Outside that population only an exact identifier (NIR) with the birth date
// finds someone, and the result is what the policy grants for a lookup.
func (g *Gate) SearchPersons(ctx context.Context, req Request, q socle.PersonQuery) ([]*socle.Person, socle.Decision, error) {
	exact := q.NIR != "" && !q.BirthDate.IsZero()
	req.exactLookup = exact
	s := spec{action: socle.ActionSearch, res: socle.Resource{Kind: socle.ResourcePerson}, want: socle.AllCategories,
		valid: func() error {
			if q.FamilyName == "" && q.GivenName == "" && q.NIR == "" && q.BirthDate.IsZero() && q.CommuneCode == "" {
				return socle.Errorf(socle.EINVALID, "search needs at least one criterion: family_name, given_name, birth_date, nir or commune_code")
			}
			return nil
		}}
	found, d, err := access(ctx, g, req, s, func(ctx context.Context, d socle.Decision) ([]*socle.Person, outcome, error) {
		scoped := q
		if err := scopeQuery(&scoped, req.Actor, d); err != nil {
			return nil, outcome{}, err
		}
		if scoped.Limit <= 0 || scoped.Limit > 50 {
			scoped.Limit = 50
		}
		found, err := g.store.SearchPersons(ctx, scoped, d.Categories)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("searching persons: %w", err)
		}
		if len(found) == 0 && exact {
			// Outside the followed population: an exact lookup, decided
			// and recorded on its own.
			return nil, outcome{none: true}, nil
		}
		ids := make([]string, len(found))
		for i, p := range found {
			ids[i] = p.ID
		}
		return found, outcome{records: len(ids), persons: ids, refs: true}, nil
	})
	if err != nil || len(found) > 0 || !exact {
		return found, d, err
	}
	return g.lookup(ctx, req, q)
}

// Outcomes of an exact-identifier lookup, in the Detail of its audit fact
// (FactExactLookup): what detection reads to find someone probing a file of
// identifiers.
const (
	FactExactLookup = "exact_lookup"
	LookupFound     = "found"
	LookupNotFound  = "not_found"
	LookupRefused   = "refused"
	LookupThrottled = "throttled" // refused by the volume throttle before the search
)

// lookupFact is the audit fact of an exact lookup: its outcome, whether the
// person lives in the actor's territory ("in", "out", "" when unknown) and
// whether a reason was given.
func lookupFact(outcome, territory string, req Request) socle.Fact {
	return socle.Fact{Kind: FactExactLookup,
		Detail: map[string]string{"outcome": outcome, "territory": territory, "reason": strconv.FormatBool(req.BreakGlass != "")},
		Text:   "Recherche par identifiant exact (NIR et date de naissance)."}
}

// lookupNone is what a caller learns of a lookup that returns no card,
// whether nobody has the identifier or the person is out of reach: the
// same answer, so that a lookup is no oracle.
var lookupNone = socle.Decision{Facts: []socle.Fact{{Kind: FactExactLookup,
	Text: "Aucune fiche n'est accessible avec cet identifiant. Hors du territoire de votre structure, une recherche par identifiant exact demande un motif (bris de glace), consigné au journal et signalé pour examen."}}}

// lookup finds a person outside the followed population by her exact
// identifier. Every lookup weighs LookupWeight in the throttle, found or
// not, so that probing a file of identifiers costs what reading it would;
// the policy limits it to the actor's territory unless a reason is given;
// its audit event says it was an exact lookup and its outcome.
func (g *Gate) lookup(ctx context.Context, req Request, q socle.PersonQuery) ([]*socle.Person, socle.Decision, error) {
	q.OrganisationID, q.Departements, q.Situations = "", nil, nil
	q.FamilyName, q.GivenName, q.CommuneCode = "", "", ""
	q.Limit = 1
	var cards []*socle.Person
	s := spec{action: socle.ActionSearch, res: socle.Resource{Kind: socle.ResourcePerson}, answersDenial: true,
		before: []socle.ThrottleRead{g.lookupRead(q)}, beforeFacts: []socle.Fact{lookupFact(LookupThrottled, "", req)},
		grounds: func(ctx context.Context, req Request, res *socle.Resource) (socle.Decision, error) {
			var err error
			if cards, err = g.store.SearchPersons(ctx, q, socle.SetOf(socle.CatIdentity)); err != nil {
				return socle.Decision{}, fmt.Errorf("looking up person: %w", err)
			}
			if len(cards) == 1 {
				res.ID = cards[0].ID
			}
			d, err := g.decision(ctx, req, socle.ActionSearch, *res, socle.SetOf(socle.CatIdentity))
			if err != nil {
				return socle.Decision{}, err
			}
			return d, nil
		}}
	return access(ctx, g, req, s, func(ctx context.Context, d socle.Decision) ([]*socle.Person, outcome, error) {
		result := LookupFound
		switch {
		case !d.Allow:
			result, cards = LookupRefused, nil
		case len(cards) == 0:
			result = LookupNotFound
		}
		territory := "in"
		for _, f := range d.Facts {
			if f.Detail["territory"] != "" {
				territory = f.Detail["territory"]
				break
			}
		}
		if d.BreakGlass {
			territory = "out"
		}
		for _, c := range cards {
			c.Mask(d.Categories)
			// A card says nothing of how often the file is written.
			c.Version = 0
		}
		shown := d
		o := outcome{records: len(cards), facts: []socle.Fact{lookupFact(result, territory, req)}, shown: &shown}
		if tokenScopeDenied(d) {
			o.refusal = socle.Errorf(socle.EFORBIDDEN, "the access token does not grant the scope %s", oauth.Scope(req.Purpose, socle.ActionSearch))
		}
		if len(cards) == 0 {
			o.shown = &lookupNone
		}
		return cards, o, nil
	})
}

// lookupRead is the throttled read of a lookup: a keyed hash of the
// identifier, so that the throttle's table holds no NIR.
func (g *Gate) lookupRead(q socle.PersonQuery) socle.ThrottleRead {
	sum := sha256.Sum256([]byte(g.personRef("lookup:" + q.NIR + "/" + q.BirthDate.String())))
	return socle.ThrottleRead{Subject: "lookup:" + hex.EncodeToString(sum[:16]), Weight: LookupWeight}
}

// CreatePerson records a new person, followed from today by the creator's
// organisation. The policy decides with the categories the record carries.
func (g *Gate) CreatePerson(ctx context.Context, req Request, p *socle.Person) (socle.Decision, error) {
	s := spec{action: socle.ActionCreate, res: socle.Resource{Kind: socle.ResourcePerson}, want: p.Categories(), need: p.Categories(), valid: p.Validate}
	_, d, err := access(ctx, g, req, s, func(ctx context.Context, d socle.Decision) (struct{}, outcome, error) {
		idem, replayed, err := g.idempotentCreate(ctx, req, "create_person", p)
		if err != nil {
			return struct{}{}, outcome{}, err
		}
		if replayed != nil {
			// A retry of a registration already made: nothing is written
			// again; the retry is recorded, and answered with the same person.
			p.ID, p.CreatedAt, p.UpdatedAt = replayed.ResourceID, replayed.CreatedAt, replayed.CreatedAt
			return struct{}{}, outcome{resID: p.ID, facts: []socle.Fact{{Kind: "idempotent_replay",
				Text: "Requête rejouée : cette personne avait déjà été enregistrée par la même requête."}}}, nil
		}
		if p.ID == "" {
			p.ID = socle.NewID(socle.PrefixPerson)
		}
		return struct{}{}, outcome{records: 1, resID: p.ID, write: func(ctx context.Context) error {
			// Registering a person starts her follow-up by the registering
			// organisation, with the registering agent as référent. The
			// person, who supplied her sections and the follow-up are one
			// transaction: a person stored without her follow-up would be
			// invisible to the organisation that registered her.
			f := &socle.Followup{
				ID: socle.NewID(socle.PrefixFollowup), PersonID: p.ID, OrganisationID: req.Actor.OrganisationID,
				AgentID: req.Actor.AgentID, Start: socle.DateOf(g.Now()),
			}
			if err := g.store.RegisterPerson(ctx, p, g.provenance(req, p.ID, p.Categories()), f, idem); err != nil {
				return fmt.Errorf("registering person: %w", err)
			}
			g.invalidate(p.ID)
			return g.indexHome(ctx, p)
		}}, nil
	})
	return d, err
}

// UpdatePerson replaces the sections of p the policy lets the actor write.
func (g *Gate) UpdatePerson(ctx context.Context, req Request, p *socle.Person) (socle.Decision, error) {
	s := spec{action: socle.ActionUpdate, res: personRes(p.ID), want: p.Categories(), need: p.Categories(), valid: validPerson(p.ID)}
	_, d, err := access(ctx, g, req, s, func(ctx context.Context, d socle.Decision) (struct{}, outcome, error) {
		return struct{}{}, outcome{records: 1, write: func(ctx context.Context) error {
			// The update and who supplied it are one transaction: an error
			// means nothing was applied.
			if err := g.store.UpdatePersonSupplied(ctx, p, d.Categories, g.provenance(req, p.ID, p.Categories()&d.Categories)); err != nil {
				return fmt.Errorf("updating person: %w", err)
			}
			g.invalidate(p.ID)
			return g.indexHome(ctx, p)
		}}, nil
	})
	return d, err
}

// Followups returns the follow-ups of a person the actor may read (the
// parcours category).
func (g *Gate) Followups(ctx context.Context, req Request, personID string) ([]*socle.Followup, socle.Decision, error) {
	parcours := socle.SetOf(socle.CatParcours)
	s := spec{action: socle.ActionRead, res: personRes(personID), want: parcours, need: parcours, valid: validPerson(personID)}
	return access(ctx, g, req, s, func(ctx context.Context, d socle.Decision) ([]*socle.Followup, outcome, error) {
		fs, err := g.store.Followups(ctx, personID)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading follow-ups: %w", err)
		}
		return fs, outcome{records: len(fs)}, nil
	})
}

// companyRead is a company with the contacts its decision grants.
type companyRead struct {
	company  *socle.Company
	contacts []*socle.CompanyContact
}

// ReadCompany returns a company. Companies are legal persons, but the read is
// decided and audited like any other, and contacts (natural persons) come
// only with the contact category.
func (g *Gate) ReadCompany(ctx context.Context, req Request, id string) (*socle.Company, []*socle.CompanyContact, socle.Decision, error) {
	s := spec{action: socle.ActionRead, res: socle.Resource{Kind: socle.ResourceCompany, ID: id}, want: socle.SetOf(socle.CatIdentity, socle.CatContact),
		valid: func() error {
			if !socle.ValidID(socle.PrefixCompany, id) {
				return socle.Errorf(socle.ENOTFOUND, "company not found")
			}
			return nil
		}}
	r, d, err := access(ctx, g, req, s, func(ctx context.Context, d socle.Decision) (companyRead, outcome, error) {
		c, err := g.store.Company(ctx, id)
		if err != nil {
			return companyRead{}, outcome{}, fmt.Errorf("reading company: %w", err)
		}
		r := companyRead{company: c}
		if d.Categories.Has(socle.CatContact) {
			if r.contacts, err = g.store.Contacts(ctx, id); err != nil {
				return companyRead{}, outcome{}, fmt.Errorf("reading contacts: %w", err)
			}
		}
		return r, outcome{records: 1 + len(r.contacts)}, nil
	})
	return r.company, r.contacts, d, err
}
