package gate

import (
	"context"
	"fmt"

	"socle"
	"socle/oauth"
)

// ActionChanges is the audited action of reading the change feed.
const ActionChanges socle.Action = "changes"

// MaxChanges bounds one page of the change feed.
const MaxChanges = 500

// ChangePage is one page of the change feed.
type ChangePage struct {
	// Changes are those of the page the caller may read, in order.
	Changes []socle.RecordChange `json:"changes"`
	// Next is the cursor of the following page: the last change scanned,
	// even when the caller may read none of the page.
	Next int64 `json:"next_cursor"`
	// More says that changes follow Next already.
	More bool `json:"has_more"`
}

// factChangeFeed explains an allowed read of the feed.
var factChangeFeed = socle.Fact{Kind: "change_feed",
	Text: "Flux des modifications : seules les références des dossiers que votre structure peut consulter pour cette finalité sont listées, sans leurs données."}

// Changes returns the changes after the cursor after (0: from the start),
// at most limit scanned, that the caller may read for the declared purpose:
// each is decided as a read of its record would be, so that a partner
// learns of a change only to a person or a company it may read. The page
// carries references, never data; reading it is audited with the
// references it discloses. A partner's token needs "<purpose>:read".
func (g *Gate) Changes(ctx context.Context, req Request, after int64, limit int) (ChangePage, socle.Decision, error) {
	page, d, err := access(ctx, g, req, spec{
		caller: staffCaller,
		valid: func() error {
			if after < 0 {
				return socle.Errorf(socle.EINVALID, "cursor: must not be negative")
			}
			if limit < 1 || limit > MaxChanges {
				return socle.Errorf(socle.EINVALID, "limit: between 1 and %d", MaxChanges)
			}
			return nil
		},
		action: ActionChanges,
		res:    socle.Resource{Kind: socle.ResourcePerson},
		grounds: func(context.Context, Request, *socle.Resource) (socle.Decision, error) {
			if !oauth.ScopeAllows(req.Actor, req.Purpose, socle.ActionRead) {
				d := scopeDenial(req.Purpose, socle.ActionRead)
				return d, socle.Errorf(socle.EFORBIDDEN, "the access token does not grant the scope %s", oauth.Scope(req.Purpose, socle.ActionRead))
			}
			return socle.Decision{Allow: true, Facts: []socle.Fact{factChangeFeed}}, nil
		},
	}, func(ctx context.Context, _ socle.Decision) (*ChangePage, outcome, error) {
		scanned, err := g.store.Changes(ctx, after, limit+1)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading the change feed: %w", err)
		}
		p := &ChangePage{Changes: []socle.RecordChange{}, Next: after, More: len(scanned) > limit}
		scanned = scanned[:min(len(scanned), limit)]
		var persons []string
		for _, c := range scanned {
			p.Next = c.Seq
			ok, err := g.mayRead(ctx, req, c)
			if err != nil {
				return nil, outcome{}, err
			}
			if !ok {
				continue
			}
			p.Changes = append(p.Changes, c)
			if c.Kind == socle.ResourcePerson {
				persons = append(persons, c.ID)
			}
		}
		// References are not data: the reads that follow them are
		// throttled, the listing is not, so that a busy feed does not
		// block a partner's system.
		return p, outcome{records: len(p.Changes), persons: persons, refs: true, refsOnly: true}, nil
	})
	if page == nil {
		return ChangePage{}, d, err
	}
	return *page, d, err
}

// mayRead reports whether the caller may read the record of a change for
// the declared purpose, as the policy would decide a read of it (without
// breaking the glass: the feed is no reason to).
func (g *Gate) mayRead(ctx context.Context, req Request, c socle.RecordChange) (bool, error) {
	d, err := g.policy.Decide(ctx, socle.AccessRequest{
		Actor: req.Actor, Action: socle.ActionRead, Resource: socle.Resource{Kind: c.Kind, ID: c.ID},
		Purpose: req.Purpose, Time: g.Now(), RequestID: req.RequestID, RemoteAddr: req.RemoteAddr,
	})
	if err != nil {
		return false, fmt.Errorf("deciding the change of %s: %w", c.Kind, err)
	}
	return d.Allow, nil
}
