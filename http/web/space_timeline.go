package web

import (
	"socle/gate"
)

// What the person reads of her follow-up in her space (/usager/parcours):
// the structures that follow her with her référent and how to reach
// them, the timeline of her parcours, and the notes written about her.
// Her right of access (GDPR article 15) covers the notes: she reads every
// ordinary note, including those an adviser kept for her structure; a
// note sealed in the health or justice category is counted, not shown,
// and she is told how to ask for it (gate.MyParcours).

// referentCard is a structure that follows the person.
type referentCard struct {
	Organisation, Referent, Email, Since string
}

// spaceFollowup is the follow-up part of the person's parcours page.
type spaceFollowup struct {
	Referents     []referentCard
	Timeline      []parcoursEntry
	Notes         []noteRow
	WithheldNotes int
}

func spaceFollowupOf(m gate.MyParcours) spaceFollowup {
	h := &gate.FileHistory{Orientations: m.Orientations, Events: m.Events, Commitments: m.Commitments,
		Rectifications: m.Rectifications, Notes: m.Notes, Names: m.Names}
	v := spaceFollowup{Timeline: timelineOf(h), Notes: noteRows(h), WithheldNotes: m.WithheldNotes}
	for _, r := range m.Referents {
		c := referentCard{Organisation: r.Organisation, Referent: r.Referent, Email: r.Email, Since: frenchDate(r.Since)}
		if c.Organisation == "" {
			c.Organisation = labelUnknownOrganisation
		}
		v.Referents = append(v.Referents, c)
	}
	return v
}
