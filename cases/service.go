package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"socle"
)

// DefaultSuppression is how long a "justified" or "false positive" verdict
// silences the same rule for the same principal.
const DefaultSuppression = 90 * 24 * time.Hour

// Service runs the case workflow over a Store. Safe for concurrent use.
type Service struct {
	store Store
	// Now is the clock (time.Now by default).
	Now func() time.Time
	// SuppressFor is how long a suppressing verdict lasts
	// (DefaultSuppression when zero).
	SuppressFor time.Duration

	mu         sync.Mutex
	auditor    socle.Auditor // set by SetAuditor (audit.go)
	onSuppress []func(socle.Suppression)
	onVerdict  []func(VerdictOf)
	notifier   Notifier                     // set by SetNotifier (delays.go)
	tasks      map[string][]*socle.BulkTask // approved, not yet ended, by agent
}

// New returns the service over store.
func New(store Store) *Service {
	return &Service{store: store, Now: time.Now, tasks: map[string][]*socle.BulkTask{}}
}

// OnSuppress registers fn, called with each suppression a verdict creates:
// the live detector honours it at once.
func (s *Service) OnSuppress(fn func(socle.Suppression)) {
	s.mu.Lock()
	s.onSuppress = append(s.onSuppress, fn)
	s.mu.Unlock()
}

// VerdictOf is the verdict a closing gave to one rule of a case: the live
// detector calibrates its scores on it and, for confirmed misuse, forgets
// the days of the alerts from its baselines.
type VerdictOf struct {
	Principal string
	Rule      string
	Misuse    bool
	From, To  time.Time // the first and last alert of the rule in the case
}

// OnVerdict registers fn, called for each rule of a case when a verdict
// closes it.
func (s *Service) OnVerdict(fn func(VerdictOf)) {
	s.mu.Lock()
	s.onVerdict = append(s.onVerdict, fn)
	s.mu.Unlock()
}

// verdicts calls the verdict hooks with each rule of the closed case.
func (s *Service) verdicts(ctx context.Context, c *socle.Case) error {
	s.mu.Lock()
	hooks := slices.Clone(s.onVerdict)
	s.mu.Unlock()
	if len(hooks) == 0 {
		return nil
	}
	alerts, err := s.store.CaseAlerts(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("alerts of the closed case: %w", err)
	}
	byRule := map[string]*VerdictOf{}
	var rules []string
	for _, a := range alerts {
		v := byRule[a.Rule]
		if v == nil {
			v = &VerdictOf{Principal: c.Principal, Rule: a.Rule, Misuse: c.Verdict == socle.VerdictMisuse, From: a.OccurredAt, To: a.OccurredAt}
			byRule[a.Rule] = v
			rules = append(rules, a.Rule)
		}
		if a.OccurredAt.Before(v.From) {
			v.From = a.OccurredAt
		}
		if a.OccurredAt.After(v.To) {
			v.To = a.OccurredAt
		}
	}
	for _, r := range rules {
		for _, fn := range hooks {
			fn(*byRule[r])
		}
	}
	return nil
}

// transitions are the valid moves of the workflow. A false positive is
// often seen at triage: a case may close from there.
var transitions = map[socle.CaseState][]socle.CaseState{
	socle.CaseNew:           {socle.CaseTriage},
	socle.CaseTriage:        {socle.CaseInvestigating, socle.CaseClosed},
	socle.CaseInvestigating: {socle.CaseClosed},
}

// CanMove reports whether the workflow allows from → to.
func CanMove(from, to socle.CaseState) bool { return slices.Contains(transitions[from], to) }

// Next returns the states a case in state from may move to.
func Next(from socle.CaseState) []socle.CaseState { return transitions[from] }

// checkAuditor lets in privacy officers signed in with a second factor,
// and returns whether the actor sees every organisation.
func checkAuditor(actor socle.Actor) (all bool, err error) { return socle.CheckAuditor(actor) }

// visible returns the case if the auditor may see it; an auditor of
// another organisation gets ENOTFOUND, like an absent case.
func (s *Service) visible(ctx context.Context, actor socle.Actor, id string) (*socle.Case, error) {
	all, err := checkAuditor(actor)
	if err != nil {
		return nil, err
	}
	c, err := s.store.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	if !all && c.OrganisationID != actor.OrganisationID {
		return nil, socle.Errorf(socle.ENOTFOUND, "case not found")
	}
	return c, nil
}

// Raise records an alert of the detector or of the inline throttle. It is
// the system's, not an actor's: no permission check.
func (s *Service) Raise(ctx context.Context, a *socle.Alert) (*socle.Case, error) {
	if a.Rule == "" || a.Principal == "" {
		return nil, socle.Errorf(socle.EINVALID, "an alert needs a rule and a principal")
	}
	if a.OccurredAt.IsZero() {
		a.OccurredAt = s.Now()
	}
	c, err := s.store.AddAlert(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("raising alert %s: %w", a.Rule, err)
	}
	if a.Critical {
		if err := s.notifyCritical(ctx, c, a); err != nil {
			return c, err
		}
	}
	return c, nil
}

// Cases lists the cases the auditor may see: her organisation's, or all of
// them for a platform auditor.
func (s *Service) Cases(ctx context.Context, actor socle.Actor, f socle.CaseFilter) ([]*socle.Case, error) {
	all, err := checkAuditor(actor)
	if err != nil {
		return nil, err
	}
	if !all {
		if f.OrganisationID != "" && f.OrganisationID != actor.OrganisationID {
			return nil, nil
		}
		f.OrganisationID = actor.OrganisationID
	}
	cs, err := s.store.Cases(ctx, f)
	if err != nil {
		return nil, err
	}
	if err := s.auditRecords(ctx, actor, AuditCaseList, "case", "", "Consultation de la liste des dossiers d'enquête.", len(cs)); err != nil {
		return nil, err
	}
	Rank(cs)
	return cs, nil
}

// Detail is a case with its alerts and timeline.
type Detail struct {
	Case    *socle.Case        `json:"case"`
	Alerts  []*socle.Alert     `json:"alerts"`
	Entries []*socle.CaseEntry `json:"entries"`
}

// Case returns a case with its alerts and timeline.
func (s *Service) Case(ctx context.Context, actor socle.Actor, id string) (*Detail, error) {
	c, err := s.visible(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	d := &Detail{Case: c}
	if d.Alerts, err = s.store.CaseAlerts(ctx, id); err != nil {
		return nil, err
	}
	if d.Entries, err = s.store.CaseEntries(ctx, id); err != nil {
		return nil, err
	}
	if err := s.auditRecords(ctx, actor, AuditCaseRead, "case", id, "Consultation d'un dossier d'enquête et de ses preuves.", 1+len(d.Alerts)+len(d.Entries)); err != nil {
		return nil, err
	}
	return d, nil
}

// Move changes the state of a case. Closing needs a verdict, and only
// closing takes one; a suppressing verdict silences each rule of the case
// for its principal during SuppressFor.
func (s *Service) Move(ctx context.Context, actor socle.Actor, id string, to socle.CaseState, verdict socle.Verdict, comment string) (*socle.Case, error) {
	c, err := s.visible(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if !CanMove(c.State, to) {
		next := make([]string, 0, 2)
		for _, n := range Next(c.State) {
			next = append(next, string(n))
		}
		return nil, socle.Errorf(socle.EINVALID, "a case cannot move from %q to %q (allowed from %q: %s)", c.State, to, c.State, orNone(next))
	}
	switch {
	case to == socle.CaseClosed && !slices.Contains(socle.Verdicts, verdict):
		return nil, socle.Errorf(socle.EINVALID, "closing a case needs a verdict (%s)", joinVerdicts())
	case to != socle.CaseClosed && verdict != "":
		return nil, socle.Errorf(socle.EINVALID, "a verdict is given only when the case is closed")
	}
	comment, err = cleanText(comment, false)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	from := c.State
	c.State, c.Verdict, c.UpdatedAt = to, verdict, now
	if from == socle.CaseNew {
		c.TriagedAt = now
	}
	text := fmt.Sprintf("%s → %s", from.Label(), to.Label())
	if to == socle.CaseClosed {
		c.ClosedAt = now
		text += " : " + verdict.Label()
	}
	if comment != "" {
		text += ". " + comment
	}
	e := &socle.CaseEntry{ID: socle.NewID("dse"), CaseID: c.ID, Kind: socle.CaseEntryState, Author: actor.AgentID, Text: text, CreatedAt: now}
	// The comment stays in the case's timeline; the log names its entry.
	if err := s.audit(ctx, actor, AuditCaseState, "case", c.ID, fmt.Sprintf("%s → %s", from, to)+verdictNote(verdict),
		socle.Fact{Kind: "case_entry", Detail: map[string]string{"entry_id": e.ID, "from": string(from), "to": string(to), "verdict": string(verdict)}}); err != nil {
		return nil, err
	}
	if err := s.store.UpdateCase(ctx, c, from, e); err != nil {
		return nil, err
	}
	if to == socle.CaseClosed && suppresses(verdict) {
		if err := s.suppress(ctx, c, now); err != nil {
			return c, err
		}
	}
	if to == socle.CaseClosed {
		if err := s.verdicts(ctx, c); err != nil {
			return c, err
		}
	}
	return c, nil
}

// verdictNote is the verdict of a closing, for the audit event.
func verdictNote(v socle.Verdict) string {
	if v == "" {
		return ""
	}
	return ", verdict " + string(v)
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none, the case is closed"
	}
	return strings.Join(s, ", ")
}

func joinVerdicts() string {
	v := make([]string, len(socle.Verdicts))
	for i, x := range socle.Verdicts {
		v[i] = string(x)
	}
	return strings.Join(v, ", ")
}

// suppress silences every rule of the case for its principal.
func (s *Service) suppress(ctx context.Context, c *socle.Case, now time.Time) error {
	alerts, err := s.store.CaseAlerts(ctx, c.ID)
	if err != nil {
		return err
	}
	d := s.SuppressFor
	if d <= 0 {
		d = DefaultSuppression
	}
	seen := map[string]bool{}
	for _, a := range alerts {
		if seen[a.Rule] {
			continue
		}
		seen[a.Rule] = true
		sup := socle.Suppression{Principal: c.Principal, Rule: a.Rule, Until: now.Add(d), CaseID: c.ID, CreatedAt: now}
		if err := s.store.PutSuppression(ctx, &sup); err != nil {
			return fmt.Errorf("suppressing %s: %w", a.Rule, err)
		}
		s.mu.Lock()
		hooks := slices.Clone(s.onSuppress)
		s.mu.Unlock()
		for _, fn := range hooks {
			fn(sup)
		}
	}
	return nil
}

// Suppressions returns the suppressions in force.
func (s *Service) Suppressions(ctx context.Context) ([]*socle.Suppression, error) {
	return s.store.Suppressions(ctx, s.Now())
}

// Assign gives the case to an auditor of the case's organisation (the
// organisation of the agent it is about).
func (s *Service) Assign(ctx context.Context, actor socle.Actor, id, auditorID string) error {
	c, err := s.visible(ctx, actor, id)
	if err != nil {
		return err
	}
	if c.State == socle.CaseClosed {
		return socle.Errorf(socle.EINVALID, "a closed case is not assigned")
	}
	a, err := s.store.Agent(ctx, auditorID)
	if err != nil {
		if socle.ErrorCode(err) == socle.ENOTFOUND {
			return socle.Errorf(socle.EINVALID, "assignee: no such agent")
		}
		return err
	}
	if a.Disabled || !a.HasRole(socle.RoleAuditor) || a.OrganisationID != c.OrganisationID {
		return socle.Errorf(socle.EINVALID, "assignee: a case goes to a privacy officer (role %s) of the organisation of the agent concerned", socle.RoleAuditor)
	}
	now := s.Now().UTC()
	from := c.State
	c.Assignee, c.UpdatedAt = a.ID, now
	e := &socle.CaseEntry{ID: socle.NewID("dse"), CaseID: c.ID, Kind: socle.CaseEntryAssign, Author: actor.AgentID, Text: "Assigné à " + a.FullName(), CreatedAt: now}
	if err := s.audit(ctx, actor, AuditCaseAssign, "case", c.ID, "assigned to agent "+a.ID,
		socle.Fact{Kind: "case_entry", Detail: map[string]string{"entry_id": e.ID, "assignee": a.ID}}); err != nil {
		return err
	}
	return s.store.UpdateCase(ctx, c, from, e)
}

// Auditors returns the privacy officers a case may be assigned to.
func (s *Service) Auditors(ctx context.Context, actor socle.Actor, id string) ([]*socle.Agent, error) {
	c, err := s.visible(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	agents, err := s.store.AgentsOf(ctx, c.OrganisationID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(agents, func(a *socle.Agent) bool { return a.Disabled || !a.HasRole(socle.RoleAuditor) }), nil
}

// Comment adds a comment to the case's timeline.
func (s *Service) Comment(ctx context.Context, actor socle.Actor, id, text string) (*socle.CaseEntry, error) {
	c, err := s.visible(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if text, err = cleanText(text, true); err != nil {
		return nil, err
	}
	return s.addEntry(ctx, actor, c, socle.CaseEntryComment, AuditCaseComment, "comment added", text)
}

// addEntry audits, then adds an entry of a kind to the case's timeline.
func (s *Service) addEntry(ctx context.Context, actor socle.Actor, c *socle.Case, kind, action, note, text string) (*socle.CaseEntry, error) {
	e := &socle.CaseEntry{ID: socle.NewID("dse"), CaseID: c.ID, Kind: kind, Author: actor.AgentID, Text: text, CreatedAt: s.Now().UTC()}
	if err := s.audit(ctx, actor, action, "case", c.ID, note,
		socle.Fact{Kind: "case_entry", Detail: map[string]string{"entry_id": e.ID}}); err != nil {
		return nil, err
	}
	if err := s.store.AddCaseEntry(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

func cleanText(text string, required bool) (string, error) {
	text = strings.TrimSpace(text)
	switch {
	case required && text == "":
		return "", socle.Errorf(socle.EINVALID, "text: required")
	case utf8.RuneCountInString(text) > 4000 || !utf8.ValidString(text):
		return "", socle.Errorf(socle.EINVALID, "text: at most 4000 characters of valid UTF-8")
	}
	return text, nil
}
