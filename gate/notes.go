package gate

import (
	"context"
	"fmt"
	"slices"

	"socle"
)

// noteCategories are the categories notes are filed in.
var noteCategories = socle.SetOf(socle.NoteCategories...)

// AddNote writes a note of the follow-up on a person's file for the
// actor's organisation, under the purpose accompagnement. An ordinary note
// (parcours) needs the parcours category written; a note filed in a
// sealed category (health, justice) needs that category written, and is
// sealed with the person's key. With req.IdempotencyKey, a retry of the
// same request answers the first note instead of writing a second.
func (g *Gate) AddNote(ctx context.Context, req Request, n *socle.Note) error {
	// The parcours category is asked with the note's own, so that an
	// organisation that follows her but may not write that category is
	// told so (EFORBIDDEN) rather than that the file is absent.
	cat := socle.SetOf(n.Category)
	s := spec{action: socle.ActionUpdate, logged: socle.ActionCreate, res: personRes(n.PersonID), want: cat | socle.SetOf(socle.CatParcours), need: cat,
		purposes: []string{purposeAccompagnement}, valid: n.Validate}
	_, _, err := access(ctx, g, req, s, func(ctx context.Context, _ socle.Decision) (struct{}, outcome, error) {
		asked := socle.Note{PersonID: n.PersonID, Category: n.Category, NetworkVisible: n.NetworkVisible, Text: n.Text}
		idem, replayed, err := g.idempotentCreate(ctx, req, "create_note", asked)
		if err != nil {
			return struct{}{}, outcome{}, err
		}
		if replayed != nil {
			notes, err := g.store.Notes(ctx, n.PersonID, cat)
			if err != nil {
				return struct{}{}, outcome{}, fmt.Errorf("reading notes: %w", err)
			}
			i := slices.IndexFunc(notes, func(m *socle.Note) bool { return m.ID == replayed.ResourceID })
			if i < 0 {
				return struct{}{}, outcome{}, socle.Errorf(socle.ECONFLICT, "Idempotency-Key: the note it created is no longer readable")
			}
			*n = *notes[i]
			return struct{}{}, outcome{facts: []socle.Fact{{Kind: "idempotent_replay",
				Text: "Requête rejouée : cette note avait déjà été enregistrée par la même requête."}}}, nil
		}
		*n = asked
		n.OrganisationID, n.AgentID, n.ClientID = req.Actor.OrganisationID, req.Actor.AgentID, req.Actor.ClientID
		n.ID, n.CreatedAt = socle.NewID(socle.PrefixNote), g.Now()
		return struct{}{}, outcome{records: 1, write: storing("writing the note", func(ctx context.Context) error {
			return g.store.AddNote(ctx, n, idem)
		})}, nil
	})
	return err
}

// Notes returns the notes of a person's file the actor may read, newest
// first: those of her organisation and those shared with the network, of
// the categories the decision grants; a sealed note (health, justice) is
// not even opened without its category. Every read is audited, under the
// purpose accompagnement.
func (g *Gate) Notes(ctx context.Context, req Request, personID string) ([]*socle.Note, error) {
	parcours := socle.SetOf(socle.CatParcours)
	s := spec{action: socle.ActionRead, res: personRes(personID), want: noteCategories, need: parcours,
		purposes: []string{purposeAccompagnement}, valid: validPerson(personID)}
	out, _, err := access(ctx, g, req, s, func(ctx context.Context, d socle.Decision) ([]*socle.Note, outcome, error) {
		all, err := g.store.Notes(ctx, personID, d.Categories&noteCategories)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading notes: %w", err)
		}
		out := slices.DeleteFunc(all, func(n *socle.Note) bool {
			return !n.NetworkVisible && n.OrganisationID != req.Actor.OrganisationID
		})
		return out, outcome{records: len(out), asked: noteCategories}, nil
	})
	return out, err
}
