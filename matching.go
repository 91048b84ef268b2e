package socle

import "time"

// MatchFeatures are what the matching index knows of a person: the store
// reads them for every person when the index loads.
type MatchFeatures struct {
	PersonID       string
	ROMECodes      []string
	Skills         []string
	CommuneCode    string
	ContractWanted string
	HoursWanted    int
	// Available is false for a person already in employment.
	Available bool
	// Organisations are the organisations that follow the person today.
	Organisations []string
	UpdatedAt     time.Time
}

// MatchFeaturesOf returns the matching features of a person as read (the
// skills, contact and parcours sections; the missing ones leave their
// features empty). Organisations is left for the caller to fill.
func MatchFeaturesOf(p *Person) MatchFeatures {
	f := MatchFeatures{PersonID: p.ID, Available: true, UpdatedAt: p.UpdatedAt}
	if s := p.Skills; s != nil {
		f.ROMECodes, f.Skills = s.ROMECodes, s.Skills
		f.ContractWanted, f.HoursWanted = s.ContractWanted, s.HoursWanted
	}
	if c := p.Contact; c != nil {
		f.CommuneCode = c.CommuneCode
	}
	if pa := p.Parcours; pa != nil && pa.Situation == SituationEmployed {
		f.Available = false
	}
	return f
}
