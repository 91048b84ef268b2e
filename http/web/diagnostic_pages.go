package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"socle"
	"socle/commitment"
	"socle/gate"
	"socle/http/httpx"
	"socle/rome"
	"socle/space"
)

// projectSlots is how many jobs of a project the diagnostic's form offers.
const projectSlots = 3

// freinHistoryRow is one past state of a frein, as the page shows it.
type freinHistoryRow struct{ When, Level, Comment, Who string }

// freinRow is a theme of the diagnostic: its current state, its history
// and its form field (kept as typed when the form comes back).
type freinRow struct {
	Theme, Label, LevelLabel, Comment, Who, When string
	Set, ByPerson, Migrated                      bool
	History                                      []freinHistoryRow
	Options                                      []option
	FormComment, Error                           string
}

// diagnosticView is the adviser's page of a person's diagnostic global.
type diagnosticView struct {
	form
	ID                    string
	Version               int
	Error, Notice         string
	Freins                []freinRow
	HealthHidden          bool
	Statuses              []option
	Note                  string
	Project               []projectSlot
	StatusError, NoteErr  string
	FreinErrors, HasSaved bool
}

// projectSlot is a job of the project in the form.
type projectSlot struct {
	N            int
	Value, Error string
}

// who names the author of a frein for the page.
func (s *parcoursPages) who(ctx context.Context, by socle.DiagnosticAuthor) string {
	switch {
	case by.Migrated:
		return msgFreinMigrated
	case by.Person:
		return msgFreinByPerson
	}
	if org, err := s.dir.Organisation(ctx, by.OrganisationID); err == nil {
		return org.Name
	}
	return msgFreinByAdviser
}

// levelOptions are the levels of a frein, level selected.
func levelOptions(level string) []option {
	return notSetOptions(socle.FreinLevels, socle.FreinLevelLabel, level)
}

// notSetOptions are values as options with their labels, after an empty
// "non renseigné" one, selected chosen.
func notSetOptions(values []string, label func(string) string, selected string) []option {
	out := []option{{Value: "", Label: msgFreinNotSet, Selected: selected == ""}}
	for _, v := range values {
		out = append(out, option{Value: v, Label: label(v), Selected: v == selected})
	}
	return out
}

// freinRows are the themes of a diagnostic the actor may see, in order.
func (s *parcoursPages) freinRows(ctx context.Context, d *socle.Diagnostic) []freinRow {
	var rows []freinRow
	for _, th := range socle.Themes {
		if socle.ThemeCategory(th) == socle.CatHealth && !d.HealthShown {
			continue
		}
		row := freinRow{Theme: th, Label: socle.ThemeLabel(th), Options: levelOptions("")}
		if f := d.Frein(th); f != nil {
			row.Set, row.LevelLabel, row.Comment, row.Who = true, socle.FreinLevelLabel(f.Level), f.Comment, s.who(ctx, f.By)
			row.ByPerson, row.Migrated, row.Options, row.FormComment = f.By.Person, f.By.Migrated, levelOptions(f.Level), f.Comment
			if !f.At.IsZero() {
				row.When = frenchTime(f.At)
			}
			for _, h := range f.History {
				hr := freinHistoryRow{Level: socle.FreinLevelLabel(h.Level), Comment: h.Comment, Who: s.who(ctx, h.By)}
				if !h.At.IsZero() {
					hr.When = frenchTime(h.At)
				}
				row.History = append(row.History, hr)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func situationOptions(status string) []option {
	return notSetOptions(socle.WorkSituations, socle.WorkSituationLabel, status)
}

// diagnosticViewOf is the page of d, its form filled with its state.
func (s *parcoursPages) diagnosticViewOf(ctx context.Context, id string, d *socle.Diagnostic) *diagnosticView {
	v := &diagnosticView{ID: id, Version: d.Version, Freins: s.freinRows(ctx, d), HealthHidden: !d.HealthShown,
		Statuses: situationOptions(d.Situation.Status), Note: d.Situation.Note}
	for i := range projectSlots {
		slot := projectSlot{N: i + 1}
		if i < len(d.Situation.Project) {
			slot.Value = d.Situation.Project[i].Label
		}
		v.Project = append(v.Project, slot)
	}
	return v
}

func handleDiagnosticPage(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		d, err := p.Diagnostic(r.Context(), pageRequest(r, purposeAccompagnement, ""), id)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		v := s.diagnosticViewOf(r.Context(), id, d)
		if r.URL.Query().Get("enregistre") == "1" {
			v.Notice = msgDiagnosticSaved
		}
		staffPage(s.renderer, w, r, http.StatusOK, "diagnostic", "Diagnostic global", "usagers", v)
	})
}

// resolveAppellation finds the ROME appellation a form names: its exact
// label (what the autocomplete proposes) or its code.
func resolveAppellation(value string) (socle.ROMEAppellation, bool) {
	x := rome.FullIndex()
	if a, ok := x.AppellationByLabel(value); ok {
		return a, true
	}
	return x.AppellationByCode(value)
}

// parseDiagnosticForm reads the form into an update of d and the view to
// show again when a field is wrong (ok false).
func parseDiagnosticForm(r *http.Request, v *diagnosticView, d *socle.Diagnostic) (socle.DiagnosticUpdate, bool) {
	var u socle.DiagnosticUpdate
	ok := true
	for i := range v.Freins {
		row := &v.Freins[i]
		level := r.PostFormValue("niveau_" + row.Theme)
		comment := strings.TrimSpace(r.PostFormValue("commentaire_" + row.Theme))
		row.Options, row.FormComment = levelOptions(level), comment
		switch {
		case level == "" && comment != "":
			row.Error, ok = msgFreinLevelRequired, false
			continue
		case level == "":
			continue
		case !slices.Contains(socle.FreinLevels, level):
			row.Error, ok = msgFreinLevelRequired, false
			continue
		case utf8.RuneCountInString(comment) > socle.MaxDiagnosticComment:
			row.Error, ok = fmt.Sprintf(msgTooLong, socle.MaxDiagnosticComment), false
			continue
		}
		if f := d.Frein(row.Theme); f != nil && !f.By.Migrated && f.Level == level && f.Comment == comment {
			continue
		}
		u.Freins = append(u.Freins, socle.FreinInput{Theme: row.Theme, Level: level, Comment: comment})
	}
	v.FreinErrors = !ok
	sit := &socle.ProfessionalSituation{Status: r.PostFormValue("situation"), Note: strings.TrimSpace(r.PostFormValue("note")), Project: []socle.ROMEAppellation{}}
	v.Statuses, v.Note = situationOptions(sit.Status), sit.Note
	if sit.Status != "" && !slices.Contains(socle.WorkSituations, sit.Status) {
		v.StatusError, ok = msgSituationRequired, false
	}
	if utf8.RuneCountInString(sit.Note) > socle.MaxDiagnosticComment {
		v.NoteErr, ok = fmt.Sprintf(msgTooLong, socle.MaxDiagnosticComment), false
	}
	for i := range v.Project {
		slot := &v.Project[i]
		slot.Value = strings.TrimSpace(r.PostFormValue("metier_" + strconv.Itoa(slot.N)))
		if slot.Value == "" {
			continue
		}
		a, found := resolveAppellation(slot.Value)
		if !found {
			slot.Error, ok = msgAppellationUnknown, false
			continue
		}
		slot.Value = a.Label
		sit.Project = append(sit.Project, a)
	}
	u.Situation = sit
	return u, ok
}

func handleDiagnosticSave(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		req := pageRequest(r, purposeAccompagnement, "")
		d, err := p.Diagnostic(r.Context(), req, id)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		v := s.diagnosticViewOf(r.Context(), id, d)
		version, _ := strconv.Atoi(r.PostFormValue("version"))
		u, ok := parseDiagnosticForm(r, v, d)
		if !ok {
			v.Error = msgFormErrors
			staffPage(s.renderer, w, r, http.StatusBadRequest, "diagnostic", "Diagnostic global", "usagers", v)
			return
		}
		if _, err := p.SaveDiagnostic(r.Context(), req, id, version, u); err != nil {
			if !soft(err) {
				s.renderError(w, r, err)
				return
			}
			v.Error = message(err)
			if socle.ErrorCode(err) == socle.ESTALE {
				v.Error = msgDiagnosticChanged
			}
			staffPage(s.renderer, w, r, httpx.ErrorStatus(err), "diagnostic", "Diagnostic global", "usagers", v)
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(id)+"/diagnostic?enregistre=1", http.StatusSeeOther)
	})
}

// planActionRow is an action of the current plan, with the moves its
// status allows.
type planActionRow struct {
	ID, Title, Provider, Dates, Status, StatusLabel, Reason string
	Moves                                                   []option
	Final                                                   bool
}

// planObjectiveRow is an objective of the current plan with its actions.
type planObjectiveRow struct {
	Title   string
	Freins  []string
	Actions []planActionRow
}

// checkOption is a checkbox of a form.
type checkOption struct {
	Value, Label string
	Checked      bool
}

// planFormObjective is an objective in the form of a new version.
type planFormObjective struct {
	N            int
	ID, Title    string
	Themes       []checkOption
	Error        string
	FirstOfBlank bool
}

// planFormAction is an action in the form of a new version.
type planFormAction struct {
	N                                               int
	ID, Status, Reason                              string
	Objectives                                      []option
	Title, Provider, Start, Due                     string
	TitleError, ProviderError, ObjectiveError, Due2 string
}

// planView is the adviser's page of a person's plan d'action.
type planView struct {
	form
	ID, Error, Notice string
	HasPlan           bool
	Version           int
	Created, Agreed   string
	Contract          string
	CanGenerate       bool
	Objectives        []planObjectiveRow
	FormObjectives    []planFormObjective
	FormActions       []planFormAction
	HealthHidden      bool
}

// actionDates writes when an action takes place.
func actionDates(a socle.PlanAction) string {
	switch {
	case !a.Start.IsZero() && !a.Due.IsZero():
		return "du " + frenchDate(a.Start) + " au " + frenchDate(a.Due)
	case !a.Due.IsZero():
		return "avant le " + frenchDate(a.Due)
	case !a.Start.IsZero():
		return "à partir du " + frenchDate(a.Start)
	}
	return ""
}

// moveOptions are the statuses an action may take from status.
func moveOptions(status string) []option {
	var out []option
	for _, st := range socle.ActionStatuses {
		probe := socle.PlanAction{Status: status}
		if probe.Move(socle.ActionChange{Status: st, Reason: "x"}, time.Time{}) == nil {
			out = append(out, option{Value: st, Label: socle.ActionStatusLabel(st)})
		}
	}
	return out
}

func themeChecks(checked []string, health bool) []checkOption {
	var out []checkOption
	for _, th := range socle.Themes {
		if socle.ThemeCategory(th) == socle.CatHealth && !health {
			continue
		}
		out = append(out, checkOption{Value: th, Label: socle.ThemeLabel(th), Checked: slices.Contains(checked, th)})
	}
	return out
}

// planViewOf fills the page of pl (nil: none) and the form of its next
// version: its objectives and actions, and blank rows to add some.
func planViewOf(id string, pl *socle.Plan, cs []*socle.Commitment, health bool) *planView {
	v := &planView{ID: id, HealthHidden: !health}
	var objectives []socle.Objective
	var actions []socle.PlanAction
	if pl != nil {
		v.HasPlan, v.Version, v.Created = true, pl.Version, frenchTime(pl.CreatedAt)
		if a := pl.Agreement; a != nil {
			v.Agreed = frenchTime(a.At)
		}
		v.Contract, v.CanGenerate = msgPlanNoContract, true
		for _, c := range cs {
			if c.PlanVersion == pl.Version {
				v.Contract, v.CanGenerate = fmt.Sprintf(msgPlanContract, c.Version, contractStatusLabel(c.Status)), false
				break
			}
		}
		for _, o := range pl.Objectives {
			row := planObjectiveRow{Title: o.Title}
			for _, th := range o.Freins {
				row.Freins = append(row.Freins, socle.ThemeLabel(th))
			}
			for _, a := range pl.Actions {
				if a.ObjectiveID == o.ID {
					row.Actions = append(row.Actions, planActionRow{ID: a.ID, Title: a.Title, Provider: a.Provider, Dates: actionDates(a),
						Status: a.Status, StatusLabel: socle.ActionStatusLabel(a.Status), Reason: a.Reason, Moves: moveOptions(a.Status),
						Final: a.Status == socle.ActionDone})
				}
			}
			v.Objectives = append(v.Objectives, row)
		}
		objectives, actions = pl.Objectives, pl.Actions
	}
	for i := range len(objectives) + 2 {
		fo := planFormObjective{N: i + 1, FirstOfBlank: i == len(objectives)}
		var checked []string
		if i < len(objectives) {
			fo.ID, fo.Title, checked = objectives[i].ID, objectives[i].Title, objectives[i].Freins
		}
		fo.Themes = themeChecks(checked, health)
		v.FormObjectives = append(v.FormObjectives, fo)
	}
	for i := range len(actions) + 3 {
		fa := planFormAction{N: i + 1}
		objective := ""
		if i < len(actions) {
			a := actions[i]
			fa.ID, fa.Status, fa.Reason, fa.Title, fa.Provider = a.ID, a.Status, a.Reason, a.Title, a.Provider
			if !a.Start.IsZero() {
				fa.Start = a.Start.String()
			}
			if !a.Due.IsZero() {
				fa.Due = a.Due.String()
			}
			for j, o := range objectives {
				if o.ID == a.ObjectiveID {
					objective = strconv.Itoa(j + 1)
				}
			}
		}
		fa.Objectives = objectiveOptions(len(v.FormObjectives), objective)
		v.FormActions = append(v.FormActions, fa)
	}
	return v
}

func objectiveOptions(n int, selected string) []option {
	out := []option{{Value: "", Label: msgPlanChooseObjective, Selected: selected == ""}}
	for i := range n {
		k := strconv.Itoa(i + 1)
		out = append(out, option{Value: k, Label: fmt.Sprintf(msgPlanObjectiveN, i+1), Selected: k == selected})
	}
	return out
}

func contractStatusLabel(status string) string {
	return map[string]string{socle.CommitmentToSign: "à signer", socle.CommitmentSigned: "signé", socle.CommitmentSuperseded: "remplacé"}[status]
}

// readPlanPage reads what the plan page shows: the plan (nil when none),
// the contracts, and whether health is granted.
func readPlanPage(ctx context.Context, p *gate.Parcours, req gate.Request, id string) (*socle.Plan, []*socle.Commitment, bool, error) {
	d, err := p.Diagnostic(ctx, req, id)
	if err != nil {
		return nil, nil, false, err
	}
	pl, err := p.Plan(ctx, req, id)
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		pl, err = nil, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	cs, err := p.Commitments(ctx, req, id)
	if err != nil {
		return nil, nil, false, err
	}
	return pl, cs, d.HealthShown, nil
}

func planPage(s *parcoursPages, p *gate.Parcours, w http.ResponseWriter, r *http.Request, status int, edit func(v *planView)) {
	id := r.PathValue("id")
	pl, cs, health, err := readPlanPage(r.Context(), p, pageRequest(r, purposeAccompagnement, ""), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := planViewOf(id, pl, cs, health)
	switch r.URL.Query().Get("fait") {
	case "version":
		v.Notice = msgPlanSaved
	case "accord":
		v.Notice = msgPlanAgreed
	case "action":
		v.Notice = msgPlanActionMoved
	}
	if edit != nil {
		edit(v)
	}
	staffPage(s.renderer, w, r, status, "plan", "Plan d'action", "usagers", v)
}

func handlePlanPage(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		planPage(s, p, w, r, http.StatusOK, nil)
	})
}

// parsePlanForm reads the form of a new version into a plan, and the form
// rows to show again when a field is wrong (ok false). Blank rows are
// left out.
func parsePlanForm(r *http.Request, v *planView) (*socle.Plan, bool) {
	pl := &socle.Plan{}
	ok := true
	v.FormObjectives, v.FormActions = nil, nil
	used := map[string]string{} // form number → objective reference
	for n := 1; n <= 20; n++ {
		k := strconv.Itoa(n)
		if _, present := r.PostForm["objectif_titre_"+k]; !present {
			break
		}
		title := strings.TrimSpace(r.PostFormValue("objectif_titre_" + k))
		themes := r.PostForm["objectif_freins_"+k]
		fo := planFormObjective{N: n, ID: r.PostFormValue("objectif_id_" + k), Title: title, Themes: themeChecks(themes, !v.HealthHidden)}
		switch {
		case title == "" && len(themes) > 0:
			fo.Error, ok = msgPlanObjectiveTitle, false
		case utf8.RuneCountInString(title) > socle.MaxPlanText:
			fo.Error, ok = fmt.Sprintf(msgTooLong, socle.MaxPlanText), false
		case title != "":
			pl.Objectives = append(pl.Objectives, socle.Objective{ID: fo.ID, Title: title, Freins: themes})
			used[k] = strconv.Itoa(len(pl.Objectives))
		}
		v.FormObjectives = append(v.FormObjectives, fo)
	}
	for n := 1; n <= 50; n++ {
		k := strconv.Itoa(n)
		if _, present := r.PostForm["action_titre_"+k]; !present {
			break
		}
		fa := planFormAction{N: n, ID: r.PostFormValue("action_id_" + k), Status: r.PostFormValue("action_statut_" + k),
			Reason: r.PostFormValue("action_raison_" + k), Title: strings.TrimSpace(r.PostFormValue("action_titre_" + k)),
			Provider: strings.TrimSpace(r.PostFormValue("action_prestataire_" + k)), Start: r.PostFormValue("action_debut_" + k),
			Due: r.PostFormValue("action_fin_" + k)}
		objective := r.PostFormValue("action_objectif_" + k)
		fa.Objectives = objectiveOptions(len(v.FormObjectives), objective)
		v.FormActions = append(v.FormActions, fa)
		row := &v.FormActions[len(v.FormActions)-1]
		if fa.Title == "" && fa.Provider == "" && objective == "" && fa.Start == "" && fa.Due == "" {
			continue
		}
		a := socle.PlanAction{ID: fa.ID, Title: fa.Title, Provider: fa.Provider, Status: fa.Status, Reason: fa.Reason}
		if fa.Title == "" || utf8.RuneCountInString(fa.Title) > socle.MaxPlanText {
			row.TitleError, ok = msgPlanActionTitle, false
		}
		if fa.Provider == "" || utf8.RuneCountInString(fa.Provider) > socle.MaxPlanText {
			row.ProviderError, ok = msgPlanActionProvider, false
		}
		if ref, found := used[objective]; found {
			a.ObjectiveID = ref
		} else {
			row.ObjectiveError, ok = msgPlanActionObjective, false
		}
		var err error
		if fa.Start != "" {
			if a.Start, err = socle.ParseDate(fa.Start); err != nil {
				row.Due2, ok = msgPlanDates, false
			}
		}
		if fa.Due != "" {
			if a.Due, err = socle.ParseDate(fa.Due); err != nil || (!a.Start.IsZero() && a.Due.Before(a.Start)) {
				row.Due2, ok = msgPlanDates, false
			}
		}
		pl.Actions = append(pl.Actions, a)
	}
	if len(pl.Objectives) == 0 && ok {
		v.Error, ok = msgPlanObjectiveRequired, false
	}
	return pl, ok
}

func handlePlanSave(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		// The form comes back as typed, with its errors.
		typed := &planView{}
		pl, parsed := parsePlanForm(r, typed)
		again := func(status int, msg string) {
			planPage(s, p, w, r, status, func(v *planView) {
				// Parsed again over the page's view: it knows whether
				// health themes are offered.
				_, _ = parsePlanForm(r, v)
				v.Error = msg
			})
		}
		if !parsed {
			msg := typed.Error
			if msg == "" {
				msg = msgFormErrors
			}
			again(http.StatusBadRequest, msg)
			return
		}
		if _, err := p.SavePlan(r.Context(), pageRequest(r, purposeAccompagnement, ""), id, pl); err != nil {
			if !soft(err) {
				s.renderError(w, r, err)
				return
			}
			again(httpx.ErrorStatus(err), message(err))
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(id)+"/plan?fait=version", http.StatusSeeOther)
	})
}

// planForm is a form of the plan page: do runs it as the adviser; a
// refusal comes back on the page with its sentence (msg), a success
// redirects to the page with the notice done.
func planForm(s *parcoursPages, p *gate.Parcours, done string, do func(r *http.Request, req gate.Request, id string) error, msg func(r *http.Request, err error) string) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if err := do(r, pageRequest(r, purposeAccompagnement, ""), id); err != nil {
			if !soft(err) {
				s.renderError(w, r, err)
				return
			}
			m := msg(r, err)
			planPage(s, p, w, r, httpx.ErrorStatus(err), func(v *planView) { v.Error = m })
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(id)+"/plan?fait="+done, http.StatusSeeOther)
	})
}

func handlePlanActionMove(s *parcoursPages, p *gate.Parcours) http.Handler {
	return planForm(s, p, "action", func(r *http.Request, req gate.Request, id string) error {
		ch := socle.ActionChange{Status: r.PostFormValue("statut"), Reason: r.PostFormValue("raison")}
		_, err := p.UpdatePlanAction(r.Context(), req, id, r.PathValue("aid"), ch)
		return err
	}, func(r *http.Request, err error) string {
		if r.PostFormValue("statut") == socle.ActionAbandoned && strings.TrimSpace(r.PostFormValue("raison")) == "" {
			return msgPlanReasonRequired
		}
		return message(err)
	})
}

func handlePlanAgreementPage(s *parcoursPages, p *gate.Parcours) http.Handler {
	return planForm(s, p, "accord", func(r *http.Request, req gate.Request, id string) error {
		version, _ := strconv.Atoi(r.PostFormValue("version"))
		_, err := p.RecordPlanAgreement(r.Context(), req, id, version)
		return err
	}, func(*http.Request, error) string { return msgPlanAgreementConflict })
}

// handlePlanContractPage generates the contract of the current plan
// version and shows it on the contract page, where it is signed.
func handlePlanContractPage(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if _, err := commitment.DrawFromPlan(r.Context(), p, pageRequest(r, purposeAccompagnement, ""), id); err != nil {
			if !soft(err) {
				s.renderError(w, r, err)
				return
			}
			msg := message(err)
			if socle.ErrorCode(err) == socle.ECONFLICT {
				msg = msgPlanContractConflict
			}
			planPage(s, p, w, r, httpx.ErrorStatus(err), func(v *planView) { v.Error = msg })
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(id)+"/contrat", http.StatusSeeOther)
	})
}

// spaceDiagnosticView is the person's own diagnostic and plan, in her space.
type spaceDiagnosticView struct {
	form
	Version        int
	Notice, Error  string
	Freins         []freinRow
	Situation      string
	Project        []string
	Themes, Levels []option
	Comment        string
	CommentError   string
	ThemeError     string
	HasPlan        bool
	PlanVersion    int
	Agreed         string
	Objectives     []planObjectiveRow
	LevelError     string
}

func spaceDiagnostic(s *parcoursPages, p *gate.Parcours, svc *space.Service, w http.ResponseWriter, r *http.Request, req gate.Request, status int, edit func(v *spaceDiagnosticView)) {
	d, err := p.MyDiagnostic(r.Context(), req)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := &spaceDiagnosticView{Version: d.Version, Freins: s.freinRows(r.Context(), d), Situation: socle.WorkSituationLabel(d.Situation.Status)}
	for _, a := range d.Situation.Project {
		v.Project = append(v.Project, a.Label)
	}
	v.Themes = []option{{Value: "", Label: msgChooseTheme}}
	for _, th := range socle.Themes {
		v.Themes = append(v.Themes, option{Value: th, Label: socle.ThemeLabel(th)})
	}
	v.Levels = levelOptions("")
	pl, err := p.MyPlan(r.Context(), req)
	switch {
	case err == nil:
		pv := planViewOf("", pl, nil, true)
		v.HasPlan, v.PlanVersion, v.Agreed, v.Objectives = true, pl.Version, pv.Agreed, pv.Objectives
	case socle.ErrorCode(err) != socle.ENOTFOUND:
		s.renderError(w, r, err)
		return
	}
	switch r.URL.Query().Get("fait") {
	case "ajout":
		v.Notice = msgSpaceFreinAdded
	case "accord":
		v.Notice = msgSpacePlanAgreed
	}
	if edit != nil {
		edit(v)
	}
	spacePage(s.renderer, svc, w, r, status, "usager-diagnostic", "Mon diagnostic et mon plan d'action", v)
}

func handleSpaceDiagnostic(s *parcoursPages, p *gate.Parcours, svc *space.Service) http.Handler {
	return spaceHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		spaceDiagnostic(s, p, svc, w, r, req, http.StatusOK, nil)
	})
}

func handleSpaceDiagnosticAdd(s *parcoursPages, p *gate.Parcours, svc *space.Service) http.Handler {
	return spacePostHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		f := socle.FreinInput{Theme: r.PostFormValue("theme"), Level: r.PostFormValue("niveau"), Comment: strings.TrimSpace(r.PostFormValue("commentaire"))}
		keep := func(v *spaceDiagnosticView) {
			v.Comment = f.Comment
			for i := range v.Themes {
				v.Themes[i].Selected = v.Themes[i].Value == f.Theme
			}
			v.Levels = levelOptions(f.Level)
		}
		var themeErr, levelErr, commentErr string
		if !slices.Contains(socle.Themes, f.Theme) {
			themeErr = msgChooseTheme
		}
		if !slices.Contains(socle.FreinLevels, f.Level) {
			levelErr = msgFreinLevelRequired
		}
		if utf8.RuneCountInString(f.Comment) > socle.MaxDiagnosticComment {
			commentErr = fmt.Sprintf(msgTooLong, socle.MaxDiagnosticComment)
		}
		if themeErr != "" || levelErr != "" || commentErr != "" {
			spaceDiagnostic(s, p, svc, w, r, req, http.StatusBadRequest, func(v *spaceDiagnosticView) {
				keep(v)
				v.Error, v.ThemeError, v.LevelError, v.CommentError = msgFormErrors, themeErr, levelErr, commentErr
			})
			return
		}
		version, _ := strconv.Atoi(r.PostFormValue("version"))
		if _, err := p.AddToMyDiagnostic(r.Context(), req, version, f); err != nil {
			if !soft(err) {
				s.renderError(w, r, err)
				return
			}
			msg := message(err)
			if socle.ErrorCode(err) == socle.ESTALE {
				msg = msgDiagnosticChanged
			}
			spaceDiagnostic(s, p, svc, w, r, req, httpx.ErrorStatus(err), func(v *spaceDiagnosticView) { keep(v); v.Error = msg })
			return
		}
		http.Redirect(w, r, "/usager/diagnostic?fait=ajout", http.StatusSeeOther)
	})
}

func handleSpacePlanAgree(s *parcoursPages, p *gate.Parcours, svc *space.Service) http.Handler {
	return spacePostHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		version, _ := strconv.Atoi(r.PostFormValue("version"))
		if _, err := p.AgreeToMyPlan(r.Context(), req, version); err != nil {
			if !soft(err) {
				s.renderError(w, r, err)
				return
			}
			spaceDiagnostic(s, p, svc, w, r, req, httpx.ErrorStatus(err), func(v *spaceDiagnosticView) { v.Error = msgPlanAgreementConflict })
			return
		}
		http.Redirect(w, r, "/usager/diagnostic?fait=accord", http.StatusSeeOther)
	})
}
