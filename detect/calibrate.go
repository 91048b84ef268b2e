package detect

import (
	"encoding/json"
	"sync"
)

// priors are each rule's expected precision before any verdict: what the
// simulations and outside workloads measured. A declared conflict or a
// relative's file is rarely innocent; a neighbour or an off-hours read
// often is.
var priors = map[string]float64{
	"conflict": 0.95, "family": 0.85, "mass_fast": 0.9, "mass_slow": 0.85, "colleague": 0.8, "former_employee": 0.75,
	"public_figure": 0.75, "out_of_territory": 0.6, "curiosity": 0.6, "off_hours": 0.55, "neighbour": 0.5,
}

// priorWeight is how many verdicts the prior is worth: after ten verdicts a
// rule's own record weighs twice its prior.
const priorWeight = 5

// Calibration turns the privacy officers' verdicts into each rule's
// precision: a Beta prior (the rule's expected precision, worth five
// verdicts) updated with the confirmed and dismissed alerts of the rule.
// Safe for concurrent use.
type Calibration struct {
	mu     sync.Mutex
	counts map[string][2]int // rule → confirmed, dismissed
}

// NewCalibration returns a calibration with the priors alone.
func NewCalibration() *Calibration { return &Calibration{counts: map[string][2]int{}} }

// Record adds a verdict: misuse true for a confirmed alert, false for a
// false positive or a justified access.
func (c *Calibration) Record(rule string, misuse bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.counts[rule]
	if misuse {
		n[0]++
	} else {
		n[1]++
	}
	c.counts[rule] = n
}

// Precision returns the rule's calibrated precision, in (0, 1).
func (c *Calibration) Precision(rule string) float64 {
	p0, ok := priors[rule]
	if !ok {
		p0 = 0.5
	}
	c.mu.Lock()
	n := c.counts[rule]
	c.mu.Unlock()
	return (float64(n[0]) + priorWeight*p0) / (float64(n[0]+n[1]) + priorWeight)
}

// MarshalJSON encodes the verdict counts.
func (c *Calibration) MarshalJSON() ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return json.Marshal(c.counts)
}

// UnmarshalJSON restores the verdict counts.
func (c *Calibration) UnmarshalJSON(b []byte) error {
	counts := map[string][2]int{}
	if err := json.Unmarshal(b, &counts); err != nil {
		return err
	}
	c.mu.Lock()
	c.counts = counts
	c.mu.Unlock()
	return nil
}
