package web

// inputField is a text input of a form with the answer sent and its
// error, as the "champ-saisie" partial draws it (DSFR: the error beside
// the field, aria-invalid, aria-describedby).
type inputField struct {
	ID, Name, Label, Hint, Type string
	Required                    bool
	Value, Error                string
}

// inputFields fills fs with the answers sent and the errors, by the
// fields' names, and indexes them by name for the page's template.
func inputFields(fs []inputField, answers, errs map[string]string) map[string]inputField {
	out := make(map[string]inputField, len(fs))
	for _, f := range fs {
		f.Value, f.Error = answers[f.Name], errs[f.Name]
		out[f.Name] = f
	}
	return out
}
