package socle

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Prefixes of the plan's identifiers.
const (
	PrefixPlan      = "pla"
	PrefixObjective = "obj"
	PrefixAction    = "act"
)

// Statuses of an action of a plan.
const (
	ActionTodo      = "a_faire"
	ActionOngoing   = "en_cours"
	ActionDone      = "realisee"
	ActionAbandoned = "abandonnee"
)

// ActionStatuses lists the statuses of an action, in their usual order.
var ActionStatuses = []string{ActionTodo, ActionOngoing, ActionDone, ActionAbandoned}

// ActionStatusLabel is the French name of a status.
func ActionStatusLabel(s string) string {
	switch s {
	case ActionTodo:
		return "À faire"
	case ActionOngoing:
		return "En cours"
	case ActionDone:
		return "Réalisée"
	case ActionAbandoned:
		return "Abandonnée"
	}
	return s
}

// actionMoves are the changes of status an action allows: it starts, is
// done or abandoned; an abandoned action may be taken up again; a done one
// is final.
var actionMoves = map[string][]string{
	ActionTodo:      {ActionOngoing, ActionDone, ActionAbandoned},
	ActionOngoing:   {ActionTodo, ActionDone, ActionAbandoned},
	ActionAbandoned: {ActionTodo, ActionOngoing},
	ActionDone:      {},
}

// MaxPlanText bounds the texts of a plan, in characters.
const MaxPlanText = 500

// ActionChange is a change of an action's status; Reason is required to
// abandon it.
type ActionChange struct {
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// Move applies a change of status to a, at t: EINVALID for an unknown
// status or an abandonment without its reason, ECONFLICT for a move the
// action's status does not allow.
func (a *PlanAction) Move(ch ActionChange, t time.Time) error {
	ch.Reason = strings.TrimSpace(ch.Reason)
	var p Problems
	if !slices.Contains(ActionStatuses, ch.Status) {
		p.Add("status", "unknown status %q (valid: %s)", ch.Status, strings.Join(ActionStatuses, ", "))
	}
	if ch.Status == ActionAbandoned && ch.Reason == "" {
		p.Add("reason", "required to abandon an action")
	}
	if utf8.RuneCountInString(ch.Reason) > MaxPlanText {
		p.Add("reason", "at most %d characters", MaxPlanText)
	}
	if err := p.Err("action"); err != nil {
		return err
	}
	if ch.Status == a.Status {
		return Errorf(ECONFLICT, "the action is already %s", a.Status)
	}
	if !slices.Contains(actionMoves[a.Status], ch.Status) {
		return Errorf(ECONFLICT, "an action %s cannot become %s", a.Status, ch.Status)
	}
	a.Status, a.StatusAt = ch.Status, t
	a.Reason = ""
	if ch.Status == ActionAbandoned {
		a.Reason = ch.Reason
	}
	return nil
}

// Objective is a goal of a plan, linked to the freins (themes) it works on.
type Objective struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Freins []string `json:"freins"`
}

// Category is the category of an objective: health when it works on a
// health frein, so that it is sealed and shown only where health is.
func (o *Objective) Category() Category {
	for _, t := range o.Freins {
		if ThemeCategory(t) == CatHealth {
			return CatHealth
		}
	}
	return CatParcours
}

// PlanAction is an action of a plan: what, by whom (a structure or a
// service), when, and where it stands.
type PlanAction struct {
	ID          string    `json:"id"`
	ObjectiveID string    `json:"objective_id"`
	Title       string    `json:"title"`
	Provider    string    `json:"provider"`
	Start       Date      `json:"start,omitzero"`
	Due         Date      `json:"due,omitzero"`
	Status      string    `json:"status"`
	Reason      string    `json:"reason,omitempty"` // why it was abandoned
	StatusAt    time.Time `json:"status_at,omitzero"`
}

// PlanAgreement records that the person agreed to a version of her plan:
// from her space, or in an interview as her adviser records it.
type PlanAgreement struct {
	At time.Time `json:"at"`
	// ByPerson is true when she agreed from her space; otherwise AgentID
	// recorded her agreement in an interview.
	ByPerson bool   `json:"by_person"`
	AgentID  string `json:"agent_id,omitempty"`
}

// Plan is a version of a person's plan d'action: objectives linked to her
// freins and the actions that serve them. A change of objectives or
// actions is a new version (a new contract to sign); a change of an
// action's status is not.
type Plan struct {
	ID             string         `json:"id"`
	PersonID       string         `json:"person_id"`
	Version        int            `json:"version"`
	Objectives     []Objective    `json:"objectives"`
	Actions        []PlanAction   `json:"actions"`
	Agreement      *PlanAgreement `json:"agreement,omitempty"`
	OrganisationID string         `json:"organisation_id,omitempty"`
	AgentID        string         `json:"agent_id,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
}

// Objective returns the objective of id, nil when absent.
func (p *Plan) Objective(id string) *Objective {
	for i := range p.Objectives {
		if p.Objectives[i].ID == id {
			return &p.Objectives[i]
		}
	}
	return nil
}

// Action returns the action of id, nil when absent.
func (p *Plan) Action(id string) *PlanAction {
	for i := range p.Actions {
		if p.Actions[i].ID == id {
			return &p.Actions[i]
		}
	}
	return nil
}

// Within returns the plan as the categories of granted show it: without
// the objectives of a category not granted, nor their actions.
func (p *Plan) Within(granted CategorySet) *Plan {
	out := *p
	out.Objectives = slices.DeleteFunc(slices.Clone(p.Objectives), func(o Objective) bool { return !granted.Has(o.Category()) })
	out.Actions = slices.DeleteFunc(slices.Clone(p.Actions), func(a PlanAction) bool { return out.Objective(a.ObjectiveID) == nil })
	return &out
}

// Categories returns the categories of the plan's objectives.
func (p *Plan) Categories() CategorySet {
	set := SetOf(CatParcours)
	for i := range p.Objectives {
		set |= SetOf(p.Objectives[i].Category())
	}
	return set
}

// Prepare checks a new version of a plan as its writer sent it and names
// its objectives and actions: an objective's actions name it by its id or
// by its position ("1", "2"…) in the objectives sent. New actions start
// as to do unless their status says otherwise.
func (p *Plan) Prepare(t time.Time) error {
	var pr Problems
	if len(p.Objectives) == 0 || len(p.Objectives) > 20 {
		pr.Add("objectives", "between 1 and 20 objectives")
	}
	if len(p.Actions) > 50 {
		pr.Add("actions", "at most 50 actions")
	}
	ids := map[string]string{}
	for i := range p.Objectives {
		o := &p.Objectives[i]
		o.Title = strings.TrimSpace(o.Title)
		if o.Title == "" || utf8.RuneCountInString(o.Title) > MaxPlanText {
			pr.Add("objectives.title", "required, at most %d characters", MaxPlanText)
		}
		for _, th := range o.Freins {
			if !slices.Contains(Themes, th) {
				pr.Add("objectives.freins", "unknown theme %q (valid: %s)", th, strings.Join(Themes, ", "))
			}
		}
		if o.Freins == nil {
			o.Freins = []string{}
		}
		old := o.ID
		if !ValidID(PrefixObjective, o.ID) {
			o.ID = NewID(PrefixObjective)
		}
		ids[strconv.Itoa(i+1)] = o.ID
		if old != "" {
			ids[old] = o.ID
		}
	}
	for i := range p.Actions {
		a := &p.Actions[i]
		a.Title, a.Provider, a.Reason = strings.TrimSpace(a.Title), strings.TrimSpace(a.Provider), strings.TrimSpace(a.Reason)
		if a.Title == "" || utf8.RuneCountInString(a.Title) > MaxPlanText {
			pr.Add("actions.title", "required, at most %d characters", MaxPlanText)
		}
		if a.Provider == "" || utf8.RuneCountInString(a.Provider) > MaxPlanText {
			pr.Add("actions.provider", "required (a structure or a service), at most %d characters", MaxPlanText)
		}
		if id, ok := ids[a.ObjectiveID]; ok {
			a.ObjectiveID = id
		} else {
			pr.Add("actions.objective_id", "names no objective of the plan")
		}
		if !a.Start.IsZero() && !a.Due.IsZero() && a.Due.Before(a.Start) {
			pr.Add("actions.due", "before the start")
		}
		if a.Status == "" {
			a.Status = ActionTodo
		}
		if !slices.Contains(ActionStatuses, a.Status) {
			pr.Add("actions.status", "unknown status %q (valid: %s)", a.Status, strings.Join(ActionStatuses, ", "))
		}
		if a.Status == ActionAbandoned && a.Reason == "" {
			pr.Add("actions.reason", "required to abandon an action")
		}
		if a.Status != ActionAbandoned {
			a.Reason = ""
		}
		if !ValidID(PrefixAction, a.ID) {
			a.ID = NewID(PrefixAction)
		}
		if a.StatusAt.IsZero() {
			a.StatusAt = t
		}
	}
	return pr.Err("plan")
}

// PlanStore keeps the versions of plans. Callers are the gate, which
// decides every access first; the store seals the objectives (and their
// actions) of the health category with the person's key.
type PlanStore interface {
	// CreatePlan stores a new version of a person's plan; its Version must
	// follow the current one's (ECONFLICT otherwise).
	CreatePlan(ctx context.Context, p *Plan) error
	// Plan returns a person's current plan, ENOTFOUND when she has none.
	Plan(ctx context.Context, personID string) (*Plan, error)
	// Plans returns every version of a person's plan, newest first.
	Plans(ctx context.Context, personID string) ([]*Plan, error)
	// UpdatePlanAction replaces an action of a plan version (its status).
	UpdatePlanAction(ctx context.Context, planID string, a PlanAction) error
	// AgreePlan records the person's agreement to a plan version;
	// ECONFLICT when it was already recorded.
	AgreePlan(ctx context.Context, planID string, a PlanAgreement) error
}
