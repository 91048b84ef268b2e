package directory

import (
	"context"
	"fmt"

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
	buf      []detect.Event
}

// NewPipeline returns a pipeline over a new detector with cfg.
func NewPipeline(live *Live, cfg detect.Config) *Pipeline {
	return &Pipeline{Live: live, Detector: detect.New(live, cfg)}
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

// Flush closes the day under way.
func (p *Pipeline) Flush() []detect.Alert { return p.Detector.Flush() }

// BaselineStore keeps the detector's baselines.
type BaselineStore interface {
	SaveBaselines(ctx context.Context, bs []*socle.Baseline) error
	Baselines(ctx context.Context) ([]*socle.Baseline, error)
}

// baselineCodec is a detector that can save and restore what it learnt
// of each principal, as opaque versioned state.
type baselineCodec interface {
	MarshalBaseline(principal uint32) (version int, state []byte, ok bool)
	UnmarshalBaseline(principal uint32, version int, state []byte) error
}

// SaveBaselines writes the baselines of every principal seen.
func (p *Pipeline) SaveBaselines(ctx context.Context, s BaselineStore) error {
	codec, ok := any(p.Detector).(baselineCodec)
	if !ok {
		return nil
	}
	var bs []*socle.Baseline
	for id := uint32(1); id <= uint32(p.Live.Principals.Len()); id++ {
		if v, state, ok := codec.MarshalBaseline(id); ok {
			bs = append(bs, &socle.Baseline{Principal: p.Live.PrincipalName(id), Version: v, State: state})
		}
	}
	if len(bs) == 0 {
		return nil
	}
	if err := s.SaveBaselines(ctx, bs); err != nil {
		return fmt.Errorf("saving the detector's baselines: %w", err)
	}
	return nil
}

// LoadBaselines restores the stored baselines; it returns how many.
func (p *Pipeline) LoadBaselines(ctx context.Context, s BaselineStore) (int, error) {
	codec, ok := any(p.Detector).(baselineCodec)
	if !ok {
		return 0, nil
	}
	bs, err := s.Baselines(ctx)
	if err != nil {
		return 0, fmt.Errorf("loading the detector's baselines: %w", err)
	}
	for _, b := range bs {
		if err := codec.UnmarshalBaseline(p.Live.Principals.ID(b.Principal), b.Version, b.State); err != nil {
			return 0, fmt.Errorf("baseline of %s: %w", b.Principal, err)
		}
	}
	return len(bs), nil
}
