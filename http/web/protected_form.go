package web

import (
	"net/http"
	"strings"

	"socle"
)

// protectedAnswers is what the register page shows again after a refused
// inscription: the answers sent and each error beside its field, or
// Problem above the form when no field is at fault.
type protectedAnswers struct {
	Problem                       string
	Person, Kind, Reason          string
	PersonErr, KindErr, ReasonErr string
}

// protectedFields maps the keys of the directory's problems (see
// directorySentence) to the register form's fields.
var protectedFields = []struct{ key, field string }{
	{"already in the register", "personne"}, {"person_id", "personne"}, {"kind", "categorie"}, {"reason", "motif"},
}

// postedProtection keeps the answers of r's inscription form and puts each
// problem of err beside its field; a problem about no field goes above.
func postedProtection(r *http.Request, err error) protectedAnswers {
	a := protectedAnswers{Person: r.PostFormValue("personne"), Kind: r.PostFormValue("categorie"), Reason: r.PostFormValue("motif")}
	msg := socle.ErrorMessage(err)
	for _, f := range protectedFields {
		if !strings.Contains(msg, f.key) {
			continue
		}
		fr := directorySentence(f.key)
		switch f.field {
		case "personne":
			if a.PersonErr == "" {
				a.PersonErr = fr
			}
		case "categorie":
			a.KindErr = fr
		case "motif":
			a.ReasonErr = fr
		}
	}
	if a.PersonErr == "" && a.KindErr == "" && a.ReasonErr == "" {
		a.Problem = directoryMessage(err)
	}
	return a
}
