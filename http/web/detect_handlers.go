package web

import (
	"context"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"strings"
	"time"

	"socle"
	"socle/cases"
	"socle/directory"
	"socle/http/httpx"
)

// casesService answers 503 when the server runs without cases.
func casesService(svc *cases.Service) (*cases.Service, error) {
	if svc == nil {
		return nil, socle.Errorf(socle.EUNAVAILABLE, "misuse cases are not served here")
	}
	return svc, nil
}

// handleStepUpPage asks an agent who read many persons for a fresh TOTP
// code, then sends her back where she was.
func handleStepUpPage(s *casePages) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		back := r.FormValue("retour")
		if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.Contains(back, "\\") {
			back = "/"
		}
		d := &stepUpView{Retour: back}
		status := http.StatusOK
		if r.Method == http.MethodPost {
			if !checkCSRF(s.renderer, s.identity, w, r) {
				return
			}
			err := httpx.StepUp(s.identity, s.gate, r, r.PostFormValue("code"))
			if err == nil {
				http.Redirect(w, r, back, http.StatusSeeOther)
				return
			}
			status = httpx.ErrorStatus(err)
			if socle.ErrorCode(err) == socle.EUNAUTHENTICATED {
				d.CodeError = message(err)
			} else {
				d.Error = message(err)
			}
		}
		identityPage(s.renderer, s.identity, w, r, status, "verification-renforcee", "Vérification renforcée", d)
	})
}

// casesPage is an auditor's page: a signed-in agent with MFA (others are
// sent to sign in); the service refuses non-auditors.
func casesPage(s *casePages, w http.ResponseWriter, r *http.Request) (*cases.Service, socle.Actor, bool) {
	actor, ok := staffOnly(w, r)
	if !ok {
		return nil, actor, false
	}
	svc, err := casesService(s.cases)
	if err != nil {
		s.renderError(w, r, err)
		return nil, actor, false
	}
	return svc, actor, true
}

func handleCasesPage(s *casePages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc, actor, ok := casesPage(s, w, r)
		if !ok {
			return
		}
		f := httpx.CaseFilter(r, "etat", "regle", "agent", "structure")
		if f.Principal != "" && !strings.Contains(f.Principal, ":") {
			f.Principal = "agent:" + f.Principal
		}
		cs, err := svc.Cases(r.Context(), actor, f)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		agents, err := caseAgentNames(r.Context(), s.detection, actor, cs)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		m, err := svc.Metrics(r.Context(), actor, svc.Now().Add(-httpx.CaseMetricsSince))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		v := r.URL.Query()
		data := casesView{
			Cases: caseRows(r.Context(), s.words, agents, cs, svc.Now()), Metrics: m, States: socle.CaseStates,
			Form:       map[string]string{"etat": v.Get("etat"), "regle": v.Get("regle"), "agent": v.Get("agent"), "structure": v.Get("structure")},
			RulesChart: rulesChart(m.Rules), WeeksChart: weeksChart(m.AlertsWeeks),
			Durations: map[string]string{"TriageP50": duration(m.TriageP50), "TriageP90": duration(m.TriageP90),
				"CloseP50": duration(m.CloseP50), "CloseP90": duration(m.CloseP90)},
			Rules: ruleRows(m.Rules), RuleOptions: ruleOptions(v.Get("regle")),
		}
		s.render(w, r, http.StatusOK, "alertes", view{Title: "Alertes et dossiers d'enquête", Nav: "alertes", Data: data})
	})
}

// timelineItem is one line of a case's timeline.
type timelineItem struct {
	At     time.Time
	Kind   string // alerte, commentaire, etat, assignation
	Author string
	Text   string
	Alert  *socle.Alert
	Rule   string // the alert's rule, in French
}

func handleCasePage(s *casePages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc, actor, ok := casesPage(s, w, r)
		if !ok {
			return
		}
		s.renderCase(w, r, svc, actor, http.StatusOK, caseAnswers{})
	})
}

func (s *casePages) renderCase(w http.ResponseWriter, r *http.Request, svc *cases.Service, actor socle.Actor, status int, answers caseAnswers) {
	d, err := svc.Case(r.Context(), actor, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	auditors, err := svc.Auditors(r.Context(), actor, d.Case.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var items []timelineItem
	for _, a := range d.Alerts {
		items = append(items, timelineItem{At: a.OccurredAt, Kind: "alerte", Text: a.Reason, Alert: a, Rule: ruleLabel(a.Rule)})
	}
	kinds := map[string]string{socle.CaseEntryComment: "commentaire", socle.CaseEntryState: "etat", socle.CaseEntryAssign: "assignation",
		socle.CaseEntryQuestion: "question", socle.CaseEntryAnswer: "reponse"}
	for _, e := range d.Entries {
		items = append(items, timelineItem{At: e.CreatedAt, Kind: kinds[e.Kind], Author: e.Author, Text: e.Text})
	}
	sortTimeline(items)
	agents, err := caseAgentNames(r.Context(), s.detection, actor, []*socle.Case{d.Case})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	row := caseRows(r.Context(), s.words, agents, []*socle.Case{d.Case}, svc.Now())[0]
	data := &caseView{Case: d.Case, Agent: row.Agent, Organisation: row.Organisation, AssigneeName: row.AssigneeName, Timeline: items, Next: cases.Next(d.Case.State), Verdicts: socle.Verdicts,
		Auditors: auditors, Error: answers.Problem, Answers: answers, CanAsk: d.Case.AgentID() != "" && d.Case.State != socle.CaseClosed,
		Overdue: cases.Overdue(d.Case, svc.Now())}
	if dl := cases.Deadline(d.Case); !dl.IsZero() {
		data.Deadline = frenchTime(dl)
	}
	identityPage(s.renderer, s.identity, w, r, status, "dossier-enquete", "Dossier d'enquête", data)
}

func sortTimeline(items []timelineItem) {
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && items[j].At.Before(items[j-1].At); j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}

// handleCaseForm runs one form of the case page: a state change (with a
// verdict to close), an assignment, a comment.
func handleCaseForm(s *casePages, form string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc, actor, ok := casesPage(s, w, r)
		if !ok || !checkCSRF(s.renderer, s.identity, w, r) {
			return
		}
		id := r.PathValue("id")
		var err error
		switch form {
		case "etat":
			_, err = svc.Move(r.Context(), actor, id, socle.CaseState(r.PostFormValue("etat")), socle.Verdict(r.PostFormValue("verdict")), r.PostFormValue("commentaire"))
		case "assigner":
			err = svc.Assign(r.Context(), actor, id, r.PostFormValue("auditeur"))
		case "commentaire":
			_, err = svc.Comment(r.Context(), actor, id, r.PostFormValue("texte"))
		case "question":
			_, err = svc.Ask(r.Context(), actor, id, r.PostFormValue("question"))
		}
		if err != nil {
			if code := socle.ErrorCode(err); code == socle.EINVALID || code == socle.ECONFLICT {
				s.renderCase(w, r, svc, actor, httpx.ErrorStatus(err), postedCase(r, form, err))
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/alertes/"+id, http.StatusSeeOther)
	})
}

// barChart draws labelled horizontal bars as an SVG, server-side: the
// console runs no script.
func barChart(title string, labels []string, values []int) template.HTML {
	const width, rowH, labelW = 560, 22, 180
	maxV := 1
	for _, v := range values {
		maxV = max(maxV, v)
	}
	h := rowH*len(labels) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="graphique" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d" xmlns="http://www.w3.org/2000/svg">`,
		html.EscapeString(title), width, h, width, h)
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	for i, l := range labels {
		y := 5 + i*rowH
		bw := (width - labelW - 50) * values[i] / maxV
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="12" fill="#1e1e1e">%s</text>`, labelW-6, y+14, html.EscapeString(l))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#000091"></rect>`, labelW, y+2, max(bw, 1), rowH-6)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="#1e1e1e">%d</text>`, labelW+max(bw, 1)+4, y+14, values[i])
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text above is escaped
}

func rulesChart(rules []cases.RulePrecision) template.HTML {
	labels, values := make([]string, len(rules)), make([]int, len(rules))
	for i, r := range rules {
		labels[i], values[i] = ruleLabel(r.Rule), r.Alerts
	}
	return barChart("Alertes par règle", labels, values)
}

func weeksChart(weeks []cases.WeekCount) template.HTML {
	weeks = weeks[max(0, len(weeks)-26):]
	labels, values := make([]string, len(weeks)), make([]int, len(weeks))
	for i, w := range weeks {
		labels[i], values[i] = "Semaine du "+w.Start.Format("02/01/2006"), w.Alerts
	}
	return barChart("Alertes par semaine", labels, values)
}

// ruleLabel is the French name of a detection rule.
func ruleLabel(rule string) string {
	if l, ok := ruleLabels[rule]; ok {
		return l
	}
	return rule
}

// duration writes a duration for people: "3 h 05", "2 j 4 h", "—".
func duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %02d", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d j %d h", int(d.Hours())/24, int(d.Hours())%24)
}

type ruleRow struct {
	Label                     string
	Alerts, Closed, Confirmed int
	Precision, CloseP50       string
}

// caseRow is a case of the console's list with its deadline and score.
type caseRow struct {
	*socle.Case
	Organisation string // its name
	Agent        string // the name of the principal: the agent, or a partner system
	AssigneeName string
	Deadline     string // "" once closed
	Overdue      bool
	Rank         string // the score, for people
}

// caseAgentNames returns the names of the agents of cs (principals and
// assignees) by id, as the privacy officer may read them; none without the
// directory service.
func caseAgentNames(ctx context.Context, detection *directory.Service, actor socle.Actor, cs []*socle.Case) (map[string]string, error) {
	if detection == nil {
		return map[string]string{}, nil
	}
	ids := make([]string, 0, 2*len(cs))
	for _, c := range cs {
		ids = append(ids, c.AgentID(), c.Assignee)
	}
	names, err := detection.Names(ctx, actor, ids...)
	if err != nil {
		return nil, fmt.Errorf("naming the agents of the cases: %w", err)
	}
	return names, nil
}

// principalName names the principal of a case: the agent's name, or a
// partner system; never its id.
func principalName(principal string, agents map[string]string) string {
	kind, id, _ := strings.Cut(principal, ":")
	if kind == "client" {
		return labelPartnerSystem
	}
	if n := agents[id]; n != "" {
		return n
	}
	return labelUnknownAgent
}

func caseRows(ctx context.Context, w *words, agents map[string]string, cs []*socle.Case, now time.Time) []caseRow {
	out := make([]caseRow, len(cs))
	names := map[string]string{} // a console lists many cases of few organisations
	for i, c := range cs {
		name, ok := names[c.OrganisationID]
		if !ok {
			name = w.organisation(ctx, c.OrganisationID)
			names[c.OrganisationID] = name
		}
		out[i] = caseRow{Case: c, Organisation: name, Agent: principalName(c.Principal, agents), AssigneeName: agents[c.Assignee],
			Overdue: cases.Overdue(c, now), Rank: fmt.Sprintf("%.1f", c.Score)}
		if c.Assignee != "" && out[i].AssigneeName == "" {
			out[i].AssigneeName = labelUnknownAgent
		}
		if d := cases.Deadline(c); !d.IsZero() {
			out[i].Deadline = frenchTime(d)
		}
	}
	return out
}

func ruleRows(rules []cases.RulePrecision) []ruleRow {
	out := make([]ruleRow, len(rules))
	for i, r := range rules {
		out[i] = ruleRow{Label: ruleLabel(r.Rule), Alerts: r.Alerts, Closed: r.Closed, Confirmed: r.Confirmed, Precision: "—", CloseP50: duration(r.CloseP50)}
		if r.Closed > 0 {
			out[i].Precision = fmt.Sprintf("%.0f %%", r.Precision*100)
		}
	}
	return out
}

type ruleOption struct {
	Value, Label string
	Selected     bool
}

func ruleOptions(selected string) []ruleOption {
	names := []string{"colleague", "former_employee", "public_figure", "family", "neighbour", "off_hours", "out_of_territory", "mass_fast", "mass_slow", cases.RuleInline}
	out := make([]ruleOption, len(names))
	for i, n := range names {
		out[i] = ruleOption{Value: n, Label: ruleLabel(n), Selected: n == selected}
	}
	return out
}

// stepUpView is the step-up page: where to go back once the code is right.
type stepUpView struct {
	form
	// Error is a page-level refusal; CodeError a wrong code, shown beside
	// the code field.
	Retour, Error, CodeError string
}

// caseView is a misuse case's file (dossier d'enquête).
type caseView struct {
	form
	Case *socle.Case
	// Agent, Organisation and AssigneeName name the case's principal, its
	// organisation and the privacy officer assigned ("" for none).
	Agent, Organisation, AssigneeName string
	Timeline                          []timelineItem
	Next                              []socle.CaseState
	Verdicts                          []socle.Verdict
	Auditors                          []*socle.Agent
	Error, Deadline                   string
	CanAsk, Overdue                   bool
	// Answers are a refused form's answers and errors.
	Answers caseAnswers
}

// casesView is the console of alerts and misuse cases, with its metrics.
type casesView struct {
	Cases                  []caseRow
	Metrics                *cases.Metrics
	States                 []socle.CaseState
	Form, Durations        map[string]string
	RulesChart, WeeksChart template.HTML
	Rules                  []ruleRow
	RuleOptions            []ruleOption
}
