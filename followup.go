package socle

// Followup says that an organisation (and its référent adviser) follows a
// person (accompagnement) from Start until End (open when End is zero).
type Followup struct {
	ID             string `json:"id"`
	PersonID       string `json:"person_id"`
	OrganisationID string `json:"organisation_id"`
	AgentID        string `json:"agent_id,omitempty"` // the référent
	Start          Date   `json:"start"`
	End            Date   `json:"end"`
}

// ActiveOn reports whether f is in force on day d.
func (f *Followup) ActiveOn(d Date) bool {
	return !d.Before(f.Start) && (f.End.IsZero() || !d.After(f.End))
}

// Validate checks f's fields.
func (f *Followup) Validate() error {
	var p Problems
	if !ValidID(PrefixPerson, f.PersonID) {
		p.Add("person_id", "malformed identifier")
	}
	if !ValidID(PrefixOrganisation, f.OrganisationID) {
		p.Add("organisation_id", "malformed identifier")
	}
	if f.AgentID != "" && !ValidID(PrefixAgent, f.AgentID) {
		p.Add("agent_id", "malformed identifier")
	}
	if f.Start.IsZero() {
		p.Add("start", "required")
	}
	if !f.End.IsZero() && f.End.Before(f.Start) {
		p.Add("end", "before start")
	}
	return p.Err("follow-up")
}
