// Package textfold folds French text for matching what a person types
// against a referential's labels: case and accents do not matter, so that
// "eleve", "Élève" and "ÉLÈVE" find the same label.
package textfold

import (
	"strings"
	"unicode"
)

// accents maps the accented letters of French (and a few neighbours) to
// their base letter; ligatures expand.
var accents = strings.NewReplacer(
	"à", "a", "â", "a", "ä", "a", "á", "a", "ã", "a",
	"ç", "c",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "í", "i",
	"ô", "o", "ö", "o", "ó", "o", "õ", "o",
	"ù", "u", "û", "u", "ü", "u", "ú", "u",
	"ÿ", "y", "ñ", "n", "œ", "oe", "æ", "ae",
	"’", "'", "-", " ",
)

// Fold returns s in lower case without accents, its runs of spaces
// collapsed and hyphens read as spaces ("Saint-Étienne" → "saint etienne").
func Fold(s string) string {
	s = accents.Replace(strings.ToLower(s))
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// Matches reports whether every word of the folded query appears in the
// folded label, each as the beginning of one of its words, so that "cuis
// rest" finds "Cuisinier / Cuisinière de restaurant".
func Matches(foldedLabel, foldedQuery string) bool {
	queryWords := strings.Fields(foldedQuery)
	for _, q := range queryWords {
		if !strings.Contains(foldedLabel, q) {
			return false // the cheap test rules out most labels
		}
	}
	words := strings.Fields(foldedLabel)
	for _, q := range queryWords {
		found := false
		for _, w := range words {
			if strings.HasPrefix(w, q) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
