package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"socle"
)

var _ socle.OrientationRequestStore = (*DB)(nil)

const orientationRequestSelect = `SELECT r.id, r.person_id, r.from_organisation_id, r.from_agent_id, r.to_organisation_id,
f.name, t.name, r.departement, r.parcours, r.motive, r.summary, r.status, r.deadline, r.created_at, r.reminded_at,
r.escalated_at, r.answered_at, r.answered_by_agent_id, r.refusal_reason, r.answer_comment, r.previous_id, r.outcome,
r.outcome_reason, r.outcome_at
FROM orientation_requests r JOIN organisations f ON f.id = r.from_organisation_id JOIN organisations t ON t.id = r.to_organisation_id`

func scanOrientationRequest(sc rowScanner) (*socle.OrientationRequest, error) {
	var r socle.OrientationRequest
	var fromAgent, answeredBy, previous sql.NullString
	var summary string
	if err := sc.Scan(&r.ID, &r.PersonID, &r.FromOrganisationID, &fromAgent, &r.ToOrganisationID, &r.FromOrganisationName,
		&r.ToOrganisationName, &r.Departement, &r.Parcours, &r.Motive, &summary, &r.Status, &r.Deadline, scanTime(&r.CreatedAt),
		scanTime(&r.RemindedAt), scanTime(&r.EscalatedAt), scanTime(&r.AnsweredAt), &answeredBy, &r.RefusalReason,
		&r.AnswerComment, &previous, &r.Outcome, &r.OutcomeReason, scanTime(&r.OutcomeAt)); err != nil {
		return nil, err
	}
	r.FromAgentID, r.AnsweredByAgentID, r.PreviousID = fromAgent.String, answeredBy.String, previous.String
	if err := json.Unmarshal([]byte(summary), &r.Summary); err != nil {
		return nil, fmt.Errorf("decoding the summary: %w", err)
	}
	return &r, nil
}

// CreateOrientationRequest stores a new request; an unknown person,
// organisation or agent is EINVALID.
func (s *DB) CreateOrientationRequest(ctx context.Context, r *socle.OrientationRequest, idem *socle.IdempotencyRecord) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.ID == "" {
		r.ID = socle.NewID(socle.PrefixOrientationRequest)
	}
	r.CreatedAt = stamp(r.CreatedAt)
	summary, err := jsonText(r.Summary)
	if err != nil {
		return fmt.Errorf("encoding the summary: %w", err)
	}
	return s.inTx(ctx, "orientation request", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO orientation_requests (id, person_id, from_organisation_id, from_agent_id,
to_organisation_id, departement, parcours, motive, summary, status, deadline, created_at, previous_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			r.ID, r.PersonID, r.FromOrganisationID, nullable(r.FromAgentID), r.ToOrganisationID, r.Departement, r.Parcours,
			r.Motive, summary, r.Status, r.Deadline, r.CreatedAt, nullable(r.PreviousID))
		if err != nil {
			return s.fail(err, "orientation request")
		}
		if r.PreviousID != "" {
			// The refused request it follows is concluded by this
			// réorientation, unless its structure already decided.
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE orientation_requests SET outcome = ?, outcome_at = ?
WHERE id = ? AND status = ? AND outcome = ''`), socle.HandoffOutcomeReoriented, r.CreatedAt, r.PreviousID, socle.HandoffRefused); err != nil {
				return fmt.Errorf("concluding the refused request: %w", err)
			}
		}
		if idem != nil {
			idem.ResourceID, idem.PersonID = r.ID, r.PersonID
			if err := s.putIdempotency(ctx, tx, idem); err != nil {
				return err
			}
		}
		return s.recordChange(ctx, tx, socle.ResourcePerson, r.PersonID)
	})
}

// OrientationRequest returns one request.
func (s *DB) OrientationRequest(ctx context.Context, id string) (*socle.OrientationRequest, error) {
	return queryOne(ctx, s, scanOrientationRequest, "orientation request", orientationRequestSelect+` WHERE r.id = ?`, id)
}

// OrientationRequests returns the requests q selects, newest first.
func (s *DB) OrientationRequests(ctx context.Context, q socle.OrientationRequestQuery) ([]*socle.OrientationRequest, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) { where = append(where, cond); args = append(args, arg) }
	if q.PersonID != "" {
		add("r.person_id = ?", q.PersonID)
	}
	if q.ToOrganisationID != "" {
		add("r.to_organisation_id = ?", q.ToOrganisationID)
	}
	if q.Departement != "" {
		add("r.departement = ?", q.Departement)
	}
	if q.OpenOnly {
		add("r.status = ?", socle.HandoffSent)
	}
	if q.Escalated {
		where = append(where, "r.escalated_at IS NOT NULL")
	}
	if len(where) == 0 {
		return nil, socle.Errorf(socle.EINVALID, "orientation requests: name a person, a structure or a département")
	}
	limit := q.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	query := orientationRequestSelect + ` WHERE ` + strings.Join(where, " AND ") + fmt.Sprintf(` ORDER BY r.created_at DESC, r.id DESC LIMIT %d`, limit)
	return queryAll(ctx, s, scanOrientationRequest, "orientation requests", query, args...)
}

// OpenOrientationRequests returns every request waiting for its answer,
// earliest deadline first.
func (s *DB) OpenOrientationRequests(ctx context.Context) ([]*socle.OrientationRequest, error) {
	return queryAll(ctx, s, scanOrientationRequest, "orientation requests", orientationRequestSelect+` WHERE r.status = ? ORDER BY r.deadline, r.id`, socle.HandoffSent)
}

// AnswerOrientationRequest records the answer of an open request and, on
// acceptance, hands the follow-up over in the same transaction.
func (s *DB) AnswerOrientationRequest(ctx context.Context, r *socle.OrientationRequest, take *socle.Followup, endOn socle.Date) error {
	if take != nil {
		if err := take.Validate(); err != nil {
			return err
		}
		prepareFollowup(take)
	}
	r.AnsweredAt = stamp(r.AnsweredAt)
	return s.inTx(ctx, "answering the orientation request", func(tx *sql.Tx) error {
		if err := s.execOne(ctx, tx, "orientation request", socle.Errorf(socle.ECONFLICT, "the orientation request is no longer open"),
			`UPDATE orientation_requests SET status = ?, answered_at = ?, answered_by_agent_id = ?,
refusal_reason = ?, answer_comment = ? WHERE id = ? AND status = ?`,
			r.Status, r.AnsweredAt, nullable(r.AnsweredByAgentID), r.RefusalReason, r.AnswerComment, r.ID, socle.HandoffSent); err != nil {
			return err
		}
		if take != nil {
			if err := s.endFollowups(ctx, tx, r.PersonID, r.FromOrganisationID, endOn); err != nil {
				return err
			}
			if err := s.insertFollowupTx(ctx, tx, take); err != nil {
				return err
			}
		}
		return s.recordChange(ctx, tx, socle.ResourcePerson, r.PersonID)
	})
}

// endFollowups ends on endOn (or on their first day, if later) the open
// follow-ups of a person by an organisation.
func (s *DB) endFollowups(ctx context.Context, tx *sql.Tx, personID, orgID string, endOn socle.Date) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE followups SET end_date = CASE WHEN start_date > ? THEN start_date ELSE ? END
WHERE person_id = ? AND organisation_id = ? AND (end_date IS NULL OR end_date > ?)`), endOn, endOn, personID, orgID, endOn)
	if err != nil {
		return fmt.Errorf("ending the follow-ups: %w", err)
	}
	return nil
}

// ConcludeOrientationRequest records the outcome of a refused request.
func (s *DB) ConcludeOrientationRequest(ctx context.Context, r *socle.OrientationRequest, endOn socle.Date) error {
	r.OutcomeAt = stamp(r.OutcomeAt)
	return s.inTx(ctx, "concluding the orientation request", func(tx *sql.Tx) error {
		if err := s.execOne(ctx, tx, "concluding the orientation request", socle.Errorf(socle.ECONFLICT, "the orientation request is not refused, or already concluded"),
			`UPDATE orientation_requests SET outcome = ?, outcome_reason = ?, outcome_at = ?
WHERE id = ? AND status = ? AND outcome = ''`, r.Outcome, r.OutcomeReason, r.OutcomeAt, r.ID, socle.HandoffRefused); err != nil {
			return err
		}
		if r.Outcome == socle.HandoffOutcomeExit {
			if err := s.endFollowups(ctx, tx, r.PersonID, r.FromOrganisationID, endOn); err != nil {
				return err
			}
		}
		return s.recordChange(ctx, tx, socle.ResourcePerson, r.PersonID)
	})
}

// MarkOrientationRequest records the reminder or the escalation of an open
// request, each once: marked is false when it was already (by another
// server).
func (s *DB) MarkOrientationRequest(ctx context.Context, r *socle.OrientationRequest) (marked bool, err error) {
	column, at := "reminded_at", r.RemindedAt
	if !r.EscalatedAt.IsZero() {
		column, at = "escalated_at", r.EscalatedAt
	}
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE orientation_requests SET `+column+` = ? WHERE id = ? AND status = ? AND `+column+` IS NULL`),
		stamp(at), r.ID, socle.HandoffSent)
	if err != nil {
		return false, fmt.Errorf("marking the orientation request: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("marking the orientation request: %w", err)
	}
	return n == 1, nil
}

// orientationRequestFacts adds to rel the open requests addressed to the
// organisation.
func (s *DB) orientationRequestFacts(ctx context.Context, orgID, personID string, rel *socle.Relations) error {
	requests, err := queryAll(ctx, s, func(sc rowScanner) (socle.RelationOrientationRequest, error) {
		var f socle.RelationOrientationRequest
		var sent time.Time
		err := sc.Scan(&f.RequestID, &f.ToOrganisationID, &f.FromOrganisationName, scanTime(&sent), &f.Deadline)
		f.Sent = socle.DateOf(sent.In(factsZone))
		return f, err
	}, "orientation request facts", `SELECT r.id, r.to_organisation_id, f.name, r.created_at, r.deadline FROM orientation_requests r
JOIN organisations f ON f.id = r.from_organisation_id
WHERE r.person_id = ? AND r.to_organisation_id = ? AND r.status = ? ORDER BY r.created_at`, personID, orgID, socle.HandoffSent)
	rel.OrientationRequests = append(rel.OrientationRequests, requests...)
	return err
}

// orientationRequestIndicators adds to rec the answered or escalated
// requests, without the persons.
func (s *DB) orientationRequestIndicators(ctx context.Context, rec *socle.IndicatorRecords) error {
	requests, err := queryAll(ctx, s, func(sc rowScanner) (socle.IndicatorOrientationRequest, error) {
		var r socle.IndicatorOrientationRequest
		var created, answered, escalated time.Time
		err := sc.Scan(&r.Departement, &r.Status, &r.RefusalReason, scanTime(&created), scanTime(&answered), scanTime(&escalated))
		r.Month, r.Escalated, r.Days = created.UTC().Format("2006-01"), !escalated.IsZero(), -1
		if !answered.IsZero() {
			r.Days = max(0, int(answered.Sub(created).Hours()/24))
		}
		return r, err
	}, "indicators: orientation requests", `SELECT departement, status, refusal_reason, created_at, answered_at, escalated_at
FROM orientation_requests`)
	rec.OrientationRequests = append(rec.OrientationRequests, requests...)
	return err
}
