package gate

import (
	"context"
	"fmt"

	"socle"
)

// MyName returns the given and family names of the person signed in to
// her space, shown to her in the header of her pages. It is her own name
// read for herself, not an access by anyone to her file: like Employer
// for a company contact, it is not audited, so that her access history
// lists only what others did.
func (g *Gate) MyName(ctx context.Context, req Request) (string, error) {
	if err := checkSelf(req); err != nil {
		return "", err
	}
	p, err := g.store.Person(ctx, req.Actor.PersonID, socle.SetOf(socle.CatIdentity))
	if err != nil {
		return "", fmt.Errorf("reading the person's own name: %w", err)
	}
	if p.Identity == nil {
		return "", nil
	}
	return p.Identity.GivenName + " " + p.Identity.FamilyName, nil
}
