// Package directory keeps what misuse detection must know beyond the
// audit log, and gives it to the detector the same way in `serve` and in
// `detect run`: staff linked to their own person record and to their home,
// former staff with their end date (the HR import), the home history of
// persons, the register of protected persons kept by the privacy officers,
// and the explanations agents declare (a colleague's portfolio covered, a
// walk-in, a collective event, a phone call, a conflict of interest). Every
// change to the register and every declaration is appended to the audit log.
//
// Values that identify someone in real life are turned into keyed hashes
// (Marker) before they reach the store's directory tables or the detector:
// the detector compares hashes for equality and never sees a NIR or an
// address.
package directory

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"socle"
)

// Marker computes the keyed hashes of identities and homes with a platform
// key (HMAC-SHA-256, truncated to 128 bits). Without the key a hash
// confirms no guess. Immutable; safe for concurrent use.
type Marker struct{ key []byte }

// NewMarker returns a marker with the platform key.
func NewMarker(key []byte) *Marker { return &Marker{key: append([]byte(nil), key...)} }

func (m *Marker) hash(domain string, parts ...string) string {
	for _, p := range parts {
		if p == "" {
			return ""
		}
	}
	h := hmac.New(sha256.New, m.key)
	h.Write([]byte(domain))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Home is a home address as people write it.
type Home struct {
	Address     string // number and street ("12 bis, av. Jean-Jaurès")
	PostalCode  string
	CommuneCode string
}

// Marks returns the hashes of an identity (NIR and birth date), a family
// name and a home. What is missing stays empty and never matches.
func (m *Marker) Marks(nir string, birth socle.Date, familyName string, home Home) socle.Marks {
	nir = strings.ToUpper(strings.ReplaceAll(nir, " ", ""))
	var out socle.Marks
	if !birth.IsZero() {
		out.Identity = m.hash("identity", nir, birth.String())
	}
	out.Surname = m.hash("surname", fold(familyName))
	number, street := splitAddress(home.Address)
	place := home.CommuneCode
	if place == "" {
		place = home.PostalCode
	}
	if street != "" && place != "" {
		out.Street = m.hash("street", street, place)
		if number != "" {
			out.Address = m.hash("address", number, street, place)
			// A household is the persons living at one address, whatever
			// their surnames.
			out.Household = m.hash("household", number, street, place)
		}
	}
	return out
}

// PersonMarks returns the marks of a person's identity and contact
// sections (zero for what the person lacks).
func (m *Marker) PersonMarks(p *socle.Person) socle.Marks {
	var nir, family string
	var birth socle.Date
	if p.Identity != nil {
		nir, family, birth = p.Identity.NIR, p.Identity.FamilyName, p.Identity.BirthDate
	}
	var home Home
	if p.Contact != nil {
		home = Home{Address: p.Contact.Address, PostalCode: p.Contact.PostalCode, CommuneCode: p.Contact.CommuneCode}
	}
	return m.Marks(nir, birth, family, home)
}

// ligatures are letters that do not decompose into a base letter and marks.
var ligatures = strings.NewReplacer("œ", "oe", "æ", "ae", "ß", "ss")

// fold lowercases, removes accents and turns punctuation into single
// spaces: "Av. Jean-Jaurès" → "av jean jaures".
func fold(s string) string {
	s = ligatures.Replace(strings.ToLower(s))
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
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

// streetWords expands the abbreviations of French addresses, so that
// "bd" and "boulevard" give the same street.
var streetWords = map[string]string{
	"av": "avenue", "ave": "avenue", "bd": "boulevard", "boul": "boulevard", "bld": "boulevard",
	"r": "rue", "pl": "place", "ch": "chemin", "che": "chemin", "rte": "route", "imp": "impasse",
	"all": "allee", "crs": "cours", "fg": "faubourg", "sq": "square", "qu": "quai", "res": "residence",
	"st": "saint", "ste": "sainte", "lot": "lotissement", "pass": "passage",
}

// numberSuffixes follow a house number ("12 bis").
var numberSuffixes = map[string]bool{"bis": true, "ter": true, "quater": true, "a": true, "b": true, "c": true, "d": true}

// splitAddress returns the house number (with its suffix) and the
// normalised street of an address line.
func splitAddress(s string) (number, street string) {
	words := strings.Fields(fold(s))
	i := 0
	if i < len(words) && unicode.IsDigit(rune(words[i][0])) {
		number = words[i]
		i++
		if i < len(words) && numberSuffixes[words[i]] {
			number += " " + words[i]
			i++
		}
	}
	rest := words[i:]
	for j, w := range rest {
		if full, ok := streetWords[w]; ok {
			rest[j] = full
		}
	}
	return number, strings.Join(rest, " ")
}
