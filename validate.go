package socle

import (
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
)

// Problems collects validation errors of one object so that a caller learns
// everything that is wrong at once, each named by its field.
type Problems []string

// Add records that field is wrong, with why.
func (p *Problems) Add(field, why string, args ...any) {
	*p = append(*p, field+": "+fmt.Sprintf(why, args...))
}

// ID records that field is a malformed identifier unless id has prefix.
func (p *Problems) ID(field, prefix, id string) {
	if !ValidID(prefix, id) {
		p.Add(field, "malformed identifier")
	}
}

// OptionalID is ID for a field that may be empty.
func (p *Problems) OptionalID(field, prefix, id string) {
	if id != "" {
		p.ID(field, prefix, id)
	}
}

// Err returns nil when there is no problem, else an EINVALID error listing them.
func (p Problems) Err(what string) error {
	if len(p) == 0 {
		return nil
	}
	return Errorf(EINVALID, "invalid %s: %s", what, strings.Join(p, "; "))
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// luhn reports whether the digits of s pass the Luhn check.
func luhn(s string) bool { return luhnSum(s, false)%10 == 0 }

// LuhnKey returns the digit that completes digits into a valid Luhn
// number: a SIREN from its first 8 digits, a SIRET from its first 13.
func LuhnKey(digits string) byte { return byte('0' + (10-luhnSum(digits, true)%10)%10) }

// luhnSum is the Luhn sum of the digits of s, doubling every second digit
// from the right, starting with the rightmost when doubleLast.
func luhnSum(s string, doubleLast bool) int {
	sum := 0
	double := doubleLast
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum
}

// laPosteSIREN is the SIREN of La Poste, whose establishments' SIRET do not
// follow Luhn but have a digit sum multiple of 5.
const laPosteSIREN = "356000000"

// ValidSIREN reports whether s is a 9-digit SIREN with a valid Luhn key.
func ValidSIREN(s string) bool { return len(s) == 9 && allDigits(s) && luhn(s) }

// ValidSIRET reports whether s is a 14-digit SIRET with a valid key.
func ValidSIRET(s string) bool {
	if len(s) != 14 || !allDigits(s) {
		return false
	}
	if strings.HasPrefix(s, laPosteSIREN) {
		sum := 0
		for i := range len(s) {
			sum += int(s[i] - '0')
		}
		return sum%5 == 0
	}
	return luhn(s)
}

// SIRETKey returns the digit that completes the 13 digits of prefix into a
// valid SIRET.
func SIRETKey(prefix13 string) byte { return LuhnKey(prefix13) }

// ValidPostalCode reports whether s is a French postal code: five digits in
// the ranges of metropolitan France (Corsica is 20xxx), overseas (97x, 98x).
func ValidPostalCode(s string) bool {
	if len(s) != 5 || !allDigits(s) {
		return false
	}
	dep, _ := strconv.Atoi(s[:2])
	return dep >= 1 && dep <= 95 || dep == 97 || dep == 98
}

var nirPattern = regexp.MustCompile(`^[1-478][0-9]{2}(0[1-9]|1[0-2]|[2-9][0-9])(2[AB]|[0-9]{2})[0-9]{6}[0-9]{2}$`)

// ValidNIR reports whether s is a 15-character social-security number (NIR)
// whose key matches: 97 - (number mod 97), with Corsica's 2A and 2B counted
// as 19 and 18.
func ValidNIR(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	if !nirPattern.MatchString(s) {
		return false
	}
	body := s[:13]
	body = strings.Replace(body, "2A", "19", 1)
	body = strings.Replace(body, "2B", "18", 1)
	n, err := strconv.ParseUint(body, 10, 64)
	if err != nil {
		return false
	}
	key, _ := strconv.Atoi(s[13:])
	return key == int(97-n%97)
}

// NIRKey returns the two-digit key of a 13-character NIR body.
func NIRKey(body13 string) string {
	body := strings.Replace(strings.Replace(body13, "2A", "19", 1), "2B", "18", 1)
	n, err := strconv.ParseUint(body, 10, 64)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%02d", 97-n%97)
}

var romePattern = regexp.MustCompile(`^[A-N][0-9]{4}$`)

// ValidROME reports whether s has the form of a ROME job code (K2111).
func ValidROME(s string) bool { return romePattern.MatchString(s) }

var nafPattern = regexp.MustCompile(`^[0-9]{2}\.[0-9]{2}[A-Z]$`)

// ValidNAF reports whether s has the form of a NAF rev. 2 code (62.01Z).
func ValidNAF(s string) bool { return nafPattern.MatchString(s) }

var inseePattern = regexp.MustCompile(`^([0-9]{2}|2[AB])[0-9]{3}$`)

// ValidCommuneCode reports whether s has the form of an INSEE commune code.
func ValidCommuneCode(s string) bool { return inseePattern.MatchString(s) }

var depPattern = regexp.MustCompile(`^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$`)

// ValidDepartementCode reports whether s is a département code (01…95, 2A,
// 2B, 971…976).
func ValidDepartementCode(s string) bool { return depPattern.MatchString(s) }

// ValidEmail reports whether s is a bare e-mail address.
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

var phonePattern = regexp.MustCompile(`^(\+33|0)[1-9][0-9]{8}$`)

var phoneSeparators = strings.NewReplacer(" ", "", ".", "", "-", "")

// NormalizePhone strips spaces, dots and dashes from a French phone number.
func NormalizePhone(s string) string { return phoneSeparators.Replace(s) }

// ValidPhone reports whether s is a French phone number (0X or +33X and 8 digits).
func ValidPhone(s string) bool { return phonePattern.MatchString(NormalizePhone(s)) }
