package gate

import (
	"context"
	"fmt"

	"socle"
)

// Homes keeps the detection directory's index of persons' homes: keyed
// hashes of identity and address (never the clear values), with the
// address history. The gate updates it after every write of a person, as
// it owns every index built from personal data.
type Homes interface {
	// Marks returns the keyed hashes of a person's identity and home.
	Marks(p *socle.Person) socle.Marks
	SetPersonHome(ctx context.Context, h *socle.PersonHome) error
}

// indexHome records the person's current home after a write. An update
// that carries only some sections is completed from the store, identity
// and contact only.
func (g *Gate) indexHome(ctx context.Context, p *socle.Person) error {
	if g.homes == nil || (p.Identity == nil && p.Contact == nil) {
		return nil
	}
	full := p
	if p.Identity == nil || p.Contact == nil {
		stored, err := g.store.Person(ctx, p.ID, socle.SetOf(socle.CatIdentity, socle.CatContact))
		if err != nil {
			return fmt.Errorf("indexing the home: reading person: %w", err)
		}
		merged := *stored
		if p.Identity != nil {
			merged.Identity = p.Identity
		}
		if p.Contact != nil {
			merged.Contact = p.Contact
		}
		full = &merged
	}
	h := &socle.PersonHome{PersonID: p.ID, Marks: g.homes.Marks(full), From: socle.DateOf(g.Now())}
	if full.Contact != nil {
		h.Departement = socle.DepartementOf(full.Contact.CommuneCode)
	}
	if err := g.homes.SetPersonHome(ctx, h); err != nil {
		return fmt.Errorf("indexing the home: %w", err)
	}
	return nil
}
