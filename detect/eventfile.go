package detect

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// fileLine is any line of a labelled event file (docs/detect-events.md).
type fileLine struct {
	Type         string   `json:"type"`
	ID           string   `json:"id"`
	Org          string   `json:"org"`
	OrgKind      string   `json:"org_kind"`
	Role         string   `json:"role"`
	Territory    string   `json:"territory"`
	Identity     string   `json:"identity"`
	Household    string   `json:"household"`
	Address      string   `json:"address"`
	Street       string   `json:"street"`
	Start        string   `json:"start"`
	End          string   `json:"end"`
	Protected    string   `json:"protected"`
	Person       string   `json:"person"`
	Persons      []string `json:"persons"`
	Referent     string   `json:"referent"`
	Principal    string   `json:"principal"`
	Of           string   `json:"of"`
	From         string   `json:"from"`
	To           string   `json:"to"`
	Purpose      string   `json:"purpose"`
	GraceMinutes int      `json:"grace_minutes"`
	Approved     *bool    `json:"approved"`
	Time         string   `json:"time"`
	Event        string   `json:"event"`
	Declared     string   `json:"declared"`
	Action       string   `json:"action"`
	Explanation  string   `json:"explanation"`
	Allowed      *bool    `json:"allowed"`
	BreakGlass   bool     `json:"break_glass"`
	Task         string   `json:"task"`
	CallRef      string   `json:"call_ref"`
	Session      string   `json:"session"`
	Remote       string   `json:"remote"`
	Categories   []string `json:"categories"`
	Label        string   `json:"label"`
	Incident     string   `json:"incident"`
}

// EventFile reads a labelled event file into a MemDirectory and a stream
// of events with their ground truth.
type EventFile struct {
	Dir       *MemDirectory
	Truth     Truth
	Location  *time.Location
	incidents *Interner
	sessions  *Interner
	tasks     *Interner
	last      int64
	line      int
	events    uint64
}

// NewEventFile returns a reader whose dates are in loc (Europe/Paris for
// the network).
func NewEventFile(loc *time.Location) *EventFile {
	return &EventFile{Dir: NewMemDirectory(), Location: loc, incidents: NewInterner(), sessions: NewInterner(), tasks: NewInterner()}
}

// Read reads lines from r, adding directory lines to Dir and calling fn
// with each access in order. An error names the line.
func (f *EventFile) Read(ctx context.Context, r io.Reader, fn func(ev *Event) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		f.line++
		if f.line%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var l fileLine
		if err := json.Unmarshal(b, &l); err != nil {
			return fmt.Errorf("line %d: %w", f.line, err)
		}
		ev, err := f.apply(&l)
		if err != nil {
			return fmt.Errorf("line %d: %w", f.line, err)
		}
		if ev != nil {
			if err := fn(ev); err != nil {
				return fmt.Errorf("line %d: %w", f.line, err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", f.line+1, err)
	}
	return nil
}

// Lines returns the number of lines read so far.
func (f *EventFile) Lines() int { return f.line }

func (f *EventFile) apply(l *fileLine) (*Event, error) {
	d := f.Dir
	hash := func(s string) uint32 { return d.Names.ID(s) }
	territory := func(s string) uint32 {
		if s == "" {
			return 0
		}
		return hash("territory:" + s)
	}
	switch l.Type {
	case "principal":
		if l.ID == "" {
			return nil, errors.New("principal: id is required")
		}
		end, err := f.date(l.End, true)
		if err != nil {
			return nil, fmt.Errorf("principal %s: end: %w", l.ID, err)
		}
		role := ParseRole(l.Role)
		d.SetPrincipal(d.Principals.ID(l.ID), PrincipalInfo{Org: d.Orgs.ID(l.Org), OrgKind: hash("kind:" + l.OrgKind), Role: role,
			Territory: territory(l.Territory), Identity: hash(l.Identity), Household: hash(l.Household), Address: hash(l.Address),
			Street: hash(l.Street), End: end, Client: role == RolePartnerSystem})
	case "person":
		if l.ID == "" {
			return nil, errors.New("person: id is required")
		}
		d.SetPerson(d.Persons.ID(l.ID), PersonInfo{Territory: territory(l.Territory), Identity: hash(l.Identity),
			Household: hash(l.Household), Address: hash(l.Address), Street: hash(l.Street), Protected: ParseProtection(l.Protected)})
	case "followup":
		from, to, err := f.span(l.From, l.To)
		if err != nil {
			return nil, fmt.Errorf("followup: %w", err)
		}
		if l.Person == "" || l.Org == "" {
			return nil, errors.New("followup: org and person are required")
		}
		d.AddFollowup(d.Orgs.ID(l.Org), d.Persons.ID(l.Person), d.Principals.ID(l.Referent), from, to)
	case "delegation":
		from, to, err := f.span(l.From, l.To)
		if err != nil {
			return nil, fmt.Errorf("delegation: %w", err)
		}
		if l.Principal == "" || l.Of == "" {
			return nil, errors.New("delegation: principal and of are required")
		}
		d.AddDelegation(d.Principals.ID(l.Principal), d.Principals.ID(l.Of), from, to)
	case "task":
		from, to, err := f.span(l.From, l.To)
		if err != nil {
			return nil, fmt.Errorf("task: %w", err)
		}
		if l.Principal == "" {
			return nil, errors.New("task: principal is required")
		}
		t := &Task{Principal: d.Principals.ID(l.Principal), Purpose: uint8(min(d.Purposes.ID(l.Purpose), 255)), From: from, To: to,
			Grace: int64(l.GraceMinutes) * 60, Approved: l.Approved == nil || *l.Approved}
		if l.Persons != nil {
			t.Persons = make(map[uint32]struct{}, len(l.Persons))
			for _, p := range l.Persons {
				t.Persons[d.Persons.ID(p)] = struct{}{}
			}
		}
		d.AddTask(t)
		f.tasks.ID(l.ID)
	case "checkin":
		at, err := f.instant(l.Time)
		if err != nil {
			return nil, fmt.Errorf("checkin: time: %w", err)
		}
		d.AddCheckin(d.Orgs.ID(l.Org), d.Persons.ID(l.Person), at)
	case "event_attendance":
		from, to, err := f.span(l.From, l.To)
		if err != nil {
			return nil, fmt.Errorf("event_attendance: %w", err)
		}
		for _, p := range l.Persons {
			d.AddAttendance(d.Orgs.ID(l.Org), d.Persons.ID(p), from, to)
		}
	case "conflict":
		if l.Principal == "" || l.Person == "" {
			return nil, errors.New("conflict: principal and person are required")
		}
		d.AddConflict(d.Principals.ID(l.Principal), d.Persons.ID(l.Person))
	case "access":
		return f.access(l)
	case "":
		return nil, errors.New("type is required")
	default:
		return nil, fmt.Errorf("unknown type %q (principal, person, followup, delegation, task, checkin, event_attendance, conflict, access)", l.Type)
	}
	return nil, nil
}

func (f *EventFile) access(l *fileLine) (*Event, error) {
	d := f.Dir
	at, err := f.instant(l.Time)
	if err != nil {
		return nil, fmt.Errorf("access %s: time: %w", l.ID, err)
	}
	if at < f.last {
		return nil, fmt.Errorf("access %s: out of time order (%s is before the previous access)", l.ID, l.Time)
	}
	f.last = at
	if l.Principal == "" {
		return nil, fmt.Errorf("access %s: principal is required", l.ID)
	}
	expl := ExplNone
	if l.Explanation != "" {
		var ok bool
		if expl, ok = ParseExplanation(l.Explanation); !ok {
			return nil, fmt.Errorf("access %s: unknown explanation %q (%s)", l.ID, l.Explanation, strings.Join(explanationNames[:], ", "))
		}
	}
	label := strings.TrimSpace(l.Label)
	var inc uint32
	if label != "" && label != "legit" {
		if l.Incident == "" {
			return nil, fmt.Errorf("access %s: label %q needs an incident", l.ID, label)
		}
		inc = f.incidents.ID(l.Incident)
		if int(inc) > len(f.Truth.Labels) {
			f.Truth.Labels = append(f.Truth.Labels, label)
		}
	}
	f.Truth.Events = append(f.Truth.Events, inc)
	f.events++
	principal := d.Principals.ID(l.Principal)
	info := d.Principal(principal)
	ev := &Event{ID: f.events, Time: at, Principal: principal, Org: d.Orgs.ID(l.Org), Action: ParseAction(l.Action), Explanation: expl,
		Purpose: uint8(min(d.Purposes.ID(l.Purpose), 255)), Session: f.sessions.ID(l.Session), Remote: d.Names.ID(l.Remote), Records: 1}
	if ev.Org == 0 {
		ev.Org = info.Org
	}
	if l.Allowed == nil || *l.Allowed {
		ev.Flags |= FlagAllowed
	}
	if l.BreakGlass {
		ev.Flags |= FlagBreakGlass
		ev.Explanation = max(ev.Explanation, ExplBreakGlass)
	}
	if l.CallRef != "" {
		ev.Flags |= FlagCall
	}
	if info.Client {
		ev.Flags |= FlagClient
	}
	if l.Task != "" {
		ev.Task = f.tasks.ID(l.Task)
	}
	for _, c := range l.Categories {
		ev.Categories |= CategoryBit(c)
	}
	for i, p := range l.Persons {
		id := d.Persons.ID(p)
		if i == 0 {
			ev.Person = id
		} else {
			ev.More = append(ev.More, id)
		}
	}
	if l.Person != "" && ev.Person == 0 {
		ev.Person = d.Persons.ID(l.Person)
	}
	ev.Records = uint16(min(max(ev.Persons(), 1), 1<<16-1))
	return ev, nil
}

// instant parses an RFC 3339 time.
func (f *EventFile) instant(s string) (int64, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, fmt.Errorf("%q is not an RFC 3339 time", s)
	}
	return t.Unix(), nil
}

// date parses a date (YYYY-MM-DD, in the file's location) or an RFC 3339
// time; a date that ends a span means the end of that day. "" is 0.
func (f *EventFile) date(s string, end bool) (int64, error) {
	if s == "" {
		return 0, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Unix(), nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, f.Location)
	if err != nil {
		return 0, fmt.Errorf("%q is neither a date (YYYY-MM-DD) nor an RFC 3339 time", s)
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t.Unix(), nil
}

func (f *EventFile) span(from, to string) (int64, int64, error) {
	a, err := f.date(from, false)
	if err != nil {
		return 0, 0, fmt.Errorf("from: %w", err)
	}
	b, err := f.date(to, true)
	if err != nil {
		return 0, 0, fmt.Errorf("to: %w", err)
	}
	if b != 0 && b < a {
		return 0, 0, fmt.Errorf("to %q is before from %q", to, from)
	}
	return a, b, nil
}

// EvalFile replays a labelled event file through the detector and the
// rules-only baseline and scores both (days and hours in loc).
func EvalFile(ctx context.Context, r io.Reader, loc *time.Location) (Result, error) {
	start, cpu0 := time.Now(), cpuSeconds()
	f := NewEventFile(loc)
	dets := []*Detector{New(f.Dir, Config{Location: loc}), New(f.Dir, Config{Location: loc, RulesOnly: true})}
	alerts := make([][]Alert, len(dets))
	var days workdays
	var busy time.Duration
	first, lastDay := int64(-1), int64(-1)
	err := f.Read(ctx, r, func(ev *Event) error {
		day, _, _ := dets[0].clock(ev.Time)
		days.see(ev.Principal, day)
		if first < 0 {
			first = day
		}
		lastDay = day
		t := time.Now()
		for i, d := range dets {
			alerts[i] = append(alerts[i], d.Observe(ev)...)
		}
		busy += time.Since(t)
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	for i, d := range dets {
		alerts[i] = append(alerts[i], d.Flush()...)
	}
	elapsed := time.Since(start)
	res := Result{Principals: f.Dir.Principals.Len(), Persons: f.Dir.Persons.Len(), Events: int64(len(f.Truth.Events)),
		Seconds: round(elapsed.Seconds(), 3), DetectSecs: round(busy.Seconds(), 3), CPUSeconds: round(cpuSeconds()-cpu0, 2),
		PeakMemMiB: round(peakMemMiB(), 1), Stats: dets[0].Stats()}
	if first >= 0 {
		res.Days = int(lastDay - first + 1)
	}
	res.EventsPerSec = round(float64(res.Events)/max(elapsed.Seconds(), 1e-9), 0)
	res.Detector = ScoreAlerts(alerts[0], &f.Truth, days.n)
	res.RulesOnly = ScoreAlerts(alerts[1], &f.Truth, days.n)
	return res, nil
}
