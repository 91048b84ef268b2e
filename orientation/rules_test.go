package orientation

import (
	"slices"
	"strings"
	"testing"

	"socle"
)

// answers builds answers from "id=value" pairs; a multiple answer repeats the id.
func answers(pairs ...string) Answers {
	a := Answers{
		"projet": {"defini"}, "derniere_activite": {"moins_6_mois"}, "autonomie": {"autonome"},
		"hebergement_stable": {"oui"}, "rqth": {"non"}, "sante_limite_emploi": {"non"},
	}
	set := map[string]bool{}
	for _, p := range pairs {
		id, v, _ := strings.Cut(p, "=")
		if !set[id] {
			a[id] = nil
			set[id] = true
		}
		a[id] = append(a[id], v)
	}
	return a
}

func TestEvaluateDefaultRuleset(t *testing.T) {
	rs := DefaultRuleset()
	const (
		se, dis, ml, dep                = socle.KindEmploymentService, socle.KindDisability, socle.KindYouth, socle.KindDepartement
		pro, socio, social              = socle.ParcoursProfessional, socle.ParcoursSocioProfessional, socle.ParcoursSocial
		suivi, guide, renforce, globale = socle.ModaliteSuivi, socle.ModaliteGuide, socle.ModaliteRenforce, socle.ModaliteGlobal
	)
	tests := []struct {
		name        string
		age         int
		situation   socle.Situation
		constraints []string
		answers     Answers
		want        Outcome
		rules       []string // rules that must have fired, in order
	}{
		{"autonomous adult, recent work", 35, socle.SituationJobseeker, nil, answers(), Outcome{se, pro, suivi}, []string{"modalite-suivi", "defaut"}},
		{"adult without criteria falls to defaults", 40, socle.SituationJobseeker, nil, answers("derniere_activite=6_24_mois"), Outcome{se, pro, guide}, []string{"defaut"}},
		{"young person", 19, socle.SituationYouth, nil, answers(), Outcome{ml, pro, suivi}, []string{"operateur-jeune", "modalite-suivi", "defaut"}},
		{"25 is still young", 25, socle.SituationJobseeker, nil, answers(), Outcome{ml, pro, suivi}, []string{"operateur-jeune", "modalite-suivi", "defaut"}},
		{"26 is not", 26, socle.SituationJobseeker, nil, answers(), Outcome{se, pro, suivi}, []string{"modalite-suivi", "defaut"}},
		{"rqth with health limits", 45, socle.SituationDisabled, nil, answers("rqth=oui", "sante_limite_emploi=oui"), Outcome{dis, pro, suivi}, []string{"operateur-handicap", "modalite-suivi", "defaut"}},
		{"rqth pending with health limits", 45, socle.SituationJobseeker, nil, answers("rqth=en_cours", "sante_limite_emploi=oui"), Outcome{dis, pro, suivi}, []string{"operateur-handicap", "modalite-suivi", "defaut"}},
		{"rqth without health limits stays with the common operator", 45, socle.SituationJobseeker, nil, answers("rqth=oui"), Outcome{se, pro, suivi}, []string{"modalite-suivi", "defaut"}},
		{"young with rqth and health limits goes to the disability operator", 22, socle.SituationYouth, nil, answers("rqth=oui", "sante_limite_emploi=oui"), Outcome{dis, pro, suivi}, []string{"operateur-handicap", "operateur-jeune", "modalite-suivi", "defaut"}},
		{"rsa with three constraints", 38, socle.SituationRSA, []string{"logement", "mobilite", "finances"}, answers(), Outcome{dep, social, globale}, []string{"operateur-departement-rsa", "parcours-social-freins", "parcours-socio-freins", "modalite-suivi"}},
		{"rsa without housing", 50, socle.SituationRSA, nil, answers("hebergement_stable=non"), Outcome{dep, social, globale}, []string{"operateur-departement-hebergement", "parcours-social-hebergement", "modalite-suivi"}},
		{"rsa ready for work", 33, socle.SituationRSA, nil, answers(), Outcome{se, pro, suivi}, []string{"modalite-suivi", "defaut"}},
		{"rsa with two constraints", 33, socle.SituationRSA, []string{"mobilite"}, answers("freins=garde_enfants"), Outcome{se, socio, suivi}, []string{"parcours-socio-freins", "modalite-suivi", "defaut"}},
		{"constraints from answers and file are merged", 33, socle.SituationJobseeker, []string{"mobilite"}, answers("freins=mobilite", "freins=langue", "freins=numerique"), Outcome{se, social, globale}, []string{"parcours-social-freins", "parcours-socio-freins", "modalite-suivi", "defaut"}},
		{"one constraint", 30, socle.SituationJobseeker, nil, answers("freins=numerique"), Outcome{se, socio, suivi}, []string{"parcours-socio-freins", "modalite-suivi", "defaut"}},
		{"no project", 30, socle.SituationJobseeker, nil, answers("projet=aucun"), Outcome{se, socio, guide}, []string{"parcours-socio-projet", "defaut"}},
		{"needs strong support", 30, socle.SituationJobseeker, nil, answers("autonomie=besoin_fort"), Outcome{se, pro, renforce}, []string{"modalite-renforce-autonomie", "defaut"}},
		{"long without work", 30, socle.SituationJobseeker, nil, answers("derniere_activite=plus_24_mois"), Outcome{se, pro, renforce}, []string{"modalite-renforce-eloignement", "defaut"}},
		{"never worked, young", 18, socle.SituationYouth, nil, answers("derniere_activite=jamais", "projet=a_construire"), Outcome{ml, pro, renforce}, []string{"operateur-jeune", "modalite-renforce-eloignement", "defaut"}},
		{"needs some support", 30, socle.SituationJobseeker, nil, answers("autonomie=besoin_appui"), Outcome{se, pro, guide}, []string{"modalite-guide", "defaut"}},
		{"project to build, autonomous", 30, socle.SituationJobseeker, nil, answers("projet=a_construire"), Outcome{se, pro, guide}, []string{"defaut"}},
		{"homeless young person", 20, socle.SituationYouth, nil, answers("hebergement_stable=non", "autonomie=besoin_fort"), Outcome{ml, social, globale}, []string{"operateur-jeune", "parcours-social-hebergement", "modalite-renforce-autonomie"}},
		{"strong support beats guided", 30, socle.SituationJobseeker, nil, answers("autonomie=besoin_fort", "derniere_activite=jamais"), Outcome{se, pro, renforce}, []string{"modalite-renforce-autonomie", "modalite-renforce-eloignement", "defaut"}},
		{"employed person", 41, socle.SituationEmployed, nil, answers(), Outcome{se, pro, suivi}, []string{"modalite-suivi", "defaut"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := DefaultQuestionnaire()
			if err := q.Validate(tt.answers); err != nil {
				t.Fatalf("the case's answers are invalid: %v", err)
			}
			p := rs.Evaluate(Input{Age: tt.age, Situation: tt.situation, Constraints: tt.constraints, Answers: tt.answers})
			if p.Outcome != tt.want {
				t.Errorf("outcome = %+v, want %+v (reasons %v)", p.Outcome, tt.want, p.Reasons)
			}
			var fired []string
			for _, r := range p.Reasons {
				fired = append(fired, r.RuleID)
				if r.Text == "" {
					t.Errorf("rule %s fired without a reason", r.RuleID)
				}
			}
			if !slices.Equal(fired, tt.rules) {
				t.Errorf("fired %v, want %v", fired, tt.rules)
			}
			if p.RulesetVersion != rs.Version {
				t.Errorf("ruleset version %d, want %d", p.RulesetVersion, rs.Version)
			}
		})
	}
}

func TestEveryDimensionIsExplained(t *testing.T) {
	rs := DefaultRuleset()
	p := rs.Evaluate(Input{Age: 30, Situation: socle.SituationRSA, Answers: answers("projet=aucun", "freins=langue")})
	decided := map[string]bool{}
	for _, r := range p.Reasons {
		for _, d := range r.Decided {
			if decided[d] {
				t.Errorf("dimension %s decided twice", d)
			}
			decided[d] = true
		}
	}
	for _, d := range []string{"operator_kind", "parcours", "modalite"} {
		if !decided[d] {
			t.Errorf("no reason decided %s: %+v", d, p.Reasons)
		}
	}
	if texts := p.Texts(); len(texts) != len(p.Reasons) || texts[0] != p.Reasons[0].Text {
		t.Errorf("Texts() = %v", texts)
	}
}

func TestParseRulesetRejects(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"unknown field", `{"version":1,"rules":[],"defaults":{"operator_kind":"service_emploi","parcours":"professionnel","modalite":"guide","because":"x"},"extra":1}`, "unknown field"},
		{"unknown operator", `{"version":1,"rules":[{"id":"a","when":[{"field":"age","op":"between"}],"then":{"parcours":"social"},"because":"x"}],"defaults":{"operator_kind":"service_emploi","parcours":"professionnel","modalite":"guide","because":"x"}}`, "unknown operator"},
		{"unknown question", `{"version":1,"rules":[{"id":"a","when":[{"field":"pointure","op":"eq","value":"42"}],"then":{"parcours":"social"},"because":"x"}],"defaults":{"operator_kind":"service_emploi","parcours":"professionnel","modalite":"guide","because":"x"}}`, "unknown field"},
		{"unexplained rule", `{"version":1,"rules":[{"id":"a","when":[],"then":{"parcours":"social"},"because":" "}],"defaults":{"operator_kind":"service_emploi","parcours":"professionnel","modalite":"guide","because":"x"}}`, "because"},
		{"unknown modalite", `{"version":1,"rules":[{"id":"a","when":[],"then":{"modalite":"intensif"},"because":"x"}],"defaults":{"operator_kind":"service_emploi","parcours":"professionnel","modalite":"guide","because":"x"}}`, "modalité"},
		{"partner as operator", `{"version":1,"rules":[],"defaults":{"operator_kind":"partenaire","parcours":"professionnel","modalite":"guide","because":"x"}}`, "operator kind"},
		{"no version", `{"rules":[],"defaults":{"operator_kind":"service_emploi","parcours":"professionnel","modalite":"guide","because":"x"}}`, "version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRuleset([]byte(tt.json))
			if socle.ErrorCode(err) != socle.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseRuleset = %v, want EINVALID mentioning %q", err, tt.want)
			}
		})
	}
}

func TestValidateAnswers(t *testing.T) {
	q := DefaultQuestionnaire()
	tests := []struct {
		name string
		a    Answers
		want string // "" when valid
	}{
		{"complete", answers(), ""},
		{"with constraints", answers("freins=logement", "freins=langue"), ""},
		{"missing required", Answers{"projet": {"defini"}}, "autonomie: required"},
		{"unknown value", answers("projet=astronaute"), `unknown answer "astronaute"`},
		{"two values for a choice", answers("projet=defini", "projet=aucun"), "one answer only"},
		{"unknown question", func() Answers { a := answers(); a["couleur"] = []string{"bleu"}; return a }(), "couleur: unknown question"},
		{"duplicate constraint", answers("freins=logement", "freins=logement"), "given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := q.Validate(tt.a)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			if socle.ErrorCode(err) != socle.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want EINVALID with %q", err, tt.want)
			}
		})
	}
}

func TestAge(t *testing.T) {
	birth := socle.NewDate(2000, 3, 15)
	for _, tt := range []struct {
		day  socle.Date
		want int
	}{
		{socle.NewDate(2026, 3, 14), 25},
		{socle.NewDate(2026, 3, 15), 26},
		{socle.NewDate(2026, 12, 1), 26},
	} {
		if got := Age(birth, tt.day); got != tt.want {
			t.Errorf("Age on %s = %d, want %d", tt.day, got, tt.want)
		}
	}
}

func TestAnswersRoundTrip(t *testing.T) {
	a := answers("freins=logement", "freins=langue")
	b, err := a.Encode()
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeAnswers(b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got["freins"], []string{"logement", "langue"}) || got.Get("projet") != "defini" {
		t.Errorf("round trip = %v", got)
	}
}
