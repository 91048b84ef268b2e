package web

import (
	"context"
	"fmt"

	"socle"
	"socle/gate"
)

// followedPurposeHint says which purpose opens a file refused for another
// one, when telling it reveals nothing: only for a person the adviser's
// structure follows, which her caseload shows her anyway (read through the
// gate, audited as a listing of her structure's persons). For anyone else
// it returns "" and the page keeps the answer that cannot tell an absent
// file from a forbidden one.
func followedPurposeHint(ctx context.Context, g *gate.Gate, p *gate.Parcours, req gate.Request, personID string) string {
	if p == nil || req.Purpose == purposeAccompagnement || !g.PurposeOpenTo(req.Actor, purposeAccompagnement) {
		return ""
	}
	listing := req
	listing.Purpose, listing.BreakGlass = purposeAccompagnement, ""
	entries, err := p.Caseload(ctx, listing, socle.CaseloadQuery{PersonIDs: []string{personID}, Limit: 1})
	if err != nil || len(entries) != 1 {
		return ""
	}
	return fmt.Sprintf(msgPurposeNotForFollowed, purposeLabel(g, req.Purpose), purposeLabel(g, purposeAccompagnement))
}
