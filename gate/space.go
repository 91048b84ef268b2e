package gate

import (
	"context"
	"fmt"

	"socle"
)

// AuditSearcher searches the audit log's index. auditsql.Storage implements it.
type AuditSearcher interface {
	AuditSearch(ctx context.Context, q socle.AuditQuery) ([]socle.AuditHit, error)
}

// SetAuditSearch gives the gate the audit index that MyAccessHistory
// searches. Call it before serving.
func (g *Gate) SetAuditSearch(s AuditSearcher) { g.history = s }

// selfPurpose is the purpose recorded for a person's accesses to her own
// file (space.SelfPurpose).
const selfPurpose = "droit_acces"

// selfDecision is why a person may read her own file: no agreement is
// needed, it is her right.
var selfDecision = socle.Decision{Allow: true, Categories: socle.AllCategories, Facts: []socle.Fact{{
	Kind: "self",
	Text: "Toute personne a le droit d'accéder aux données qui la concernent (RGPD, article 15).",
}}}

// checkSelf admits a person in her own space, and no one else: the person
// id comes from her session, never from the request.
func checkSelf(req Request) error {
	a := req.Actor
	if !a.Authenticated() || a.PersonID == "" {
		return socle.Errorf(socle.EUNAUTHENTICATED, "Connectez-vous à votre espace.")
	}
	if a.AgentID != "" || a.ClientID != "" || a.OrganisationID != "" || a.Strength < socle.AuthClient {
		return socle.Errorf(socle.EFORBIDDEN, "This is a person's own space.")
	}
	if !socle.ValidID(socle.PrefixPerson, a.PersonID) {
		return socle.Errorf(socle.EUNAUTHENTICATED, "Connectez-vous à votre espace.")
	}
	return nil
}

// selfSpec is a person's access to her own file, under selfDecision
// (or d) and the selfPurpose.
func selfSpec(req Request, action socle.Action, d socle.Decision) spec {
	return spec{caller: selfCaller, action: action, res: personRes(req.Actor.PersonID), grounds: on(d),
		recordAs: func(r Request) Request { r.Purpose, r.BreakGlass = selfPurpose, ""; return r }}
}

// readOwn reads a person's whole record and her follow-ups, for her own
// space; the caller checked her with checkSelf and audits.
func (g *Gate) readOwn(ctx context.Context, id string) (*socle.Person, []*socle.Followup, error) {
	p, err := g.store.Person(ctx, id, socle.AllCategories)
	if err != nil {
		return nil, nil, fmt.Errorf("reading own file: %w", err)
	}
	fs, err := g.store.Followups(ctx, id)
	if err != nil {
		return nil, nil, fmt.Errorf("reading own follow-ups: %w", err)
	}
	return p, fs, nil
}

// ownFile is a person's record and her follow-ups.
type ownFile struct {
	person    *socle.Person
	followups []*socle.Followup
}

// MyFile returns the whole record of the person in her own space, and her
// follow-ups. A person always has the right of access to her own data
// (GDPR, article 15): no policy is asked, but the access is audited as
// "self_read", and fails closed like any other.
func (g *Gate) MyFile(ctx context.Context, req Request) (*socle.Person, []*socle.Followup, error) {
	f, _, err := access(ctx, g, req, selfSpec(req, "self_read", selfDecision), func(ctx context.Context, _ socle.Decision) (ownFile, outcome, error) {
		p, fs, err := g.readOwn(ctx, req.Actor.PersonID)
		return ownFile{p, fs}, outcome{records: 1 + len(fs)}, err
	})
	return f.person, f.followups, err
}

// MyAccessHistory returns the entries of the audit log about the person in
// her own space, newest first: at most limit (50 by default, at most 200)
// with an index below before (0: from the newest). The search is audited
// as "self_history".
func (g *Gate) MyAccessHistory(ctx context.Context, req Request, before uint64, limit int) ([]socle.AuditHit, error) {
	s := selfSpec(req, "self_history", selfDecision)
	s.valid = g.historyKept
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	hits, _, err := access(ctx, g, req, s, func(ctx context.Context, _ socle.Decision) ([]socle.AuditHit, outcome, error) {
		ref := g.personRef(req.Actor.PersonID)
		hits, err := g.history.AuditSearch(ctx, socle.AuditQuery{PersonRef: ref, Before: before, Limit: limit})
		if err != nil {
			return nil, outcome{}, fmt.Errorf("searching own access history: %w", err)
		}
		return hits, outcome{records: len(hits)}, nil
	})
	return hits, err
}

// historyKept refuses a search of the audit log on a gate given no index.
func (g *Gate) historyKept() error {
	if g.history == nil {
		return socle.Errorf(socle.EUNAVAILABLE, "Le journal des accès n'est pas consultable pour le moment.")
	}
	return nil
}
