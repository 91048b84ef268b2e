package socle

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// PrefixOrientationRequest prefixes the ids of orientation requests.
const PrefixOrientationRequest = "dor"

// Orientation request statuses: a request is sent (open) until the
// receiving structure accepts or refuses it.
const (
	HandoffSent     = "envoyee"
	HandoffAccepted = "acceptee"
	HandoffRefused  = "refusee"
)

// What the orienting structure decides after a refusal (or later): a new
// request to another structure, keeping the person, or ending her parcours.
const (
	HandoffOutcomeReoriented = "reorientation"
	HandoffOutcomeKept       = "maintien"
	HandoffOutcomeExit       = "sortie"
)

// HandoffRefusalReasons are the reasons a receiving structure may give for
// a refusal, in display order; "autre" needs a comment.
var HandoffRefusalReasons = []string{"hors_perimetre", "capacite", "territoire", "accompagnement_inadapte", "personne_injoignable", "autre"}

// HandoffExitReasons are the reasons of a sortie du parcours.
var HandoffExitReasons = []string{"emploi", "formation", "demenagement", "abandon", "autre"}

// HandoffOtherReason is the reason that needs a comment.
const HandoffOtherReason = "autre"

// MaxHandoffText bounds the free texts of a request, in characters.
const MaxHandoffText = 2000

// OrientationSummary is what the receiving structure is shown of the
// person's diagnostic to decide: the situation and the constraints
// (freins) the policy lets the orienting structure share, never health.
type OrientationSummary struct {
	Situation      Situation `json:"situation,omitempty"`
	EducationLevel string    `json:"education_level,omitempty"`
	Constraints    []string  `json:"constraints,omitempty"`
}

// OrientationRequest is an orientation hand-off: the orienting structure
// asks a receiving one to take a person in charge. The receiving structure
// answers (accepts or refuses with a reason) before Deadline; the référent
// changes only on acceptance.
type OrientationRequest struct {
	ID                 string `json:"id"`
	PersonID           string `json:"person_id"`
	FromOrganisationID string `json:"from_organisation_id"`
	FromAgentID        string `json:"from_agent_id,omitempty"`
	ToOrganisationID   string `json:"to_organisation_id"`
	// FromOrganisationName and ToOrganisationName are read with the
	// request, for the pages; a store fills them.
	FromOrganisationName string `json:"from_organisation_name,omitempty"`
	ToOrganisationName   string `json:"to_organisation_name,omitempty"`
	// Departement is where the person lived when the request was sent:
	// the committee that gets it on escalation, and the indicators.
	Departement string             `json:"departement"`
	Parcours    string             `json:"parcours"`
	Motive      string             `json:"motive"`
	Summary     OrientationSummary `json:"summary"`
	Status      string             `json:"status"`
	// Deadline is the last day of the answer.
	Deadline  Date      `json:"deadline"`
	CreatedAt time.Time `json:"created_at"`
	// RemindedAt and EscalatedAt are set by the deadlines job: zero until
	// the reminder is sent, until the request goes to the committee.
	RemindedAt  time.Time `json:"reminded_at,omitzero"`
	EscalatedAt time.Time `json:"escalated_at,omitzero"`
	// The answer of the receiving structure.
	AnsweredAt        time.Time `json:"answered_at,omitzero"`
	AnsweredByAgentID string    `json:"answered_by_agent_id,omitempty"`
	RefusalReason     string    `json:"refusal_reason,omitempty"`
	AnswerComment     string    `json:"answer_comment,omitempty"`
	// PreviousID is the request this one follows (réorientation).
	PreviousID string `json:"previous_id,omitempty"`
	// Outcome is what the orienting structure decided after a refusal.
	Outcome       string    `json:"outcome,omitempty"`
	OutcomeReason string    `json:"outcome_reason,omitempty"`
	OutcomeAt     time.Time `json:"outcome_at,omitzero"`
}

// Open reports whether the request waits for its answer.
func (r *OrientationRequest) Open() bool { return r.Status == HandoffSent }

// Validate checks a request before it is sent.
func (r *OrientationRequest) Validate() error {
	var p Problems
	p.ID("person_id", PrefixPerson, r.PersonID)
	p.ID("to_organisation_id", PrefixOrganisation, r.ToOrganisationID)
	p.OptionalID("previous_id", PrefixOrientationRequest, r.PreviousID)
	if !slices.Contains([]string{ParcoursProfessional, ParcoursSocioProfessional, ParcoursSocial}, r.Parcours) {
		p.Add("parcours", "one of %s, %s, %s", ParcoursProfessional, ParcoursSocioProfessional, ParcoursSocial)
	}
	if m := strings.TrimSpace(r.Motive); m == "" || utf8.RuneCountInString(m) > MaxHandoffText {
		p.Add("motive", "required, at most %d characters", MaxHandoffText)
	}
	if r.FromOrganisationID != "" && r.FromOrganisationID == r.ToOrganisationID {
		p.Add("to_organisation_id", "the receiving structure is the orienting one")
	}
	return p.Err("orientation request")
}

// HandoffAnswer is the receiving structure's answer to a request.
type HandoffAnswer struct {
	Accept  bool   `json:"accept"`
	Reason  string `json:"reason,omitempty"`
	Comment string `json:"comment,omitempty"`
	// ReferentAgentID names, on an acceptance, the adviser of the
	// receiving structure who becomes the référent: required when a
	// partner system answers, the answering adviser herself by default.
	ReferentAgentID string `json:"referent_agent_id,omitempty"`
}

// Validate checks an answer: a refusal names a reason of the list, and
// "autre" is explained.
func (a *HandoffAnswer) Validate() error {
	var p Problems
	a.Comment = strings.TrimSpace(a.Comment)
	if utf8.RuneCountInString(a.Comment) > MaxHandoffText {
		p.Add("comment", "at most %d characters", MaxHandoffText)
	}
	switch {
	case a.Accept && a.Reason != "":
		p.Add("reason", "an acceptance gives no reason")
	case !a.Accept && a.ReferentAgentID != "":
		p.Add("referent_agent_id", "a refusal names no référent")
	case !a.Accept && !slices.Contains(HandoffRefusalReasons, a.Reason):
		p.Add("reason", "one of %s", strings.Join(HandoffRefusalReasons, ", "))
	case !a.Accept && a.Reason == HandoffOtherReason && a.Comment == "":
		p.Add("comment", "required with the reason %s", HandoffOtherReason)
	}
	p.OptionalID("referent_agent_id", PrefixAgent, a.ReferentAgentID)
	return p.Err("answer")
}

// HandoffOutcome is what the orienting structure decides after a refusal:
// maintien (the person stays) or sortie du parcours with its reason. A
// réorientation is a new request naming the refused one.
type HandoffOutcome struct {
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
}

// Validate checks an outcome.
func (o *HandoffOutcome) Validate() error {
	var p Problems
	switch o.Outcome {
	case HandoffOutcomeKept:
		o.Reason = strings.TrimSpace(o.Reason)
		if utf8.RuneCountInString(o.Reason) > MaxHandoffText {
			p.Add("reason", "at most %d characters", MaxHandoffText)
		}
	case HandoffOutcomeExit:
		if !slices.Contains(HandoffExitReasons, o.Reason) {
			p.Add("reason", "one of %s", strings.Join(HandoffExitReasons, ", "))
		}
	default:
		p.Add("outcome", "one of %s, %s", HandoffOutcomeKept, HandoffOutcomeExit)
	}
	return p.Err("outcome")
}

// HandoffDeadlines are the rules of the answer's deadline: Deadline working
// days (AddWorkingDays) after the request, a reminder RemindBefore
// working days before the deadline, the committee after it.
type HandoffDeadlines struct {
	Deadline     int
	RemindBefore int
}

// DefaultHandoffDeadlines are ten working days, reminded three days before.
var DefaultHandoffDeadlines = HandoffDeadlines{Deadline: 10, RemindBefore: 3}

// AddWorkingDays returns the day n working days (Monday to Friday, public
// holidays excluded: IsWorkingDay) after d; n may be negative.
func AddWorkingDays(d Date, n int) Date {
	t := d.Time()
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		t = t.AddDate(0, 0, step)
		if IsWorkingDay(DateOf(t)) {
			n--
		}
	}
	return DateOf(t)
}

// Validate refuses deadlines without a working day to answer, or reminded
// on or before the request's day.
func (h HandoffDeadlines) Validate() error {
	if h.Deadline <= 0 || h.RemindBefore < 0 || h.RemindBefore >= h.Deadline {
		return Errorf(EINVALID, "orientation request deadlines: %d working days to answer, reminded %d before: want 0 ≤ reminder < deadline", h.Deadline, h.RemindBefore)
	}
	return nil
}

// DeadlineOf returns the last day of the answer to a request sent on day.
func (h HandoffDeadlines) DeadlineOf(day Date) Date { return AddWorkingDays(day, h.Deadline) }

// ReminderDay returns the day a request due on deadline is reminded.
func (h HandoffDeadlines) ReminderDay(deadline Date) Date {
	return AddWorkingDays(deadline, -h.RemindBefore)
}

// HandoffStep is what the deadlines job does to an open request on day
// today.
type HandoffStep int

// Steps of the deadlines job.
const (
	HandoffWait HandoffStep = iota
	HandoffRemind
	HandoffEscalate
)

// Step returns what is due for r on today: escalation once the deadline
// passed (once), a reminder from the reminder day (once), else nothing.
func (h HandoffDeadlines) Step(r *OrientationRequest, today Date) HandoffStep {
	switch {
	case !r.Open():
		return HandoffWait
	case today.After(r.Deadline):
		if r.EscalatedAt.IsZero() {
			return HandoffEscalate
		}
	case !today.Before(h.ReminderDay(r.Deadline)):
		if r.RemindedAt.IsZero() {
			return HandoffRemind
		}
	}
	return HandoffWait
}

// OrientationRequestQuery selects requests; one of its fields names whose.
type OrientationRequestQuery struct {
	PersonID         string
	ToOrganisationID string
	// Departement with Escalated lists the committee's queue.
	Departement string
	Escalated   bool
	// OpenOnly keeps the requests waiting for an answer.
	OpenOnly bool
	Limit    int
}

// OrientationRequestStore keeps orientation requests. Callers are the gate,
// which decides every access first.
type OrientationRequestStore interface {
	// CreateOrientationRequest stores a new request and, when idem is set,
	// its Idempotency-Key record in the same transaction.
	CreateOrientationRequest(ctx context.Context, r *OrientationRequest, idem *IdempotencyRecord) error
	OrientationRequest(ctx context.Context, id string) (*OrientationRequest, error)
	// OrientationRequests returns the requests q selects, newest first.
	OrientationRequests(ctx context.Context, q OrientationRequestQuery) ([]*OrientationRequest, error)
	// OpenOrientationRequests returns every open request, earliest
	// deadline first (the deadlines job).
	OpenOrientationRequests(ctx context.Context) ([]*OrientationRequest, error)
	// AnswerOrientationRequest records the answer of an open request
	// (ECONFLICT when it is no longer open). On acceptance, in the same
	// transaction, it ends on endOn the person's open follow-ups by the
	// orienting structure and opens take, the receiving one's.
	AnswerOrientationRequest(ctx context.Context, r *OrientationRequest, take *Followup, endOn Date) error
	// ConcludeOrientationRequest records the outcome of a refused request
	// (ECONFLICT when it is not refused or already concluded); a sortie
	// ends on endOn the person's open follow-ups by the orienting
	// structure in the same transaction.
	ConcludeOrientationRequest(ctx context.Context, r *OrientationRequest, endOn Date) error
	// MarkOrientationRequest records the reminder or the escalation of an
	// open request (the time set in r; the escalation when both are), once:
	// marked is false when it was already.
	MarkOrientationRequest(ctx context.Context, r *OrientationRequest) (marked bool, err error)
}

// IndicatorOrientationRequest is one answered or escalated orientation
// request, without the person.
type IndicatorOrientationRequest struct {
	Departement   string
	Month         string // of the request
	Status        string
	RefusalReason string
	Escalated     bool
	// Days from the request to its answer, -1 while open.
	Days int
}

// HandoffSummaryOf is the diagnostic summary a request carries: what the
// person's record holds today of her situation and constraints, without
// the health-related ones (sealed health data is never shared this way).
// It is the one place to point at the full diagnostic.
func HandoffSummaryOf(p *Person) OrientationSummary {
	var s OrientationSummary
	if p == nil || p.Parcours == nil {
		return s
	}
	s.Situation, s.EducationLevel = p.Parcours.Situation, p.Parcours.EducationLevel
	for _, c := range p.Parcours.Constraints {
		if c != "sante" {
			s.Constraints = append(s.Constraints, c)
		}
	}
	return s
}
