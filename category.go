package socle

import (
	"slices"
	"strings"
)

// Category is a data category of a person's record. Agreements grant
// categories per purpose; the gate masks everything else.
type Category string

// The data categories of DESIGN.md.
const (
	CatIdentity Category = "identity"
	CatContact  Category = "contact"
	CatParcours Category = "parcours"
	CatSkills   Category = "skills"
	CatHealth   Category = "health"
	CatJustice  Category = "justice"
	CatBank     Category = "bank"
)

// Categories lists every category, in display order.
var Categories = []Category{CatIdentity, CatContact, CatParcours, CatSkills, CatHealth, CatJustice, CatBank}

// Sensitive reports whether c is encrypted at rest with a per-person key.
func (c Category) Sensitive() bool { return c == CatHealth || c == CatJustice || c == CatBank }

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// Label is the French name of c, as the UI shows it.
func (c Category) Label() string {
	switch c {
	case CatIdentity:
		return "Identité"
	case CatContact:
		return "Coordonnées"
	case CatParcours:
		return "Parcours"
	case CatSkills:
		return "Compétences"
	case CatHealth:
		return "Santé et handicap"
	case CatJustice:
		return "Justice"
	case CatBank:
		return "Coordonnées bancaires"
	}
	return string(c)
}

// CategorySet is a set of categories as a bit mask: cheap to copy and test
// on the hot path of every decision.
type CategorySet uint16

// AllCategories is the set of every category.
var AllCategories = SetOf(Categories...)

func (c Category) bit() CategorySet {
	if i := slices.Index(Categories, c); i >= 0 {
		return 1 << i
	}
	return 0
}

// SetOf returns the set of the given categories.
func SetOf(cs ...Category) CategorySet {
	var s CategorySet
	for _, c := range cs {
		s |= c.bit()
	}
	return s
}

// Has reports whether c is in s.
func (s CategorySet) Has(c Category) bool { return c.bit() != 0 && s&c.bit() != 0 }

// List returns the categories of s in display order.
func (s CategorySet) List() []Category {
	var out []Category
	for _, c := range Categories {
		if s.Has(c) {
			out = append(out, c)
		}
	}
	return out
}

func (s CategorySet) String() string {
	parts := make([]string, 0, len(Categories))
	for _, c := range s.List() {
		parts = append(parts, string(c))
	}
	return strings.Join(parts, ",")
}

// ParseCategories parses a comma-separated list of categories.
func ParseCategories(s string) (CategorySet, error) {
	var set CategorySet
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		c := Category(part)
		if !c.Valid() {
			return 0, Errorf(EINVALID, "unknown data category %q (valid: %s)", part, AllCategories)
		}
		set |= c.bit()
	}
	return set, nil
}
