package orientation_test

import (
	"strings"
	"testing"

	"socle"
	"socle/orientation"
)

func TestCheckChoice(t *testing.T) {
	o := &socle.Orientation{ProposedOperatorKind: socle.KindYouth, ProposedParcours: socle.ParcoursProfessional, ProposedModalite: socle.ModaliteRenforce}
	tests := []struct {
		name     string
		kind     socle.OrgKind
		parcours string
		modalite string
		reason   string
		wantErr  string // the field refused, "" when valid
	}{
		{"the proposal needs no reason", socle.KindYouth, socle.ParcoursProfessional, socle.ModaliteRenforce, "", ""},
		{"an override with its reason", socle.KindYouth, socle.ParcoursSocial, socle.ModaliteRenforce, "Besoin d'un accompagnement social.", ""},
		{"an override without a reason", socle.KindYouth, socle.ParcoursSocial, socle.ModaliteRenforce, "  ", "override_reason"},
		// Nine accented letters are eighteen bytes but nine characters:
		// the rule counts characters, as the page does.
		{"characters, not bytes", socle.KindYouth, socle.ParcoursSocial, socle.ModaliteRenforce, strings.Repeat("é", 9), "override_reason"},
		{"ten characters", socle.KindYouth, socle.ParcoursSocial, socle.ModaliteRenforce, strings.Repeat("é", 10), ""},
		{"an unknown parcours", socle.KindYouth, "autre", socle.ModaliteRenforce, "Un motif assez long.", "parcours"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := orientation.CheckChoice(o, tt.kind, tt.parcours, tt.modalite, tt.reason)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if socle.ErrorCode(err) != socle.EINVALID || !strings.Contains(socle.ErrorMessage(err), tt.wantErr) {
				t.Fatalf("err = %v, want EINVALID on %s", err, tt.wantErr)
			}
		})
	}
}
