package gate

import (
	"context"
	"fmt"
	"time"

	"socle"
)

// RectificationAnswerDelay is how long a structure has to answer a
// rectification request: one month (RGPD, article 12.3).
const RectificationAnswerDelay = 30 * 24 * time.Hour

// RectificationBacklog is what a privacy officer sees of the open
// rectification requests of the persons her structure follows: how many
// there are, how many are past the legal delay and when the oldest came,
// never who asked or what.
type RectificationBacklog struct {
	Open, Overdue int
	// Oldest is when the oldest open request came, zero when none is open.
	Oldest time.Time
}

// RectificationBacklog counts the open rectification requests of the
// persons the privacy officer's structure follows today (at most
// RectificationQueueLimit), so that she sees the rights requests that
// wait. It discloses no person; the consultation is audited and fails
// closed like any other.
func (p *Parcours) RectificationBacklog(ctx context.Context, req Request) (RectificationBacklog, error) {
	s := auditorSpec("rectification_backlog", socle.Resource{}, socle.Fact{Kind: "rectification_backlog",
		Text: "Suivi par le délégué à la protection des données des demandes de rectification en attente dans sa structure (nombres seulement)."})
	b, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (RectificationBacklog, outcome, error) {
		now := p.g.Now()
		rs, err := p.store.OpenRectifications(ctx, req.Actor.OrganisationID, socle.DateOf(now), RectificationQueueLimit)
		if err != nil {
			return RectificationBacklog{}, outcome{}, fmt.Errorf("counting the open rectification requests: %w", err)
		}
		b := RectificationBacklog{Open: len(rs)}
		for _, r := range rs {
			if now.Sub(r.CreatedAt) > RectificationAnswerDelay {
				b.Overdue++
			}
			if b.Oldest.IsZero() || r.CreatedAt.Before(b.Oldest) {
				b.Oldest = r.CreatedAt
			}
		}
		return b, outcome{records: len(rs)}, nil
	})
	return b, err
}
