package web

import (
	"net/http"
	"strings"

	"socle"
)

// declarationAnswers is what the declarations page shows again after a
// refused form: the answers sent, each error beside its field (by the
// field's name), or Problem above the forms when no field is at fault.
type declarationAnswers struct {
	Problem         string
	Answers, Errors map[string]string
}

// declarationInputs are the text inputs of the declaration and bulk task
// forms.
var declarationInputs = []inputField{
	{ID: "dossiers", Name: "dossiers", Label: "Identifiants des dossiers concernés", Hint: "Séparés par des espaces (accueil, appel, événement, conflit d'intérêts)."},
	{ID: "reference", Name: "reference", Label: "Référence de l'appel ou nom de l'événement"},
	{ID: "debut", Name: "debut", Label: "Début", Hint: "Remplacement, événement ; maintenant par défaut pour un accueil ou un appel.", Type: "datetime-local"},
	{ID: "fin", Name: "fin", Label: "Fin", Hint: "Remplacement, événement.", Type: "datetime-local"},
	{ID: "note", Name: "note", Label: "Commentaire"},
	{ID: "population", Name: "population", Label: "Population concernée"},
	{ID: "dossiers_tache", Name: "dossiers_tache", Label: "Ou identifiants des dossiers", Hint: "Séparés par des espaces."},
	{ID: "debut_tache", Name: "debut_tache", Label: "Début", Type: "datetime-local", Required: true},
	{ID: "fin_tache", Name: "fin_tache", Label: "Fin", Type: "datetime-local", Required: true},
}

// postedDeclaration keeps the answers of r's form with msg beside field,
// or above the forms when field is "".
func postedDeclaration(r *http.Request, field, msg string) declarationAnswers {
	a := declarationAnswers{Answers: map[string]string{}, Errors: map[string]string{}}
	for name, vs := range r.PostForm {
		if name != "csrf" && len(vs) > 0 {
			a.Answers[name] = vs[0]
		}
	}
	if field == "" {
		a.Problem = msg
	} else {
		a.Errors[field] = msg
	}
	return a
}

// declarationFieldOf names the field of the declaration form a domain
// error is about (the keys of directoryMessage), "" for none.
func declarationFieldOf(err error) string {
	return fieldOf(socle.ErrorMessage(err), []struct{ key, field string }{
		// In directoryMessage's order, so that each error finds the field its sentence is about.
		{"kind", "type"}, {"of_agent_id", "collegue"}, {"reference", "reference"}, {"persons", "dossiers"}, {"to", "fin"}, {"note", "note"},
	})
}

// taskFieldOf names the field of the bulk task form a domain error is
// about (the keys of taskMessage), "" for none.
func taskFieldOf(err error) string {
	return fieldOf(socle.ErrorMessage(err), []struct{ key, field string }{
		{"approve", ""}, {"purpose", "finalite"}, {"population", "population"}, {"persons", "dossiers_tache"}, {"start", "debut_tache"}, {"end", "fin_tache"},
	})
}

func fieldOf(msg string, keys []struct{ key, field string }) string {
	for _, k := range keys {
		if strings.Contains(msg, k.key) {
			return k.field
		}
	}
	return ""
}
