package web

import (
	"net/http"
	"strings"

	"socle"
)

// caseAnswers are the answers of a refused form of the misuse case file,
// each error beside its field by the field's id, or Problem above the
// forms when no field is at fault.
type caseAnswers struct {
	Problem string
	// State, Verdict, Comment: the state form; Assignee: the assignment;
	// Question and Text: the question to the agent and the comment.
	State, Verdict, Comment, Assignee, Question, Text string
	Errors                                            map[string]string
}

// caseFieldErrors maps the cases service's messages to the field of form
// they are about and its French sentence, first match first.
var caseFieldErrors = []struct{ form, key, field, fr string }{
	{"etat", "cannot move", "etat", msgCaseState},
	{"etat", "needs a verdict", "verdict", msgCaseVerdictNeeded},
	{"etat", "verdict is given only", "verdict", msgCaseVerdictOnly},
	{"etat", "text:", "commentaire-etat", msgCaseText},
	{"assigner", "assignee:", "auditeur", msgCaseAssignee},
	{"question", "text:", "question", msgCaseText},
	{"commentaire", "text:", "texte", msgCaseText},
}

// postedCase keeps the answers of r's form (form names it) and puts err
// beside its field, or above the forms when it is about none.
func postedCase(r *http.Request, form string, err error) caseAnswers {
	a := caseAnswers{Errors: map[string]string{}}
	switch form {
	case "etat":
		a.State, a.Verdict, a.Comment = r.PostFormValue("etat"), r.PostFormValue("verdict"), r.PostFormValue("commentaire")
	case "assigner":
		a.Assignee = r.PostFormValue("auditeur")
	case "question":
		a.Question = r.PostFormValue("question")
	case "commentaire":
		a.Text = r.PostFormValue("texte")
	}
	msg := socle.ErrorMessage(err)
	for _, f := range caseFieldErrors {
		if f.form == form && socle.ErrorCode(err) == socle.EINVALID && strings.Contains(msg, f.key) {
			a.Errors[f.field] = f.fr
			return a
		}
	}
	a.Problem = message(err)
	return a
}
