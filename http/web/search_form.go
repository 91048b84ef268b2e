package web

import (
	"context"
	"strings"

	"socle"
)

// searchFields are the fields of the search form in the page's order,
// which the summary of its errors follows.
var searchFields = []string{"finalite", "nom", "prenom", "naissance", "nir", "motif", "commune"}

// searchInputs are the text criteria of the search form.
var searchInputs = []inputField{
	{ID: "nom", Name: "nom", Label: "Nom"},
	{ID: "prenom", Name: "prenom", Label: "Prénom"},
	{ID: "naissance", Name: "naissance", Label: "Date de naissance", Type: "date"},
	{ID: "nir", Name: "nir", Label: "NIR"},
	{ID: "motif", Name: "motif", Label: "Motif d'une recherche par NIR hors de votre territoire"},
}

// searchQuery turns the criteria typed into a query, with the error of
// each criterion that is wrong, by field name: every error at once, so
// that the agent corrects them in one go.
func searchQuery(ctx context.Context, w *words, form map[string]string) (socle.PersonQuery, map[string]string) {
	errs := map[string]string{}
	pq := socle.PersonQuery{FamilyName: form["nom"], GivenName: form["prenom"], NIR: strings.ReplaceAll(form["nir"], " ", ""), Limit: 20}
	if form["finalite"] == "" {
		errs["finalite"] = msgSearchPurposeRequired
	}
	if form["naissance"] != "" {
		var err error
		if pq.BirthDate, err = socle.ParseDate(form["naissance"]); err != nil {
			errs["naissance"] = msgBirthDateFormat
		}
	}
	if pq.NIR != "" && !socle.ValidNIR(pq.NIR) {
		errs["nir"] = msgNIRInvalid
	}
	if form["commune"] != "" {
		var ok bool
		if pq.CommuneCode, ok = w.resolveCommune(ctx, form["commune"]); !ok {
			errs["commune"] = msgCommuneUnknown
		}
	}
	return pq, errs
}

// fieldError is one error of a form as the summary at the top of the page
// links it to its field (the "resume-erreurs" partial).
type fieldError struct{ Field, Message string }

// errorSummary lists errs in the order of fields, for the summary a page
// shows above a form with several errors; nil for one error or none, which
// stands beside its field alone.
func errorSummary(fields []string, errs map[string]string) []fieldError {
	if len(errs) < 2 {
		return nil
	}
	var out []fieldError
	for _, f := range fields {
		if msg, ok := errs[f]; ok {
			out = append(out, fieldError{Field: f, Message: msg})
		}
	}
	return out
}
