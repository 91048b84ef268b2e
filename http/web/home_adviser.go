package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"socle"
	"socle/gate"
)

// caseloadPageSize is how many persons one page of "Mes usagers" lists.
const caseloadPageSize = 20

// caseloadView is the adviser's list of persons ("Mes usagers") on her
// home, with its filters: the persons she is référent of (Mine) or all
// those her structure follows, a name, only the files with an alert.
type caseloadView struct {
	Rows       []caseloadRow
	Mine       bool
	Name       string
	AlertsOnly bool
	Page       int
	// Widened says the list shows the structure's persons because she is
	// référent of nobody.
	Widened bool
	// Previous and Next are the links to the neighbouring pages, empty at
	// the ends.
	Previous, Next string
}

// caseloadRow is one person of the list, in words.
type caseloadRow struct {
	PersonID        string
	Name            string
	BirthDate       string
	Referent        string
	NextAppointment string
	Contract        string
	// ContractToSign colours the contract's badge.
	ContractToSign bool
	Alerts         []string
}

// waitingItem is one kind of thing that waits for the adviser, with the
// page where she handles it.
type waitingItem struct {
	Label string
	Count int
	Link  string
}

// caseloadQueryOf reads the list's filters from the home page's query;
// an unreadable page number is the first page.
func caseloadQueryOf(q url.Values) (socle.CaseloadQuery, *caseloadView) {
	v := &caseloadView{Mine: q.Get("suivi") != "structure", Name: strings.TrimSpace(q.Get("nom")), AlertsOnly: q.Get("alertes") == "1", Page: 1}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 && n < 10000 {
		v.Page = n
	}
	cq := socle.CaseloadQuery{FamilyName: v.Name, WithAlert: v.AlertsOnly, Offset: (v.Page - 1) * caseloadPageSize, Limit: caseloadPageSize + 1}
	return cq, v
}

// pageLink is the home's address for page n of the list with v's filters.
func (v *caseloadView) pageLink(n int) string {
	q := url.Values{}
	if !v.Mine {
		q.Set("suivi", "structure")
	}
	if v.Name != "" {
		q.Set("nom", v.Name)
	}
	if v.AlertsOnly {
		q.Set("alertes", "1")
	}
	if n > 1 {
		q.Set("page", strconv.Itoa(n))
	}
	if len(q) == 0 {
		return "/#usagers"
	}
	return "/?" + q.Encode() + "#usagers"
}

// caseloadRowOf puts an entry in words.
func caseloadRowOf(e socle.CaseloadEntry) caseloadRow {
	row := caseloadRow{PersonID: e.PersonID, Name: e.GivenName + " " + e.FamilyName, BirthDate: frenchDate(e.BirthDate),
		Referent: e.ReferentName, Contract: contractStatusLabels[e.ContractStatus], ContractToSign: e.ContractStatus == socle.CommitmentToSign}
	if row.Referent == "" {
		row.Referent = "Aucun référent"
	}
	if !e.NextAppointment.IsZero() {
		row.NextAppointment = frenchTime(e.NextAppointment)
	}
	if e.OpenRectifications > 0 {
		row.Alerts = append(row.Alerts, plural(e.OpenRectifications, "demande")+" de rectification")
	}
	if row.ContractToSign {
		row.Alerts = append(row.Alerts, "Contrat à signer")
	}
	if e.AnsweredMatches > 0 {
		row.Alerts = append(row.Alerts, plural(e.AnsweredMatches, "réponse")+" d'employeur")
	}
	if e.MissedAppointments > 0 {
		row.Alerts = append(row.Alerts, plural(e.MissedAppointments, "rendez-vous manqué")+" sans excuse")
	}
	return row
}

// adviserHome fills the adviser's blocks of v: her list of persons, her
// appointments of today and tomorrow with the persons' names, and what
// waits for her. Each read goes through the gate, with the purpose
// accompagnement; a block that fails is named in v.Problems.
func (s *homePages) adviserHome(ctx context.Context, r *http.Request, v *agentHomeView, problem func(string, error)) {
	req := pageRequest(r, purposeAccompagnement, "")
	cq, list := caseloadQueryOf(r.URL.Query())
	if list.Mine {
		cq.ReferentID = req.Actor.AgentID
	}
	entries, err := s.parcours.Caseload(ctx, req, cq)
	if err != nil {
		problem(msgHomeCaseload, err)
	}
	// An adviser référent of nobody, who chose no filter, sees her
	// structure's persons rather than an empty list.
	if err == nil && len(entries) == 0 && r.URL.Query().Get("suivi") == "" && list.Name == "" && !list.AlertsOnly && list.Page == 1 {
		cq.ReferentID, list.Mine, list.Widened = "", false, true
		if entries, err = s.parcours.Caseload(ctx, req, cq); err != nil {
			problem(msgHomeCaseload, err)
		}
	}
	if len(entries) > caseloadPageSize {
		entries = entries[:caseloadPageSize]
		list.Next = list.pageLink(list.Page + 1)
	}
	if list.Page > 1 {
		list.Previous = list.pageLink(list.Page - 1)
	}
	for _, e := range entries {
		list.Rows = append(list.Rows, caseloadRowOf(e))
	}
	v.Caseload = list

	s.adviserAppointments(ctx, req, v, problem)
	// What waits: the structure's files with an alert, and the
	// rectification queue.
	alerts, err := s.parcours.Caseload(ctx, req, socle.CaseloadQuery{WithAlert: true, Limit: gate.CaseloadPageSize})
	if err != nil {
		problem(msgHomeCaseload, err)
	}
	var toSign, answers, missed int
	for _, e := range alerts {
		if e.ContractStatus == socle.CommitmentToSign {
			toSign++
		}
		answers += e.AnsweredMatches
		missed += e.MissedAppointments
	}
	queue, err := s.parcours.RectificationQueue(ctx, req)
	if err != nil {
		problem(msgHomeRectifications, err)
	}
	v.Rectifications = len(queue)
	v.Waiting = append(v.Waiting,
		waitingItem{Label: "Contrats à signer", Count: toSign, Link: "/?suivi=structure&alertes=1#usagers"},
		waitingItem{Label: "Demandes de rectification", Count: len(queue), Link: "/rectifications"},
		waitingItem{Label: "Réponses d'employeurs sur vos mises en relation (30 derniers jours)", Count: answers, Link: "/?suivi=structure&alertes=1#usagers"},
		waitingItem{Label: "Rendez-vous manqués sans excuse (30 derniers jours)", Count: missed, Link: "/?suivi=structure&alertes=1#usagers"},
	)
	s.adviserHandoffs(ctx, req, v, problem)
}
