// Package orientation holds the orientation questionnaire and the rules
// engine that proposes, from the answers and the person's situation, the
// operator, the parcours and the modalité of her accompaniment, with the
// reasons in French. Rules are data (JSON, versioned) so that they can be
// read, reviewed and replaced without a release; the default ruleset is
// embedded.
package orientation

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"socle"
)

// Question kinds.
const (
	KindChoice = "choice" // one of the options
	KindMulti  = "multi"  // any number of the options
	KindYesNo  = "yesno"  // "oui" or "non"
)

// Option is one possible answer.
type Option struct {
	Value string `json:"value"`
	Label string `json:"label"`
}

// Question is one question of the questionnaire.
type Question struct {
	ID       string   `json:"id"`
	Label    string   `json:"label"`
	Help     string   `json:"help,omitempty"`
	Kind     string   `json:"kind"`
	Options  []Option `json:"options,omitempty"`
	Required bool     `json:"required"`
}

// Questionnaire is a versioned list of questions, filled by the person
// before her interview or by the adviser during it.
type Questionnaire struct {
	Version   int        `json:"version"`
	Questions []Question `json:"questions"`
}

// Answers maps a question id to its values: one for a choice or yes/no
// question, any number for a multiple choice. The shape of url.Values, so
// that a form decodes directly.
type Answers map[string][]string

// Get returns the single value of a question, "" when unanswered.
func (a Answers) Get(id string) string {
	if v := a[id]; len(v) > 0 {
		return v[0]
	}
	return ""
}

var yesNo = []Option{{"oui", "Oui"}, {"non", "Non"}}

// DefaultQuestionnaire returns version 1 of the questionnaire.
func DefaultQuestionnaire() Questionnaire {
	var freins []Option
	labels := map[string]string{
		"mobilite": "Mobilité (permis, véhicule, transports)", "garde_enfants": "Garde d'enfants",
		"logement": "Logement", "numerique": "Accès au numérique", "langue": "Maîtrise du français",
		"sante": "Santé", "finances": "Difficultés financières",
	}
	for _, c := range socle.Constraints {
		freins = append(freins, Option{c, labels[c]})
	}
	return Questionnaire{Version: 1, Questions: []Question{
		{ID: "projet", Label: "Avez-vous un projet professionnel ?", Kind: KindChoice, Required: true, Options: []Option{
			{"defini", "Oui, un métier précis"}, {"a_construire", "Des idées, à construire"}, {"aucun", "Pas encore"}}},
		{ID: "derniere_activite", Label: "Depuis quand n'avez-vous plus travaillé ?", Kind: KindChoice, Required: true, Options: []Option{
			{"moins_6_mois", "Moins de 6 mois"}, {"6_24_mois", "Entre 6 mois et 2 ans"}, {"plus_24_mois", "Plus de 2 ans"}, {"jamais", "Je n'ai jamais travaillé"}}},
		{ID: "autonomie", Label: "Pour chercher un emploi, vous êtes…", Kind: KindChoice, Required: true, Options: []Option{
			{"autonome", "Autonome"}, {"besoin_appui", "En besoin d'un appui ponctuel"}, {"besoin_fort", "En besoin d'un accompagnement soutenu"}}},
		{ID: "freins", Label: "Qu'est-ce qui vous freine aujourd'hui ?", Help: "Plusieurs réponses possibles.", Kind: KindMulti, Options: freins},
		{ID: "hebergement_stable", Label: "Avez-vous un hébergement stable ?", Kind: KindYesNo, Required: true, Options: yesNo},
		{ID: "rqth", Label: "Avez-vous une reconnaissance de la qualité de travailleur handicapé (RQTH) ?", Kind: KindChoice, Required: true, Options: []Option{
			{"oui", "Oui"}, {"en_cours", "Demande en cours"}, {"non", "Non"}}},
		{ID: "sante_limite_emploi", Label: "Votre santé limite-t-elle les emplois que vous pouvez occuper ?", Kind: KindYesNo, Required: true, Options: yesNo},
	}}
}

// Question returns the question with that id.
func (q Questionnaire) Question(id string) (Question, bool) {
	i := slices.IndexFunc(q.Questions, func(x Question) bool { return x.ID == id })
	if i < 0 {
		return Question{}, false
	}
	return q.Questions[i], true
}

// Validate checks answers against the questionnaire: every required
// question answered, every value one of the options, no unknown question.
// It returns an EINVALID error naming each problem.
func (q Questionnaire) Validate(a Answers) error {
	var p socle.Problems
	for _, id := range slices.Sorted(maps.Keys(a)) {
		if _, ok := q.Question(id); !ok {
			p.Add(id, "unknown question")
		}
	}
	for _, qu := range q.Questions {
		vals := a[qu.ID]
		if len(vals) == 0 || (len(vals) == 1 && vals[0] == "") {
			if qu.Required {
				p.Add(qu.ID, "required")
			}
			continue
		}
		if qu.Kind != KindMulti && len(vals) > 1 {
			p.Add(qu.ID, "one answer only")
		}
		seen := map[string]bool{}
		for _, v := range vals {
			if !slices.ContainsFunc(qu.Options, func(o Option) bool { return o.Value == v }) {
				p.Add(qu.ID, "unknown answer %q", v)
			}
			if seen[v] {
				p.Add(qu.ID, "answer %q given twice", v)
			}
			seen[v] = true
		}
	}
	return p.Err("questionnaire")
}

// Label returns the label of the answer value to question id, the value
// itself when unknown.
func (q Questionnaire) Label(id, value string) string {
	qu, ok := q.Question(id)
	if !ok {
		return value
	}
	for _, o := range qu.Options {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

// Encode returns the answers as JSON, for storage beside the orientation.
func (a Answers) Encode() (json.RawMessage, error) {
	b, err := json.Marshal(map[string][]string(a))
	if err != nil {
		return nil, fmt.Errorf("encoding answers: %w", err)
	}
	return b, nil
}

// DecodeAnswers decodes answers stored by Encode.
func DecodeAnswers(b []byte) (Answers, error) {
	a := Answers{}
	if len(b) == 0 {
		return a, nil
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("decoding answers: %w", err)
	}
	return a, nil
}

// number parses an integer answer.
func number(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil
}
