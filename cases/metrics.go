package cases

import (
	"context"
	"slices"
	"time"

	"socle"
)

// Metrics measure the work of the privacy officers and the rules.
type Metrics struct {
	Cases       int             `json:"cases"`
	Open        int             `json:"open"`
	TriageP50   time.Duration   `json:"time_to_triage_p50"`
	TriageP90   time.Duration   `json:"time_to_triage_p90"`
	CloseP50    time.Duration   `json:"time_to_close_p50"`
	CloseP90    time.Duration   `json:"time_to_close_p90"`
	Rules       []RulePrecision `json:"rules"`
	AlertsWeeks []WeekCount     `json:"alerts_per_week"`
}

// RulePrecision is, for one rule, the closed cases with an alert of it and
// how many ended in a confirmed misuse.
type RulePrecision struct {
	Rule      string  `json:"rule"`
	Alerts    int     `json:"alerts"`
	Closed    int     `json:"closed"`
	Confirmed int     `json:"confirmed"`
	Precision float64 `json:"precision"` // confirmed / closed; 0 when none closed
	// CloseP50 is the median time from opening to verdict of the closed
	// cases with an alert of the rule.
	CloseP50 time.Duration `json:"time_to_close_p50"`
}

// WeekCount is the number of alerts of an ISO week.
type WeekCount struct {
	Week   string    `json:"week"` // 2025-W09
	Start  time.Time `json:"start"`
	Alerts int       `json:"alerts"`
}

// Compute derives the metrics of cases and their alerts.
func Compute(cs []*socle.Case, alerts []*socle.Alert) *Metrics {
	m := &Metrics{Cases: len(cs)}
	var triage, closing []time.Duration
	byID := make(map[string]*socle.Case, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
		if c.State != socle.CaseClosed {
			m.Open++
		}
		if !c.TriagedAt.IsZero() {
			triage = append(triage, c.TriagedAt.Sub(c.OpenedAt))
		}
		if !c.ClosedAt.IsZero() {
			closing = append(closing, c.ClosedAt.Sub(c.OpenedAt))
		}
	}
	m.TriageP50, m.TriageP90 = percentile(triage, 50), percentile(triage, 90)
	m.CloseP50, m.CloseP90 = percentile(closing, 50), percentile(closing, 90)

	rules := map[string]*RulePrecision{}
	counted := map[[2]string]bool{}
	closeTimes := map[string][]time.Duration{}
	weeks := map[string]*WeekCount{}
	for _, a := range alerts {
		r := rules[a.Rule]
		if r == nil {
			r = &RulePrecision{Rule: a.Rule}
			rules[a.Rule] = r
		}
		r.Alerts++
		if c := byID[a.CaseID]; c != nil && c.State == socle.CaseClosed && !counted[[2]string{a.Rule, c.ID}] {
			counted[[2]string{a.Rule, c.ID}] = true
			r.Closed++
			closeTimes[a.Rule] = append(closeTimes[a.Rule], c.ClosedAt.Sub(c.OpenedAt))
			if c.Verdict == socle.VerdictMisuse {
				r.Confirmed++
			}
		}
		y, w := a.OccurredAt.ISOWeek()
		key := isoWeek(y, w)
		wc := weeks[key]
		if wc == nil {
			wc = &WeekCount{Week: key, Start: weekStart(a.OccurredAt)}
			weeks[key] = wc
		}
		wc.Alerts++
	}
	for _, r := range rules {
		if r.Closed > 0 {
			r.Precision = float64(r.Confirmed) / float64(r.Closed)
		}
		r.CloseP50 = percentile(closeTimes[r.Rule], 50)
		m.Rules = append(m.Rules, *r)
	}
	slices.SortFunc(m.Rules, func(a, b RulePrecision) int {
		if a.Alerts != b.Alerts {
			return b.Alerts - a.Alerts
		}
		if a.Rule < b.Rule {
			return -1
		}
		return 1
	})
	for _, w := range weeks {
		m.AlertsWeeks = append(m.AlertsWeeks, *w)
	}
	slices.SortFunc(m.AlertsWeeks, func(a, b WeekCount) int { return a.Start.Compare(b.Start) })
	return m
}

// percentile is the nearest-rank percentile p of ds (0 when empty).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100·n)
	return s[max(rank, 1)-1]
}

func isoWeek(y, w int) string {
	b := []byte("0000-W00")
	for i := 3; i >= 0; i-- {
		b[i] = byte('0' + y%10)
		y /= 10
	}
	b[6], b[7] = byte('0'+w/10), byte('0'+w%10)
	return string(b)
}

// weekStart returns the Monday 00:00 UTC of t's ISO week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	d := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, time.UTC)
}

// Metrics computes the metrics over the cases the auditor may see, with
// the alerts since a time.
func (s *Service) Metrics(ctx context.Context, actor socle.Actor, since time.Time) (*Metrics, error) {
	cs, err := s.Cases(ctx, actor, socle.CaseFilter{Limit: 100000})
	if err != nil {
		return nil, err
	}
	alerts, err := s.store.Alerts(ctx, since)
	if err != nil {
		return nil, err
	}
	ids := make(map[string]bool, len(cs))
	for _, c := range cs {
		ids[c.ID] = true
	}
	alerts = slices.DeleteFunc(alerts, func(a *socle.Alert) bool { return !ids[a.CaseID] })
	return Compute(cs, alerts), nil
}
