package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"socle"
	"socle/audit"
	"socle/cases"
	"socle/detect"
	"socle/gate"
)

// The inline limits of distinct persons read per hour. An adviser follows
// about a hundred persons and opens a few dozen files a day; a search
// counts every person it returns. Past 250 distinct persons in an hour an
// agent confirms her second factor; past 1000 (an agent) or 250 (a partner
// system, which cannot step up) the account is blocked for 24 hours and a
// critical alert opens a case. A declared, approved bulk task is exempt.
const (
	throttleStepUp = 250
	throttleBlock  = 1000
)

// detectPoll is how often the live detector reads the new audit entries.
const detectPoll = 3 * time.Second

// wireDetection creates the case service and sets the gate's inline
// throttle over it.
func (a *app) wireDetection() {
	a.cases = cases.New(a.store)
	a.cases.SetAuditor(a.audit) // every case and bulk-task change is audited
	a.gate.Throttle = &gate.Throttle{
		Window: time.Hour, StepUp: throttleStepUp, Block: throttleBlock, BlockFor: 24 * time.Hour,
		Exempt: a.cases.Exempt,
		Alert: func(ctx context.Context, actor socle.Actor, distinct int) {
			principal := "agent:" + actor.AgentID
			if actor.AgentID == "" {
				principal = "client:" + actor.ClientID
			}
			_, err := a.cases.Raise(context.WithoutCancel(ctx), &cases.Alert{Rule: cases.RuleInline, Critical: true, Score: float64(distinct) / throttleStepUp * 2,
				Principal: principal, OrganisationID: actor.OrganisationID, OccurredAt: a.gate.Now(),
				Reason: fmt.Sprintf("Blocage immédiat : %d personnes distinctes lues en moins d'une heure, au-delà de la limite de la plateforme.", distinct)})
			if err != nil {
				a.logger.Error("raising the throttle alert", "err", err, "principal", principal)
			}
		},
	}
}

// liveDetector tails the audit log: it converts each new entry, feeds the
// detector and files its alerts into cases. Its position survives
// restarts (detect_cursor); the baselines restart empty.
type liveDetector struct {
	a   *app
	log interface {
		Size(ctx context.Context) (uint64, error)
		ReadRange(ctx context.Context, from, to uint64, fn func(i uint64, r audit.Record) error) error
	}
	mu    sync.Mutex
	src   *detect.AuditSource
	dir   *liveDirectory
	det   *detect.Detector
	pos   uint64
	tasks map[string]uint32 // bulk task id → detector task id
}

// liveDirectory adds to what the audit events say what the store answers
// cheaply: the département of a single-territory organisation, and the
// département of a person as learnt from the territory facts of earlier
// accesses. Homes, staff-as-person and public figures are not in the store:
// the family, neighbour, colleague and public-figure patterns stay silent.
type liveDirectory struct {
	*detect.AuditSource
	depts     *detect.Interner
	orgDept   map[uint32]uint16
	personDep map[uint32]uint16
	lookupOrg func(id string) []string
}

func (d *liveDirectory) Principal(id uint32) detect.PrincipalInfo {
	p := d.AuditSource.Principal(id)
	if p.Org != 0 {
		dep, ok := d.orgDept[p.Org]
		if !ok {
			if ds := d.lookupOrg(d.Orgs.Name(p.Org)); len(ds) == 1 {
				dep = uint16(d.depts.ID(ds[0]))
			}
			d.orgDept[p.Org] = dep
		}
		p.Territory = uint32(dep)
	}
	return p
}

func (d *liveDirectory) Person(id uint32) detect.PersonInfo {
	return detect.PersonInfo{Territory: uint32(d.personDep[id])}
}

func (a *app) newLiveDetector() *liveDetector {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		loc = time.UTC
	}
	src := detect.NewAuditSource()
	dir := &liveDirectory{AuditSource: src, depts: detect.NewInterner(), orgDept: map[uint32]uint16{}, personDep: map[uint32]uint16{},
		lookupOrg: func(id string) []string {
			o, err := a.store.Organisation(context.Background(), id)
			if err != nil {
				return nil
			}
			return o.Departements
		}}
	l := &liveDetector{a: a, log: a.store.AuditLog(), src: src, dir: dir, det: detect.New(dir, detect.Config{Location: loc}), tasks: map[string]uint32{}}
	a.cases.OnSuppress(func(s cases.Suppression) { l.suppress(s) })
	return l
}

// suppress makes the detector honour a verdict's suppression.
func (l *liveDetector) suppress(s cases.Suppression) {
	rule, err := detect.ParseScenario(s.Rule)
	if err != nil {
		return // the inline throttle's rule is not the detector's
	}
	l.mu.Lock()
	l.det.Suppress(l.src.Principals.ID(s.Principal), rule, s.Until)
	l.mu.Unlock()
}

// start loads the cursor, the suppressions and the bulk tasks.
func (l *liveDetector) start(ctx context.Context) error {
	pos, err := l.a.store.DetectCursor(ctx, "live")
	if err != nil {
		return err
	}
	l.pos = pos
	sups, err := l.a.cases.Suppressions(ctx)
	if err != nil {
		return err
	}
	for _, s := range sups {
		l.suppress(*s)
	}
	return l.a.cases.LoadTasks(ctx)
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
		e := l.src.Convert(i, ev)
		l.learn(&e, ev)
		alerts = append(alerts, l.det.Observe(&e)...)
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

// learn records the person's département of a territory fact and marks
// the accesses of an approved bulk task.
func (l *liveDetector) learn(e *detect.Event, ev socle.AuditEvent) {
	for _, f := range ev.Facts {
		if f.Kind == "territory" && e.Person != 0 && f.Detail["departement"] != "" {
			l.dir.personDep[e.Person] = uint16(l.dir.depts.ID(f.Detail["departement"]))
		}
	}
	t := l.a.cases.ActiveTask(ev.AgentID, ev.Purpose, ev.Time)
	if t == nil || e.Person == 0 {
		return
	}
	if len(t.Persons) > 0 && !slices.ContainsFunc(t.Persons, func(id string) bool { return l.a.gate.PersonRef != nil && l.a.gate.PersonRef(id) == ev.PersonRef }) {
		return
	}
	id, ok := l.tasks[t.ID]
	if !ok {
		id = l.src.AddTask(&detect.Task{Principal: e.Principal, Purpose: e.Purpose, From: t.Start.Unix(), To: t.End.Unix(), Approved: true, Persons: map[uint32]struct{}{}})
		l.tasks[t.ID] = id
	}
	l.src.Task(id).Persons[e.Person] = struct{}{}
	e.Task = id
}

// flush closes the day under way (at shutdown, or in tests) and files its
// alerts.
func (l *liveDetector) flush(ctx context.Context) error {
	l.mu.Lock()
	alerts := l.det.Flush()
	l.mu.Unlock()
	return l.file(ctx, alerts)
}

// file turns detector alerts into case alerts with their evidence: the
// audit entries and the explanations the gate recorded.
func (l *liveDetector) file(ctx context.Context, alerts []detect.Alert) error {
	for _, al := range alerts {
		ca := &cases.Alert{Rule: al.RuleName, Score: al.Score, Critical: al.Critical, Principal: l.src.PrincipalName(al.Principal),
			OrganisationID: l.src.Orgs.Name(al.Org), Reason: al.Reason, OccurredAt: time.Unix(al.Time, 0)}
		for _, id := range al.Evidence[:min(len(al.Evidence), 200)] {
			idx := id - 1
			err := l.log.ReadRange(ctx, idx, idx+1, func(_ uint64, r audit.Record) error {
				_, ev, err := detect.DecodeLeaf(r.Leaf)
				if err != nil {
					return err
				}
				ca.Evidence = append(ca.Evidence, cases.Evidence{Index: idx, Time: ev.Time, Action: ev.Action, Purpose: ev.Purpose,
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
				break
			}
		}
		select {
		case <-ctx.Done():
			if err := l.flush(context.WithoutCancel(ctx)); err != nil {
				l.a.logger.Error("live detection: closing the day", "err", err)
			}
			return
		case <-reload.C:
			if err := l.a.cases.LoadTasks(ctx); err != nil {
				l.a.logger.Error("live detection: bulk tasks", "err", err)
			}
		case <-tick.C:
		}
	}
}

// startDetection starts the live detector over the audit log.
func (a *app) startDetection(ctx context.Context) error {
	l := a.newLiveDetector()
	if err := l.start(ctx); err != nil {
		return fmt.Errorf("live detection: %w", err)
	}
	go l.run(ctx)
	return nil
}
