package web

import "net/url"

// appointmentInputsOf are the text inputs of the appointment form of the
// contract page.
var appointmentInputsOf = []inputField{
	{ID: "debut", Name: "debut", Label: "Date et heure", Type: "datetime-local", Required: true},
	{ID: "duree", Name: "duree", Label: "Durée (minutes)", Hint: "De 5 à 480 minutes.", Type: "number"},
	{ID: "titre", Name: "titre", Label: "Objet"},
	{ID: "lieu", Name: "lieu", Label: "Lieu"},
}

// appointmentInputs fills the appointment form with the answers sent, or
// with its defaults when none were, and the errors beside their fields.
func appointmentInputs(sent url.Values, errs map[string]string) map[string]inputField {
	answers := map[string]string{"duree": "45", "titre": "Rendez-vous de suivi"}
	if sent != nil {
		answers = map[string]string{}
		for _, f := range appointmentInputsOf {
			answers[f.Name] = sent.Get(f.Name)
		}
	}
	return inputFields(appointmentInputsOf, answers, errs)
}

// appointmentFormErrors checks the appointment form's start (parsed with
// startErr) and duration, each error beside its field.
func appointmentFormErrors(startErr error, minutes int) map[string]string {
	errs := map[string]string{}
	if startErr != nil {
		errs["debut"] = msgAppointmentStart
	}
	if minutes < 5 || minutes > 480 {
		errs["duree"] = msgAppointmentDuration
	}
	return errs
}
