package workload

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
	"time"
)

// opaque returns a stable opaque hash of s, standing for the keyed hashes
// of NIR and birth date a real directory would hold.
func opaque(kind, s string) string {
	h := fnv.New64a()
	h.Write([]byte(kind))
	h.Write([]byte(s))
	return fmt.Sprintf("h:%s%016x", kind, h.Sum64())
}

func (g *gen) write(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	put := func(v any) error { return enc.Encode(v) }
	for _, p := range g.staff {
		dept := p.org.dept
		line := map[string]any{"type": "principal", "id": p.id, "org": p.org.id, "org_kind": p.org.kind, "role": p.role, "territory": dept,
			"start": p.start.Format(time.DateOnly), "end": p.endDay}
		if p.self != nil {
			line["identity"] = opaque("i", p.self.id)
			line["household"] = opaque("hh", p.self.household.id)
			line["address"] = p.self.household.address
			line["street"] = p.self.household.street
		}
		if err := put(line); err != nil {
			return err
		}
		g.stats.Principals++
	}
	for _, per := range g.persons {
		if err := put(map[string]any{"type": "person", "id": per.id, "territory": per.dept, "identity": opaque("i", per.id),
			"household": opaque("hh", per.household.id), "address": per.household.address, "street": per.household.street, "protected": per.protected}); err != nil {
			return err
		}
		g.stats.Persons++
	}
	for _, o := range g.orgs {
		referent := map[*person]string{}
		for _, p := range o.staff {
			for _, per := range p.folio {
				referent[per] = p.id
			}
		}
		seen := map[*person]bool{}
		for _, per := range o.followed {
			if seen[per] {
				continue
			}
			seen[per] = true
			from := g.cfg.Start.AddDate(0, -1-int(per.id[len(per.id)-1]%18), 0)
			if err := put(map[string]any{"type": "followup", "org": o.id, "person": per.id, "referent": referent[per], "from": from.Format(time.DateOnly), "to": ""}); err != nil {
				return err
			}
		}
	}
	for _, l := range g.lines {
		if err := put(l); err != nil {
			return err
		}
	}
	slices.SortStableFunc(g.accesses, func(a, b access) int { return a.t.Compare(b.t) })
	for i, a := range g.accesses {
		ids := make([]string, len(a.persons))
		for j, per := range a.persons {
			ids[j] = per.id
		}
		session := fmt.Sprintf("s_%s_%s", a.principal.id, a.t.Format("0102"))
		if err := put(accessLine{Type: "access", ID: fmt.Sprintf("e%d", i+1), Time: a.t.Format(time.RFC3339), Principal: a.principal.id, Org: a.principal.org.id,
			Action: a.action, Persons: ids, Purpose: a.purpose, Explanation: a.expl, Allowed: a.allowed, BreakGlass: a.breakGlass, Task: a.task,
			CallRef: a.callRef, Session: session, Remote: a.remote, Categories: a.categories, Label: a.label, Incident: a.incident}); err != nil {
			return err
		}
		g.stats.Accesses++
	}
	return bw.Flush()
}

// accessLine is an access in the order of docs/detect-events.md.
type accessLine struct {
	Type        string   `json:"type"`
	ID          string   `json:"id"`
	Time        string   `json:"time"`
	Principal   string   `json:"principal"`
	Org         string   `json:"org"`
	Action      string   `json:"action"`
	Persons     []string `json:"persons"`
	Purpose     string   `json:"purpose"`
	Explanation string   `json:"explanation"`
	Allowed     bool     `json:"allowed"`
	BreakGlass  bool     `json:"break_glass"`
	Task        string   `json:"task"`
	CallRef     string   `json:"call_ref"`
	Session     string   `json:"session"`
	Remote      string   `json:"remote"`
	Categories  []string `json:"categories"`
	Label       string   `json:"label"`
	Incident    string   `json:"incident"`
}
