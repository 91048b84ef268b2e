package sqlstore

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ligatures are letters that do not decompose into a base letter and marks.
var ligatures = strings.NewReplacer("œ", "oe", "æ", "ae", "ß", "ss", "ø", "o", "đ", "d", "ł", "l")

// NormalizeName returns the search form of a name: lowercase, without
// accents, hyphens and apostrophes as spaces, spaces collapsed. Stored and
// searched names both go through it, so "Lefèvre-Dupré" is found by "lefevre d".
func NormalizeName(s string) string {
	s = ligatures.Replace(strings.ToLower(s))
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r) || r == '-' || r == '\'' || r == '’' || r == '.' || r == ',':
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
