package web

import (
	"context"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

// spaceUserOf names, for the header of her space, the person signed in
// (her own name, gate.MyName) or the company contact with her company
// (her own account, gate.Employer). A name that cannot be read leaves the
// space's name alone: the page still shows.
func spaceUserOf(g *gate.Gate) func(ctx context.Context, a socle.Actor) string {
	if g == nil {
		return nil
	}
	return func(ctx context.Context, a socle.Actor) string {
		req := gate.Request{Actor: a, RequestID: httpx.RequestID(ctx)}
		switch {
		case a.PersonID != "":
			name, err := g.MyName(ctx, req)
			if err != nil {
				return ""
			}
			return name
		case a.ContactID != "":
			ct, c, err := g.Employer(ctx, req)
			if err != nil {
				return ""
			}
			return ct.GivenName + " " + ct.FamilyName + ", " + c.Name
		}
		return ""
	}
}
