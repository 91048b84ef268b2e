package gate

import (
	"context"
	"hash/maphash"
	"strconv"
	"sync"
	"time"

	"socle"
)

// Throttle limits, inline, how many distinct persons one agent or partner
// system reads in a sliding window: mass extraction is stopped while it
// happens, not found weeks later. Crossing StepUp asks an agent for a fresh
// second factor (ESTEPUP); crossing Block, or StepUp for a partner system
// that cannot step up, blocks the principal and raises a critical alert. An
// access under a declared, approved bulk task (Exempt) is not counted.
// The zero value is ready with the defaults; it is safe for concurrent use
// and kept in memory, sharded by principal.
type Throttle struct {
	Window   time.Duration // default one hour
	StepUp   int           // distinct persons per window before a step-up (default 200)
	Block    int           // distinct persons per window before a block (default 1000)
	BlockFor time.Duration // how long a block lasts unless lifted (default 24 hours)
	// Exempt reports whether the access belongs to an approved bulk task.
	Exempt func(actor socle.Actor, purpose string, now time.Time) bool
	// Alert raises the critical alert of a block.
	Alert func(ctx context.Context, actor socle.Actor, distinct int)
	// Observe, when set, is told of each step-up asked ("step_up") and
	// each block ("block"), for the metrics.
	Observe func(outcome string)

	seed   maphash.Seed
	once   sync.Once
	shards [32]throttleShard
}

type throttleShard struct {
	mu sync.Mutex
	m  map[string]*throttled
}

// throttled is one principal's window: the persons read with the time of
// their last read, and the reads in time order to expire them.
type throttled struct {
	last      map[string]time.Time
	queue     []throttleRead
	head      int
	steppedUp time.Time
	blocked   time.Time // blocked until
}

type throttleRead struct {
	at     time.Time
	person string
}

func (t *Throttle) defaults() (window time.Duration, stepUp, block int, blockFor time.Duration) {
	window, stepUp, block, blockFor = t.Window, t.StepUp, t.Block, t.BlockFor
	if window <= 0 {
		window = time.Hour
	}
	if stepUp <= 0 {
		stepUp = 200
	}
	if block <= 0 {
		block = 1000
	}
	if blockFor <= 0 {
		blockFor = 24 * time.Hour
	}
	return
}

func principalKey(a socle.Actor) string {
	if a.AgentID != "" {
		return "agent:" + a.AgentID
	}
	return "client:" + a.ClientID
}

func (t *Throttle) state(key string) (*throttleShard, *throttled) {
	t.once.Do(func() { t.seed = maphash.MakeSeed() })
	sh := &t.shards[maphash.String(t.seed, key)%uint64(len(t.shards))]
	sh.mu.Lock()
	if sh.m == nil {
		sh.m = map[string]*throttled{}
	}
	st, ok := sh.m[key]
	if !ok {
		st = &throttled{last: map[string]time.Time{}}
		sh.m[key] = st
	}
	return sh, st
}

// Allow counts the persons the actor is about to read and says whether she
// may: nil, ESTEPUP (an agent must authenticate again with a second
// factor) or EFORBIDDEN (blocked). Persons are counted only when allowed.
func (t *Throttle) Allow(ctx context.Context, actor socle.Actor, purpose string, now time.Time, persons ...string) error {
	if t == nil || len(persons) == 0 || actor.PersonID != "" && actor.AgentID == "" && actor.ClientID == "" {
		return nil
	}
	if t.Exempt != nil && t.Exempt(actor, purpose, now) {
		return nil
	}
	window, stepUp, block, blockFor := t.defaults()
	sh, st := t.state(principalKey(actor))
	// Expire what left the window.
	for st.head < len(st.queue) && !st.queue[st.head].at.After(now.Add(-window)) {
		r := st.queue[st.head]
		if st.last[r.person].Equal(r.at) {
			delete(st.last, r.person)
		}
		st.head++
	}
	if st.head > 1024 && st.head*2 > len(st.queue) {
		st.queue = append(st.queue[:0], st.queue[st.head:]...)
		st.head = 0
	}
	if now.Before(st.blocked) {
		sh.mu.Unlock()
		return socle.Errorf(socle.EFORBIDDEN, "access to personal data is suspended for this account after an unusual volume of reads; contact your privacy officer")
	}
	n := len(st.last)
	for _, p := range persons {
		if _, ok := st.last[p]; !ok {
			n++
		}
	}
	client := actor.AgentID == ""
	if n > block || (client && n > stepUp) {
		st.blocked = now.Add(blockFor)
		sh.mu.Unlock()
		if t.Observe != nil {
			t.Observe("block")
		}
		if t.Alert != nil {
			t.Alert(ctx, actor, n)
		}
		return socle.Errorf(socle.EFORBIDDEN, "access to personal data is suspended for this account: %d distinct persons in %s; a critical alert was raised", n, window)
	}
	if n > stepUp && now.Sub(st.steppedUp) > window {
		sh.mu.Unlock()
		if t.Observe != nil {
			t.Observe("step_up")
		}
		return socle.Errorf(socle.ESTEPUP, "%s distinct persons read in %s: confirm your identity with your second factor to continue", strconv.Itoa(n-len(persons)), window)
	}
	for _, p := range persons {
		st.last[p] = now
		st.queue = append(st.queue, throttleRead{at: now, person: p})
	}
	sh.mu.Unlock()
	return nil
}

// SteppedUp records that the agent just authenticated again with a second
// factor: she may read up to Block distinct persons in the window.
func (t *Throttle) SteppedUp(actor socle.Actor, now time.Time) {
	sh, st := t.state(principalKey(actor))
	st.steppedUp = now
	sh.mu.Unlock()
}

// Unblock lifts a block, after review by a privacy officer.
func (t *Throttle) Unblock(actor socle.Actor) {
	sh, st := t.state(principalKey(actor))
	st.blocked = time.Time{}
	sh.mu.Unlock()
}

// throttle consults the gate's Throttle (none: no limit) before persons are
// returned, and records a refusal in the audit log like any denial.
func (g *Gate) throttle(ctx context.Context, req Request, action socle.Action, res socle.Resource, persons ...string) error {
	err := g.Throttle.Allow(ctx, req.Actor, req.Purpose, g.Now(), persons...)
	if err == nil {
		return nil
	}
	text := "Volume inhabituel de lectures : l'accès est suspendu et une alerte critique est levée."
	if socle.ErrorCode(err) == socle.ESTEPUP {
		text = "Volume inhabituel de lectures : une nouvelle authentification à deux facteurs est demandée."
	}
	d := socle.Decision{Facts: []socle.Fact{{Kind: "throttle", Detail: map[string]string{"code": socle.ErrorCode(err), "persons": strconv.Itoa(len(persons))}, Text: text}}}
	if aerr := g.audit(ctx, req, action, res, d, 0); aerr != nil {
		return aerr
	}
	return err
}
