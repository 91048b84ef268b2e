package audit_test

import (
	"testing"
	"time"

	"socle"
	"socle/audit"
)

func TestEventIsStampedAndReadable(t *testing.T) {
	paris := time.FixedZone("Europe/Paris", 3600)
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, paris)
	tests := []struct {
		name    string
		act     audit.Act
		wantErr string
	}{
		{"a sign-in", audit.Act{Action: "login", AgentID: "agt_1", Allowed: true, Explanation: "mot de passe et second facteur"}, ""},
		{"an explanation that is not UTF-8", audit.Act{Action: "login", Explanation: "caf\xe9"}, socle.EINVALID},
		{"a fact detail that is not UTF-8", audit.Act{Action: "read", Facts: []socle.Fact{{Kind: "k", Detail: map[string]string{"x": "\xff"}}}}, socle.EINVALID},
		{"a call reference that is not UTF-8", audit.Act{Action: "read", CallRef: "\xc3"}, socle.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := audit.Event(at, tt.act)
			if socle.ErrorCode(err) != tt.wantErr && (tt.wantErr != "" || err != nil) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if tt.wantErr != "" {
				return
			}
			if !ev.Time.Equal(at) || ev.Time.Location() != time.UTC {
				t.Errorf("time %v, want %v in UTC", ev.Time, at)
			}
			if ev.Action != tt.act.Action || ev.AgentID != tt.act.AgentID || ev.Allowed != tt.act.Allowed || ev.Explanation != tt.act.Explanation {
				t.Errorf("event %+v does not carry the act %+v", ev, tt.act)
			}
		})
	}
}
