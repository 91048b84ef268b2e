package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// slotInputsOf are the text inputs of the slots publishing form.
var slotInputsOf = []inputField{
	{ID: "jour", Name: "jour", Label: "Jour", Type: "date", Required: true},
	{ID: "heure", Name: "heure", Label: "Heure du premier créneau", Type: "time", Required: true},
	{ID: "duree", Name: "duree", Label: "Durée de chaque créneau (minutes)", Hint: "De 5 à 480 minutes.", Type: "number", Required: true},
	{ID: "nombre", Name: "nombre", Label: "Nombre de créneaux à la suite", Hint: "De 1 à 16.", Type: "number", Required: true},
	{ID: "lieu", Name: "lieu", Label: "Lieu (adresse, ou lien de visioconférence)"},
}

// slotInputs fills the slots form with the answers sent, or with its
// defaults (tomorrow at nine, one slot of 30 minutes) when none were.
func slotInputs(sent url.Values, tomorrow string, errs map[string]string) map[string]inputField {
	answers := map[string]string{"jour": tomorrow, "heure": "09:00", "duree": "30", "nombre": "1"}
	if sent != nil {
		answers = map[string]string{}
		for _, f := range slotInputsOf {
			answers[f.Name] = sent.Get(f.Name)
		}
	}
	return inputFields(slotInputsOf, answers, errs)
}

// slotForm is the slots publishing form once read.
type slotForm struct {
	start          time.Time
	minutes, count int
}

// readSlotForm reads the slots form, each error beside its field.
func readSlotForm(sent url.Values) (slotForm, map[string]string) {
	errs := map[string]string{}
	day, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(sent.Get("jour")), paris)
	if err != nil {
		errs["jour"] = msgSlotDay
	}
	clock, err := time.Parse("15:04", strings.TrimSpace(sent.Get("heure")))
	if err != nil {
		errs["heure"] = msgSlotHour
	}
	minutes, err := strconv.Atoi(strings.TrimSpace(sent.Get("duree")))
	if err != nil || minutes < 5 || minutes > 480 {
		errs["duree"] = msgSlotDuration
	}
	count := 1
	if n := strings.TrimSpace(sent.Get("nombre")); n != "" {
		count, err = strconv.Atoi(n)
		if err != nil || count < 1 || count > 16 {
			errs["nombre"] = msgSlotCount
		}
	}
	if len(sent.Get("lieu")) > 300 {
		errs["lieu"] = msgSlotLocation
	}
	start := time.Date(day.Year(), day.Month(), day.Day(), clock.Hour(), clock.Minute(), 0, 0, paris)
	return slotForm{start: start, minutes: minutes, count: count}, errs
}
