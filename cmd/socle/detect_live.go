package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"socle"
	"socle/audit"
	"socle/cases"
	"socle/detect"
	"socle/directory"
	"socle/gate"
)

// The inline limits are the gate's defaults (gate.DefaultStepUp,
// gate.DefaultBlock): past the block an account is blocked for 24 hours and
// a critical alert opens a case. A declared, approved bulk task is exempt.
const (
	throttleStepUp = gate.DefaultStepUp
	throttleBlock  = gate.DefaultBlock
)

// detectPoll is how often the live detector reads the new audit entries.
const detectPoll = 3 * time.Second

// wireDetection creates the case service and sets the gate's inline
// throttle over it.
func (a *app) wireDetection() {
	a.cases = cases.New(a.store)
	a.cases.SetAuditor(a.audit) // every case and bulk-task change is audited
	a.dir = directory.NewService(a.store, a.audit)
	a.dir.PersonRef = a.gate.PersonRef
	a.gate.SetHomes(directory.HomeIndex{Marker: directory.NewMarker(a.keys.directory), Store: a.store})
	a.gate.Throttle = gate.NewThrottle(a.store)
	a.gate.Throttle.Window, a.gate.Throttle.StepUp, a.gate.Throttle.Block, a.gate.Throttle.BlockFor = time.Hour, throttleStepUp, throttleBlock, 24*time.Hour
	a.gate.Throttle.Exempt = a.cases.Exempt
	a.gate.Throttle.Alert = func(ctx context.Context, actor socle.Actor, weight int) {
		principal := gate.PrincipalKey(actor)
		_, err := a.cases.Raise(context.WithoutCancel(ctx), &socle.Alert{Rule: cases.RuleInline, Critical: true, Score: float64(weight) / throttleStepUp * 2,
			Principal: principal, OrganisationID: actor.OrganisationID, OccurredAt: a.gate.Now(),
			Reason: fmt.Sprintf("Blocage immédiat : %d lectures pondérées (personnes distinctes, recherches par identifiant exact) en moins d'une heure, au-delà de la limite de la plateforme.", weight)})
		if err != nil {
			a.logger.Error("raising the throttle alert", "err", err, "principal", principal)
		}
	}
}

// liveDetector tails the audit log: it converts each new entry, feeds the
// detector through the shared pipeline (directory/pipeline.go, the same as
// `detect run`) and files its alerts into cases. Its position and the
// detector's baselines survive restarts (detect_cursor, detect_baselines).
type liveDetector struct {
	a   *app
	log interface {
		Size(ctx context.Context) (uint64, error)
		ReadRange(ctx context.Context, from, to uint64, fn func(i uint64, r audit.Record) error) error
	}
	mu   sync.Mutex
	src  *detect.AuditSource
	live *directory.Live
	pipe *directory.Pipeline
	pos  uint64
}

// newPipeline builds the detection pipeline of the live path over the
// store, for `serve` and `detect run` alike.
func newPipeline(personRef func(string) string) (*detect.AuditSource, *directory.Live, *directory.Pipeline) {
	src := detect.NewAuditSource()
	live := directory.NewLive(src, personRef)
	return src, live, directory.NewPipeline(live, detect.Config{Location: parisLocation()})
}

// parisLocation is the time zone of days and working hours (UTC when the
// system has no zone data).
func parisLocation() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
}

// directoryHorizon is how far back the live directory reads declarations
// and bulk tasks.
const directoryHorizon = 30 * 24 * time.Hour

func (a *app) newLiveDetector() *liveDetector {
	src, live, pipe := newPipeline(a.gate.PersonRef)
	l := &liveDetector{a: a, log: a.auditSQL, src: src, live: live, pipe: pipe}
	a.cases.OnSuppress(func(s socle.Suppression) { l.suppress(s) })
	a.cases.OnVerdict(func(v cases.VerdictOf) { l.verdict(v) })
	return l
}

// suppress makes the detector honour a verdict's suppression.
func (l *liveDetector) suppress(s socle.Suppression) {
	rule, err := detect.ParseScenario(s.Rule)
	if err != nil {
		return // the inline throttle's rule is not the detector's
	}
	l.mu.Lock()
	l.pipe.Detector.Suppress(l.src.Principals.ID(s.Principal), rule, s.Until)
	l.mu.Unlock()
}

// verdict calibrates the alerts' scores on a case's verdict; confirmed
// misuse must not become the principal's normal.
func (l *liveDetector) verdict(v cases.VerdictOf) {
	if _, err := detect.ParseScenario(v.Rule); err != nil {
		return // the inline throttle's rule is not the detector's
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pipe.Calibration.Record(v.Rule, v.Misuse)
	if v.Misuse {
		l.pipe.Detector.Confirm(l.src.Principals.ID(v.Principal), v.From, v.To)
	}
}

// start loads the cursor, the baselines, the suppressions, the directory
// and the bulk tasks.
func (l *liveDetector) start(ctx context.Context) error {
	pos, err := l.a.store.DetectCursor(ctx, "live")
	if err != nil {
		return err
	}
	l.pos = pos
	if _, err := l.pipe.LoadState(ctx, l.a.store); err != nil {
		return err
	}
	return l.loadCases(ctx)
}

// loadCases loads the suppressions and the bulk tasks.
func (l *liveDetector) loadCases(ctx context.Context) error {
	sups, err := l.a.cases.Suppressions(ctx)
	if err != nil {
		return err
	}
	for _, s := range sups {
		l.suppress(*s)
	}
	if err := l.reload(ctx); err != nil {
		return err
	}
	return l.a.cases.LoadTasks(ctx)
}

// reload reads the directory again (other instances and users change it).
func (l *liveDetector) reload(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.live.Load(ctx, l.a.store, l.a.gate.Now().Add(-directoryHorizon))
}

// step processes the entries appended since the last step, at most a
// batch of them, and files the alerts. It reports how many it read.
func (l *liveDetector) step(ctx context.Context) (int, error) {
	size, err := l.log.Size(ctx)
	if err != nil || size <= l.pos {
		return 0, err
	}
	to := min(size, l.pos+5000)
	var alerts []detect.Alert
	l.mu.Lock()
	err = l.log.ReadRange(ctx, l.pos, to, func(i uint64, r audit.Record) error {
		_, ev, err := detect.DecodeLeaf(r.Leaf)
		if err != nil {
			return fmt.Errorf("audit entry %d: %w", i, err)
		}
		alerts = append(alerts, l.pipe.Observe(i, ev)...)
		return nil
	})
	l.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if err := l.file(ctx, alerts); err != nil {
		return 0, err
	}
	n := int(to - l.pos)
	l.pos = to
	return n, l.a.store.SetDetectCursor(ctx, "live", l.pos)
}

// flush closes the day under way (at shutdown, or in tests) and files its
// alerts.
func (l *liveDetector) flush(ctx context.Context) error {
	l.mu.Lock()
	alerts := l.pipe.Flush()
	l.mu.Unlock()
	if err := l.file(ctx, alerts); err != nil {
		return err
	}
	return l.saveState(ctx)
}

// saveState persists what the detector learnt and the day under way.
func (l *liveDetector) saveState(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pipe.SaveState(ctx, l.a.store)
}

// tick judges, when the log is quiet, the reads that have waited long
// enough, and closes a day that has ended.
func (l *liveDetector) tick(ctx context.Context) error {
	l.mu.Lock()
	alerts := l.pipe.Tick(l.a.gate.Now())
	l.mu.Unlock()
	return l.file(ctx, alerts)
}

// file turns detector alerts into case alerts with their evidence: the
// audit entries and the explanations the gate recorded.
func (l *liveDetector) file(ctx context.Context, alerts []detect.Alert) error {
	for _, al := range alerts {
		ca := &socle.Alert{Rule: al.RuleName, Score: al.Score, Critical: al.Critical, Principal: l.src.PrincipalName(al.Principal),
			OrganisationID: l.src.Orgs.Name(al.Org), Reason: al.Reason, OccurredAt: time.Unix(al.Time, 0)}
		for _, id := range al.Evidence[:min(len(al.Evidence), 200)] {
			idx := id - 1
			err := l.log.ReadRange(ctx, idx, idx+1, func(_ uint64, r audit.Record) error {
				_, ev, err := detect.DecodeLeaf(r.Leaf)
				if err != nil {
					return err
				}
				ca.Evidence = append(ca.Evidence, socle.AlertEvidence{Index: idx, Time: ev.Time, Action: ev.Action, Purpose: ev.Purpose,
					PersonRef: ev.PersonRef, Allowed: ev.Allowed, Explanation: explanation(ev)})
				return nil
			})
			if err != nil {
				return fmt.Errorf("evidence of %s: %w", al.RuleName, err)
			}
		}
		if _, err := l.a.cases.Raise(ctx, ca); err != nil {
			return err
		}
	}
	return nil
}

// explanation is what the gate said of an access: its text, else its
// facts.
func explanation(ev socle.AuditEvent) string {
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

// run tails the log until ctx ends, then closes the day.
func (l *liveDetector) run(ctx context.Context) {
	tick := time.NewTicker(detectPoll)
	defer tick.Stop()
	reload := time.NewTicker(time.Minute)
	defer reload.Stop()
	for {
		for {
			n, err := l.step(ctx)
			if err != nil {
				if ctx.Err() == nil {
					l.a.logger.Error("live detection", "err", err)
				}
				break
			}
			if n == 0 {
				if err := l.tick(ctx); err != nil && ctx.Err() == nil {
					l.a.logger.Error("live detection", "err", err)
				}
				break
			}
		}
		select {
		case <-ctx.Done():
			// At shutdown: read the entries appended since the last
			// step, then close the day, so that the alerts of the last
			// minutes are filed before the store closes.
			final := context.WithoutCancel(ctx)
			for {
				n, err := l.step(final)
				if err != nil {
					l.a.logger.Error("live detection: last entries", "err", err)
					break
				}
				if n == 0 {
					break
				}
			}
			if err := l.flush(final); err != nil {
				l.a.logger.Error("live detection: closing the day", "err", err)
			}
			return
		case <-reload.C:
			if err := l.a.cases.LoadTasks(ctx); err != nil {
				l.a.logger.Error("live detection: bulk tasks", "err", err)
			}
			if err := l.reload(ctx); err != nil {
				l.a.logger.Error("live detection: directory", "err", err)
			}
			if err := l.saveState(ctx); err != nil {
				l.a.logger.Error("live detection: state", "err", err)
			}
		case <-tick.C:
		}
	}
}

// startDetection starts the live detector over the audit log; in a
// cluster, the server holding the detector lease runs it (cluster.go). It
// runs until stopDetection, not until ctx ends: at shutdown it must read
// the entries of the last requests after they have drained.
func (a *app) startDetection(ctx context.Context) error {
	if a.cluster != nil {
		return a.startCluster(ctx)
	}
	l := a.newLiveDetector()
	if err := l.start(ctx); err != nil {
		return fmt.Errorf("live detection: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.run(runCtx)
	}()
	a.stopDetection = func() {
		cancel()
		<-done
	}
	return nil
}
