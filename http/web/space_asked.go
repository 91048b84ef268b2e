package web

import (
	"context"
	"fmt"
	"time"

	"socle"
	"socle/gate"
)

// askedView is what is asked of the person, at the top of her file: the
// contracts she has to sign and her next appointments.
type askedView struct {
	Contracts []contractLine
	// Appointments are her next appointments, soonest first: the block
	// "mes rendez-vous" of usager-dossier.html, which self-booking extends.
	Appointments []eventRow
}

// Empty reports that nothing is asked of her.
func (a *askedView) Empty() bool { return len(a.Contracts) == 0 && len(a.Appointments) == 0 }

// askedOf reads the person's parcours through the gate (audited as her
// own read) and keeps what waits for her after now.
func askedOf(ctx context.Context, p *gate.Parcours, req gate.Request, now time.Time) (*askedView, error) {
	m, err := p.MyParcours(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("reading what is asked of her: %w", err)
	}
	a := &askedView{}
	for _, c := range m.Commitments {
		if c.Status == socle.CommitmentToSign && c.SignedBy(socle.SignerPerson) == nil {
			a.Contracts = append(a.Contracts, contractLine{ID: c.ID, Version: c.Version, Created: frenchTime(c.CreatedAt), Status: "À signer",
				Adviser: c.SignedBy(socle.SignerAdviser) != nil})
		}
	}
	var next []*socle.Event
	for _, e := range m.Events {
		if e.Kind != socle.EventNote && !e.Start.Before(now) {
			next = append(next, e)
		}
	}
	a.Appointments = eventRows(next)
	return a, nil
}
