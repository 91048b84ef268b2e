package detect

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
)

// WriteEvents writes the world and its traffic as a labelled event file
// (docs/detect-events.md): the directory first, then every access with its
// ground truth. The simulation's clock is read as wall-clock time in loc,
// so that a replay in loc sees the same hours.
func (w *World) WriteEvents(ctx context.Context, out io.Writer, loc *time.Location) error {
	bw := bufio.NewWriterSize(out, 1<<20)
	at := func(t int64) time.Time {
		u := time.Unix(t, 0).UTC()
		return time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute(), u.Second(), 0, loc)
	}
	stamp := func(t int64) string { return at(t).Format(time.RFC3339) }
	day := func(t int64) string { return at(t).Format(time.DateOnly) }
	line := func(v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		bw.Write(b)
		return bw.WriteByte('\n')
	}
	principalID := func(a uint32) string {
		if w.principals[a].info.Client {
			return "cli_" + strconv.Itoa(int(a))
		}
		return "agt_" + strconv.Itoa(int(a))
	}
	personID := func(q uint32) string { return "per_" + strconv.Itoa(int(q)) }
	hash := func(prefix string, v uint32) string {
		if v == 0 {
			return ""
		}
		return prefix + strconv.Itoa(int(v))
	}
	type obj = map[string]any
	for a := 1; a < len(w.principals); a++ {
		p := w.principals[a].info
		o := obj{"type": "principal", "id": principalID(uint32(a)), "org": "org_" + strconv.Itoa(int(p.Org)), "org_kind": OrgKindNames[p.OrgKind],
			"role": p.Role.String(), "territory": strconv.Itoa(int(p.Territory)), "identity": hash("h:p", p.Identity),
			"household": hash("h:h", p.Household), "address": hash("h:a", p.Address), "street": hash("h:s", p.Street)}
		if p.End != 0 {
			o["end"] = day(p.End - 86400)
		}
		if err := line(o); err != nil {
			return err
		}
	}
	for q := 1; q < len(w.persons); q++ {
		pe := w.persons[q]
		if err := line(obj{"type": "person", "id": personID(uint32(q)), "territory": strconv.Itoa(int(pe.Territory)), "identity": hash("h:p", pe.Identity),
			"household": hash("h:h", pe.Household), "address": hash("h:a", pe.Address), "street": hash("h:s", pe.Street), "protected": pe.Protected.String()}); err != nil {
			return err
		}
	}
	for a := 1; a < len(w.principals); a++ {
		p := &w.principals[a]
		if p.info.Client || p.role == roleFormer {
			continue
		}
		for _, q := range p.portfolio {
			if err := line(obj{"type": "followup", "org": "org_" + strconv.Itoa(int(p.info.Org)), "person": personID(q), "referent": principalID(uint32(a)), "from": day(w.start - 365*86400)}); err != nil {
				return err
			}
		}
	}
	covered := make([]uint32, 0, len(w.covers))
	for a := range w.covers {
		covered = append(covered, a)
	}
	slices.Sort(covered)
	for _, a := range covered {
		c := w.covers[a]
		if err := line(obj{"type": "delegation", "principal": principalID(a), "of": principalID(c.of), "from": stamp(c.from), "to": stamp(c.to)}); err != nil {
			return err
		}
	}
	for a, ts := range w.tasks {
		for _, t := range ts {
			o := obj{"type": "task", "id": "task_" + strconv.Itoa(int(t.ID)), "principal": principalID(uint32(a)), "purpose": PurposeNames[t.Purpose],
				"from": stamp(t.From), "to": stamp(t.To), "grace_minutes": t.Grace / 60, "approved": t.Approved}
			if t.Persons != nil {
				var ps []string
				for _, q := range w.taskLists[t.ID] {
					ps = append(ps, personID(q))
				}
				o["persons"] = ps
			}
			if err := line(o); err != nil {
				return err
			}
		}
	}
	keys := make([]uint64, 0, len(w.walkIns))
	for k := range w.walkIns {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, q := range w.walkIns[k] {
			if err := line(obj{"type": "checkin", "org": "org_" + strconv.Itoa(int(k>>32)), "person": personID(q), "time": stamp(w.start + int64(k&0xffffffff)*3600)}); err != nil {
				return err
			}
		}
	}
	for d := range w.cfg.Days {
		for i, je := range w.jobDatings[d] {
			var ps []string
			for _, q := range je.attendees {
				ps = append(ps, personID(q))
			}
			if err := line(obj{"type": "event_attendance", "event": fmt.Sprintf("evt_%d_%d", d, i), "org": "org_" + strconv.Itoa(int(je.org)), "persons": ps,
				"from": stamp(je.from), "to": stamp(je.to)}); err != nil {
				return err
			}
		}
	}
	conflicts := make([]uint64, 0, len(w.conflicts))
	for k := range w.conflicts {
		conflicts = append(conflicts, k)
	}
	slices.Sort(conflicts)
	for _, k := range conflicts {
		if err := line(obj{"type": "conflict", "principal": principalID(uint32(k >> 32)), "person": personID(uint32(k)), "declared": day(w.start - 86400)}); err != nil {
			return err
		}
	}
	var b []byte
	err := w.Simulate(ctx, func(evs []Event, incs []uint32) error {
		for i := range evs {
			ev := &evs[i]
			b = append(b[:0], `{"type":"access","id":"e`...)
			b = strconv.AppendUint(b, ev.ID, 10)
			b = append(b, `","time":"`...)
			b = at(ev.Time).AppendFormat(b, time.RFC3339)
			b = append(b, `","principal":"`...)
			b = append(b, principalID(ev.Principal)...)
			b = append(b, `","org":"org_`...)
			b = strconv.AppendUint(b, uint64(ev.Org), 10)
			b = append(b, `","action":"`...)
			b = append(b, ev.Action.String()...)
			b = append(b, `","persons":["per_`...)
			b = strconv.AppendUint(b, uint64(ev.Person), 10)
			for _, q := range ev.More {
				b = append(b, `","per_`...)
				b = strconv.AppendUint(b, uint64(q), 10)
			}
			b = append(b, `"],"purpose":"`...)
			b = append(b, PurposeNames[ev.Purpose]...)
			b = append(b, `","explanation":"`...)
			b = append(b, ev.Explanation.String()...)
			b = append(b, `","allowed":`...)
			b = strconv.AppendBool(b, ev.Flags&FlagAllowed != 0)
			if ev.Flags&FlagCall != 0 {
				b = append(b, `,"call_ref":"call_`...)
				b = strconv.AppendUint(b, ev.ID, 10)
				b = append(b, '"')
			}
			if ev.Task != 0 {
				b = append(b, `,"task":"task_`...)
				b = strconv.AppendUint(b, uint64(ev.Task), 10)
				b = append(b, '"')
			}
			if inc := incs[i]; inc != 0 {
				b = append(b, `,"label":"`...)
				b = append(b, w.incidents[inc-1].Scenario.String()...)
				b = append(b, `","incident":"inc_`...)
				b = strconv.AppendUint(b, uint64(inc), 10)
				b = append(b, '"')
			} else {
				b = append(b, `,"label":"legit"`...)
			}
			b = append(b, "}\n"...)
			if _, err := bw.Write(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}
