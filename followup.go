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
	// AssignedBy is the agent who named this référent by changing the
	// previous one (ChangeReferent); empty for a follow-up that began
	// otherwise (a registration, an orientation, a hand-off).
	AssignedBy string `json:"assigned_by_agent_id,omitempty"`
}

// ActiveOn reports whether f is in force on day d.
func (f *Followup) ActiveOn(d Date) bool {
	return !d.Before(f.Start) && (f.End.IsZero() || !d.After(f.End))
}

// followup records the problems of what the follow-up of a person and that
// of a company share: the organisation, the agent if any, and the period.
func (p *Problems) followup(organisationID, agentID string, start, end Date) {
	p.ID("organisation_id", PrefixOrganisation, organisationID)
	p.OptionalID("agent_id", PrefixAgent, agentID)
	if start.IsZero() {
		p.Add("start", "required")
	}
	if !end.IsZero() && end.Before(start) {
		p.Add("end", "before start")
	}
}

// Validate checks f's fields.
func (f *Followup) Validate() error {
	var p Problems
	p.ID("person_id", PrefixPerson, f.PersonID)
	p.followup(f.OrganisationID, f.AgentID, f.Start, f.End)
	return p.Err("follow-up")
}
