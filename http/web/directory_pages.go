package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"socle"
	"socle/cases"
	"socle/directory"
	"socle/http/httpx"
)

func directoryService(s *declarationPages) (*directory.Service, error) {
	if s.detection == nil {
		return nil, socle.Errorf(socle.EUNAVAILABLE, "the directory is not served here")
	}
	return s.detection, nil
}

// protectedRow is an entry of the register as the page shows it.
type protectedRow struct {
	ID, Ref, Kind, Reason, Added, Removed string
	Active                                bool
}

func (s *declarationPages) renderProtected(w http.ResponseWriter, r *http.Request, status int, a protectedAnswers) {
	actor, ok := staffOnly(w, r)
	if !ok {
		return
	}
	svc, err := directoryService(s)
	if err == nil {
		var ps []*socle.ProtectedPerson
		if ps, err = svc.Protected(r.Context(), actor); err == nil {
			rows := make([]protectedRow, len(ps))
			for i, p := range ps {
				rows[i] = protectedRow{ID: p.ID, Ref: svc.Ref(p.PersonID), Kind: p.Kind.Label(), Reason: p.Reason, Active: p.Active(),
					Added: frenchDay(p.AddedAt)}
				if !p.Active() {
					rows[i].Removed = frenchDay(p.RemovedAt)
				}
			}
			kinds := make([]map[string]string, len(socle.ProtectionKinds))
			for i, k := range socle.ProtectionKinds {
				kinds[i] = map[string]string{"Value": string(k), "Label": k.Label()}
			}
			staffPage(s.renderer, w, r, status, "personnes-protegees", "Registre des personnes protégées", "personnes-protegees",
				&protectedView{Rows: rows, Kinds: kinds, Error: a.Problem, Answers: a})
			return
		}
	}
	s.renderError(w, r, err)
}

func handleProtectedPage(s *declarationPages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderProtected(w, r, http.StatusOK, protectedAnswers{})
	})
}

func handleProtectedForm(s *declarationPages, form string) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		svc, err := directoryService(s)
		if err == nil {
			actor := httpx.ActorFrom(r.Context())
			if form == "ajout" {
				_, err = svc.Protect(r.Context(), actor, r.PostFormValue("personne"), socle.ProtectionKind(r.PostFormValue("categorie")), r.PostFormValue("motif"))
			} else {
				err = svc.Unprotect(r.Context(), actor, r.PathValue("id"))
			}
		}
		if err != nil {
			if code := socle.ErrorCode(err); code == socle.EINVALID || code == socle.ECONFLICT {
				a := protectedAnswers{Problem: directoryMessage(err)}
				if form == "ajout" {
					a = postedProtection(r, err)
				}
				s.renderProtected(w, r, httpx.ErrorStatus(err), a)
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/personnes-protegees", http.StatusSeeOther)
	})
}

// declarationRow is a declaration as the page shows it.
type declarationRow struct {
	ID, Kind, Detail, Window string
	Active                   bool
}

func (s *declarationPages) renderDeclarations(w http.ResponseWriter, r *http.Request, status int, problem string) {
	s.renderDeclarationForms(w, r, status, declarationAnswers{Problem: problem})
}

func (s *declarationPages) renderDeclarationForms(w http.ResponseWriter, r *http.Request, status int, a declarationAnswers) {
	problem := a.Problem
	actor, ok := staffOnly(w, r)
	if !ok {
		return
	}
	svc, err := directoryService(s)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	ds, err := svc.Declarations(r.Context(), actor)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	as, err := svc.Colleagues(r.Context(), actor)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	colleagues := make([]map[string]string, len(as))
	for i, a := range as {
		colleagues[i] = map[string]string{"Value": a.ID, "Label": a.FullName()}
	}
	names := map[string]string{}
	for _, c := range colleagues {
		names[c["Value"]] = c["Label"]
	}
	now := time.Now()
	rows := make([]declarationRow, len(ds))
	for i, d := range ds {
		rows[i] = declarationRow{ID: d.ID, Kind: d.Kind.Label(), Active: d.Covers(now) || (d.WithdrawnAt.IsZero() && d.From.After(now)),
			Window: "du " + frenchTime(d.From) + " au " + frenchTime(d.To)}
		switch d.Kind {
		case socle.DeclareDelegation:
			rows[i].Detail = "Remplacement de " + orDefault(names[d.OfAgentID], "un collègue")
		case socle.DeclareConflict:
			rows[i].Window = "depuis le " + frenchDay(d.From)
			rows[i].Detail = "1 dossier"
		default:
			rows[i].Detail = plural(len(d.Persons), "dossier")
			if d.Reference != "" {
				rows[i].Detail = d.Reference + " — " + rows[i].Detail
			}
		}
		if !d.WithdrawnAt.IsZero() {
			rows[i].Window += " (retirée)"
		}
	}
	kinds := make([]map[string]string, len(socle.DeclarationKinds))
	for i, k := range socle.DeclarationKinds {
		kinds[i] = map[string]string{"Value": string(k), "Label": k.Label()}
	}
	var tasks []taskRow
	if csvc, err := casesService(s.cases); err == nil {
		ts, err := csvc.Tasks(r.Context(), actor)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		labels := map[string]string{}
		for _, p := range s.gate.Purposes() {
			labels[p.Code] = p.Label
		}
		for _, t := range ts {
			tasks = append(tasks, taskRow{ID: t.ID, Agent: orDefault(names[t.AgentID], "vous-même"), Purpose: orDefault(labels[t.Purpose], t.Purpose),
				Population: orDefault(t.Population, plural(len(t.Persons), "dossier")), Approved: t.Approved(),
				Window: "du " + frenchTime(t.Start) + " au " + frenchTime(t.End)})
		}
	}
	staffPage(s.renderer, w, r, status, "declarations", "Mes déclarations", "declarations",
		&declarationsView{Rows: rows, Kinds: kinds, Colleagues: colleagues, Error: problem, Tasks: tasks, Purposes: s.gate.Purposes(),
			Admin: slices.Contains(actor.Roles, socle.RoleOrgAdmin), Grace: int(directory.TaskGrace.Minutes()),
			Answers: a.Answers, Errors: a.Errors, Fields: inputFields(declarationInputs, a.Answers, a.Errors)})
}

// taskRow is a bulk task of the organisation as the page shows it.
type taskRow struct {
	ID, Agent, Purpose, Population, Window string
	Approved                               bool
}

func handleBulkTaskForm(s *declarationPages, form string) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		svc, err := casesService(s.cases)
		actor := httpx.ActorFrom(r.Context())
		if err == nil && form == "approbation" {
			_, err = svc.ApproveTask(r.Context(), actor, r.PathValue("id"))
		} else if err == nil {
			t := &socle.BulkTask{Purpose: r.PostFormValue("finalite"), Population: r.PostFormValue("population"),
				Persons: strings.Fields(strings.ReplaceAll(r.PostFormValue("dossiers_tache"), ",", " "))}
			if t.Start, err = formTime(r.PostFormValue("debut_tache")); err != nil {
				s.renderDeclarationForms(w, r, http.StatusBadRequest, postedDeclaration(r, "debut_tache", msgDateTime))
				return
			}
			if t.End, err = formTime(r.PostFormValue("fin_tache")); err != nil {
				s.renderDeclarationForms(w, r, http.StatusBadRequest, postedDeclaration(r, "fin_tache", msgDateTime))
				return
			}
			err = svc.DeclareTask(r.Context(), actor, t)
		}
		if err != nil {
			if code := socle.ErrorCode(err); code == socle.EINVALID || code == socle.ECONFLICT || code == socle.EFORBIDDEN {
				if form == "approbation" {
					s.renderDeclarations(w, r, httpx.ErrorStatus(err), taskMessage(err))
					return
				}
				s.renderDeclarationForms(w, r, httpx.ErrorStatus(err), postedDeclaration(r, taskFieldOf(err), taskMessage(err)))
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/declarations", http.StatusSeeOther)
	})
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func plural(n int, word string) string {
	if n > 1 {
		return strconv.Itoa(n) + " " + word + "s"
	}
	return strconv.Itoa(n) + " " + word
}

func handleDeclarationsPage(s *declarationPages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.renderDeclarations(w, r, http.StatusOK, "") })
}

// formTime reads a date and time field of a form (Europe/Paris); empty is
// zero.
func formTime(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, paris); err == nil {
			return t, nil
		}
	}
	return time.Time{}, socle.Errorf(socle.EINVALID, "to: not a date")
}

func handleDeclarationForm(s *declarationPages, form string) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		svc, err := directoryService(s)
		actor := httpx.ActorFrom(r.Context())
		if err == nil && form == "retrait" {
			err = svc.Withdraw(r.Context(), actor, r.PathValue("id"))
		} else if err == nil {
			d := &socle.Declaration{Kind: socle.DeclarationKind(r.PostFormValue("type")), OfAgentID: r.PostFormValue("collegue"),
				Reference: r.PostFormValue("reference"), Note: r.PostFormValue("note"), Persons: strings.Fields(strings.ReplaceAll(r.PostFormValue("dossiers"), ",", " "))}
			if d.From, err = formTime(r.PostFormValue("debut")); err != nil {
				s.renderDeclarationForms(w, r, http.StatusBadRequest, postedDeclaration(r, "debut", msgDateTime))
				return
			}
			if d.To, err = formTime(r.PostFormValue("fin")); err != nil {
				s.renderDeclarationForms(w, r, http.StatusBadRequest, postedDeclaration(r, "fin", msgDateTime))
				return
			}
			err = svc.Declare(r.Context(), actor, d)
		}
		if err != nil {
			if code := socle.ErrorCode(err); code == socle.EINVALID || code == socle.ECONFLICT || code == socle.ENOTFOUND {
				if form == "retrait" {
					s.renderDeclarations(w, r, httpx.ErrorStatus(err), directoryMessage(err))
					return
				}
				s.renderDeclarationForms(w, r, httpx.ErrorStatus(err), postedDeclaration(r, declarationFieldOf(err), directoryMessage(err)))
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/declarations", http.StatusSeeOther)
	})
}

// questionRow is a question of a privacy officer as the agent sees it.
type questionRow struct {
	CaseID, Asked, Question, Answer, Deadline string
	Overdue                                   bool
}

func (s *declarationPages) renderQuestions(w http.ResponseWriter, r *http.Request, status int, problem string) {
	s.renderQuestionsView(w, r, status, &questionsView{Error: problem})
}

// renderQuestionsView shows the agent's questions with v's error, and the
// error and answer of one question's form when v has them.
func (s *declarationPages) renderQuestionsView(w http.ResponseWriter, r *http.Request, status int, v *questionsView) {
	actor, ok := staffOnly(w, r)
	if !ok {
		return
	}
	svc, err := casesService(s.cases)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	qs, err := svc.Questions(r.Context(), actor)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	rows := make([]questionRow, len(qs))
	for i, q := range qs {
		rows[i] = questionRow{CaseID: q.CaseID, Asked: frenchTime(q.Asked.CreatedAt), Question: q.Asked.Text,
			Deadline: frenchDay(q.Deadline), Overdue: q.Answer == nil && svc.Now().After(q.Deadline)}
		if q.Answer != nil {
			rows[i].Answer = q.Answer.Text
		}
	}
	v.Rows, v.Window = rows, int(cases.AnswerWindow.Hours()/24)
	staffPage(s.renderer, w, r, status, "mes-explications", "Demandes d'explication", "mes-explications", v)
}

func handleQuestionsPage(s *declarationPages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.renderQuestions(w, r, http.StatusOK, "") })
}

func handleAnswerForm(s *declarationPages) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		svc, err := casesService(s.cases)
		if err == nil {
			_, err = svc.Answer(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"), r.PostFormValue("reponse"))
		}
		if err != nil {
			// An answer the service refuses is about its text: the error
			// stands beside it, with the text sent.
			if socle.ErrorCode(err) == socle.EINVALID {
				id := r.PathValue("id")
				s.renderQuestionsView(w, r, httpx.ErrorStatus(err), &questionsView{Error: msgFormErrors,
					ItemErrors: map[string]string{id: directoryMessage(err)}, ItemAnswers: map[string]string{id: r.PostFormValue("reponse")}})
				return
			}
			if socle.ErrorCode(err) == socle.ECONFLICT {
				s.renderQuestions(w, r, httpx.ErrorStatus(err), directoryMessage(err))
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/mes-explications", http.StatusSeeOther)
	})
}

// protectedView is the register of protected persons.
type protectedView struct {
	form
	Rows  []protectedRow
	Kinds []map[string]string
	Error string
	// Answers are the refused inscription's answers and errors.
	Answers protectedAnswers
}

// declarationsView is an agent's declarations and her organisation's bulk
// tasks.
type declarationsView struct {
	form
	Rows              []declarationRow
	Kinds, Colleagues []map[string]string
	Tasks             []taskRow
	Purposes          []socle.Purpose
	Error             string
	Admin             bool
	Grace             int
	// Answers are the answers sent back with Errors, by the fields'
	// names; Fields are the text inputs of both forms with them.
	Answers, Errors map[string]string
	Fields          map[string]inputField
}

// questionsView is the explanations asked of an agent.
type questionsView struct {
	form
	Rows   []questionRow
	Error  string
	Window int
	// ItemErrors and ItemAnswers are the error and answer of one
	// question's form, by its case.
	ItemErrors, ItemAnswers map[string]string
}
