package gate

import (
	"context"
	"fmt"
	"sync"
	"time"

	"socle"
)

// Every personal-data read asks the throttle, and reading a principal's
// window from the store (the weight of up to a thousand rows and which of
// the subjects are among them) was a quarter of the CPU of an audited read.
// Each server therefore keeps the windows of the principals it serves in
// memory, exact for what it counted itself, and the store stays the
// source of truth:
//
//   - The state (step-up asked or given, block) is read from the store at
//     every check, by its primary key: a block recorded or lifted by any
//     server is seen at the next request everywhere.
//   - The state carries the principal's reads version, which every count
//     written and every lifted block changes. A window is taken from
//     memory only while the version is the one it reflects; otherwise it
//     is read again from the store. Another server's counts are thus seen
//     at the next check, as before.
//   - A subject not yet in the window is written to the store before the
//     read proceeds, as before (with the reads in flight of inflight.go):
//     a restart or another server counts it.
//   - A subject read again only moves its time in memory; the store is
//     told when its stored time is older than refreshAfter of the window.
//     A subject read again is never counted twice; the store's time may
//     lag the true one by less than refreshAfter, so after a restart, or
//     on another server, a subject read again at the very edge of the
//     window may leave it up to that much early. The thresholds are
//     exact on the server that counts; nothing else loosens.

// refreshAfter is the fraction of the window after which a subject read
// again has its stored time moved: a minute of an hour.
const refreshAfter = 60

// windowsKept bounds the principals whose windows are kept; past it those
// not seen for a window are dropped, and read again if they come back.
const windowsKept = 10_000

// window is one principal's counted reads as this server knows them.
// Guarded by the principal's lock (Throttle.lock).
type window struct {
	version  int64 // the store's reads version this window reflects
	loaded   bool
	subjects map[string]*counted
	lastUsed time.Time
	// total is the weight of subjects; oldest is at most the earliest of
	// their times, so that while it is in the window nothing left it.
	total  int
	oldest time.Time
}

// counted is one subject in a window.
type counted struct {
	weight   int
	at       time.Time // the last read, exact on this server
	storedAt time.Time // the time the store holds
}

// windows maps principals to their window. The zero value is empty.
type windows struct {
	mu sync.Mutex
	m  map[string]*window
}

// of returns principal's window, created empty (not loaded) when none is
// kept. The caller holds the principal's lock.
func (ws *windows) of(principal string, now time.Time, keep time.Duration) *window {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	w := ws.m[principal]
	if w == nil {
		if ws.m == nil {
			ws.m = map[string]*window{}
		}
		if len(ws.m) >= windowsKept {
			for p, old := range ws.m {
				if now.Sub(old.lastUsed) > keep {
					delete(ws.m, p)
				}
			}
		}
		w = &window{}
		ws.m[principal] = w
	}
	w.lastUsed = now
	return w
}

// forget drops principal's window, to be read again at the next check.
func (ws *windows) forget(principal string) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	delete(ws.m, principal)
}

// sync brings w up to the store's reads version: read again when the
// version differs, keeping the later time of a subject known both here
// and there. A subject the store no longer holds (a lifted block, reads
// forgotten) leaves the window.
func (w *window) sync(ctx context.Context, store socle.ThrottleStore, principal string, version int64, since time.Time) error {
	if w.loaded && w.version == version {
		return nil
	}
	rows, err := store.ThrottleReads(ctx, principal, since)
	if err != nil {
		return fmt.Errorf("reading the throttle window: %w", err)
	}
	subjects := make(map[string]*counted, len(rows))
	for _, r := range rows {
		c := &counted{weight: r.Weight, at: r.At, storedAt: r.At}
		if old := w.subjects[r.Subject]; old != nil && old.at.After(c.at) {
			c.at = old.at
		}
		subjects[r.Subject] = c
	}
	w.subjects, w.version, w.loaded = subjects, version, true
	w.recount(time.Time{})
	return nil
}

// weigh returns the weight of the subjects read after since, dropping
// those that left the window: at every check, so without a scan unless
// the oldest subject may have left.
func (w *window) weigh(since time.Time) int {
	if w.oldest.After(since) {
		return w.total
	}
	w.recount(since)
	return w.total
}

// recount drops the subjects not read after since and sums the others.
func (w *window) recount(since time.Time) {
	w.total, w.oldest = 0, time.Time{}
	for s, c := range w.subjects {
		if !c.at.After(since) {
			delete(w.subjects, s)
			continue
		}
		w.total += c.weight
		if w.oldest.IsZero() || c.at.Before(w.oldest) {
			w.oldest = c.at
		}
	}
}

// has reports whether subject is in the window (weigh dropped the rest).
func (w *window) has(subject string) bool {
	return w.subjects[subject] != nil
}

// written records reads the store now holds at at, whose count gave the
// store's reads version: the window follows it if no other count came
// between, and is read again at the next check otherwise.
func (w *window) written(reads []socle.ThrottleRead, at time.Time, version int64) {
	if !w.loaded {
		return
	}
	for _, r := range reads {
		c := w.subjects[r.Subject]
		if c == nil {
			c = &counted{at: at}
			w.subjects[r.Subject] = c
			if w.oldest.IsZero() || at.Before(w.oldest) {
				w.oldest = at
			}
		}
		w.total += r.Weight - c.weight
		c.weight, c.storedAt = r.Weight, at
		if at.After(c.at) {
			c.at = at
		}
	}
	if version == w.version+1 {
		w.version = version
	}
}
