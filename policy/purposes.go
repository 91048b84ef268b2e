package policy

import "socle"

// PurposesFor returns the purposes of the register that an agreement of the
// actor's organisation (by kind or by name) opens to one of the actor's
// roles: the purposes she may declare, in the register's order. It depends
// only on the actor and the register, never on a person, so that telling it
// reveals nothing about anyone's file.
func (e *Engine) PurposesFor(actor socle.Actor) []socle.Purpose {
	c := e.table.Load()
	roles := maskOf(actor.Roles)
	var out []socle.Purpose
	for _, p := range c.reg.Purposes {
		for _, r := range c.rules(actor.OrgKind, actor.OrganisationID, p.Code) {
			if usableBy(r, roles) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}
