package detect

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"socle"
	"socle/audit"
	"socle/cases"
)

// AuditLog is the part of the audit log's storage the live loop reads.
type AuditLog interface {
	Size(ctx context.Context) (uint64, error)
	ReadRange(ctx context.Context, from, to uint64, fn func(i uint64, r audit.Record) error) error
}

// CursorStore keeps how far the live loop has read the log.
type CursorStore interface {
	DetectCursor(ctx context.Context, name string) (uint64, error)
	SetDetectCursor(ctx context.Context, name string, pos uint64) error
}

// StateStore keeps the detector's state (baselines, day under way) across
// restarts.
type StateStore interface {
	SaveBaselines(ctx context.Context, bs []*socle.Baseline) error
	Baselines(ctx context.Context) ([]*socle.Baseline, error)
}

// Pipeline turns audit entries into alerts over a directory: the live
// loop's and `socle detect run`'s (directory.Pipeline). Not safe for
// concurrent use: the Tailer serialises every call.
type Pipeline interface {
	Observe(index uint64, ev socle.AuditEvent) []Alert
	Tick(now time.Time) []Alert
	Flush() []Alert
	SaveState(ctx context.Context, s StateStore) error
	LoadState(ctx context.Context, s StateStore) (bool, error)
	// Suppress silences a rule for a principal ("agent:ID") until a time.
	Suppress(principal string, rule Scenario, until time.Time)
	// Verdict calibrates the scores on a closed case; confirmed misuse
	// between from and to must not become the principal's normal.
	Verdict(principal string, rule Scenario, misuse bool, from, to time.Time)
	// PrincipalName and OrgName give back the ids the alerts carry.
	PrincipalName(id uint32) string
	OrgName(id uint32) string
}

// Tailer is the live detection loop: it tails the audit log from its
// persisted cursor, feeds each new entry through the pipeline, files the
// alerts and review items as cases with their evidence, judges waiting
// reads when the log is quiet, reloads the directory every minute, and at
// shutdown reads the last entries, closes the day and saves its state, so
// that nothing is lost. `serve` runs it (in a cluster, the server holding
// the detector lease); cmd/socle only wires it.
type Tailer struct {
	// Log, Cursors, States, Pipeline and Cases are required.
	Log      AuditLog
	Cursors  CursorStore
	States   StateStore
	Pipeline Pipeline
	Cases    *cases.Service
	// Reload reads again what others change (the directory, the bulk
	// tasks): at start and every ReloadEvery (optional).
	Reload func(ctx context.Context) error
	// Now is the clock of quiet ticks (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
	// Poll is how often the log is read (default 3 s); ReloadEvery how
	// often Reload runs and the state is saved (default a minute).
	Poll, ReloadEvery time.Duration

	mu  sync.Mutex // serialises the pipeline
	pos uint64
}

// cursorName is the tailer's cursor in the store.
const cursorName = "live"

// tailBatch is the most entries a step reads at once.
const tailBatch = 5000

// Start loads the cursor, the state, the suppressions and the directory.
func (t *Tailer) Start(ctx context.Context) error {
	pos, err := t.Cursors.DetectCursor(ctx, cursorName)
	if err != nil {
		return fmt.Errorf("reading the detection cursor: %w", err)
	}
	t.pos = pos
	if _, err := t.Pipeline.LoadState(ctx, t.States); err != nil {
		return err
	}
	return t.LoadCases(ctx)
}

// LoadCases loads the suppressions verdicts set and reloads the directory
// and the bulk tasks.
func (t *Tailer) LoadCases(ctx context.Context) error {
	sups, err := t.Cases.Suppressions(ctx)
	if err != nil {
		return fmt.Errorf("loading the suppressions: %w", err)
	}
	for _, s := range sups {
		t.Suppress(*s)
	}
	if err := t.reload(ctx); err != nil {
		return err
	}
	return t.Cases.LoadTasks(ctx)
}

func (t *Tailer) reload(ctx context.Context) error {
	if t.Reload == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.Reload(ctx)
}

// Suppress makes the detector honour a verdict's suppression (the inline
// throttle's rule is not the detector's: ignored).
func (t *Tailer) Suppress(s socle.Suppression) {
	rule, err := ParseScenario(s.Rule)
	if err != nil {
		return
	}
	t.mu.Lock()
	t.Pipeline.Suppress(s.Principal, rule, s.Until)
	t.mu.Unlock()
}

// Verdict calibrates the alerts' scores on a case's verdict.
func (t *Tailer) Verdict(v cases.VerdictOf) {
	rule, err := ParseScenario(v.Rule)
	if err != nil {
		return
	}
	t.mu.Lock()
	t.Pipeline.Verdict(v.Principal, rule, v.Misuse, v.From, v.To)
	t.mu.Unlock()
}

// Step processes the entries appended since the last step, at most a
// batch of them, and files the alerts. It reports how many it read.
func (t *Tailer) Step(ctx context.Context) (int, error) {
	size, err := t.Log.Size(ctx)
	if err != nil || size <= t.pos {
		return 0, err
	}
	to := min(size, t.pos+tailBatch)
	var alerts []Alert
	t.mu.Lock()
	err = t.Log.ReadRange(ctx, t.pos, to, func(i uint64, r audit.Record) error {
		_, ev, err := audit.DecodeLeaf(r.Leaf)
		if err != nil {
			return fmt.Errorf("audit entry %d: %w", i, err)
		}
		alerts = append(alerts, t.Pipeline.Observe(i, ev)...)
		return nil
	})
	t.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if err := t.file(ctx, alerts); err != nil {
		return 0, err
	}
	n := int(to - t.pos)
	t.pos = to
	return n, t.Cursors.SetDetectCursor(ctx, cursorName, t.pos)
}

// Tick judges, when the log is quiet, the reads that have waited long
// enough, and closes a day that has ended.
func (t *Tailer) Tick(ctx context.Context) error {
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	t.mu.Lock()
	alerts := t.Pipeline.Tick(now())
	t.mu.Unlock()
	return t.file(ctx, alerts)
}

// Flush closes the day under way (at shutdown) and files its alerts, then
// saves the state.
func (t *Tailer) Flush(ctx context.Context) error {
	t.mu.Lock()
	alerts := t.Pipeline.Flush()
	t.mu.Unlock()
	if err := t.file(ctx, alerts); err != nil {
		return err
	}
	return t.SaveState(ctx)
}

// SaveState persists what the detector learnt and the day under way.
func (t *Tailer) SaveState(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.Pipeline.SaveState(ctx, t.States)
}

// file turns detector alerts into case alerts with their evidence: the
// audit entries and the explanations the gate recorded. A review item is
// filed ranked low, never critical, its reason saying that a relationship
// explains it.
func (t *Tailer) file(ctx context.Context, alerts []Alert) error {
	for _, al := range alerts {
		ca := &socle.Alert{Rule: al.RuleName, Score: al.Score, Critical: al.Critical, Principal: t.Pipeline.PrincipalName(al.Principal),
			OrganisationID: t.Pipeline.OrgName(al.Org), Reason: al.Reason, OccurredAt: time.Unix(al.Time, 0)}
		if al.Review {
			// Its score is already below the rule's alerts (Alert.Review).
			ca.Reason = "À revoir, une relation explique la consultation : " + al.Reason
		}
		for _, id := range al.Evidence[:min(len(al.Evidence), 200)] {
			idx := id - 1
			err := t.Log.ReadRange(ctx, idx, idx+1, func(_ uint64, r audit.Record) error {
				_, ev, err := audit.DecodeLeaf(r.Leaf)
				if err != nil {
					return err
				}
				ca.Evidence = append(ca.Evidence, socle.AlertEvidence{Index: idx, Time: ev.Time, Action: ev.Action, Purpose: ev.Purpose,
					PersonRef: ev.PersonRef, Allowed: ev.Allowed, Explanation: eventExplanation(ev)})
				return nil
			})
			if err != nil {
				return fmt.Errorf("evidence of %s: %w", al.RuleName, err)
			}
		}
		if _, err := t.Cases.Raise(ctx, ca); err != nil {
			return fmt.Errorf("filing a %s alert: %w", al.RuleName, err)
		}
	}
	return nil
}

// eventExplanation is what the gate said of an access: its text, else its
// facts.
func eventExplanation(ev socle.AuditEvent) string {
	if ev.Explanation != "" {
		return ev.Explanation
	}
	var parts []string
	for _, f := range ev.Facts {
		if f.Text != "" {
			parts = append(parts, f.Text)
		}
	}
	return strings.Join(parts, " ")
}

// Run tails the log until ctx ends, then reads the entries appended since
// the last step, closes the day and saves the state, so that the alerts of
// the last minutes are filed before the store closes: call it with a
// context that ends after the last requests have drained.
func (t *Tailer) Run(ctx context.Context) {
	logger := t.Logger
	if logger == nil {
		logger = slog.Default()
	}
	poll, every := t.Poll, t.ReloadEvery
	if poll <= 0 {
		poll = 3 * time.Second
	}
	if every <= 0 {
		every = time.Minute
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	reload := time.NewTicker(every)
	defer reload.Stop()
	for {
		for {
			n, err := t.Step(ctx)
			if err != nil {
				if ctx.Err() == nil {
					logger.Error("live detection", "err", err)
				}
				break
			}
			if n == 0 {
				if err := t.Tick(ctx); err != nil && ctx.Err() == nil {
					logger.Error("live detection", "err", err)
				}
				break
			}
		}
		select {
		case <-ctx.Done():
			final := context.WithoutCancel(ctx)
			for {
				n, err := t.Step(final)
				if err != nil {
					logger.Error("live detection: last entries", "err", err)
					break
				}
				if n == 0 {
					break
				}
			}
			if err := t.Flush(final); err != nil {
				logger.Error("live detection: closing the day", "err", err)
			}
			return
		case <-reload.C:
			if err := t.Cases.LoadTasks(ctx); err != nil {
				logger.Error("live detection: bulk tasks", "err", err)
			}
			if err := t.reload(ctx); err != nil {
				logger.Error("live detection: directory", "err", err)
			}
			if err := t.SaveState(ctx); err != nil {
				logger.Error("live detection: state", "err", err)
			}
		case <-tick.C:
		}
	}
}
