package textfold

import "testing"

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Saint-Étienne", "saint etienne"},
		{"  ÉLÈVE  Œuvre ", "eleve oeuvre"},
		{"L’Haÿ-les-Roses", "l'hay les roses"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMatches(t *testing.T) {
	label := Fold("Cuisinier / Cuisinière de restaurant")
	tests := []struct {
		query string
		want  bool
	}{
		{"cuis", true},
		{"cuis rest", true},
		{"REST cuisiniere", true},
		{"sinier", false},
		{"cuis boulang", false},
	}
	for _, tt := range tests {
		if got := Matches(label, Fold(tt.query)); got != tt.want {
			t.Errorf("Matches(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}
