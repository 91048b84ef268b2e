package http

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestSlotPublishingErrorsStandBesideTheirFields posts the slots form with
// one wrong answer at a time: the error stands beside its field, marked
// invalid, the other answers and the audience chosen come back, and no
// slot is published.
func TestSlotPublishingErrorsStandBesideTheirFields(t *testing.T) {
	e := newParcoursEnv(t)
	net := &networkEnv{t: t, srv: e.srv}
	c := e.staff[e.ml.OrganisationID]
	// A day within the page's horizon, so that a slot wrongly published
	// would show in its list.
	day := time.Now().AddDate(0, 0, 2).Format("2006-01-02")
	good := func() url.Values {
		return url.Values{"jour": {day}, "heure": {"10:15"}, "duree": {"45"}, "nombre": {"3"}, "modalite": {"visio"},
			"lieu": {"Salle des Canuts"}, "pour": {"structure"}}
	}
	tests := []struct {
		name                 string
		change               func(url.Values)
		field, message, kept string
	}{
		{"a day that is no date", func(v url.Values) { v.Set("jour", "mardi") }, "jour", "jour du premier créneau", `value="Salle des Canuts"`},
		{"an hour that is none", func(v url.Values) { v.Set("heure", "25:00") }, "heure", "heure du premier créneau", `value="` + day + `"`},
		{"a duration out of bounds", func(v url.Values) { v.Set("duree", "600") }, "duree", "de 5 à 480 minutes", `value="600"`},
		{"a duration that is no number", func(v url.Values) { v.Set("duree", "une heure") }, "duree", "de 5 à 480 minutes", `value="une heure"`},
		{"too many slots", func(v url.Values) { v.Set("nombre", "40") }, "nombre", "de 1 à 16", `value="10:15"`},
		{"a place too long", func(v url.Values) { v.Set("lieu", strings.Repeat("x", 301)) }, "lieu", "300 caractères", `value="45"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := good()
			tt.change(form)
			resp, body := net.postForm(c, "/creneaux", "/creneaux", form)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			checkFieldError(t, body, tt.field, tt.message, tt.kept)
			if !strings.Contains(body, `value="visio" selected`) || !strings.Contains(body, `value="structure" checked`) {
				t.Error("the modalité or the audience chosen did not come back")
			}
		})
	}
	if _, body := e.staffGet(e.ml.OrganisationID, "/creneaux"); strings.Contains(body, "Salle des Canuts") || !strings.Contains(body, `value="30"`) {
		t.Error("a refused form published slots, or the form lost its defaults")
	}
}
