package indicators

import "socle"

// handoffDelayBands are the columns of the answer delays, in days from the
// request to its answer.
var handoffDelayBands = []struct {
	Column
	upTo int // last day of the band; -1 for the last one
}{
	{Column{"0-2", "2 jours ou moins"}, 2},
	{Column{"3-7", "3 à 7 jours"}, 7},
	{Column{"8-14", "8 à 14 jours"}, 14},
	{Column{"15+", "Plus de 14 jours"}, -1},
}

// HandoffRefusalLabels name the refusal reasons of orientation requests.
var HandoffRefusalLabels = map[string]string{
	"hors_perimetre":          "Hors du périmètre de la structure",
	"capacite":                "Capacité d'accueil atteinte",
	"territoire":              "Hors du territoire",
	"accompagnement_inadapte": "Accompagnement inadapté",
	"personne_injoignable":    "Personne injoignable",
	"autre":                   "Autre motif",
}

// handoffTables are the figures of the orientation requests: their
// outcome (escalated ones apart), the delay from request to answer, and
// the refusal reasons, each suppressed like the other tables.
func handoffTables(recs []socle.IndicatorOrientationRequest, g Grouping) []Table {
	outcomes := []Column{{socle.HandoffAccepted, "Acceptées"}, {socle.HandoffRefused, "Refusées"},
		{socle.HandoffSent, "En attente"}, {"commission", "Transmises à la commission"}}
	var bands []Column
	for _, b := range handoffDelayBands {
		bands = append(bands, b.Column)
	}
	var reasons []Column
	for _, r := range socle.HandoffRefusalReasons {
		reasons = append(reasons, Column{r, HandoffRefusalLabels[r]})
	}
	var byOutcome, byDelay, byReason []groupCell
	for _, r := range recs {
		row := g.key(r.Departement, r.Month)
		outcome := r.Status
		if r.Escalated && r.Status == socle.HandoffSent {
			outcome = "commission"
		}
		byOutcome = append(byOutcome, groupCell{row, outcome})
		if r.Days >= 0 {
			byDelay = append(byDelay, groupCell{row, delayBand(r.Days)})
		}
		if r.Status == socle.HandoffRefused {
			byReason = append(byReason, groupCell{row, r.RefusalReason})
		}
	}
	return []Table{
		countTab("demandes-orientation", "Demandes d'orientation entre structures", outcomes, byOutcome),
		countTab("delai-reponse-orientation", "Délai de réponse aux demandes d'orientation", bands, byDelay),
		countTab("motifs-refus-orientation", "Motifs de refus des demandes d'orientation", reasons, byReason),
	}
}

func delayBand(days int) string {
	for _, b := range handoffDelayBands {
		if b.upTo < 0 || days <= b.upTo {
			return b.Key
		}
	}
	return ""
}
