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

// Score is the quality of a detector overall: precision on alerts, recall
// on incidents, false alerts per 1,000 principal-workdays.
//
// An alert is a true positive when more than half of its evidence events
// are misuse. An incident is detected when an alert's evidence holds at
// least one of its events.
type Score struct {
	Precision     float64 `json:"precision"`
	Recall        float64 `json:"recall"`
	F1            float64 `json:"f1"`
	Alerts        int     `json:"alerts"`
	TruePos       int     `json:"true_positives"`
	Incidents     int     `json:"incidents"`
	Detected      int     `json:"detected"`
	FalsePer1000  float64 `json:"false_alerts_per_1000_principal_days"`
	PrincipalDays int     `json:"principal_days"`
}

// RuleScore is the precision of one rule, and its false alerts per 1,000
// principal-workdays.
type RuleScore struct {
	Alerts       int     `json:"alerts"`
	TruePos      int     `json:"true_positives"`
	Precision    float64 `json:"precision"`
	FalsePer1000 float64 `json:"false_alerts_per_1000_principal_days"`
}

// ReviewScore scores the review items (Alert.Review: sensitive-person
// reads that a relationship explains), which the overall score leaves
// out: how many, how many were misuse, per 1,000 principal-workdays, the
// incidents that only a review item found, and the recall alerts and
// review items reach together.
type ReviewScore struct {
	Items            int                  `json:"items"`
	TruePos          int                  `json:"true_positives"`
	Precision        float64              `json:"precision"`
	Per1000          float64              `json:"items_per_1000_principal_days"`
	OnlyDetected     int                  `json:"incidents_found_only_by_review"`
	RecallWithReview float64              `json:"recall_with_review"`
	Rules            map[string]RuleScore `json:"rules"`
}

// LabelScore is the recall of one misuse label: the incidents an alert
// found, and those only a review item found (not counted in the recall).
type LabelScore struct {
	Incidents  int     `json:"incidents"`
	Detected   int     `json:"detected"`
	Recall     float64 `json:"recall"`
	ReviewOnly int     `json:"found_only_by_review"`
}

// Report scores one detector: overall, per rule, per misuse label.
type Report struct {
	Overall Score                 `json:"overall"`
	Rules   map[string]RuleScore  `json:"rules"`
	Labels  map[string]LabelScore `json:"labels"`
	Review  ReviewScore           `json:"review"`
}

// Truth is the ground truth of a stream: the incident of every event
// (Events[id-1], 0 for legitimate work, else a 1-based index in Labels)
// and the misuse label of each incident.
type Truth struct {
	Events []uint32
	Labels []string
}

// ScoreAlerts scores alerts against the truth; principalDays is the number
// of (principal, day) pairs with at least one access.
func ScoreAlerts(alerts []Alert, truth *Truth, principalDays int) Report {
	rep := Report{Rules: map[string]RuleScore{}, Labels: map[string]LabelScore{}, Review: ReviewScore{Rules: map[string]RuleScore{}}}
	detected := make([]bool, len(truth.Labels)+1)
	reviewed := make([]bool, len(truth.Labels)+1)
	o, rv := &rep.Overall, &rep.Review
	for _, a := range alerts {
		misuse := 0
		for _, id := range a.Evidence {
			if id >= 1 && int(id) <= len(truth.Events) {
				if inc := truth.Events[id-1]; inc != 0 {
					misuse++
					if a.Review {
						reviewed[inc] = true
					} else {
						detected[inc] = true
					}
				}
			}
		}
		tp := 2*misuse > len(a.Evidence)
		rules := rep.Rules
		if a.Review {
			rules = rv.Rules
			rv.Items++
			if tp {
				rv.TruePos++
			}
		} else {
			o.Alerts++
			if tp {
				o.TruePos++
			}
		}
		rs := rules[a.RuleName]
		rs.Alerts++
		if tp {
			rs.TruePos++
		}
		rules[a.RuleName] = rs
	}
	// Incidents that planted nothing (label "") are left out here as
	// scoreTruth leaves them out of the recall.
	found, planted := 0, 0
	for i := range detected {
		if i == 0 || truth.Labels[i-1] == "" {
			continue
		}
		planted++
		if detected[i] || reviewed[i] {
			found++
			if !detected[i] {
				rv.OnlyDetected++
			}
		}
	}
	for i, label := range truth.Labels {
		ls := rep.Labels[label]
		ls.Incidents++
		o.Incidents++
		if detected[i+1] {
			ls.Detected++
			o.Detected++
		} else if reviewed[i+1] {
			ls.ReviewOnly++
		}
		rep.Labels[label] = ls
	}
	for _, rules := range []map[string]RuleScore{rep.Rules, rv.Rules} {
		for k, rs := range rules {
			if rs.Alerts > 0 {
				rs.Precision = round(float64(rs.TruePos)/float64(rs.Alerts), 4)
			}
			if principalDays > 0 {
				rs.FalsePer1000 = round(float64(rs.Alerts-rs.TruePos)*1000/float64(principalDays), 3)
			}
			rules[k] = rs
		}
	}
	if rv.Items > 0 {
		rv.Precision = round(float64(rv.TruePos)/float64(rv.Items), 4)
	}
	if principalDays > 0 {
		rv.Per1000 = round(float64(rv.Items)*1000/float64(principalDays), 3)
	}
	if planted > 0 {
		rv.RecallWithReview = round(float64(found)/float64(planted), 4)
	}
	for k, ls := range rep.Labels {
		if ls.Incidents > 0 {
			ls.Recall = round(float64(ls.Detected)/float64(ls.Incidents), 4)
		}
		rep.Labels[k] = ls
	}
	if o.Alerts > 0 {
		o.Precision = round(float64(o.TruePos)/float64(o.Alerts), 4)
	}
	if o.Incidents > 0 {
		o.Recall = round(float64(o.Detected)/float64(o.Incidents), 4)
	}
	if o.Precision+o.Recall > 0 {
		o.F1 = round(2*o.Precision*o.Recall/(o.Precision+o.Recall), 4)
	}
	o.PrincipalDays = principalDays
	if principalDays > 0 {
		o.FalsePer1000 = round(float64(o.Alerts-o.TruePos)*1000/float64(principalDays), 3)
	}
	return rep
}

// workdays counts the distinct (principal, day) pairs of a time-ordered
// stream.
type workdays struct {
	last []int64
	n    int
}

func (w *workdays) see(principal uint32, day int64) {
	if principal == 0 {
		return
	}
	for int(principal) >= len(w.last) {
		w.last = append(w.last, -1)
	}
	if w.last[principal] != day {
		w.last[principal] = day
		w.n++
	}
}

// Result is one evaluation: the explanation-based detector and the
// rules-only baseline on the same stream.
type Result struct {
	Seed         uint64  `json:"seed,omitempty"`
	Source       string  `json:"source,omitempty"`
	Agents       int     `json:"agents,omitempty"`
	Principals   int     `json:"principals"`
	Persons      int     `json:"persons"`
	Days         int     `json:"days"`
	Events       int64   `json:"events"`
	Seconds      float64 `json:"seconds"`
	EventsPerSec float64 `json:"events_per_sec"`
	CPUSeconds   float64 `json:"cpu_seconds"`    // user+system CPU of the whole run (simulation and both detectors)
	DetectSecs   float64 `json:"detect_seconds"` // wall time inside the detector alone
	PeakMemMiB   float64 `json:"peak_mem_mib"`   // peak resident set (VmHWM), or the runtime's Sys where unavailable
	Detector     Report  `json:"detector"`
	RulesOnly    Report  `json:"rules_only"`
	// Live scores the same file replayed through the live path (the
	// directory loaded as the store's, the events as the gate records
	// them): `detect eval --events FILE --live`.
	Live  *Report `json:"live,omitempty"`
	Stats Stats   `json:"stats"`
}

// JSON returns the result as one line.
func (r Result) JSON() []byte {
	b, _ := json.Marshal(r)
	return b
}

// evalRun is one detector fed batch by batch in its own goroutine.
type evalRun struct {
	det    *Detector
	ch     chan []Event
	alerts []Alert
	busy   time.Duration
}

func startRuns(dets ...*Detector) ([]*evalRun, *sync.WaitGroup) {
	var wg sync.WaitGroup
	runs := make([]*evalRun, len(dets))
	for i, d := range dets {
		r := &evalRun{det: d, ch: make(chan []Event, 1)}
		runs[i] = r
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
	return runs, &wg
}

// Eval simulates cfg's world, runs the detector and the rules-only baseline
// on its stream, and scores both against the ground truth. The simulator
// and the two detectors run concurrently, hour batch by hour batch.
// Progress goes to w when not nil.
func Eval(ctx context.Context, cfg SimConfig, w io.Writer) (Result, error) {
	start, cpu0 := time.Now(), cpuSeconds()
	world := NewWorld(cfg)
	cfg = world.cfg
	bar := progress.New(w, "événements", int64(cfg.Agents)*70*int64(cfg.Days))
	n := world.Principals()
	runs, wg := startRuns(New(world, Config{Principals: n}), New(world, Config{RulesOnly: true, Principals: n}))
	truth := &Truth{}
	for _, inc := range world.Incidents() {
		truth.Labels = append(truth.Labels, inc.Scenario.String())
	}
	var days workdays
	err := world.Simulate(ctx, func(evs []Event, incs []uint32) error {
		truth.Events = append(truth.Events, incs...)
		for i := range evs {
			days.see(evs[i].Principal, evs[i].Time/86400)
		}
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
	// Incidents without events (a scenario the world could not plant)
	// cannot be detected: they do not count.
	for i, inc := range world.Incidents() {
		if inc.Events == 0 {
			truth.Labels[i] = ""
		}
	}
	elapsed := time.Since(start)
	res := Result{
		Seed: cfg.Seed, Agents: cfg.Agents, Principals: world.Principals(), Persons: world.Persons(), Days: cfg.Days,
		Events: int64(len(truth.Events)), Seconds: round(elapsed.Seconds(), 3), DetectSecs: round(runs[0].busy.Seconds(), 3),
		CPUSeconds: round(cpuSeconds()-cpu0, 2), PeakMemMiB: round(peakMemMiB(), 1), Stats: runs[0].det.Stats(),
	}
	res.EventsPerSec = round(float64(res.Events)/elapsed.Seconds(), 0)
	res.Detector = scoreTruth(runs[0].alerts, truth, days.n)
	res.RulesOnly = scoreTruth(runs[1].alerts, truth, days.n)
	return res, nil
}

// scoreTruth scores, leaving out the incidents that planted nothing.
func scoreTruth(alerts []Alert, truth *Truth, principalDays int) Report {
	rep := ScoreAlerts(alerts, truth, principalDays)
	if ls, ok := rep.Labels[""]; ok {
		delete(rep.Labels, "")
		rep.Overall.Incidents -= ls.Incidents
		rep.Overall.Detected -= ls.Detected
		o := &rep.Overall
		o.Recall, o.F1 = 0, 0
		if o.Incidents > 0 {
			o.Recall = round(float64(o.Detected)/float64(o.Incidents), 4)
		}
		if o.Precision+o.Recall > 0 {
			o.F1 = round(2*o.Precision*o.Recall/(o.Precision+o.Recall), 4)
		}
	}
	return rep
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
