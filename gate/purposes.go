package gate

import (
	"slices"

	"socle"
)

// PurposesFor returns the purposes actor may declare: those an agreement of
// her organisation opens to one of her roles. The answer depends on the
// actor and the register only, never on a person, so that a page may tell
// an agent refused for a purpose which purposes she may use instead without
// revealing whether a file exists.
func (g *Gate) PurposesFor(actor socle.Actor) []socle.Purpose {
	return g.purposes.PurposesFor(actor)
}

// PurposeOpenTo reports whether actor may declare purpose at all, whatever
// the person.
func (g *Gate) PurposeOpenTo(actor socle.Actor, purpose string) bool {
	return slices.ContainsFunc(g.purposes.PurposesFor(actor), func(p socle.Purpose) bool { return p.Code == purpose })
}
