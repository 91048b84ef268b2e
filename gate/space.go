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

// auditSelf records a person's access to her own file under selfDecision
// and the selfPurpose; its error must stop the response.
func (g *Gate) auditSelf(ctx context.Context, req Request, action socle.Action, records int) error {
	req.Purpose, req.BreakGlass = selfPurpose, ""
	return g.audit(ctx, req, action, personRes(req.Actor.PersonID), selfDecision, records)
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

// MyFile returns the whole record of the person in her own space, and her
// follow-ups. A person always has the right of access to her own data
// (GDPR, article 15): no policy is asked, but the access is audited as
// "self_read", and fails closed like any other.
func (g *Gate) MyFile(ctx context.Context, req Request) (*socle.Person, []*socle.Followup, error) {
	if err := checkSelf(req); err != nil {
		return nil, nil, err
	}
	p, fs, err := g.readOwn(ctx, req.Actor.PersonID)
	if err != nil {
		return nil, nil, err
	}
	if err := g.auditSelf(ctx, req, "self_read", 1+len(fs)); err != nil {
		return nil, nil, err
	}
	return p, fs, nil
}

// MyAccessHistory returns the entries of the audit log about the person in
// her own space, newest first: at most limit (50 by default, at most 200)
// with an index below before (0: from the newest). The search is audited
// as "self_history".
func (g *Gate) MyAccessHistory(ctx context.Context, req Request, before uint64, limit int) ([]socle.AuditHit, error) {
	if err := checkSelf(req); err != nil {
		return nil, err
	}
	if g.history == nil {
		return nil, socle.Errorf(socle.EUNAVAILABLE, "Le journal des accès n'est pas consultable pour le moment.")
	}
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	ref := g.personRef(req.Actor.PersonID)
	hits, err := g.history.AuditSearch(ctx, socle.AuditQuery{PersonRef: ref, Before: before, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("searching own access history: %w", err)
	}
	if err := g.auditSelf(ctx, req, "self_history", len(hits)); err != nil {
		return nil, err
	}
	return hits, nil
}
