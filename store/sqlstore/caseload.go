package sqlstore

import (
	"context"
	"strings"

	"socle"
)

// Caseload returns one page of the persons q.OrganisationID follows on
// q.Today, ordered by name, with what the adviser's list shows of each:
// référent, next appointment, current contract, open rectification
// requests, employers' recent answers and recently missed appointments. A person followed twice by the
// organisation appears once, with her latest follow-up. At most q.Limit
// (default 20, at most 200) from q.Offset.
func (s *DB) Caseload(ctx context.Context, q socle.CaseloadQuery) ([]socle.CaseloadEntry, error) {
	if q.OrganisationID == "" || q.Today.IsZero() || q.Now.IsZero() {
		return nil, socle.Errorf(socle.EINVALID, "caseload: organisation, day and time are required")
	}
	// The follow-ups drive the scan (the index on organisation and name);
	// each person keeps her latest open follow-up only.
	var where strings.Builder
	args := []any{socle.EventAppointment, q.Now.UTC(), socle.AppointmentCancelled, socle.CommitmentSuperseded, socle.RectificationOpen,
		socle.MatchProposed, q.Now.Add(-socle.CaseloadAnswerWindow).UTC(), socle.AttendanceUnexcused, q.Now.Add(-socle.CaseloadMissedWindow).UTC(),
		q.OrganisationID, q.Today, q.Today, q.Today, q.Today}
	if q.ReferentID != "" {
		where.WriteString(` AND f.agent_id = ?`)
		args = append(args, q.ReferentID)
	}
	if len(q.PersonIDs) > 0 {
		where.WriteString(` AND f.person_id IN (?` + strings.Repeat(`, ?`, len(q.PersonIDs)-1) + `)`)
		for _, id := range q.PersonIDs {
			args = append(args, id)
		}
	}
	if prefix := NormalizeName(q.FamilyName); prefix != "" {
		where.WriteString(` AND f.family_norm >= ? AND f.family_norm < ?`)
		args = append(args, prefix, prefix+prefixUpper)
	}
	alert := ``
	if q.WithAlert {
		alert = ` WHERE c.open_rectifications > 0 OR c.contract_status = ? OR c.answered_matches > 0 OR c.missed_appointments > 0`
		args = append(args, socle.CommitmentToSign)
	}
	args = append(args, clampLimit(q.Limit, 20, 200), max(q.Offset, 0))
	query := `SELECT c.* FROM (SELECT p.id, p.given_name, p.family_name, p.birth_date,
	COALESCE(f.agent_id, '') AS referent_id, COALESCE(a.given_name || ' ' || a.family_name, '') AS referent_name, f.start_date,
	(SELECT MIN(e.start_at) FROM events e LEFT JOIN appointments ap ON ap.event_id = e.id
		WHERE e.person_id = p.id AND e.kind = ? AND e.start_at >= ? AND (ap.event_id IS NULL OR (ap.status <> ? AND ap.attendance = ''))) AS next_appointment,
	COALESCE((SELECT k.status FROM commitments k WHERE k.person_id = p.id AND k.status <> ? ORDER BY k.version DESC LIMIT 1), '') AS contract_status,
	(SELECT COUNT(*) FROM rectification_requests r WHERE r.person_id = p.id AND r.status = ?) AS open_rectifications,
	(SELECT COUNT(*) FROM matches m WHERE m.person_id = p.id AND m.organisation_id = f.organisation_id AND m.status <> ? AND m.updated_at >= ?) AS answered_matches,
	(SELECT COUNT(*) FROM appointments ap JOIN events e ON e.id = ap.event_id
		WHERE ap.person_id = p.id AND e.organisation_id = f.organisation_id AND ap.attendance = ? AND e.start_at >= ?) AS missed_appointments,
	f.family_norm, f.given_norm
FROM followups f JOIN persons p ON p.id = f.person_id LEFT JOIN agents a ON a.id = f.agent_id
WHERE f.organisation_id = ? AND f.start_date <= ? AND (f.end_date IS NULL OR f.end_date >= ?)
	AND f.id = (SELECT g.id FROM followups g WHERE g.person_id = f.person_id AND g.organisation_id = f.organisation_id
		AND g.start_date <= ? AND (g.end_date IS NULL OR g.end_date >= ?) ORDER BY g.start_date DESC, g.id DESC LIMIT 1)` + where.String() + `) c` + alert + `
ORDER BY c.family_norm, c.given_norm, c.id LIMIT ? OFFSET ?`
	return queryAll(ctx, s, scanCaseloadEntry, "caseload", query, args...)
}

func scanCaseloadEntry(sc rowScanner) (socle.CaseloadEntry, error) {
	var e socle.CaseloadEntry
	var familyNorm, givenNorm string
	err := sc.Scan(&e.PersonID, &e.GivenName, &e.FamilyName, &e.BirthDate, &e.ReferentID, &e.ReferentName, &e.FollowedSince,
		scanTime(&e.NextAppointment), &e.ContractStatus, &e.OpenRectifications, &e.AnsweredMatches, &e.MissedAppointments, &familyNorm, &givenNorm)
	return e, err
}
