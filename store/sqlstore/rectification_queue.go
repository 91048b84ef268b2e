package sqlstore

import (
	"context"

	"socle"
)

// OpenRectifications returns the open rectification requests of the
// persons organisationID follows on day today, oldest first (the first
// asked is the first answered), at most limit of them.
func (s *DB) OpenRectifications(ctx context.Context, organisationID string, today socle.Date, limit int) ([]*socle.RectificationRequest, error) {
	return queryAll(ctx, s, scanRectification, "open rectification requests", `SELECT r.id, r.person_id, r.field, r.requested, r.status, r.answer, r.answered_by, r.created_at, r.answered_at
FROM rectification_requests r
WHERE r.status = ? AND EXISTS (SELECT 1 FROM followups f WHERE f.person_id = r.person_id AND f.organisation_id = ?
	AND f.start_date <= ? AND (f.end_date IS NULL OR f.end_date >= ?))
ORDER BY r.created_at, r.id LIMIT ?`, socle.RectificationOpen, organisationID, today, today, limit)
}
