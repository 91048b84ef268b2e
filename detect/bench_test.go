package detect

import (
	"context"
	"testing"
)

// BenchmarkSimulate measures the simulator alone (events per second).
func BenchmarkSimulate(b *testing.B) {
	w := NewWorld(SimConfig{Agents: 15000, Days: 1, Seed: 1})
	b.ResetTimer()
	var n int
	for b.Loop() {
		n = 0
		if err := w.Simulate(context.Background(), func(evs []Event, _ []uint32) error { n += len(evs); return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDetector measures the explanation-based detector alone.
func BenchmarkDetector(b *testing.B) {
	w := NewWorld(SimConfig{Agents: 15000, Days: 1, Seed: 1})
	var all []Event
	if err := w.Simulate(context.Background(), func(evs []Event, _ []uint32) error { all = append(all, evs...); return nil }); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		d := New(w, Config{})
		for i := range all {
			d.Observe(&all[i])
		}
		d.Flush()
	}
	b.ReportMetric(float64(len(all))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
