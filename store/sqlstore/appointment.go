package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"socle"
)

var _ socle.AppointmentStore = (*DB)(nil)

// CreateSlot stores an open slot.
func (s *DB) CreateSlot(ctx context.Context, sl *socle.Slot, idem *socle.IdempotencyRecord) error {
	if sl.ID == "" {
		sl.ID = socle.NewID(socle.PrefixSlot)
	}
	sl.CreatedAt = stamp(sl.CreatedAt)
	sl.Start, sl.End = sl.Start.UTC().Truncate(time.Second), sl.End.UTC().Truncate(time.Second)
	return s.inTx(ctx, "slot", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO appointment_slots (id, organisation_id, agent_id, start_at, end_at, location, modalite, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), sl.ID, sl.OrganisationID, nullable(sl.AgentID), sl.Start, sl.End, sl.Location, sl.Modalite, sl.CreatedAt); err != nil {
			return s.fail(err, "slot")
		}
		if idem != nil {
			idem.ResourceID = sl.ID
			return s.putIdempotency(ctx, tx, idem)
		}
		return nil
	})
}

const slotSelect = `SELECT id, organisation_id, agent_id, start_at, end_at, location, modalite, event_id, created_at FROM appointment_slots`

func scanSlot(sc rowScanner) (*socle.Slot, error) {
	var sl socle.Slot
	var agent, event sql.NullString
	if err := sc.Scan(&sl.ID, &sl.OrganisationID, &agent, scanTime(&sl.Start), scanTime(&sl.End), &sl.Location, &sl.Modalite,
		&event, scanTime(&sl.CreatedAt)); err != nil {
		return nil, err
	}
	sl.AgentID, sl.EventID = agent.String, event.String
	return &sl, nil
}

// Slot returns a slot, booked or not.
func (s *DB) Slot(ctx context.Context, id string) (*socle.Slot, error) {
	return queryOne(ctx, s, scanSlot, "slot", slotSelect+` WHERE id = ?`, id)
}

// OpenSlots returns the unbooked slots of an organisation's agents named
// in q (and its own when q.Structure), by start time.
func (s *DB) OpenSlots(ctx context.Context, q socle.SlotQuery) ([]*socle.Slot, error) {
	if q.OrganisationID == "" {
		return nil, socle.Errorf(socle.EINVALID, "slots: name an organisation")
	}
	if q.Limit <= 0 || q.Limit > 500 {
		q.Limit = 500
	}
	var who []string
	args := []any{q.OrganisationID, q.From.UTC(), q.To.UTC()}
	if q.Structure {
		who = append(who, "agent_id IS NULL")
	}
	if len(q.AgentIDs) > 0 {
		who = append(who, "agent_id IN (?"+strings.Repeat(", ?", len(q.AgentIDs)-1)+")")
		for _, id := range q.AgentIDs {
			args = append(args, id)
		}
	}
	if len(who) == 0 {
		return nil, nil
	}
	args = append(args, q.Limit)
	return queryAll(ctx, s, scanSlot, "slots", slotSelect+` WHERE organisation_id = ? AND event_id IS NULL AND start_at >= ? AND start_at < ?
AND (`+strings.Join(who, " OR ")+`) ORDER BY start_at, id LIMIT ?`, args...)
}

// CreateAppointment stores the event and its state, and books its slot
// when it names one, in one transaction.
func (s *DB) CreateAppointment(ctx context.Context, a *socle.Appointment, idem *socle.IdempotencyRecord) error {
	e := &a.Event
	if e.ID == "" {
		e.ID = socle.NewID(socle.PrefixEvent)
	}
	e.Kind = socle.EventAppointment
	e.CreatedAt = stamp(e.CreatedAt)
	e.Start, e.End = e.Start.UTC().Truncate(time.Second), e.End.UTC().Truncate(time.Second)
	if a.Status == "" {
		a.Status = socle.AppointmentPlanned
	}
	return s.inTx(ctx, "appointment", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO events (id, person_id, organisation_id, agent_id, kind, title,
description, location, start_at, end_at, network_visible, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			e.ID, e.PersonID, e.OrganisationID, nullable(e.AgentID), e.Kind, e.Title, e.Description, e.Location,
			e.Start, e.End, e.NetworkVisible, e.CreatedAt); err != nil {
			return s.fail(err, "appointment")
		}
		if a.SlotID != "" {
			// The conditional update is the guard against double booking:
			// of two bookings of one slot, the second updates no row. It
			// comes before the appointment's row, whose reference to the
			// slot would take a shared lock on it: two bookings holding
			// that lock and both waiting to update the slot deadlock on
			// PostgreSQL.
			if err := s.execOne(ctx, tx, "appointment", socle.Errorf(socle.ECONFLICT, "this slot is no longer available"),
				`UPDATE appointment_slots SET event_id = ? WHERE id = ? AND event_id IS NULL`, e.ID, a.SlotID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO appointments (event_id, person_id, slot_id, modalite, status) VALUES (?, ?, ?, ?, ?)`),
			e.ID, e.PersonID, nullable(a.SlotID), a.Modalite, a.Status); err != nil {
			return s.fail(err, "appointment")
		}
		if idem != nil {
			idem.ResourceID, idem.PersonID = e.ID, e.PersonID
			if err := s.putIdempotency(ctx, tx, idem); err != nil {
				return err
			}
		}
		return s.recordChange(ctx, tx, socle.ResourcePerson, e.PersonID)
	})
}

const appointmentSelect = `SELECT e.id, e.person_id, e.organisation_id, e.agent_id, e.kind, e.title, e.description, e.location,
e.start_at, e.end_at, e.network_visible, e.created_at, a.slot_id, a.modalite, a.status, a.cancelled_at, a.cancelled_by,
a.cancel_reason, a.attendance, a.attendance_at, a.attendance_by
FROM appointments a JOIN events e ON e.id = a.event_id`

func scanAppointment(sc rowScanner) (*socle.Appointment, error) {
	var a socle.Appointment
	var agent, slot, by sql.NullString
	if err := sc.Scan(&a.ID, &a.PersonID, &a.OrganisationID, &agent, &a.Kind, &a.Title, &a.Description, &a.Location,
		scanTime(&a.Start), scanTime(&a.End), &a.NetworkVisible, scanTime(&a.CreatedAt), &slot, &a.Modalite, &a.Status,
		scanTime(&a.CancelledAt), &a.CancelledBy, &a.CancelReason, &a.Attendance, scanTime(&a.AttendanceAt), &by); err != nil {
		return nil, err
	}
	a.AgentID, a.SlotID, a.AttendanceBy = agent.String, slot.String, by.String
	return &a, nil
}

// Appointment returns an appointment by its event id.
func (s *DB) Appointment(ctx context.Context, eventID string) (*socle.Appointment, error) {
	return queryOne(ctx, s, scanAppointment, "appointment", appointmentSelect+` WHERE a.event_id = ?`, eventID)
}

// Appointments returns a person's appointments by start time.
func (s *DB) Appointments(ctx context.Context, personID string) ([]*socle.Appointment, error) {
	return queryAll(ctx, s, scanAppointment, "appointments", appointmentSelect+` WHERE a.person_id = ? ORDER BY e.start_at, e.id LIMIT 1000`, personID)
}

// DueAppointments returns the planned appointments starting in [from, to)
// that have no delivery of notice yet.
func (s *DB) DueAppointments(ctx context.Context, notice string, from, to time.Time) ([]*socle.Appointment, error) {
	return queryAll(ctx, s, scanAppointment, "due appointments", appointmentSelect+` WHERE a.status = ? AND e.start_at >= ? AND e.start_at < ?
AND NOT EXISTS (SELECT 1 FROM appointment_notices n WHERE n.event_id = a.event_id AND n.notice = ?) ORDER BY e.start_at, e.id LIMIT 1000`,
		socle.AppointmentPlanned, from.UTC(), to.UTC(), notice)
}

// CancelAppointment marks a planned appointment cancelled and frees its
// slot in one transaction.
func (s *DB) CancelAppointment(ctx context.Context, eventID, by, reason string, at time.Time) error {
	return s.inTx(ctx, "cancellation", func(tx *sql.Tx) error {
		if err := s.execOne(ctx, tx, "cancellation", socle.Errorf(socle.ECONFLICT, "this appointment is no longer planned"),
			`UPDATE appointments SET status = ?, cancelled_at = ?, cancelled_by = ?, cancel_reason = ?
WHERE event_id = ? AND status = ? AND attendance = ''`, socle.AppointmentCancelled, stamp(at), by, reason, eventID, socle.AppointmentPlanned); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE appointment_slots SET event_id = NULL WHERE event_id = ?`), eventID); err != nil {
			return s.fail(err, "cancellation")
		}
		var personID string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT person_id FROM appointments WHERE event_id = ?`), eventID).Scan(&personID); err != nil {
			return fmt.Errorf("cancellation: %w", err)
		}
		return s.recordChange(ctx, tx, socle.ResourcePerson, personID)
	})
}

// RecordAttendance records the attendance of an appointment that was not
// cancelled.
func (s *DB) RecordAttendance(ctx context.Context, eventID, attendance, agentID string, at time.Time) error {
	return s.execOne(ctx, s.write, "attendance", socle.Errorf(socle.ECONFLICT, "a cancelled appointment has no attendance"),
		`UPDATE appointments SET attendance = ?, attendance_at = ?, attendance_by = ?
WHERE event_id = ? AND status = ?`, attendance, stamp(at), nullable(agentID), eventID, socle.AppointmentPlanned)
}

// ClaimNotice records a pending delivery; false when the notice was
// claimed on that channel already.
func (s *DB) ClaimNotice(ctx context.Context, d *socle.NoticeDelivery) (bool, error) {
	d.At = stamp(d.At)
	if d.Result == "" {
		d.Result = socle.NoticePending
	}
	var due any // a pending notice is due at once
	if d.Result == socle.NoticePending {
		due = d.At
	}
	res, err := s.write.ExecContext(ctx, s.q(`INSERT INTO appointment_notices (event_id, notice, channel, result, at, next_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (event_id, notice, channel) DO NOTHING`), d.EventID, d.Notice, d.Channel, d.Result, d.At, due)
	if err != nil {
		return false, s.fail(err, "notice")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("notice: %w", err)
	}
	return n == 1, nil
}

// SetNoticeResult records the result of a claimed delivery and ends its
// lease; a failure with NextAt stays pending until then.
func (s *DB) SetNoticeResult(ctx context.Context, d *socle.NoticeDelivery) error {
	d.At = stamp(d.At)
	result, next := d.Result, any(nil)
	if d.Result == socle.NoticeFailed && !d.NextAt.IsZero() {
		result, next = socle.NoticePending, stamp(d.NextAt)
	}
	res, err := s.write.ExecContext(ctx, s.q(`UPDATE appointment_notices SET result = ?, at = ?, next_at = ?, lease_until = NULL
WHERE event_id = ? AND notice = ? AND channel = ?`),
		result, d.At, next, d.EventID, d.Notice, d.Channel)
	if err != nil {
		return s.fail(err, "notice")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("notice")
	}
	return nil
}

// NoticeDeliveries returns the notices of an appointment, in the order sent.
func (s *DB) NoticeDeliveries(ctx context.Context, eventID string) ([]*socle.NoticeDelivery, error) {
	return queryAll(ctx, s, func(sc rowScanner) (*socle.NoticeDelivery, error) {
		var d socle.NoticeDelivery
		err := sc.Scan(&d.EventID, &d.Notice, &d.Channel, &d.Result, scanTime(&d.At))
		return &d, err
	}, "notices", `SELECT event_id, notice, channel, result, at FROM appointment_notices WHERE event_id = ? ORDER BY at, notice, channel`, eventID)
}

// CreateExplanation stores a person's explanation.
func (s *DB) CreateExplanation(ctx context.Context, e *socle.PersonExplanation) error {
	if e.ID == "" {
		e.ID = socle.NewID(socle.PrefixExplanation)
	}
	e.CreatedAt = stamp(e.CreatedAt)
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO person_explanations (id, person_id, subject_kind, subject_id, text, created_at)
VALUES (?, ?, ?, ?, ?, ?)`), e.ID, e.PersonID, e.SubjectKind, e.SubjectID, e.Text, e.CreatedAt)
	return s.fail(err, "explanation")
}

// Explanations returns a person's explanations, oldest first.
func (s *DB) Explanations(ctx context.Context, personID string) ([]*socle.PersonExplanation, error) {
	return queryAll(ctx, s, func(sc rowScanner) (*socle.PersonExplanation, error) {
		var e socle.PersonExplanation
		err := sc.Scan(&e.ID, &e.PersonID, &e.SubjectKind, &e.SubjectID, &e.Text, scanTime(&e.CreatedAt))
		return &e, err
	}, "explanations", `SELECT id, person_id, subject_kind, subject_id, text, created_at FROM person_explanations
WHERE person_id = ? ORDER BY created_at, id LIMIT 1000`, personID)
}

// LeaseNotices leases the pending deliveries due at now. Each is taken by
// a conditional update (still pending, its lease ended): of two servers
// that found the same row, one updates it and the other finds nothing to
// update, on SQLite and PostgreSQL alike.
func (s *DB) LeaseNotices(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*socle.NoticeDelivery, error) {
	now = stamp(now)
	due, err := queryAll(ctx, s, func(sc rowScanner) (*socle.NoticeDelivery, error) {
		var d socle.NoticeDelivery
		err := sc.Scan(&d.EventID, &d.Notice, &d.Channel, &d.Result, scanTime(&d.At), &d.Attempts)
		return &d, err
	}, "pending notices", `SELECT event_id, notice, channel, result, at, attempts FROM appointment_notices
WHERE result = ? AND next_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_at LIMIT ?`,
		socle.NoticePending, now, now, limit)
	if err != nil {
		return nil, err
	}
	var leased []*socle.NoticeDelivery
	for _, d := range due {
		res, err := s.write.ExecContext(ctx, s.q(`UPDATE appointment_notices SET lease_until = ?, attempts = attempts + 1
WHERE event_id = ? AND notice = ? AND channel = ? AND result = ? AND (lease_until IS NULL OR lease_until < ?)`),
			now.Add(lease), d.EventID, d.Notice, d.Channel, socle.NoticePending, now)
		if err != nil {
			return leased, s.fail(err, "leasing a notice")
		}
		if n, err := res.RowsAffected(); err != nil {
			return leased, fmt.Errorf("leasing a notice: %w", err)
		} else if n == 1 {
			d.Attempts++
			leased = append(leased, d)
		}
	}
	return leased, nil
}
