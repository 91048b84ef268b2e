package commitment

import (
	"context"

	"socle"
	"socle/gate"
)

// Draw draws up a contract (or an amendment of the current one) with the
// agreed actions, from what the gate reads of the person and of her
// confirmed orientation, and records it through the gate.
func Draw(ctx context.Context, p *gate.Parcours, req gate.Request, personID string, actions []string) (*socle.Commitment, error) {
	return p.CreateCommitment(ctx, req, personID, Drafter(actions))
}

// Drafter completes a contract draft with the agreed actions: its
// canonical document and the document's hash.
func Drafter(actions []string) gate.Drafter {
	return func(d gate.ContractDraft) error { return draw(d, actions, 0) }
}

// draw completes a contract draft with actions, from plan version
// planVersion (0 for none).
func draw(d gate.ContractDraft, actions []string, planVersion int) error {
	c := d.Contract
	in := Input{CommitmentID: c.ID, Version: c.Version, PreviousHash: d.PreviousHash, Person: d.Person,
		Organisation: d.Organisation, Orientation: d.Orientation, Actions: actions, At: c.CreatedAt, PlanVersion: planVersion}
	doc, err := New(in)
	if err != nil {
		return err
	}
	c.Actions = doc.Actions
	if c.Document, err = doc.Canonical(); err != nil {
		return err
	}
	c.DocumentHash = Hash(c.Document)
	return nil
}
