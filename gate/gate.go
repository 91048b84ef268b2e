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

// Store is what the gate reads and writes, behind its checks.
type Store interface {
	socle.PersonStore
	socle.FollowupStore
	socle.CompanyStore
	// A person's write goes with its provenance and follow-up in one
	// transaction.
	socle.PersonWriter
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
	// (throttle.go); nil means no limit.
	Throttle *Throttle
	// history searches the audit log for a person's own history; set by
	// SetAuditSearch (space.go).
	history AuditSearcher
	// homes is the detection directory's index of homes (homes.go); nil
	// keeps none.
	homes Homes
}

// New returns a gate over the store with the given policy, audit log and
// purpose register.
func New(store Store, policy socle.Policy, auditor socle.Auditor, purposes Purposes) *Gate {
	return &Gate{store: store, policy: policy, auditor: auditor, purposes: purposes, Now: time.Now}
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
		return socle.Decision{Facts: []socle.Fact{{Kind: factScope, Detail: map[string]string{"scope": oauth.Scope(req.Purpose, action)},
			Text: "Le jeton du système partenaire ne couvre pas « " + oauth.Scope(req.Purpose, action) + " » : l'accès est refusé."}}}, nil
	}
	d, err := g.policy.Decide(ctx, ar)
	if err != nil {
		return d, fmt.Errorf("deciding %s on %s: %w", action, res.Kind, err)
	}
	return g.breakGlassWindow(ctx, req, ar, d)
}

// factScope is the fact of a partner token used beyond its scopes.
const factScope = "scope"

// tokenScopeDenied reports whether d refuses a partner token used beyond
// its scopes (whose fact names the scope, unlike a population scope).
func tokenScopeDenied(d socle.Decision) bool {
	return !d.Allow && len(d.Facts) > 0 && d.Facts[0].Kind == factScope && d.Facts[0].Detail["scope"] != ""
}

// decide asks the policy and audits a denial. A denial of a read returns
// ENOTFOUND so that absent and forbidden look the same from outside. An
// allowed access then passes the throttle: nothing personal reaches a
// blocked principal or one asked to step up, and the read of a person
// counts toward the limits whatever the route (file, follow-ups,
// orientations, events, contracts…).
func (g *Gate) decide(ctx context.Context, req Request, action socle.Action, res socle.Resource, want socle.CategorySet) (socle.Decision, error) {
	d, err := g.decision(ctx, req, action, res, want)
	if err != nil {
		return d, err
	}
	if d.Allow {
		var reads []socle.ThrottleRead
		if action == socle.ActionRead && res.Kind == socle.ResourcePerson && res.ID != "" {
			reads = append(reads, personRead(res.ID))
		}
		var also []socle.Fact
		if req.exactLookup {
			also = append(also, lookupFact(LookupThrottled, "", req))
		}
		if err := g.throttleWith(ctx, req, action, res, also, reads...); err != nil {
			return d, err
		}
		return d, nil
	}
	if err := g.audit(ctx, req, action, res, d, 0); err != nil {
		return d, err
	}
	if tokenScopeDenied(d) {
		return d, socle.Errorf(socle.EFORBIDDEN, "the access token does not grant the scope %s", oauth.Scope(req.Purpose, action))
	}
	if res.ID != "" && (action == socle.ActionRead || action == socle.ActionUpdate) {
		return d, socle.Errorf(socle.ENOTFOUND, "%s not found", res.Kind)
	}
	return d, socle.Errorf(socle.EFORBIDDEN, "access denied: %s", d.Explanation())
}

// event is the audit event of a decision on req; every append of the gate
// starts from it.
func (g *Gate) event(req Request, action socle.Action, d socle.Decision, records int) socle.AuditEvent {
	var basis string
	if d.Allow {
		basis = socle.Basis(d.Facts, req.Actor.AgentID)
	}
	return socle.AuditEvent{
		Basis:          basis,
		Session:        g.keyedRef("session", req.Actor.SessionID),
		Remote:         g.keyedRef("remote", remoteHost(req.RemoteAddr)),
		CallRef:        req.CallRef,
		Time:           g.Now().UTC(),
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

// audit appends the decision to the log. Its error must stop the response.
func (g *Gate) audit(ctx context.Context, req Request, action socle.Action, res socle.Resource, d socle.Decision, records int) error {
	ev := g.event(req, action, d, records)
	ev.ResourceKind, ev.ResourceID = string(res.Kind), res.ID
	if res.Kind == socle.ResourcePerson && res.ID != "" {
		ev.PersonRef = g.personRef(res.ID)
		if req.Actor.PersonID == "" {
			// Agents' and clients' reads do not carry the clear id.
			ev.ResourceID = ""
		}
	}
	if err := readableEvent(ev); err != nil {
		return err
	}
	if err := g.auditor.Append(ctx, ev); err != nil {
		return socle.Errorf(socle.EUNAVAILABLE, "the access could not be recorded in the audit log; no data is returned")
	}
	return nil
}

// readableEvent refuses an event whose text is not valid UTF-8: stored, it
// could not be read back in canonical form, and its inclusion proof and the
// person's access history would fail for good.
func readableEvent(ev socle.AuditEvent) error {
	texts := []string{ev.RequestID, ev.AgentID, ev.ClientID, ev.OrganisationID, ev.Action, ev.ResourceKind, ev.ResourceID,
		ev.PersonRef, ev.Categories, ev.Purpose, ev.Explanation, ev.RemoteAddr, ev.BreakGlass}
	for _, f := range ev.Facts {
		texts = append(texts, f.Kind, f.Text)
		for k, v := range f.Detail {
			texts = append(texts, k, v)
		}
	}
	for _, t := range texts {
		if !utf8.ValidString(t) {
			return socle.Errorf(socle.EINVALID, "the access carries text that is not valid UTF-8; nothing is recorded nor returned")
		}
	}
	return nil
}

// ReadPerson returns the person with the categories the policy grants out of
// want (all when want is 0), and the decision with its explanation.
func (g *Gate) ReadPerson(ctx context.Context, req Request, id string, want socle.CategorySet) (*socle.Person, socle.Decision, error) {
	if err := g.checkCaller(req); err != nil {
		return nil, socle.Decision{}, err
	}
	if !socle.ValidID(socle.PrefixPerson, id) {
		return nil, socle.Decision{}, socle.Errorf(socle.ENOTFOUND, "person not found")
	}
	if want == 0 {
		want = socle.AllCategories
	}
	res := socle.Resource{Kind: socle.ResourcePerson, ID: id}
	d, err := g.decide(ctx, req, socle.ActionRead, res, want)
	if err != nil {
		return nil, d, err
	}
	p, err := g.store.Person(ctx, id, d.Categories&want)
	if err != nil {
		// A person the policy allowed but the store lacks is recorded as
		// a zero-record access, then reported absent.
		if socle.ErrorCode(err) == socle.ENOTFOUND {
			if aerr := g.audit(ctx, req, socle.ActionRead, res, d, 0); aerr != nil {
				return nil, d, aerr
			}
		}
		return nil, d, fmt.Errorf("reading person: %w", err)
	}
	// The log records the categories read: those granted that were asked.
	read := d
	read.Categories &= want
	if err := g.audit(ctx, req, socle.ActionRead, res, read, 1); err != nil {
		return nil, d, err
	}
	return p, d, nil
}

// SearchPersons searches among the persons the actor's organisation follows.
// Outside that population only an exact identifier (NIR) with the birth date
// finds someone, and the result is what the policy grants for a lookup.
func (g *Gate) SearchPersons(ctx context.Context, req Request, q socle.PersonQuery) ([]*socle.Person, socle.Decision, error) {
	if err := g.checkCaller(req); err != nil {
		return nil, socle.Decision{}, err
	}
	exact := q.NIR != "" && !q.BirthDate.IsZero()
	req.exactLookup = exact
	if q.FamilyName == "" && q.GivenName == "" && q.NIR == "" && q.BirthDate.IsZero() && q.CommuneCode == "" {
		return nil, socle.Decision{}, socle.Errorf(socle.EINVALID, "search needs at least one criterion: family_name, given_name, birth_date, nir or commune_code")
	}
	res := socle.Resource{Kind: socle.ResourcePerson}
	d, err := g.decide(ctx, req, socle.ActionSearch, res, socle.AllCategories)
	if err != nil {
		return nil, d, err
	}
	if err := scopeQuery(&q, req.Actor, d, g.policy); err != nil {
		return nil, d, err
	}
	if q.Limit <= 0 || q.Limit > 50 {
		q.Limit = 50
	}
	found, err := g.store.SearchPersons(ctx, q, d.Categories)
	if err != nil {
		return nil, d, fmt.Errorf("searching persons: %w", err)
	}
	if len(found) == 0 && exact {
		// Outside the followed population: an exact lookup returns a
		// minimal card, decided on its own.
		return g.lookup(ctx, req, q)
	}
	ids := make([]string, len(found))
	for i, p := range found {
		ids[i] = p.ID
	}
	if err := g.throttlePersons(ctx, req, socle.ActionSearch, res, ids); err != nil {
		return nil, d, err
	}
	if err := g.auditPersons(ctx, req, socle.ActionSearch, res, d, ids); err != nil {
		return nil, d, err
	}
	return found, d, nil
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
	res := socle.Resource{Kind: socle.ResourcePerson}
	throttled := lookupFact(LookupThrottled, "", req)
	if err := g.throttleWith(ctx, req, socle.ActionSearch, res, []socle.Fact{throttled}, g.lookupRead(q)); err != nil {
		return nil, socle.Decision{}, err
	}
	q.OrganisationID, q.Departements, q.Situations = "", nil, nil
	q.FamilyName, q.GivenName, q.CommuneCode = "", "", ""
	q.Limit = 1
	cards, err := g.store.SearchPersons(ctx, q, socle.SetOf(socle.CatIdentity))
	if err != nil {
		return nil, socle.Decision{}, fmt.Errorf("looking up person: %w", err)
	}
	if len(cards) == 1 {
		res.ID = cards[0].ID
	}
	d, err := g.decision(ctx, req, socle.ActionSearch, res, socle.SetOf(socle.CatIdentity))
	if err != nil {
		return nil, d, err
	}
	outcome := LookupFound
	switch {
	case !d.Allow:
		outcome, cards = LookupRefused, nil
	case len(cards) == 0:
		outcome = LookupNotFound
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
	audited := d
	audited.Facts = append(slices.Clip(d.Facts), lookupFact(outcome, territory, req))
	for _, c := range cards {
		c.Mask(d.Categories)
	}
	if err := g.audit(ctx, req, socle.ActionSearch, res, audited, len(cards)); err != nil {
		return nil, d, err
	}
	if tokenScopeDenied(d) {
		return nil, d, socle.Errorf(socle.EFORBIDDEN, "the access token does not grant the scope %s", oauth.Scope(req.Purpose, socle.ActionSearch))
	}
	if len(cards) == 0 {
		return nil, lookupNone, nil
	}
	return cards, d, nil
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
	if err := g.checkCaller(req); err != nil {
		return socle.Decision{}, err
	}
	if err := p.Validate(); err != nil {
		return socle.Decision{}, err
	}
	res := socle.Resource{Kind: socle.ResourcePerson}
	d, err := g.decide(ctx, req, socle.ActionCreate, res, p.Categories())
	if err != nil {
		return d, err
	}
	if lacking := p.Categories() &^ d.Categories; lacking != 0 {
		return d, socle.Errorf(socle.EFORBIDDEN, "your agreement does not allow writing: %s", lacking)
	}
	idem, replayed, err := g.idempotentCreate(ctx, req, "create_person", p)
	if err != nil {
		return d, err
	}
	if replayed != nil {
		// A retry of a registration already made: nothing is written
		// again; the retry is recorded, and answered with the same person.
		p.ID, p.CreatedAt, p.UpdatedAt = replayed.ResourceID, replayed.CreatedAt, replayed.CreatedAt
		res.ID = p.ID
		d.Facts = append(d.Facts, socle.Fact{Kind: "idempotent_replay", Text: "Requête rejouée : cette personne avait déjà été enregistrée par la même requête."})
		return d, g.audit(ctx, req, socle.ActionCreate, res, d, 0)
	}
	if p.ID == "" {
		p.ID = socle.NewID(socle.PrefixPerson)
	}
	res.ID = p.ID
	// Audit before the write: a write that cannot be recorded must not happen.
	if err := g.audit(ctx, req, socle.ActionCreate, res, d, 1); err != nil {
		return d, err
	}
	// Registering a person starts her follow-up by the registering
	// organisation, with the registering agent as référent. The person,
	// who supplied her sections and the follow-up are one transaction: a
	// person stored without her follow-up would be invisible to the
	// organisation that registered her.
	f := &socle.Followup{
		ID: socle.NewID(socle.PrefixFollowup), PersonID: p.ID, OrganisationID: req.Actor.OrganisationID,
		AgentID: req.Actor.AgentID, Start: socle.DateOf(g.Now()),
	}
	if err := g.store.RegisterPerson(ctx, p, g.provenance(req, p.ID, p.Categories()), f, idem); err != nil {
		return d, fmt.Errorf("registering person: %w", err)
	}
	g.invalidate(p.ID)
	if err := g.indexHome(ctx, p); err != nil {
		return d, err
	}
	return d, nil
}

// UpdatePerson replaces the sections of p the policy lets the actor write.
func (g *Gate) UpdatePerson(ctx context.Context, req Request, p *socle.Person) (socle.Decision, error) {
	if err := g.checkCaller(req); err != nil {
		return socle.Decision{}, err
	}
	if !socle.ValidID(socle.PrefixPerson, p.ID) {
		return socle.Decision{}, socle.Errorf(socle.ENOTFOUND, "person not found")
	}
	res := socle.Resource{Kind: socle.ResourcePerson, ID: p.ID}
	d, err := g.decide(ctx, req, socle.ActionUpdate, res, p.Categories())
	if err != nil {
		return d, err
	}
	if lacking := p.Categories() &^ d.Categories; lacking != 0 {
		return d, socle.Errorf(socle.EFORBIDDEN, "your agreement does not allow writing: %s", lacking)
	}
	if err := g.audit(ctx, req, socle.ActionUpdate, res, d, 1); err != nil {
		return d, err
	}
	// The update and who supplied it are one transaction: an error means
	// nothing was applied.
	if err := g.store.UpdatePersonSupplied(ctx, p, d.Categories, g.provenance(req, p.ID, p.Categories()&d.Categories)); err != nil {
		return d, fmt.Errorf("updating person: %w", err)
	}
	g.invalidate(p.ID)
	if err := g.indexHome(ctx, p); err != nil {
		return d, err
	}
	return d, nil
}

// Followups returns the follow-ups of a person the actor may read (the
// parcours category).
func (g *Gate) Followups(ctx context.Context, req Request, personID string) ([]*socle.Followup, socle.Decision, error) {
	if err := g.checkCaller(req); err != nil {
		return nil, socle.Decision{}, err
	}
	if !socle.ValidID(socle.PrefixPerson, personID) {
		return nil, socle.Decision{}, socle.Errorf(socle.ENOTFOUND, "person not found")
	}
	res := socle.Resource{Kind: socle.ResourcePerson, ID: personID}
	d, err := g.decide(ctx, req, socle.ActionRead, res, socle.SetOf(socle.CatParcours))
	if err != nil {
		return nil, d, err
	}
	if !d.Categories.Has(socle.CatParcours) {
		return nil, d, socle.Errorf(socle.EFORBIDDEN, "your agreement does not cover the parcours of this person")
	}
	fs, err := g.store.Followups(ctx, personID)
	if err != nil {
		return nil, d, fmt.Errorf("reading follow-ups: %w", err)
	}
	if err := g.audit(ctx, req, socle.ActionRead, res, d, len(fs)); err != nil {
		return nil, d, err
	}
	return fs, d, nil
}

// ReadCompany returns a company. Companies are legal persons, but the read is
// decided and audited like any other, and contacts (natural persons) come
// only with the contact category.
func (g *Gate) ReadCompany(ctx context.Context, req Request, id string) (*socle.Company, []*socle.CompanyContact, socle.Decision, error) {
	if err := g.checkCaller(req); err != nil {
		return nil, nil, socle.Decision{}, err
	}
	if !socle.ValidID(socle.PrefixCompany, id) {
		return nil, nil, socle.Decision{}, socle.Errorf(socle.ENOTFOUND, "company not found")
	}
	res := socle.Resource{Kind: socle.ResourceCompany, ID: id}
	d, err := g.decide(ctx, req, socle.ActionRead, res, socle.SetOf(socle.CatIdentity, socle.CatContact))
	if err != nil {
		return nil, nil, d, err
	}
	c, err := g.store.Company(ctx, id)
	if err != nil {
		return nil, nil, d, fmt.Errorf("reading company: %w", err)
	}
	var contacts []*socle.CompanyContact
	if d.Categories.Has(socle.CatContact) {
		if contacts, err = g.store.Contacts(ctx, id); err != nil {
			return nil, nil, d, fmt.Errorf("reading contacts: %w", err)
		}
	}
	if err := g.audit(ctx, req, socle.ActionRead, res, d, 1+len(contacts)); err != nil {
		return nil, nil, d, err
	}
	return c, contacts, d, nil
}
