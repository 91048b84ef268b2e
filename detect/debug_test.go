package detect

import (
	"context"
	"fmt"
	"os"
	"testing"
)

func TestDebugFP(t *testing.T) {
	if os.Getenv("DEBUGFP") == "" {
		t.Skip()
	}
	w := NewWorld(SimConfig{Agents: 2000, Days: 5, Seed: 1})
	d := New(w, Config{})
	evs := map[uint64]Event{}
	var incs []uint32
	var alerts []Alert
	_ = w.Simulate(context.Background(), func(es []Event, is []uint32) error {
		incs = append(incs, is...)
		for i := range es {
			evs[es[i].ID] = es[i]
			alerts = append(alerts, d.Observe(&es[i])...)
		}
		return nil
	})
	alerts = append(alerts, d.Flush()...)
	n := map[string]int{}
	for _, a := range alerts {
		m := 0
		for _, id := range a.Evidence {
			if incs[id-1] != 0 {
				m++
			}
		}
		if 2*m > len(a.Evidence) {
			continue
		}
		n[a.RuleName]++
		if n[a.RuleName] > 4 {
			continue
		}
		p := w.principals[a.Principal]
		fmt.Printf("FP %s principal %d role %d overtime %v reads %d persons %d\n", a.RuleName, a.Principal, p.role, p.overtime, a.Reads, a.Persons)
		for _, id := range a.Evidence[:min(8, len(a.Evidence))] {
			e := evs[id]
			pe := w.persons[e.Person]
			fmt.Printf("   t=%d h=%d act=%s expl=%s person=%d staff=%d prot=%d more=%d\n", (e.Time-w.start)/86400, (e.Time%86400)/3600, e.Action, e.Explanation, e.Person, pe.Staff, pe.Protected, len(e.More))
		}
	}
}
