package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"socle"
	"socle/gate"
	"socle/http/httpx"
	"socle/indicators"
	"socle/orientation"
)

// The orientation hand-off between structures: the orienting adviser
// sends a request from the person's file and follows it; the receiving
// structure answers from its queue; the département's committee sees the
// requests left unanswered past their deadline.

// handoffRow is one request as the pages list it.
type handoffRow struct {
	ID, Sent, From, To, Parcours, Status, Deadline string
	Answer, Comment, Outcome                       string
	Open, Refused, Escalated, Reminded             bool
}

func newHandoffRow(r *socle.OrientationRequest) handoffRow {
	row := handoffRow{ID: r.ID, Sent: frenchDay(r.CreatedAt), From: r.FromOrganisationName, To: r.ToOrganisationName,
		Parcours: labelOf(parcoursLabels, r.Parcours), Status: labelOf(handoffStatusLabels, r.Status), Deadline: frenchDate(r.Deadline),
		Comment: r.AnswerComment, Open: r.Open(), Refused: r.Status == socle.HandoffRefused,
		Escalated: !r.EscalatedAt.IsZero(), Reminded: !r.RemindedAt.IsZero()}
	if r.RefusalReason != "" {
		row.Answer = labelOf(indicators.HandoffRefusalLabels, r.RefusalReason)
	}
	if r.Outcome != "" {
		row.Outcome = labelOf(handoffOutcomeLabels, r.Outcome)
		if r.Outcome == socle.HandoffOutcomeExit {
			row.Outcome += " (" + labelOf(handoffExitLabels, r.OutcomeReason) + ")"
		}
	}
	return row
}

// handoffStep is the state of the latest request on the DSFR stepper.
type handoffStep struct {
	Current    int
	Title      string
	Next       string
	Concluding bool
}

// handoffPersonView is the orienting side: a person's requests, the form
// of a new one (a réorientation after a refusal), the decision after it.
type handoffPersonView struct {
	form
	ID, PersonName string
	Error, Notice  string
	Step           *handoffStep
	Requests       []handoffRow
	Organisations  []orgGroup
	Parcours       []option
	Motive         string
	// PreviousID is the refused request a new one follows, "" for none.
	PreviousID, PreviousTo string
	// Conclude is the refused request awaiting the decision, nil when none.
	Conclude    *handoffRow
	ExitReasons []option
	CanSend     bool
	// Errors are the forms' errors by field (to_organisation_id,
	// parcours, motive, exit_reason).
	Errors map[string]string
}

func (s *parcoursPages) handoffPersonPage(p *gate.Parcours, w http.ResponseWriter, r *http.Request, status int, v *handoffPersonView) {
	id := r.PathValue("id")
	v.ID = id
	req := pageRequest(r, purposeOrientation, "")
	person, err := p.PersonToOrient(r.Context(), req, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if person.Identity != nil {
		v.PersonName = person.Identity.GivenName + " " + person.Identity.FamilyName
	}
	rs, err := p.OrientationRequests(r.Context(), req, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Requests = v.Requests[:0]
	for _, x := range rs {
		v.Requests = append(v.Requests, newHandoffRow(x))
	}
	v.CanSend = !slices.ContainsFunc(rs, (*socle.OrientationRequest).Open)
	if len(rs) > 0 {
		// Once her structure handed the person over, the receiving one
		// orients her next.
		handedOver := rs[0].Status == socle.HandoffAccepted && rs[0].FromOrganisationID == req.Actor.OrganisationID
		v.CanSend = v.CanSend && !handedOver
		v.Step = stepOf(rs[0])
		if last := rs[0]; last.Status == socle.HandoffRefused && last.Outcome == "" && last.FromOrganisationID == req.Actor.OrganisationID {
			row := newHandoffRow(last)
			v.Conclude, v.PreviousID, v.PreviousTo = &row, last.ID, last.ToOrganisationName
		}
	}
	actor := httpx.ActorFrom(r.Context())
	dep := ""
	if len(actor.Departements) > 0 {
		dep = actor.Departements[0]
	}
	groups, err := s.operatorOrganisations(r, dep, r.PostFormValue("to_organisation_id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for i := range groups {
		groups[i].Options = slices.DeleteFunc(groups[i].Options, func(o option) bool { return o.Value == actor.OrganisationID })
	}
	v.Organisations = slices.DeleteFunc(groups, func(g orgGroup) bool { return len(g.Options) == 0 })
	chosen := r.PostFormValue("parcours")
	v.Parcours = nil
	for _, x := range orientation.ParcoursValues() {
		v.Parcours = append(v.Parcours, option{x, parcoursLabels[x], x == chosen})
	}
	v.ExitReasons = nil
	for _, x := range socle.HandoffExitReasons {
		v.ExitReasons = append(v.ExitReasons, option{x, handoffExitLabels[x], x == r.PostFormValue("exit_reason")})
	}
	staffPage(s.renderer, w, r, status, "orientation-demandes", "Orientation vers une autre structure", "usagers", v)
}

// stepOf places the latest request on the three steps: sent, answered,
// taken in charge (or the decision after a refusal).
func stepOf(r *socle.OrientationRequest) *handoffStep {
	switch {
	case r.Open():
		return &handoffStep{Current: 1, Title: "Demande envoyée à " + r.ToOrganisationName, Next: "réponse de la structure au plus tard le " + frenchDate(r.Deadline)}
	case r.Status == socle.HandoffAccepted:
		return &handoffStep{Current: 3, Title: "Prise en charge par " + r.ToOrganisationName}
	case r.Outcome != "":
		return &handoffStep{Current: 3, Title: labelOf(handoffOutcomeLabels, r.Outcome), Concluding: true}
	}
	return &handoffStep{Current: 2, Title: "Demande refusée par " + r.ToOrganisationName, Next: "réorientation, maintien ou sortie du parcours"}
}

func handleHandoffPersonPage(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		v := &handoffPersonView{}
		switch r.URL.Query().Get("fait") {
		case "envoyee":
			v.Notice = msgHandoffSentNotice
		case "decision":
			v.Notice = msgHandoffConcludedNotice
		}
		s.handoffPersonPage(p, w, r, http.StatusOK, v)
	})
}

func handleHandoffSend(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		hr := &socle.OrientationRequest{PersonID: id, ToOrganisationID: r.PostFormValue("to_organisation_id"),
			Parcours: r.PostFormValue("parcours"), Motive: strings.TrimSpace(r.PostFormValue("motive")), PreviousID: r.PostFormValue("previous_id")}
		fail := func(status int, msg string) {
			s.handoffPersonPage(p, w, r, status, &handoffPersonView{Error: msg, Motive: hr.Motive})
		}
		// Checked early for kinder messages, with the domain's constants.
		if errs := handoffSendErrors(hr); len(errs) > 0 {
			s.handoffPersonPage(p, w, r, http.StatusBadRequest, &handoffPersonView{Error: msgFormErrors, Errors: errs, Motive: hr.Motive})
			return
		}
		err := p.SendOrientationRequest(r.Context(), pageRequest(r, purposeOrientation, ""), hr)
		if s.failed(w, r, err, msgHandoffAlreadyOpen, fail) {
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(id)+"/demandes-orientation?fait=envoyee", http.StatusSeeOther)
	})
}

func handleHandoffConclude(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		o := socle.HandoffOutcome{Outcome: r.PostFormValue("outcome")}
		if o.Outcome == socle.HandoffOutcomeExit {
			o.Reason = r.PostFormValue("exit_reason")
			if !slices.Contains(socle.HandoffExitReasons, o.Reason) {
				s.handoffPersonPage(p, w, r, http.StatusBadRequest, &handoffPersonView{Error: msgFormErrors, Errors: map[string]string{"exit_reason": msgHandoffExitReason}})
				return
			}
		}
		if _, err := p.ConcludeOrientationRequest(r.Context(), pageRequest(r, purposeOrientation, ""), r.PathValue("rid"), o); err != nil {
			if soft(err) && socle.ErrorCode(err) != socle.ENOTFOUND {
				s.handoffPersonPage(p, w, r, httpx.ErrorStatus(err), &handoffPersonView{Error: message(err)})
				return
			}
			s.renderError(w, r, err)
			return
		}
		if o.Outcome == socle.HandoffOutcomeExit {
			// The follow-up ends: the file may no longer be open to her.
			http.Redirect(w, r, "/usagers", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(id)+"/demandes-orientation?fait=decision", http.StatusSeeOther)
	})
}

// failed answers err of a form's write, if any: a conflict with the
// form's own sentence, another 4xx above the form (a 404 as the error
// page: the request is gone for her), anything else as the error page.
func (s *parcoursPages) failed(w http.ResponseWriter, r *http.Request, err error, conflict string, fail func(status int, msg string)) bool {
	switch {
	case err == nil:
		return false
	case socle.ErrorCode(err) == socle.ECONFLICT:
		fail(http.StatusConflict, conflict)
	case soft(err) && socle.ErrorCode(err) != socle.ENOTFOUND:
		fail(httpx.ErrorStatus(err), message(err))
	default:
		s.renderError(w, r, err)
	}
	return true
}

// handoffQueueRow is one request of a queue, named by its person.
type handoffQueueRow struct {
	handoffRow
	Name string
	// Late says the deadline passed; Soon that the reminder day came.
	Late, Soon bool
}

func queueRows(items []gate.HandoffQueueItem, rules socle.HandoffDeadlines, today socle.Date) []handoffQueueRow {
	out := make([]handoffQueueRow, len(items))
	for i, it := range items {
		out[i] = handoffQueueRow{handoffRow: newHandoffRow(it.Request), Name: it.GivenName + " " + it.FamilyName,
			Late: today.After(it.Request.Deadline), Soon: !today.Before(rules.ReminderDay(it.Request.Deadline))}
	}
	return out
}

// handoffQueueView is the receiving structure's queue.
type handoffQueueView struct {
	Items     []handoffQueueRow
	Notice    string
	Committee bool
}

func handleHandoffQueue(s *parcoursPages, p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, ok := staffOnly(w, r)
		if !ok {
			return
		}
		items, err := p.OrientationRequestsToMyStructure(r.Context(), pageRequest(r, purposeOrientation, ""))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		v := &handoffQueueView{Items: queueRows(items, p.HandoffDeadlines(), socle.DateOf(p.Now())), Committee: actor.OrgKind == socle.KindDepartement}
		if r.URL.Query().Get("fait") == "refusee" {
			v.Notice = msgHandoffRefusedNotice
		}
		s.render(w, r, http.StatusOK, "demandes-orientation", view{Title: "Demandes d'orientation reçues", Nav: "demandes-orientation", Data: v})
	})
}

// handoffAnswerView is a request opened by its receiving structure, with
// the answer's form.
type handoffAnswerView struct {
	form
	ID, Name, BirthDate                  string
	Request                              handoffRow
	Motive                               string
	Situation, Education, Constraints    string
	Explanation                          []string
	Reasons                              []option
	Error, Comment                       string
	AcceptChecked, RefuseChecked, CanAct bool
	// Errors are the form's errors by field (decision, reason, comment).
	Errors map[string]string
}

func (s *parcoursPages) handoffAnswerPage(p *gate.Parcours, w http.ResponseWriter, r *http.Request, status int, v *handoffAnswerView) {
	file, d, err := p.OrientationRequest(r.Context(), pageRequest(r, purposeOrientation, ""), r.PathValue("rid"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	hr := file.Request
	v.ID, v.Request, v.Motive = hr.ID, newHandoffRow(hr), hr.Motive
	v.CanAct = hr.Open() && hr.ToOrganisationID == httpx.ActorFrom(r.Context()).OrganisationID
	if id := file.Person.Identity; id != nil {
		v.Name, v.BirthDate = id.GivenName+" "+id.FamilyName, frenchDate(id.BirthDate)
	}
	v.Situation, v.Education = hr.Summary.Situation.Label(), labelOf(educationLabels, hr.Summary.EducationLevel)
	v.Constraints = labelsOf(constraintLabels, hr.Summary.Constraints)
	for _, f := range d.Facts {
		v.Explanation = append(v.Explanation, f.Text)
	}
	chosen := r.PostFormValue("reason")
	v.Reasons = nil
	for _, x := range socle.HandoffRefusalReasons {
		v.Reasons = append(v.Reasons, option{x, indicators.HandoffRefusalLabels[x], x == chosen})
	}
	staffPage(s.renderer, w, r, status, "demande-orientation", "Demande d'orientation", "demandes-orientation", v)
}

func handleHandoffRequestPage(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		s.handoffAnswerPage(p, w, r, http.StatusOK, &handoffAnswerView{})
	})
}

func handleHandoffAnswer(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		choice := r.PostFormValue("decision")
		a := socle.HandoffAnswer{Accept: choice == "accepter", Comment: strings.TrimSpace(r.PostFormValue("comment"))}
		if !a.Accept {
			a.Reason = r.PostFormValue("reason")
		}
		fail := func(status int, msg string) {
			s.handoffAnswerPage(p, w, r, status, &handoffAnswerView{Error: msg, Comment: a.Comment,
				AcceptChecked: choice == "accepter", RefuseChecked: choice == "refuser"})
		}
		if errs := handoffAnswerErrors(choice, a); len(errs) > 0 {
			s.handoffAnswerPage(p, w, r, http.StatusBadRequest, &handoffAnswerView{Error: msgFormErrors, Errors: errs, Comment: a.Comment,
				AcceptChecked: choice == "accepter", RefuseChecked: choice == "refuser"})
			return
		}
		hr, err := p.AnswerOrientationRequest(r.Context(), pageRequest(r, purposeOrientation, ""), r.PathValue("rid"), a)
		if s.failed(w, r, err, msgHandoffAnswered, fail) {
			return
		}
		if a.Accept {
			// Her structure follows the person now: the file opens for the
			// accompagnement, naming her as the référent.
			http.Redirect(w, r, "/usagers/"+url.PathEscape(hr.PersonID)+"?finalite="+purposeAccompagnement, http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/demandes-orientation?fait=refusee", http.StatusSeeOther)
	})
}

// committeeView is the départemental committee's queue.
type committeeView struct {
	Items []handoffQueueRow
}

func handleCommitteeQueue(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		items, err := p.CommitteeQueue(r.Context(), pageRequest(r, purposeOrientation, ""))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		v := &committeeView{Items: queueRows(items, p.HandoffDeadlines(), socle.DateOf(p.Now()))}
		s.render(w, r, http.StatusOK, "commission-orientation", view{Title: "Commission d'orientation", Nav: "demandes-orientation", Data: v})
	})
}

// handoffAnswerErrors checks the answer to an orientation request, each
// error beside its field: the decision, and for a refusal its reason and,
// with "Autre motif", the comment.
func handoffAnswerErrors(choice string, a socle.HandoffAnswer) map[string]string {
	errs := map[string]string{}
	switch {
	case choice != "accepter" && choice != "refuser":
		errs["decision"] = msgHandoffChoiceRequired
	case a.Accept:
	case !slices.Contains(socle.HandoffRefusalReasons, a.Reason):
		errs["reason"] = msgHandoffReasonRequired
	case a.Reason == socle.HandoffOtherReason && a.Comment == "":
		errs["comment"] = msgHandoffCommentRequired
	}
	if utf8.RuneCountInString(a.Comment) > socle.MaxHandoffText {
		errs["comment"] = msgHandoffCommentTooLong
	}
	return errs
}

// handoffSendErrors checks a request before it is sent, each error beside
// its field.
func handoffSendErrors(hr *socle.OrientationRequest) map[string]string {
	errs := map[string]string{}
	if hr.ToOrganisationID == "" {
		errs["to_organisation_id"] = msgHandoffStructureRequired
	}
	if !slices.Contains(orientation.ParcoursValues(), hr.Parcours) {
		errs["parcours"] = msgHandoffParcoursRequired
	}
	if hr.Motive == "" || utf8.RuneCountInString(hr.Motive) > socle.MaxHandoffText {
		errs["motive"] = msgHandoffMotiveRequired
	}
	return errs
}
