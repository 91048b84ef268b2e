package socle

import (
	"math/big"
	"slices"
	"strings"
	"time"
)

// Person is a jobseeker or beneficiary (usager). Each section is one data
// category: a nil section is masked, and absent from every output.
type Person struct {
	ID        string    `json:"id"`
	Identity  *Identity `json:"identity,omitempty"`
	Contact   *Contact  `json:"contact,omitempty"`
	Parcours  *Parcours `json:"parcours,omitempty"`
	Skills    *Skills   `json:"skills,omitempty"`
	Health    *Health   `json:"health,omitempty"`
	Justice   *Justice  `json:"justice,omitempty"`
	Bank      *Bank     `json:"bank,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version counts the writes of the file, from 1 at its creation. An
	// update that carries a Version is applied only if the file is still
	// at it (optimistic concurrency); 0 updates whatever the version.
	Version int64 `json:"version,omitempty"`
}

// Identity is the identity category.
type Identity struct {
	NIR        string `json:"nir,omitempty"`
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
	BirthName  string `json:"birth_name,omitempty"`
	BirthDate  Date   `json:"birth_date"`
	Sex        string `json:"sex"` // "F" or "M", as on the civil record
}

// Contact is the contact category.
type Contact struct {
	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Address     string `json:"address,omitempty"`
	PostalCode  string `json:"postal_code"`
	CommuneCode string `json:"commune_code"`
}

// Situation is a person's administrative situation.
type Situation string

// The situations of a person.
const (
	SituationJobseeker Situation = "demandeur_emploi"
	SituationRSA       Situation = "beneficiaire_rsa"
	SituationYouth     Situation = "jeune"
	SituationDisabled  Situation = "travailleur_handicape"
	SituationEmployed  Situation = "en_emploi"
)

// Situations lists every situation.
var Situations = []Situation{SituationJobseeker, SituationRSA, SituationYouth, SituationDisabled, SituationEmployed}

// Label is the French name of s.
func (s Situation) Label() string {
	switch s {
	case SituationJobseeker:
		return "Demandeur d'emploi"
	case SituationRSA:
		return "Bénéficiaire du RSA"
	case SituationYouth:
		return "Jeune en accompagnement"
	case SituationDisabled:
		return "Travailleur handicapé"
	case SituationEmployed:
		return "En emploi"
	}
	return string(s)
}

// Constraints are the "freins périphériques" that hold back a return to work.
var Constraints = []string{"mobilite", "garde_enfants", "logement", "numerique", "langue", "sante", "finances"}

// Parcours is the parcours category: situation, registration, constraints.
type Parcours struct {
	Situation      Situation `json:"situation"`
	RegisteredOn   Date      `json:"registered_on"`
	EducationLevel string    `json:"education_level,omitempty"` // "3" (CAP) … "8" (doctorat)
	Constraints    []string  `json:"constraints,omitempty"`
}

// Skills is the skills category: target jobs (ROME), skills, preferences.
type Skills struct {
	ROMECodes      []string `json:"rome_codes"`
	Skills         []string `json:"skills,omitempty"`
	Languages      []string `json:"languages,omitempty"`
	DrivingLicence bool     `json:"driving_licence"`
	ContractWanted string   `json:"contract_wanted,omitempty"`
	HoursWanted    int      `json:"hours_wanted,omitempty"`
}

// Health is the health category (sensitive): disability recognition.
type Health struct {
	RQTH      bool   `json:"rqth"`
	RQTHUntil Date   `json:"rqth_until"`
	Notes     string `json:"notes,omitempty"`
}

// Justice is the justice category (sensitive).
type Justice struct {
	Measure string `json:"measure"`
	Until   Date   `json:"until"`
}

// Bank is the bank category (sensitive), for compensation.
type Bank struct {
	IBAN string `json:"iban"`
	BIC  string `json:"bic,omitempty"`
}

// Categories returns the set of categories present (not masked) in p.
func (p *Person) Categories() CategorySet {
	var s CategorySet
	add := func(c Category, present bool) {
		if present {
			s |= c.bit()
		}
	}
	add(CatIdentity, p.Identity != nil)
	add(CatContact, p.Contact != nil)
	add(CatParcours, p.Parcours != nil)
	add(CatSkills, p.Skills != nil)
	add(CatHealth, p.Health != nil)
	add(CatJustice, p.Justice != nil)
	add(CatBank, p.Bank != nil)
	return s
}

// Mask removes every section whose category is not in allowed.
func (p *Person) Mask(allowed CategorySet) {
	if !allowed.Has(CatIdentity) {
		p.Identity = nil
	}
	if !allowed.Has(CatContact) {
		p.Contact = nil
	}
	if !allowed.Has(CatParcours) {
		p.Parcours = nil
	}
	if !allowed.Has(CatSkills) {
		p.Skills = nil
	}
	if !allowed.Has(CatHealth) {
		p.Health = nil
	}
	if !allowed.Has(CatJustice) {
		p.Justice = nil
	}
	if !allowed.Has(CatBank) {
		p.Bank = nil
	}
}

// Validate checks p's fields. A new person needs an identity section.
func (p *Person) Validate() error {
	if p.Identity == nil {
		var pr Problems
		pr.Add("identity", "required")
		return pr.Err("person")
	}
	return p.ValidateSections()
}

// ValidateSections checks the sections present in p, as in an update.
func (p *Person) ValidateSections() error {
	var pr Problems
	pr.OptionalID("id", PrefixPerson, p.ID)
	if id := p.Identity; id != nil {
		if id.NIR != "" && !ValidNIR(id.NIR) {
			pr.Add("identity.nir", "not a valid NIR (15 characters whose key is 97 minus the number modulo 97)")
		}
		if strings.TrimSpace(id.GivenName) == "" || len(id.GivenName) > 100 {
			pr.Add("identity.given_name", "required, at most 100 characters")
		}
		if strings.TrimSpace(id.FamilyName) == "" || len(id.FamilyName) > 100 {
			pr.Add("identity.family_name", "required, at most 100 characters")
		}
		now := time.Now()
		if id.BirthDate.IsZero() {
			pr.Add("identity.birth_date", "required")
		} else if id.BirthDate.Time().After(now) || id.BirthDate.Time().Before(now.AddDate(-120, 0, 0)) {
			pr.Add("identity.birth_date", "not a plausible birth date")
		}
		if id.Sex != "F" && id.Sex != "M" {
			pr.Add("identity.sex", `"F" or "M"`)
		}
	}
	if c := p.Contact; c != nil {
		if c.Email != "" && !ValidEmail(c.Email) {
			pr.Add("contact.email", "not a valid e-mail address")
		}
		if c.Phone != "" && !ValidPhone(c.Phone) {
			pr.Add("contact.phone", "not a French phone number")
		}
		if !ValidPostalCode(c.PostalCode) {
			pr.Add("contact.postal_code", "not a French postal code")
		}
		if !ValidCommuneCode(c.CommuneCode) {
			pr.Add("contact.commune_code", "not an INSEE commune code")
		}
	}
	if pa := p.Parcours; pa != nil {
		if !slices.Contains(Situations, pa.Situation) {
			pr.Add("parcours.situation", "unknown situation %q", pa.Situation)
		}
		for _, c := range pa.Constraints {
			if !slices.Contains(Constraints, c) {
				pr.Add("parcours.constraints", "unknown constraint %q", c)
			}
		}
	}
	if s := p.Skills; s != nil {
		for _, r := range s.ROMECodes {
			if !ValidROME(r) {
				pr.Add("skills.rome_codes", "%q is not a ROME code", r)
			}
		}
		if s.HoursWanted < 0 || s.HoursWanted > 48 {
			pr.Add("skills.hours_wanted", "between 0 and 48")
		}
	}
	if b := p.Bank; b != nil && !ValidIBAN(b.IBAN) {
		pr.Add("bank.iban", "not a valid IBAN")
	}
	return pr.Err("person")
}

// DepartementOf returns the département code of an INSEE commune code.
func DepartementOf(communeCode string) string {
	if strings.HasPrefix(communeCode, "97") && len(communeCode) >= 3 {
		return communeCode[:3]
	}
	if len(communeCode) >= 2 {
		return communeCode[:2]
	}
	return ""
}

// ValidIBAN reports whether s is an IBAN whose check digits verify (ISO 13616).
func ValidIBAN(s string) bool {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	rearranged := s[4:] + s[:4]
	var digits strings.Builder
	for _, c := range rearranged {
		switch {
		case c >= '0' && c <= '9':
			digits.WriteRune(c)
		case c >= 'A' && c <= 'Z':
			digits.WriteString(big.NewInt(int64(c - 'A' + 10)).String())
		default:
			return false
		}
	}
	n, ok := new(big.Int).SetString(digits.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}
