package directory

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"time"

	"socle"
	"socle/detect"
)

// Pipeline is the one path from audit entries to alerts, shared by the
// live tailer of `serve` and by `detect run`: convert each entry into one
// event per person it disclosed, complete them from the live directory,
// score them. Not safe for concurrent use.
type Pipeline struct {
	Live     *Live
	Detector *detect.Detector
	// Calibration scales the alerts' scores by each rule's precision on
	// past verdicts (persisted with the state).
	Calibration *detect.Calibration
	cfg         detect.Config
	buf         []detect.Event
}

// NewPipeline returns a pipeline over a new detector with cfg.
func NewPipeline(live *Live, cfg detect.Config) *Pipeline {
	if cfg.Calibration == nil {
		cfg.Calibration = detect.NewCalibration()
	}
	return &Pipeline{Live: live, Detector: detect.New(live, cfg), Calibration: cfg.Calibration, cfg: cfg}
}

// Observe scores the audit entry at index and returns the alerts it
// completes.
func (p *Pipeline) Observe(index uint64, ev socle.AuditEvent) []detect.Alert {
	p.buf = p.Live.ConvertAll(index, ev, p.buf[:0])
	p.Live.Explain(p.buf, ev)
	var out []detect.Alert
	for i := range p.buf {
		out = append(out, p.Detector.Observe(&p.buf[i])...)
	}
	return out
}

// Tick judges the reads that have waited long enough and closes a day
// that has ended, when the log is quiet.
func (p *Pipeline) Tick(now time.Time) []detect.Alert { return p.Detector.Tick(now) }

// Flush closes the day under way.
func (p *Pipeline) Flush() []detect.Alert { return p.Detector.Flush() }

// BaselineStore keeps the detector's state.
type BaselineStore = detect.StateStore

// Suppress implements detect.Pipeline.
func (p *Pipeline) Suppress(principal string, rule detect.Scenario, until time.Time) {
	p.Detector.Suppress(p.Live.Principals.ID(principal), rule, until)
}

// Verdict implements detect.Pipeline: the verdict calibrates the scores,
// and confirmed misuse leaves the principal's baselines.
func (p *Pipeline) Verdict(principal string, rule detect.Scenario, misuse bool, from, to time.Time) {
	p.Calibration.Record(rule.String(), misuse)
	if misuse {
		p.Detector.Confirm(p.Live.Principals.ID(principal), from, to)
	}
}

// PrincipalName implements detect.Pipeline.
func (p *Pipeline) PrincipalName(id uint32) string { return p.Live.PrincipalName(id) }

// OrgName implements detect.Pipeline.
func (p *Pipeline) OrgName(id uint32) string { return p.Live.Orgs.Name(id) }

// The detector's whole state and the calibration are kept as rows of the
// baselines table, under names no principal has.
const (
	stateKey       = "detector:state"
	calibrationKey = "detector:calibration"
	// StateVersion is the version of the stored state. A stored state of
	// another version (or one that does not decode) is ignored: the
	// detector learns again rather than misreads.
	StateVersion       = 1
	calibrationVersion = 1
)

// storedState is the detector's state with the interners that assigned
// its ids.
type storedState struct {
	Principals, Orgs, Persons, Purposes, Names, Marks []byte
	Detector                                          []byte
}

// SaveState writes the detector's state (baselines, day under way, waiting
// reads, with the interners) and the calibration.
func (p *Pipeline) SaveState(ctx context.Context, s BaselineStore) error {
	var st storedState
	var err error
	for _, f := range []struct {
		dst *[]byte
		m   interface{ MarshalBinary() ([]byte, error) }
	}{{&st.Principals, p.Live.Principals}, {&st.Orgs, p.Live.Orgs}, {&st.Persons, p.Live.Persons}, {&st.Purposes, p.Live.Purposes},
		{&st.Names, p.Live.Names}, {&st.Marks, p.Live.Marks}, {&st.Detector, p.Detector}} {
		if *f.dst, err = f.m.MarshalBinary(); err != nil {
			return fmt.Errorf("saving the detector's state: %w", err)
		}
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(st); err != nil {
		return fmt.Errorf("saving the detector's state: %w", err)
	}
	cal, err := json.Marshal(p.Calibration)
	if err != nil {
		return fmt.Errorf("saving the calibration: %w", err)
	}
	err = s.SaveBaselines(ctx, []*socle.Baseline{{Principal: stateKey, Version: StateVersion, State: buf.Bytes()},
		{Principal: calibrationKey, Version: calibrationVersion, State: cal}})
	if err != nil {
		return fmt.Errorf("saving the detector's state: %w", err)
	}
	return nil
}

// LoadState restores what SaveState wrote; call it before the first
// event. It reports whether a state was restored: a state of another
// version or that does not decode is ignored (the detector learns again).
func (p *Pipeline) LoadState(ctx context.Context, s BaselineStore) (bool, error) {
	bs, err := s.Baselines(ctx)
	if err != nil {
		return false, fmt.Errorf("loading the detector's state: %w", err)
	}
	restored := false
	for _, b := range bs {
		switch {
		case b.Principal == calibrationKey && b.Version == calibrationVersion:
			if err := json.Unmarshal(b.State, p.Calibration); err != nil {
				return false, fmt.Errorf("loading the calibration: %w", err)
			}
		case b.Principal == stateKey && b.Version == StateVersion:
			restored = p.restore(b.State) == nil
		}
	}
	return restored, nil
}

// restore decodes a stored state into fresh interners and a fresh
// detector, and adopts them only when all of it decoded.
func (p *Pipeline) restore(b []byte) error {
	var st storedState
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&st); err != nil {
		return err
	}
	ins := make([]*detect.Interner, 6)
	for i, raw := range [][]byte{st.Principals, st.Orgs, st.Persons, st.Purposes, st.Names, st.Marks} {
		ins[i] = detect.NewInterner()
		if err := ins[i].UnmarshalBinary(raw); err != nil {
			return err
		}
	}
	det := detect.New(p.Live, p.cfg)
	if err := det.UnmarshalBinary(st.Detector); err != nil {
		return err
	}
	l := p.Live
	for i, dst := range []*detect.Interner{l.Principals, l.Orgs, l.Persons, l.Purposes, l.Names, l.Marks} {
		*dst = *ins[i]
	}
	l.rederive()
	p.Detector = det
	return nil
}
