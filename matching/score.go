package matching

import (
	"fmt"
	"math"
	"strings"

	"socle"
	"socle/rome"
)

// The weights of the score, out of 100.
const (
	PointsSameCode     = 40.0 // the person looks for the offer's very job
	PointsSameFamily   = 25.0 // a job of the same family (the first three characters)
	PointsSkills       = 25.0 // times the Jaccard index of the skills
	PointsDistance     = 20.0 // times exp(-km / DistanceScaleKm)
	PointsContract     = 5.0
	PointsHours        = 5.0
	PointsAvailability = 5.0
	// DistanceScaleKm is the distance at which the distance points fall
	// to 37 % (1/e) of their maximum.
	DistanceScaleKm = 30.0
	// HoursTolerance is the gap between the hours wanted and offered still
	// counted as a fit.
	HoursTolerance = 4
)

// MaxScore is the best possible score.
const MaxScore = PointsSameCode + PointsSkills + PointsDistance + PointsContract + PointsHours + PointsAvailability

// Reason is one component of a score, with its points and a French sentence.
type Reason = socle.MatchReason

// Scored is a person ranked for an offer.
type Scored = socle.MatchScore

// ScoredOffer is an offer ranked for a person.
type ScoredOffer = socle.ScoredOffer

// Explanation is the reasons as one French paragraph.
func Explanation(rs []Reason) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(r.Text)
	}
	return b.String()
}

// Texts returns the sentences of the reasons, as stored with a match.
func Texts(rs []Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Text
	}
	return out
}

func pts(p, max float64) string {
	return fmt.Sprintf("%s/%s points", strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", p), "0"), "."), fmt.Sprintf("%.0f", max))
}

// occupation returns the points of the job codes: the offer's code among
// the person's, or one of the same family.
func occupation(offerCode string, personCodes []string) (float64, string) {
	fam := offerCode[:min(3, len(offerCode))]
	best, code := 0.0, ""
	for _, c := range personCodes {
		if c == offerCode {
			return PointsSameCode, c
		}
		if best == 0 && len(c) >= 3 && c[:3] == fam {
			best, code = PointsSameFamily, c
		}
	}
	return best, code
}

// jaccard is |a∩b| / |a∪b| of two sorted sets, with extra elements of b
// known to be outside a.
func jaccard(a, b []uint32, extraB int) (inter int, j float64) {
	i, k := 0, 0
	for i < len(a) && k < len(b) {
		switch {
		case a[i] == b[k]:
			inter++
			i++
			k++
		case a[i] < b[k]:
			i++
		default:
			k++
		}
	}
	union := len(a) + len(b) + extraB - inter
	if union == 0 {
		return 0, 0
	}
	return inter, float64(inter) / float64(union)
}

func (x *Index) km(p, o *side) float64 {
	switch {
	case p.commune != 0 && p.commune == o.commune:
		return 0
	case p.dep < 0 || o.dep < 0:
		return UnknownKm
	case p.dep == o.dep:
		return SameDepartementKm
	}
	return float64(x.depKm[p.dep][o.dep])
}

// score computes the score of person p for offer o; with explain, the
// reasons too. p and o are read under the index's lock.
func (x *Index) score(p *side, available bool, o *side, explain bool) (float64, []Reason) {
	var reasons []Reason
	add := func(criterion string, points, max float64, text string) {
		if explain {
			reasons = append(reasons, Reason{Criterion: criterion, Points: math.Round(points*10) / 10, Max: max,
				Text: text + " (" + pts(points, max) + ")."})
		}
	}
	total := 0.0

	offerCode := o.codes[0]
	occ, code := occupation(offerCode, p.codes)
	total += occ
	if explain {
		switch occ {
		case PointsSameCode:
			add("metier", occ, PointsSameCode, "Recherche le métier de l'offre, "+x.codeLabel(code))
		case PointsSameFamily:
			add("metier", occ, PointsSameCode, "Recherche un métier de la même famille ("+rome.Family(offerCode)+") : "+x.codeLabel(code))
		default:
			add("metier", 0, PointsSameCode, "Ne recherche pas de métier de la famille "+rome.Family(offerCode))
		}
	}

	inter, j := jaccard(p.skills, o.skills, o.extra)
	total += PointsSkills * j
	if explain {
		switch {
		case len(o.skills)+o.extra == 0:
			add("competences", 0, PointsSkills, "L'offre ne précise pas de compétences")
		case inter == 0:
			add("competences", 0, PointsSkills, "Aucune des compétences demandées")
		default:
			add("competences", PointsSkills*j, PointsSkills, fmt.Sprintf("%d compétence(s) en commun : %s", inter, x.commonSkills(p.skills, o.skills)))
		}
	}

	km := x.km(p, o)
	dp := PointsDistance * math.Exp(-km/DistanceScaleKm)
	if km >= UnknownKm {
		dp = 0
	}
	total += dp
	if explain {
		switch {
		case km == 0:
			add("distance", dp, PointsDistance, "Habite la commune de l'offre")
		case km == SameDepartementKm:
			add("distance", dp, PointsDistance, fmt.Sprintf("Habite le même département (environ %.0f km, estimation)", km))
		case km >= UnknownKm:
			add("distance", 0, PointsDistance, "Distance inconnue")
		default:
			add("distance", dp, PointsDistance, fmt.Sprintf("Habite à environ %.0f km (distance entre chefs-lieux de département)", km))
		}
	}

	switch {
	case p.contract == "":
		total += PointsContract
		add("contrat", PointsContract, PointsContract, "N'a pas de préférence de contrat, l'offre propose un "+o.contract)
	case p.contract == o.contract:
		total += PointsContract
		add("contrat", PointsContract, PointsContract, "Souhaite un "+o.contract+", comme l'offre")
	default:
		add("contrat", 0, PointsContract, "Souhaite un "+p.contract+", l'offre propose un "+o.contract)
	}

	gap := p.hours - o.hours
	switch {
	case p.hours == 0:
		total += PointsHours
		add("horaires", PointsHours, PointsHours, fmt.Sprintf("N'a pas de préférence d'horaires, l'offre propose %d h par semaine", o.hours))
	case gap >= -HoursTolerance && gap <= HoursTolerance:
		total += PointsHours
		add("horaires", PointsHours, PointsHours, fmt.Sprintf("Souhaite %d h par semaine, l'offre en propose %d", p.hours, o.hours))
	default:
		add("horaires", 0, PointsHours, fmt.Sprintf("Souhaite %d h par semaine, l'offre en propose %d", p.hours, o.hours))
	}

	if available {
		total += PointsAvailability
		add("disponibilite", PointsAvailability, PointsAvailability, "Disponible : n'est pas en emploi")
	} else {
		add("disponibilite", 0, PointsAvailability, "Déjà en emploi")
	}
	return math.Round(total*10) / 10, reasons
}

func (x *Index) codeLabel(code string) string {
	if l := x.ref.Label(code); l != "" {
		return "« " + l + " »" // people read the job, not its code
	}
	return code
}

func (x *Index) commonSkills(a, b []uint32) string {
	var names []string
	i, k := 0, 0
	for i < len(a) && k < len(b) {
		switch {
		case a[i] == b[k]:
			names = append(names, x.skills.names[a[i]])
			i++
			k++
		case a[i] < b[k]:
			i++
		default:
			k++
		}
	}
	return strings.Join(names, ", ")
}
