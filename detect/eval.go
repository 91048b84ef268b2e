package detect

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"

	"socle/progress"
)

// Score is the quality of a detector on one scenario or overall.
//
// Precision is counted on alerts: an alert is a true positive when most of
// its evidence events are planted misuse (of the alert's own scenario for a
// per-scenario score, of any scenario overall). Recall is counted on
// incidents: a planted incident (one principal × one scenario) is detected
// when a true-positive alert of that principal holds at least one of its
// events in its evidence.
type Score struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Alerts    int     `json:"alerts"`
	TruePos   int     `json:"true_positives"`
	Incidents int     `json:"incidents"`
	Detected  int     `json:"detected"`
}

// Result is one evaluation: the explanation-based detector and the
// rules-only baseline on the same simulated stream.
type Result struct {
	Seed         uint64           `json:"seed"`
	Agents       int              `json:"agents"`
	Principals   int              `json:"principals"`
	Persons      int              `json:"persons"`
	Days         int              `json:"days"`
	Events       int64            `json:"events"`
	Seconds      float64          `json:"seconds"`
	EventsPerSec float64          `json:"events_per_sec"`
	CPUSeconds   float64          `json:"cpu_seconds"`    // user+system CPU of the whole run (simulation and both detectors)
	DetectSecs   float64          `json:"detect_seconds"` // wall time inside the detector alone
	PeakMemMiB   float64          `json:"peak_mem_mib"`   // peak resident set (VmHWM), or the runtime's Sys where unavailable
	Detector     map[string]Score `json:"detector"`
	RulesOnly    map[string]Score `json:"rules_only"`
	Stats        Stats            `json:"stats"`
}

// JSON returns the result as one line.
func (r Result) JSON() []byte {
	b, _ := json.Marshal(r)
	return b
}

// Eval simulates cfg's world, runs the detector and the rules-only baseline
// on its stream, and scores both against the ground truth. The simulator
// and the two detectors run concurrently, hour batch by hour batch.
// Progress goes to w when not nil.
func Eval(ctx context.Context, cfg SimConfig, w io.Writer) (Result, error) {
	start, cpu0 := time.Now(), cpuSeconds()
	world := NewWorld(cfg)
	cfg = world.cfg
	bar := progress.New(w, "événements", int64(cfg.Agents)*62*int64(cfg.Days))

	type run struct {
		det    *Detector
		ch     chan []Event
		alerts []Alert
		busy   time.Duration
	}
	runs := []*run{
		{det: New(world, Config{}), ch: make(chan []Event, 1)},
		{det: New(world, Config{RulesOnly: true}), ch: make(chan []Event, 1)},
	}
	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Go(func() {
			for batch := range r.ch {
				t := time.Now()
				for i := range batch {
					r.alerts = append(r.alerts, r.det.Observe(&batch[i])...)
				}
				r.busy += time.Since(t)
			}
			t := time.Now()
			r.alerts = append(r.alerts, r.det.Flush()...)
			r.busy += time.Since(t)
		})
	}
	var labels []Scenario
	err := world.Simulate(ctx, func(evs []Event, labs []Scenario) error {
		labels = append(labels, labs...)
		for _, r := range runs {
			r.ch <- evs
		}
		bar.Add(int64(len(evs)))
		return nil
	})
	for _, r := range runs {
		close(r.ch)
	}
	wg.Wait()
	bar.Done()
	if err != nil {
		return Result{}, err
	}
	elapsed := time.Since(start)
	res := Result{
		Seed: cfg.Seed, Agents: cfg.Agents, Principals: world.Principals(), Persons: world.Persons(), Days: cfg.Days,
		Events: int64(len(labels)), Seconds: round(elapsed.Seconds(), 3), DetectSecs: round(runs[0].busy.Seconds(), 3),
		CPUSeconds: round(cpuSeconds()-cpu0, 2), PeakMemMiB: round(peakMemMiB(), 1), Stats: runs[0].det.Stats(),
	}
	res.EventsPerSec = round(float64(res.Events)/elapsed.Seconds(), 0)
	res.Detector = ScoreAlerts(runs[0].alerts, labels, world)
	res.RulesOnly = ScoreAlerts(runs[1].alerts, labels, world)
	return res, nil
}

// ScoreAlerts scores alerts against the ground truth: labels[id-1] is the
// scenario of event id; the incidents are the world's.
func ScoreAlerts(alerts []Alert, labels []Scenario, world *World) map[string]Score {
	type key struct {
		p uint32
		s Scenario
	}
	var per [numScenarios]Score
	detected := map[key]bool{}
	var overall Score
	for _, a := range alerts {
		var counts [numScenarios]int
		for _, id := range a.Evidence {
			if id >= 1 && int(id) <= len(labels) {
				counts[labels[id-1]]++
			}
		}
		n := len(a.Evidence)
		misuse := n - counts[Legit]
		overall.Alerts++
		per[a.Rule].Alerts++
		if 2*misuse <= n {
			continue
		}
		overall.TruePos++
		if 2*counts[a.Rule] > n {
			per[a.Rule].TruePos++
		}
		for s := Colleague; s < numScenarios; s++ {
			if counts[s] > 0 {
				detected[key{a.Principal, s}] = true
			}
		}
	}
	for _, inc := range world.Incidents() {
		if inc.Events == 0 {
			continue
		}
		per[inc.Scenario].Incidents++
		overall.Incidents++
		if detected[key{inc.Principal, inc.Scenario}] {
			per[inc.Scenario].Detected++
			overall.Detected++
		}
	}
	out := map[string]Score{"overall": overall.finish()}
	for s := Colleague; s < numScenarios; s++ {
		out[s.String()] = per[s].finish()
	}
	return out
}

func (s Score) finish() Score {
	if s.Alerts > 0 {
		s.Precision = round(float64(s.TruePos)/float64(s.Alerts), 4)
	}
	if s.Incidents > 0 {
		s.Recall = round(float64(s.Detected)/float64(s.Incidents), 4)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = round(2*s.Precision*s.Recall/(s.Precision+s.Recall), 4)
	}
	return s
}

func round(x float64, digits int) float64 {
	p := 1.0
	for range digits {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}

// peakMemMiB returns the process's peak resident set from /proc, or the
// memory the Go runtime obtained from the system where /proc is absent.
func peakMemMiB() float64 {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmHWM:")); ok {
				kb, err := strconv.ParseFloat(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 64)
				if err == nil {
					return kb / 1024
				}
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.Sys) / (1 << 20)
}
