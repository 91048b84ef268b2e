package main

import (
	"context"
	"fmt"
	"time"

	"socle"
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

// liveDetector is the live detection loop (detect.Tailer) wired over the
// store, the cases and the directory, with the pipeline it feeds (the same
// as `detect run`): its position and the detector's baselines survive
// restarts (detect_cursor, detect_baselines).
type liveDetector struct {
	*detect.Tailer
	src  *detect.AuditSource
	live *directory.Live
	pipe *directory.Pipeline
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
	t := &detect.Tailer{Log: a.auditSQL, Cursors: a.store, States: a.store, Pipeline: pipe, Cases: a.cases,
		Now: func() time.Time { return a.gate.Now() }, Logger: a.logger, Poll: detectPoll,
		Reload: func(ctx context.Context) error { return live.Load(ctx, a.store, a.gate.Now().Add(-directoryHorizon)) }}
	a.cases.OnSuppress(t.Suppress)
	a.cases.OnVerdict(t.Verdict)
	return &liveDetector{Tailer: t, src: src, live: live, pipe: pipe}
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
	if err := l.Start(ctx); err != nil {
		return fmt.Errorf("live detection: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.Run(runCtx)
	}()
	a.stopDetection = func() {
		cancel()
		<-done
	}
	return nil
}
