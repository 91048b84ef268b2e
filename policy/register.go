// Package policy decides every access to personal data: who may read or
// write which data categories of which person, for which purpose, and why.
//
// The rules live in a register of purposes (finalités) and agreements
// (conventions) that platform administrators edit as JSON; the engine
// compiles them into lookup tables and explains each decision in French.
package policy

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"

	"socle"
)

// PopulationProposed is the population of persons proposed on an offer taken
// by the organisation (mise en relation): what a company adviser sees.
const PopulationProposed socle.Population = "proposees"

// PopulationOriented is the population of persons whose current orientation
// designates the organisation, before it starts following them.
const PopulationOriented socle.Population = "orientees"

// Populations lists the populations an agreement may name. The followed
// population counts open follow-ups and appointments of the day with the
// organisation.
var Populations = []socle.Population{socle.PopulationFollowed, socle.PopulationTerritory, PopulationOriented, PopulationProposed, socle.PopulationLookup}

// Agreement is one rule of a data-sharing agreement with what the root type
// cannot say: the situations of the persons it covers and the version of the
// rule, bumped by the integrator at each edit so that the audit log can name
// the exact rule that allowed an access.
type Agreement struct {
	socle.AgreementRule
	// Situations restricts the rule to persons in one of these situations
	// (a département sees the RSA beneficiaries of its territory); empty
	// means any situation.
	Situations []socle.Situation
	// Systems grants the rule to the organisation's information systems
	// (OAuth clients acting for it) as well as to its Roles: a client is
	// granted exactly the rules an adviser of its organisation would be
	// that say so, no more.
	Systems bool
	Version int
}

// agreementJSON is the wire form of an Agreement: categories as lists of
// names so that administrators can read and edit them.
type agreementJSON struct {
	ID             string            `json:"id"`
	OrgKind        socle.OrgKind     `json:"org_kind,omitempty"`
	OrganisationID string            `json:"organisation_id,omitempty"`
	Purpose        string            `json:"purpose"`
	Read           []socle.Category  `json:"read"`
	Write          []socle.Category  `json:"write"`
	Population     socle.Population  `json:"population"`
	Roles          []socle.Role      `json:"roles,omitempty"`
	Situations     []socle.Situation `json:"situations,omitempty"`
	Systems        bool              `json:"systems,omitempty"`
	Version        int               `json:"version"`
}

// MarshalJSON encodes a with its categories as lists of names.
func (a Agreement) MarshalJSON() ([]byte, error) {
	read, write := a.Read.List(), a.Write.List()
	if read == nil {
		read = []socle.Category{}
	}
	if write == nil {
		write = []socle.Category{}
	}
	return json.Marshal(agreementJSON{
		ID: a.ID, OrgKind: a.OrgKind, OrganisationID: a.OrganisationID, Purpose: a.Purpose,
		Read: read, Write: write, Population: a.Population, Roles: a.Roles,
		Situations: a.Situations, Systems: a.Systems, Version: a.Version,
	})
}

// UnmarshalJSON decodes a, rejecting unknown category names.
func (a *Agreement) UnmarshalJSON(b []byte) error {
	var w agreementJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	read, err := categorySet(w.Read)
	if err != nil {
		return fmt.Errorf("agreement %q: read: %w", w.ID, err)
	}
	write, err := categorySet(w.Write)
	if err != nil {
		return fmt.Errorf("agreement %q: write: %w", w.ID, err)
	}
	*a = Agreement{
		AgreementRule: socle.AgreementRule{
			ID: w.ID, OrgKind: w.OrgKind, OrganisationID: w.OrganisationID, Purpose: w.Purpose,
			Read: read, Write: write, Population: w.Population, Roles: w.Roles,
		},
		Situations: w.Situations,
		Systems:    w.Systems,
		Version:    w.Version,
	}
	return nil
}

func categorySet(cs []socle.Category) (socle.CategorySet, error) {
	for _, c := range cs {
		if !c.Valid() {
			return 0, socle.Errorf(socle.EINVALID, "unknown data category %q (valid: %s)", c, socle.AllCategories)
		}
	}
	return socle.SetOf(cs...), nil
}

// Register is the whole set of purposes and agreements the engine applies,
// as platform administrators edit it. Version identifies one edit.
type Register struct {
	Version    int             `json:"version"`
	Purposes   []socle.Purpose `json:"purposes"`
	Agreements []Agreement     `json:"agreements"`
}

// ReadRegister decodes a register from JSON and validates it.
func ReadRegister(r io.Reader) (Register, error) {
	var reg Register
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&reg); err != nil {
		return Register{}, socle.Errorf(socle.EINVALID, "register: %v", err)
	}
	if err := reg.Validate(); err != nil {
		return Register{}, err
	}
	return reg, nil
}

// WriteJSON encodes reg as indented JSON, the form administrators edit.
func (reg Register) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(reg); err != nil {
		return fmt.Errorf("encoding register: %w", err)
	}
	return nil
}

// Purpose returns the purpose with that code.
func (reg Register) Purpose(code string) (socle.Purpose, bool) {
	i := slices.IndexFunc(reg.Purposes, func(p socle.Purpose) bool { return p.Code == code })
	if i < 0 {
		return socle.Purpose{}, false
	}
	return reg.Purposes[i], true
}

var purposeCode = regexp.MustCompile(`^[a-z][a-z_]{1,39}$`)

// Validate checks the register as a whole: every agreement names a known
// purpose and is coherent, so that a bad edit is refused before it applies.
func (reg Register) Validate() error {
	var p socle.Problems
	seen := map[string]bool{}
	for i, pu := range reg.Purposes {
		f := fmt.Sprintf("purposes[%d]", i)
		if !purposeCode.MatchString(pu.Code) {
			p.Add(f+".code", "lower-case letters and underscores, 2 to 40 characters")
		} else if seen[pu.Code] {
			p.Add(f+".code", "duplicate purpose %q", pu.Code)
		}
		seen[pu.Code] = true
		if pu.Label == "" {
			p.Add(f+".label", "required")
		}
		if pu.LegalBasis == "" {
			p.Add(f+".legal_basis", "required")
		}
		if pu.RetentionDays <= 0 {
			p.Add(f+".retention_days", "must be positive")
		}
	}
	if len(reg.Purposes) == 0 {
		p.Add("purposes", "at least one purpose")
	}
	ids := map[string]bool{}
	for i, a := range reg.Agreements {
		f := fmt.Sprintf("agreements[%d]", i)
		if a.ID == "" {
			p.Add(f+".id", "required")
		} else if ids[a.ID] {
			p.Add(f+".id", "duplicate agreement %q", a.ID)
		}
		ids[a.ID] = true
		switch {
		case a.OrgKind == "" && a.OrganisationID == "":
			p.Add(f, "an org_kind or an organisation_id")
		case a.OrgKind != "" && a.OrganisationID != "":
			p.Add(f, "either an org_kind or an organisation_id, not both")
		case a.OrgKind != "" && !a.OrgKind.Valid():
			p.Add(f+".org_kind", "unknown kind %q", a.OrgKind)
		case a.OrganisationID != "" && !socle.ValidID(socle.PrefixOrganisation, a.OrganisationID):
			p.Add(f+".organisation_id", "malformed identifier")
		}
		if !seen[a.Purpose] {
			p.Add(f+".purpose", "unknown purpose %q", a.Purpose)
		}
		if !slices.Contains(Populations, a.Population) {
			p.Add(f+".population", "one of %v", Populations)
		}
		if a.Read == 0 && a.Write == 0 {
			p.Add(f, "grants no category")
		}
		if a.Read|socle.AllCategories != socle.AllCategories || a.Write|socle.AllCategories != socle.AllCategories {
			p.Add(f, "unknown category bits")
		}
		if a.Write&^a.Read != 0 {
			p.Add(f+".write", "writes categories it cannot read: %s", a.Write&^a.Read)
		}
		switch a.Population {
		case socle.PopulationLookup:
			// An exact-identifier lookup returns a minimal card, nothing more.
			if a.Read&^socle.SetOf(socle.CatIdentity) != 0 || a.Write != 0 {
				p.Add(f, "an exact-identifier lookup reads identity only and writes nothing")
			}
		case PopulationProposed:
			if a.Write != 0 || a.Read&sensitive != 0 {
				p.Add(f, "persons proposed on an offer: no write, no sensitive category")
			}
		}
		for _, r := range a.Roles {
			if !r.Valid() {
				p.Add(f+".roles", "unknown role %q", r)
			}
		}
		for _, s := range a.Situations {
			if !slices.Contains(socle.Situations, s) {
				p.Add(f+".situations", "unknown situation %q", s)
			}
		}
		if a.Version < 0 {
			p.Add(f+".version", "must not be negative")
		}
	}
	return p.Err("register")
}

// sensitive is the set of categories encrypted at rest per person.
var sensitive = socle.SetOf(socle.CatHealth, socle.CatJustice, socle.CatBank)
