package gate

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"socle"
	"socle/audit"
	"socle/oauth"
)

// caller names who an entry point admits; each kind has one check.
type caller int

const (
	// staffCaller is an agent or a partner system with a second factor (or
	// a client assertion) and a registered purpose: checkCaller.
	staffCaller caller = iota
	// selfCaller is a person in her own space: checkSelf.
	selfCaller
	// auditorCaller is a privacy officer signed in with a second factor:
	// socle.CheckAuditor.
	auditorCaller
	// anyCaller is anyone authenticated; the entry point's grounds decide.
	anyCaller
	// employerCaller is a company contact in the employer space.
	employerCaller
	// platformCaller is the gate's own work (the appointments' reminders),
	// asked by no one: an entry point with this caller takes no Request.
	platformCaller
)

// spec is what an entry point declares of its access; access runs the
// steps, in order, and the entry point supplies only its read or write.
type spec struct {
	caller caller
	// purposes are those the access fits; nil admits any registered one.
	purposes []string
	// valid checks the entry point's arguments once the caller is known:
	// nobody learns anything before saying who she is.
	valid func() error
	// locate finds the resource of an access named by another record (an
	// orientation, a contract, an offer) once the caller is admitted; its
	// error is answered without an audit.
	locate func(ctx context.Context) (socle.Resource, error)
	action socle.Action
	// logged is the action the audit log records when it is not the
	// decided one (a proposal decided as a read, a creation as an update).
	logged socle.Action
	res    socle.Resource
	// want is asked of the policy; need must be granted, or the access is
	// refused (EFORBIDDEN) after its decision.
	want, need socle.CategorySet
	// grounds, when set, decides instead of the policy: a person's own
	// file, a privacy officer's review, an employer's card, aggregates.
	// It may name the resource it found. A decision with Allow false is
	// audited, then answered with the error (the default refusal when
	// nil); an error with a decision without facts is a failure, answered
	// without an audit.
	grounds func(ctx context.Context, req Request, res *socle.Resource) (socle.Decision, error)
	// answersDenial lets do run on a denial (an exact lookup answers it
	// with no card); whatever do returns then, no data leaves.
	answersDenial bool
	// before are throttled before the decision, with beforeFacts on a
	// refusal (an exact lookup weighs its identifier, found or not).
	before      []socle.ThrottleRead
	beforeFacts []socle.Fact
	// recordAs is the request as the audit log records it (a person's
	// purpose droit_acces, an employer as a contact client…); it runs
	// once the access is decided.
	recordAs func(Request) Request
}

// outcome is what an entry point's read tells the rest of the path.
type outcome struct {
	// records is how many records the access disclosed or wrote.
	records int
	// persons a listing disclosed: each is throttled, and referenced in
	// the event when refs is set, so that detection sees them all.
	persons []string
	refs    bool
	// refsOnly says the persons were disclosed as references, not data
	// (the change feed): referenced in the event, not throttled.
	refsOnly bool
	// facts are added to the decision's, in the event and in the answer.
	facts []socle.Fact
	// asked, when not 0, narrows the categories recorded to the granted
	// ones that were asked.
	asked socle.CategorySet
	// resID names the resource the read found or the write creates.
	resID string
	// personRef names the person of an event without a person resource.
	personRef string
	// write runs once the access is recorded: a write that cannot be
	// recorded does not happen.
	write func(ctx context.Context) error
	// refusal is answered once the access is recorded, with no data.
	refusal error
	// none means that nothing was read: nothing is recorded and no data
	// leaves (a search that falls through to an exact lookup).
	none bool
	// shown replaces the decision answered to the caller.
	shown *socle.Decision
}

// access is the one path of every entry point: check the caller, require
// the purpose, decide, throttle, read (do), record in the audit log, write,
// answer. A denial, a refusal of the throttle, a failed read, a failed
// append or a failed write returns the zero T: no data leaves unless its
// access is recorded.
func access[T any](ctx context.Context, g *Gate, req Request, s spec, do func(ctx context.Context, d socle.Decision) (T, outcome, error)) (T, socle.Decision, error) {
	var none T
	if err := g.admit(req, s); err != nil {
		return none, socle.Decision{}, err
	}
	logged := s.action
	if s.logged != "" {
		logged = s.logged
	}
	res := s.res
	if s.locate != nil {
		var err error
		if res, err = s.locate(ctx); err != nil {
			return none, socle.Decision{}, err
		}
	}
	if len(s.before) > 0 {
		if err := g.throttleWith(ctx, req, s.action, res, s.beforeFacts, s.before...); err != nil {
			return none, socle.Decision{}, err
		}
	}
	d, refusal, err := g.ground(ctx, req, s, &res)
	if err != nil {
		return none, d, err
	}
	recorded := req
	if s.recordAs != nil {
		recorded = s.recordAs(req)
	}
	if !d.Allow && !s.answersDenial {
		return none, d, g.refuse(ctx, recorded, s.action, res, d, refusal)
	}
	if d.Allow {
		if err := g.throttleDecided(ctx, recorded, s.action, res); err != nil {
			return none, d, err
		}
		if lacking := s.need &^ d.Categories; lacking != 0 {
			return none, d, socle.Errorf(socle.EFORBIDDEN, "your agreement does not cover: %s", lacking)
		}
	}
	v, o, err := do(ctx, d)
	if err != nil {
		return none, d, err
	}
	if !d.Allow {
		v = none
	}
	if o.none {
		return none, d, nil
	}
	if len(o.persons) > 0 && !o.refsOnly {
		if err := g.throttlePersons(ctx, recorded, s.action, res, o.persons); err != nil {
			return none, d, err
		}
	}
	audited := d
	audited.Facts = append(slices.Clip(d.Facts), o.facts...)
	if o.asked != 0 {
		audited.Categories &= o.asked
	}
	if o.resID != "" {
		res.ID = o.resID
	}
	ev := g.event(recorded, logged, audited, o.records)
	g.locate(&ev, recorded, res)
	if o.personRef != "" {
		ev.PersonRef = o.personRef
	}
	if o.refs {
		for _, id := range o.persons {
			ev.PersonRefs = append(ev.PersonRefs, g.personRef(id))
		}
	}
	if err := g.audit(ctx, ev); err != nil {
		return none, d, err
	}
	if o.write != nil {
		if err := o.write(ctx); err != nil {
			return none, d, err
		}
	}
	if o.refusal != nil {
		return none, d, o.refusal
	}
	shown := d
	shown.Facts = audited.Facts
	if o.shown != nil {
		shown = *o.shown
	}
	return v, shown, nil
}

// admit runs the caller's check and requires the purpose.
func (g *Gate) admit(req Request, s spec) error {
	var err error
	switch s.caller {
	case staffCaller:
		err = g.checkCaller(req)
	case selfCaller:
		err = checkSelf(req)
	case auditorCaller:
		_, err = socle.CheckAuditor(req.Actor)
	case anyCaller:
		err = authenticated(req)
	case employerCaller:
		err = checkEmployer(req)
	case platformCaller:
		if req.Actor.Authenticated() {
			err = fmt.Errorf("the platform's own access has no caller")
		}
	}
	if err != nil {
		return err
	}
	if s.purposes != nil {
		if err := requirePurpose(req, s.purposes...); err != nil {
			return err
		}
	}
	if s.valid != nil {
		return s.valid()
	}
	return nil
}

// on is the grounds of an access decided by the entry point: always d.
func on(d socle.Decision) func(context.Context, Request, *socle.Resource) (socle.Decision, error) {
	return func(context.Context, Request, *socle.Resource) (socle.Decision, error) { return d, nil }
}

// writing is the read of an access that only writes one record, once
// the access is recorded.
func writing(write func(ctx context.Context) error) func(context.Context, socle.Decision) (struct{}, outcome, error) {
	return func(context.Context, socle.Decision) (struct{}, outcome, error) {
		return struct{}{}, outcome{records: 1, write: write}, nil
	}
}

// ground decides the access: the entry point's grounds, or the partner
// token's scopes and the policy. refusal is the answer of a denial by the
// grounds.
func (g *Gate) ground(ctx context.Context, req Request, s spec, res *socle.Resource) (d socle.Decision, refusal, err error) {
	if s.grounds == nil {
		d, err = g.decision(ctx, req, s.action, *res, s.want)
		return d, nil, err
	}
	d, err = s.grounds(ctx, req, res)
	if err != nil && (d.Allow || len(d.Facts) == 0) {
		return socle.Decision{}, nil, err
	}
	return d, err, nil
}

// refuse records a denial and answers it: with the grounds' refusal when
// they gave one; for a read, ENOTFOUND, so that absent and forbidden look
// the same from outside.
func (g *Gate) refuse(ctx context.Context, req Request, action socle.Action, res socle.Resource, d socle.Decision, refusal error) error {
	ev := g.event(req, action, d, 0)
	g.locate(&ev, req, res)
	if err := g.audit(ctx, ev); err != nil {
		return err
	}
	switch {
	case refusal != nil:
		return refusal
	case tokenScopeDenied(d):
		return socle.Errorf(socle.EFORBIDDEN, "the access token does not grant the scope %s", oauth.Scope(req.Purpose, action))
	case res.ID != "" && (action == socle.ActionRead || action == socle.ActionUpdate):
		return socle.Errorf(socle.ENOTFOUND, "%s not found", res.Kind)
	}
	return socle.Errorf(socle.EFORBIDDEN, "access denied: %s", d.Explanation())
}

// locate names the resource of an event: a person by her pseudonymous
// reference, and by her id only in her own space.
func (g *Gate) locate(ev *audit.Act, req Request, res socle.Resource) {
	ev.ResourceKind, ev.ResourceID = string(res.Kind), res.ID
	if res.Kind == socle.ResourcePerson && res.ID != "" {
		ev.PersonRef = g.personRef(res.ID)
		if req.Actor.PersonID == "" {
			// Agents' and clients' reads do not carry the clear id.
			ev.ResourceID = ""
		}
	}
}

// audit builds the event of act and makes it durable; its error must stop
// the answer.
func (g *Gate) audit(ctx context.Context, act audit.Act) error {
	ev, err := audit.Event(g.Now(), act)
	if err != nil {
		return err
	}
	if err := g.auditor.Append(ctx, ev); err != nil {
		return socle.Errorf(socle.EUNAVAILABLE, "the access could not be recorded in the audit log; no data is returned")
	}
	return nil
}

// throttleDecided passes an allowed access through the throttle: nothing
// personal reaches a blocked principal or one asked to step up, and the
// read of a person counts toward the limits whatever the route (file,
// follow-ups, orientations, events, contracts…).
func (g *Gate) throttleDecided(ctx context.Context, req Request, action socle.Action, res socle.Resource) error {
	var reads []socle.ThrottleRead
	if action == socle.ActionRead && res.Kind == socle.ResourcePerson && res.ID != "" {
		reads = append(reads, personRead(res.ID))
	}
	var also []socle.Fact
	if req.exactLookup {
		also = append(also, lookupFact(LookupThrottled, "", req))
	}
	return g.throttleWith(ctx, req, action, res, also, reads...)
}

// throttlePersons counts the persons a listing returns, each once.
func (g *Gate) throttlePersons(ctx context.Context, req Request, action socle.Action, res socle.Resource, personIDs []string) error {
	reads := make([]socle.ThrottleRead, 0, len(personIDs))
	for _, id := range personIDs {
		if r := personRead(id); !slices.Contains(reads, r) {
			reads = append(reads, r)
		}
	}
	return g.throttleWith(ctx, req, action, res, nil, reads...)
}

// throttleWith consults the gate's Throttle (none: no limit) before
// personal data is returned, and records a refusal in the audit log like
// any denial, with the facts also.
func (g *Gate) throttleWith(ctx context.Context, req Request, action socle.Action, res socle.Resource, also []socle.Fact, reads ...socle.ThrottleRead) error {
	err := g.Throttle.Allow(ctx, req.Actor, req.Purpose, g.Now(), reads...)
	if err == nil {
		return nil
	}
	code := socle.ErrorCode(err)
	if code != socle.ESTEPUP && code != socle.EFORBIDDEN {
		// The state could not be read or written: no data leaves.
		return socle.Errorf(socle.EUNAVAILABLE, "the volume of reads could not be checked; no data is returned")
	}
	text := "Volume inhabituel de lectures : l'accès est suspendu et une alerte critique est levée."
	if code == socle.ESTEPUP {
		text = "Volume inhabituel de lectures : une nouvelle authentification à deux facteurs est demandée."
	}
	weight := 0
	for _, r := range reads {
		weight += r.Weight
	}
	d := socle.Decision{Facts: append([]socle.Fact{{Kind: "throttle", Detail: map[string]string{"code": code, "reads": strconv.Itoa(weight)}, Text: text}}, also...)}
	ev := g.event(req, action, d, 0)
	g.locate(&ev, req, res)
	if aerr := g.audit(ctx, ev); aerr != nil {
		return aerr
	}
	return err
}
