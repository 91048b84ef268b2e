package http

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"socle"
)

// TestQuestionAnswerErrorStandsBesideItsField: an agent answers a privacy
// officer's question with nothing, then with too long a text: the error
// stands beside the answer of that question, the text comes back, and the
// question stays unanswered.
func TestQuestionAnswerErrorStandsBesideItsField(t *testing.T) {
	st := newConsoleStack(t)
	sc := st.raiseOnAdviser(t, socle.Alert{Rule: "family", Score: 4, Reason: "Dossier d'un proche."})
	dpoClient, advClient, c := sc.officer, sc.agent, sc.c
	if resp, _ := st.env.postForm(dpoClient, "/alertes/"+c.ID, "/alertes/"+c.ID+"/question", url.Values{"question": {"Pourquoi ce dossier ?"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("asking = %d", resp.StatusCode)
	}
	long := strings.Repeat("Accueil. ", 500)
	for _, tt := range []struct{ name, answer, kept string }{
		{"nothing", "   ", ""},
		{"too long a text", long, ">" + long + "</textarea>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := st.env.postForm(advClient, "/mes-explications", "/mes-explications/"+c.ID, url.Values{"reponse": {tt.answer}})
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			checkFieldError(t, body, "reponse-0", "Écrivez votre réponse", tt.kept)
		})
	}
	if _, page := st.env.get(advClient, "/mes-explications", ""); !strings.Contains(page, `action="/mes-explications/`+c.ID+`"`) {
		t.Error("a refused answer answered the question")
	}
}
