package gate

import (
	"context"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"socle"
)

// LookupWeight is how many reads one exact-identifier lookup (NIR and birth
// date) counts for in the throttle: a lookup reaches a person nobody in the
// caller's organisation follows, one card at a time, which is how a leaked
// file of identifiers is turned into a leak of the register.
const LookupWeight = 5

// The platform's limits of weighted reads per hour. An adviser follows
// about a hundred persons and opens a few dozen files a day; a search
// counts every person it returns. Past DefaultStepUp an agent confirms her
// second factor; past DefaultBlock (an agent) or DefaultStepUp (a partner
// system, which cannot step up) the account is blocked.
const (
	DefaultStepUp = 250
	DefaultBlock  = 1000
)

// Throttle limits, inline, how much personal data one agent or partner
// system reads in a sliding window: mass extraction is stopped while it
// happens, not found weeks later. Every personal-data read counts: a person
// read by any route (file, follow-ups, orientations, events, contracts…)
// weighs 1 once per window, a person returned by a search 1, an
// exact-identifier lookup LookupWeight whatever it finds. Crossing StepUp
// asks an agent for a fresh second factor (ESTEPUP); crossing Block, or
// StepUp for a partner system that cannot step up, blocks the principal and
// raises a critical alert. While a step-up is pending or a block is in
// force, the principal reaches no personal data at all. An access under a
// declared, approved bulk task (Exempt) is not counted.
//
// The state lives in the store (socle.ThrottleStore): a restart lifts
// nothing, and every server on the same store shares the counts, step-ups
// and blocks; each server keeps the windows it uses in memory while the
// store says they have not changed (throttlewindow.go). Only a privacy
// officer lifts a block (Gate.LiftBlock).
type Throttle struct {
	Window   time.Duration // default one hour
	StepUp   int           // weighted reads per window before a step-up (default DefaultStepUp)
	Block    int           // weighted reads per window before a block (default DefaultBlock)
	BlockFor time.Duration // how long a block lasts unless lifted (default 24 hours)
	// Exempt reports whether the access belongs to an approved bulk task.
	Exempt func(actor socle.Actor, purpose string, now time.Time) bool
	// Alert raises the critical alert of a block.
	Alert func(ctx context.Context, actor socle.Actor, weight int)
	// Observe, when set, is told of each step-up asked ("step_up") and
	// each block ("block"), for the metrics.
	Observe func(outcome string)

	store socle.ThrottleStore // immutable; never nil
	seed  maphash.Seed
	// locks serialise one principal's check on this server.
	locks [32]sync.Mutex
	// inflight are the reads allowed on this server whose count is being
	// written, by principal (inflight.go).
	inflight inflightReads
	// windows are the principals' windows this server keeps in memory
	// (throttlewindow.go).
	windows windows
}

// NewThrottle returns a throttle with the default limits over the store
// that keeps its state.
func NewThrottle(store socle.ThrottleStore) *Throttle {
	return &Throttle{store: store, seed: maphash.MakeSeed()}
}

func (t *Throttle) defaults() (window time.Duration, stepUp, block int, blockFor time.Duration) {
	window, stepUp, block, blockFor = t.Window, t.StepUp, t.Block, t.BlockFor
	if window <= 0 {
		window = time.Hour
	}
	if stepUp <= 0 {
		stepUp = DefaultStepUp
	}
	if block <= 0 {
		block = DefaultBlock
	}
	if blockFor <= 0 {
		blockFor = 24 * time.Hour
	}
	return
}

// PrincipalKey names the principal the throttle counts for: "agent:ID" or
// "client:ID".
func PrincipalKey(a socle.Actor) string {
	if a.AgentID != "" {
		return "agent:" + a.AgentID
	}
	return "client:" + a.ClientID
}

func (t *Throttle) lock(principal string) func() {
	mu := &t.locks[maphash.String(t.seed, principal)%uint64(len(t.locks))]
	mu.Lock()
	return mu.Unlock
}

// personRead is the throttled read of one person.
func personRead(id string) socle.ThrottleRead {
	return socle.ThrottleRead{Subject: "person:" + id, Weight: 1}
}

var errBlocked = socle.Errorf(socle.EFORBIDDEN, "access to personal data is suspended for this account after an unusual volume of reads; contact your privacy officer")

// Allow checks the principal's state and counts the reads she is about to
// make: nil, ESTEPUP (an agent must authenticate again with a second
// factor) or EFORBIDDEN (blocked). Reads are counted only when allowed.
// With no reads, Allow only checks that the principal is neither blocked
// nor asked for a step-up: every personal-data access passes it.
func (t *Throttle) Allow(ctx context.Context, actor socle.Actor, purpose string, now time.Time, reads ...socle.ThrottleRead) error {
	if t == nil || actor.AgentID == "" && actor.ClientID == "" {
		return nil // a person in her own space is not throttled
	}
	window, stepUp, block, blockFor := t.defaults()
	principal := PrincipalKey(actor)
	since := now.Add(-window)
	unlock := t.lock(principal)
	locked := true
	defer func() {
		if locked {
			unlock()
		}
	}()
	st, err := t.store.ThrottleState(ctx, principal)
	if err != nil {
		return fmt.Errorf("reading the throttle state: %w", err)
	}
	w := t.windows.of(principal, now, window)
	if err := w.sync(ctx, t.store, principal, st.ReadsVersion, since); err != nil {
		return err
	}
	weight := w.weigh(since)
	// The reads of the principal allowed but not yet durably counted are
	// counted too: each is then either in the window (its count committed
	// meanwhile) or counted from here, never missed.
	pending := t.inflight.of(principal)
	var counted []string
	for _, r := range pending {
		if !w.has(r.Subject) && !slices.Contains(counted, r.Subject) {
			weight += r.Weight
			counted = append(counted, r.Subject)
		}
	}
	if now.Before(st.BlockedUntil) {
		return errBlocked
	}
	client := actor.AgentID == ""
	if !client && st.StepUpAsked.After(st.SteppedUp) && now.Sub(st.StepUpAsked) < window {
		return socle.Errorf(socle.ESTEPUP, "an unusual volume of reads: confirm your identity with your second factor to continue")
	}
	if len(reads) == 0 || t.Exempt != nil && t.Exempt(actor, purpose, now) {
		return nil
	}
	n := weight
	for _, r := range reads {
		if !w.has(r.Subject) && !slices.Contains(counted, r.Subject) {
			n += r.Weight
			counted = append(counted, r.Subject) // a subject named twice counts once
		}
	}
	if n > block || (client && n > stepUp) {
		if err := t.store.BlockPrincipal(ctx, principal, actor.OrganisationID, now, now.Add(blockFor), n); err != nil {
			return fmt.Errorf("recording a block: %w", err)
		}
		if t.Observe != nil {
			t.Observe("block")
		}
		if t.Alert != nil {
			t.Alert(ctx, actor, n)
		}
		return socle.Errorf(socle.EFORBIDDEN, "access to personal data is suspended for this account: %d weighted reads in %s; a critical alert was raised", n, window)
	}
	if n > stepUp && now.Sub(st.SteppedUp) > window {
		if err := t.store.AskStepUp(ctx, principal, actor.OrganisationID, now); err != nil {
			return fmt.Errorf("recording a step-up: %w", err)
		}
		if t.Observe != nil {
			t.Observe("step_up")
		}
		return socle.Errorf(socle.ESTEPUP, "%s weighted reads in %s: confirm your identity with your second factor to continue", strconv.Itoa(weight), window)
	}
	// A subject already in the window only moves its time here; the
	// others, and those whose stored time is getting old, are written
	// before the read proceeds (throttlewindow.go).
	var write []socle.ThrottleRead
	refreshBefore := now.Add(-window / refreshAfter)
	for _, r := range reads {
		c := w.subjects[r.Subject]
		switch {
		case c == nil || c.storedAt.Before(refreshBefore) || c.weight != r.Weight:
			write = append(write, r)
		case now.After(c.at):
			c.at = now
		}
	}
	if len(write) == 0 {
		return nil
	}
	// The count is written outside the lock, so that the counts of one
	// principal's concurrent reads are committed together; until it is
	// durable it is in flight, and the principal's next checks count it.
	done := t.inflight.add(principal, write)
	unlock()
	locked = false
	version, err := t.store.CountThrottleReads(ctx, principal, write, now, since)
	relock := t.lock(principal)
	if err == nil {
		w.written(write, now, version)
	} else {
		t.windows.forget(principal)
	}
	done()
	relock()
	if err != nil {
		return fmt.Errorf("counting reads: %w", err)
	}
	return nil
}

// SteppedUp records that the agent just authenticated again with a second
// factor: she may read up to Block in the window.
func (t *Throttle) SteppedUp(ctx context.Context, actor socle.Actor, now time.Time) error {
	if t == nil {
		return nil
	}
	if err := t.store.RecordStepUp(ctx, PrincipalKey(actor), now); err != nil {
		return fmt.Errorf("recording a step-up: %w", err)
	}
	return nil
}

// MinLiftReason is the shortest reason a privacy officer gives to lift a
// block.
const MinLiftReason = 20

// throttleKept refuses a review of blocks on a gate without a throttle.
func (g *Gate) throttleKept() error {
	if g.Throttle == nil {
		return socle.Errorf(socle.EUNAVAILABLE, "this server has no volume throttle")
	}
	return nil
}

// ThrottleBlocks lists the blocks in force for privacy officers, newest
// first. The listing is audited and fails closed.
func (g *Gate) ThrottleBlocks(ctx context.Context, req Request, limit int) ([]socle.ThrottleState, error) {
	s := auditorSpec("throttle_blocks_list", socle.Resource{}, socle.Fact{Kind: "throttle_review",
		Text: "Consultation des comptes bloqués pour volume inhabituel de lectures par le délégué à la protection des données."})
	s.valid = g.throttleKept
	list, _, err := access(ctx, g, req, s, func(ctx context.Context, _ socle.Decision) ([]socle.ThrottleState, outcome, error) {
		list, err := g.Throttle.store.ThrottleBlocks(ctx, g.Now(), limit)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("listing blocks: %w", err)
		}
		return list, outcome{records: len(list)}, nil
	})
	return list, err
}

// LiftBlock lifts the block of a principal ("agent:ID" or "client:ID")
// after review by a privacy officer, who must give her reason. The lifting
// is recorded in the audit log before it happens; the principal starts a
// fresh window.
func (g *Gate) LiftBlock(ctx context.Context, req Request, principal, reason string) error {
	reason = strings.TrimSpace(reason)
	s := auditorSpec("throttle_block_lifted", socle.Resource{Kind: "principal", ID: principal}, socle.Fact{Kind: "throttle_lift",
		Detail: map[string]string{"principal": principal, "reason": reason},
		Text:   "Levée par le délégué à la protection des données du blocage d'un compte pour volume inhabituel de lectures, motif : « " + reason + " »."})
	s.valid = func() error {
		if err := g.throttleKept(); err != nil {
			return err
		}
		var pr socle.Problems
		if kind, id, _ := strings.Cut(principal, ":"); (kind != "agent" && kind != "client") || id == "" {
			pr.Add("principal", `"agent:ID" or "client:ID"`)
		}
		if utf8.RuneCountInString(reason) < MinLiftReason {
			pr.Add("reason", "required, at least %d characters", MinLiftReason)
		}
		if err := pr.Err("lifting a block"); err != nil {
			return err
		}
		if principal == PrincipalKey(req.Actor) {
			return socle.Errorf(socle.EFORBIDDEN, "another privacy officer must lift your own block")
		}
		return nil
	}
	_, _, err := access(ctx, g, req, s, func(ctx context.Context, _ socle.Decision) (struct{}, outcome, error) {
		st, err := g.Throttle.store.ThrottleState(ctx, principal)
		if err != nil {
			return struct{}{}, outcome{}, fmt.Errorf("reading the block: %w", err)
		}
		if !g.Now().Before(st.BlockedUntil) {
			return struct{}{}, outcome{}, socle.Errorf(socle.ENOTFOUND, "no block in force for this account")
		}
		return struct{}{}, outcome{write: func(ctx context.Context) error {
			if err := g.Throttle.store.LiftBlock(ctx, principal, g.Now()); err != nil {
				return fmt.Errorf("lifting the block: %w", err)
			}
			return nil
		}}, nil
	})
	return err
}
