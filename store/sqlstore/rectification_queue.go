package sqlstore

import (
	"context"
	"fmt"

	"socle"
)

// OpenRectifications returns the open rectification requests of the
// persons organisationID follows on day today, oldest first (the first
// asked is the first answered), at most limit of them.
func (s *DB) OpenRectifications(ctx context.Context, organisationID string, today socle.Date, limit int) ([]*socle.RectificationRequest, error) {
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT r.id, r.person_id, r.field, r.requested, r.status, r.answer, r.answered_by, r.created_at, r.answered_at
FROM rectification_requests r
WHERE r.status = ? AND EXISTS (SELECT 1 FROM followups f WHERE f.person_id = r.person_id AND f.organisation_id = ?
	AND f.start_date <= ? AND (f.end_date IS NULL OR f.end_date >= ?))
ORDER BY r.created_at, r.id LIMIT ?`), socle.RectificationOpen, organisationID, today, today, limit)
	if err != nil {
		return nil, fmt.Errorf("listing open rectification requests: %w", err)
	}
	defer rows.Close()
	var out []*socle.RectificationRequest
	for rows.Next() {
		var r socle.RectificationRequest
		if err := rows.Scan(&r.ID, &r.PersonID, &r.Field, &r.Requested, &r.Status, &r.Answer, &r.AnsweredBy,
			scanTime(&r.CreatedAt), scanTime(&r.AnsweredAt)); err != nil {
			return nil, fmt.Errorf("listing open rectification requests: %w", err)
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}
