package web

import (
	"testing"
	"time"

	"socle"
)

// TestSourceLineNamesWhoSuppliedTheSection: a section's source names the
// agent and her structure, or the partner software of a structure, or the
// structure alone; the day is the day in Paris, never an id.
func TestSourceLineNamesWhoSuppliedTheSection(t *testing.T) {
	// 23:30 UTC on 2 December is 3 December in Paris.
	at := time.Date(2026, 12, 2, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		name  string
		p     socle.Provenance
		agent string
		want  string
	}{
		{"an agent", socle.Provenance{OrganisationID: "org_1", AgentID: "agt_1", At: at}, "Léa Martin",
			"Modifié par Léa Martin (Mission locale de Lyon) le 3 décembre 2026"},
		{"a partner software", socle.Provenance{OrganisationID: "org_1", ClientID: "cli_1", At: at}, "",
			"Transmis par un logiciel partenaire de Mission locale de Lyon le 3 décembre 2026"},
		{"an agent no longer known", socle.Provenance{OrganisationID: "org_1", AgentID: "agt_1", At: at}, "",
			"Modifié par Mission locale de Lyon le 3 décembre 2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sourceLine(tt.p, tt.agent, "Mission locale de Lyon")
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if rawCode.MatchString(got) {
				t.Errorf("%q shows an id", got)
			}
		})
	}
}
