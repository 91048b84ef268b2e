package orientation

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"socle"
)

// FuzzQuestionnaire runs arbitrary answers (the JSON body of the API, the
// shape a form decodes to) through the questionnaire and the rules: Validate
// never panics and refuses with EINVALID; answers it accepts store and read
// back unchanged, and always get a complete proposal of known values with
// its reasons.
func FuzzQuestionnaire(f *testing.F) {
	for _, seed := range []struct {
		answers   string
		age       int
		situation string
	}{
		{`{"projet":["defini"],"derniere_activite":["moins_6_mois"],"autonomie":["autonome"],"hebergement_stable":["oui"],"rqth":["non"],"sante_limite_emploi":["non"]}`, 34, "demandeur_emploi"},
		{`{"projet":["aucun"],"derniere_activite":["jamais"],"autonomie":["besoin_fort"],"freins":["logement","sante","finances"],"hebergement_stable":["non"],"rqth":["en_cours"],"sante_limite_emploi":["oui"]}`, 19, "rsa"},
		{`{"projet":["defini","aucun"],"freins":["logement","logement"],"x":[]}`, -1, ""},
		{`{"projet":null}`, 1 << 30, "\xff"},
		{`[]`, 0, ""},
	} {
		f.Add([]byte(seed.answers), seed.age, seed.situation, "mobilite")
	}
	q, rs := DefaultQuestionnaire(), DefaultRuleset()
	f.Fuzz(func(t *testing.T, raw []byte, age int, situation, constraint string) {
		var a Answers
		if json.Unmarshal(raw, &a) != nil {
			return
		}
		if err := q.Validate(a); err != nil {
			if socle.ErrorCode(err) != socle.EINVALID {
				t.Fatalf("Validate(%q) = %v, want EINVALID", raw, err)
			}
			return
		}
		stored, err := a.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := DecodeAnswers(stored)
		if err != nil {
			t.Fatalf("stored answers %s do not decode: %v", stored, err)
		}
		if err := q.Validate(back); err != nil || !equalAnswers(a, back) {
			t.Fatalf("answers %v read back as %v (%v)", a, back, err)
		}
		p := rs.Evaluate(Input{Age: age, Situation: socle.Situation(situation), Constraints: []string{constraint}, Answers: a})
		if !slices.Contains(Operators(), p.OperatorKind) || !slices.Contains(ParcoursValues(), p.Parcours) || !slices.Contains(ModaliteValues(), p.Modalite) {
			t.Fatalf("proposal %+v for %v has an unknown value", p.Outcome, a)
		}
		if len(p.Reasons) == 0 || len(p.Texts()) != len(p.Reasons) {
			t.Fatalf("proposal %+v without its reasons", p)
		}
	})
}

// equalAnswers compares answers, an absent question equal to one without
// values.
func equalAnswers(a, b Answers) bool {
	norm := func(x Answers) Answers {
		out := Answers{}
		for k, v := range x {
			if len(v) > 0 {
				out[k] = v
			}
		}
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}
