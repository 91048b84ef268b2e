package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"socle"
)

var _ socle.ParcoursStore = (*DB)(nil)

// nullTime is NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return stamp(t)
}

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// CreateOrientation stores a new orientation.
func (s *DB) CreateOrientation(ctx context.Context, o *socle.Orientation) error {
	if err := socle.CheckID(socle.PrefixPerson, "person_id", o.PersonID); err != nil {
		return err
	}
	if o.ID == "" {
		o.ID = socle.NewID(socle.PrefixOrientation)
	}
	o.CreatedAt = stamp(o.CreatedAt)
	reasons, err := jsonText(nonNil(o.Reasons))
	if err != nil {
		return fmt.Errorf("encoding reasons: %w", err)
	}
	var answers any
	if len(o.Answers) > 0 {
		answers = string(o.Answers)
	}
	return s.inTx(ctx, "orientation", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO orientations (id, person_id, operator_kind, organisation_id, parcours,
modalite, reasons, override_reason, status, decided_by_agent_id, decided_at, questionnaire_version, ruleset_version,
proposed_operator_kind, proposed_parcours, proposed_modalite, departement, answers, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			o.ID, o.PersonID, string(o.OperatorKind), nullable(o.OrganisationID), o.Parcours, o.Modalite, reasons,
			o.OverrideReason, o.Status, nullable(o.DecidedByAgentID), nullTime(o.DecidedAt), o.QuestionnaireVersion,
			o.RulesetVersion, string(o.ProposedOperatorKind), o.ProposedParcours, o.ProposedModalite, o.Departement,
			answers, o.CreatedAt)
		if err != nil {
			return s.fail(err, "orientation")
		}
		return s.recordChange(ctx, tx, socle.ResourcePerson, o.PersonID)
	})
}

// UpdateOrientation replaces the decision of an orientation.
func (s *DB) UpdateOrientation(ctx context.Context, o *socle.Orientation) error {
	return s.inTx(ctx, "orientation", func(tx *sql.Tx) error { return s.updateOrientation(ctx, tx, o, "") })
}

// updateOrientation replaces the decision fields of o in tx; with from,
// only while its status is from (ECONFLICT otherwise).
func (s *DB) updateOrientation(ctx context.Context, tx *sql.Tx, o *socle.Orientation, from string) error {
	reasons, err := jsonText(nonNil(o.Reasons))
	if err != nil {
		return fmt.Errorf("encoding reasons: %w", err)
	}
	query := `UPDATE orientations SET operator_kind = ?, organisation_id = ?, parcours = ?,
modalite = ?, reasons = ?, override_reason = ?, status = ?, decided_by_agent_id = ?, decided_at = ? WHERE id = ?`
	args := []any{string(o.OperatorKind), nullable(o.OrganisationID), o.Parcours, o.Modalite, reasons, o.OverrideReason, o.Status,
		nullable(o.DecidedByAgentID), nullTime(o.DecidedAt), o.ID}
	if from != "" {
		query += ` AND status = ?`
		args = append(args, from)
	}
	res, err := tx.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return s.fail(err, "orientation")
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return s.recordChange(ctx, tx, socle.ResourcePerson, o.PersonID)
	}
	if from != "" {
		var status string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM orientations WHERE id = ?`), o.ID).Scan(&status); err == nil {
			return socle.Errorf(socle.ECONFLICT, "this orientation is already %s", status)
		}
	}
	return notFound("orientation")
}

// ConfirmOrientation stores the decision of a proposed orientation and
// opens the follow-up of the chosen organisation in one transaction.
func (s *DB) ConfirmOrientation(ctx context.Context, o *socle.Orientation, f *socle.Followup) error {
	if err := f.Validate(); err != nil {
		return err
	}
	prepareFollowup(f)
	return s.inTx(ctx, "confirming orientation", func(tx *sql.Tx) error {
		if err := s.updateOrientation(ctx, tx, o, socle.OrientationStatusProposed); err != nil {
			return err
		}
		return s.insertFollowupTx(ctx, tx, f)
	})
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

const orientationSelect = `SELECT id, person_id, operator_kind, organisation_id, parcours, modalite, reasons, override_reason,
status, decided_by_agent_id, decided_at, questionnaire_version, ruleset_version, proposed_operator_kind, proposed_parcours,
proposed_modalite, departement, answers, created_at FROM orientations`

func scanOrientation(sc interface{ Scan(...any) error }) (*socle.Orientation, error) {
	var o socle.Orientation
	var org, agent sql.NullString
	var reasons string
	var answers []byte
	if err := sc.Scan(&o.ID, &o.PersonID, &o.OperatorKind, &org, &o.Parcours, &o.Modalite, &reasons, &o.OverrideReason,
		&o.Status, &agent, scanTime(&o.DecidedAt), &o.QuestionnaireVersion, &o.RulesetVersion, &o.ProposedOperatorKind,
		&o.ProposedParcours, &o.ProposedModalite, &o.Departement, &answers, scanTime(&o.CreatedAt)); err != nil {
		return nil, err
	}
	o.OrganisationID, o.DecidedByAgentID = org.String, agent.String
	if err := json.Unmarshal([]byte(reasons), &o.Reasons); err != nil {
		return nil, fmt.Errorf("decoding reasons: %w", err)
	}
	if len(answers) > 0 {
		o.Answers = json.RawMessage(answers)
	}
	return &o, nil
}

// Orientation returns an orientation by id.
func (s *DB) Orientation(ctx context.Context, id string) (*socle.Orientation, error) {
	return queryOne(ctx, s, scanOrientation, "orientation", orientationSelect+` WHERE id = ?`, id)
}

// Orientations returns a person's orientations, newest first.
func (s *DB) Orientations(ctx context.Context, personID string) ([]*socle.Orientation, error) {
	return queryAll(ctx, s, scanOrientation, "orientations", orientationSelect+` WHERE person_id = ? ORDER BY created_at DESC, id DESC`, personID)
}

// CreateCommitment stores a contract and supersedes the version it amends.
func (s *DB) CreateCommitment(ctx context.Context, c *socle.Commitment) error {
	if c.ID == "" {
		c.ID = socle.NewID(socle.PrefixCommitment)
	}
	if len(c.Document) == 0 || c.DocumentHash == "" {
		return socle.Errorf(socle.EINVALID, "commitment: the document and its hash are required")
	}
	c.CreatedAt = stamp(c.CreatedAt)
	if c.Status == "" {
		c.Status = socle.CommitmentToSign
	}
	actions, err := jsonText(nonNil(c.Actions))
	if err != nil {
		return fmt.Errorf("encoding actions: %w", err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("commitment: %w", err)
	}
	defer tx.Rollback()
	if c.PreviousID != "" {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE commitments SET status = ? WHERE id = ? AND person_id = ? AND status <> ?`),
			socle.CommitmentSuperseded, c.PreviousID, c.PersonID, socle.CommitmentSuperseded)
		if err != nil {
			return s.fail(err, "commitment")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return socle.Errorf(socle.ECONFLICT, "commitment: the version amended is not the current one")
		}
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO commitments (id, person_id, orientation_id, version, previous_id, actions,
document, document_hash, status, organisation_id, agent_id, created_at, plan_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		c.ID, c.PersonID, c.OrientationID, c.Version, nullable(c.PreviousID), actions, c.Document, c.DocumentHash,
		c.Status, nullable(c.OrganisationID), nullable(c.AgentID), c.CreatedAt, c.PlanVersion)
	if err != nil {
		return s.fail(err, "commitment")
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commitment: %w", err)
	}
	return nil
}

const commitmentSelect = `SELECT id, person_id, orientation_id, version, previous_id, actions, document, document_hash,
status, organisation_id, agent_id, created_at, plan_version FROM commitments`

func scanCommitment(sc interface{ Scan(...any) error }) (*socle.Commitment, error) {
	var c socle.Commitment
	var prev, org, agent sql.NullString
	var actions string
	if err := sc.Scan(&c.ID, &c.PersonID, &c.OrientationID, &c.Version, &prev, &actions, &c.Document, &c.DocumentHash,
		&c.Status, &org, &agent, scanTime(&c.CreatedAt), &c.PlanVersion); err != nil {
		return nil, err
	}
	c.PreviousID, c.OrganisationID, c.AgentID = prev.String, org.String, agent.String
	if err := json.Unmarshal([]byte(actions), &c.Actions); err != nil {
		return nil, fmt.Errorf("decoding actions: %w", err)
	}
	c.Signatures = []socle.CommitmentSignature{}
	return &c, nil
}

func (s *DB) signatures(ctx context.Context, q queryer, c *socle.Commitment) error {
	sigs, err := queryAllIn(ctx, s, q, func(sc rowScanner) (socle.CommitmentSignature, error) {
		var sig socle.CommitmentSignature
		err := sc.Scan(&sig.Role, &sig.SignerID, scanTime(&sig.SignedAt), &sig.Signature)
		return sig, err
	}, "signatures", `SELECT role, signer_id, signed_at, signature FROM commitment_signatures
WHERE commitment_id = ? ORDER BY signed_at, role`, c.ID)
	c.Signatures = append(c.Signatures, sigs...)
	return err
}

// Commitment returns a contract with its document and signatures.
func (s *DB) Commitment(ctx context.Context, id string) (*socle.Commitment, error) {
	c, err := queryOne(ctx, s, scanCommitment, "commitment", commitmentSelect+` WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	return c, s.signatures(ctx, s.read, c)
}

// Commitments returns a person's contracts, newest version first.
func (s *DB) Commitments(ctx context.Context, personID string) ([]*socle.Commitment, error) {
	out, err := queryAll(ctx, s, scanCommitment, "commitments", commitmentSelect+` WHERE person_id = ? ORDER BY version DESC`, personID)
	if err != nil {
		return nil, err
	}
	for _, c := range out {
		if err := s.signatures(ctx, s.read, c); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AddSignature records a signature and marks the contract signed once both
// roles have signed. A superseded contract cannot be signed.
func (s *DB) AddSignature(ctx context.Context, commitmentID string, sig socle.CommitmentSignature) (*socle.Commitment, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	defer tx.Rollback()
	c, err := scanCommitment(tx.QueryRowContext(ctx, s.q(commitmentSelect+` WHERE id = ?`), commitmentID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("commitment")
	} else if err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	if c.Status == socle.CommitmentSuperseded {
		return nil, socle.Errorf(socle.ECONFLICT, "this version of the contract was replaced by an amendment")
	}
	if err := s.signatures(ctx, tx, c); err != nil {
		return nil, err
	}
	if c.SignedBy(sig.Role) != nil {
		return nil, socle.Errorf(socle.ECONFLICT, "the contract is already signed by the %s", sig.Role)
	}
	sig.SignedAt = stamp(sig.SignedAt)
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO commitment_signatures (commitment_id, role, signer_id, signed_at, signature)
VALUES (?, ?, ?, ?, ?)`), c.ID, sig.Role, sig.SignerID, sig.SignedAt, sig.Signature); err != nil {
		return nil, s.fail(err, "signature")
	}
	c.Signatures = append(c.Signatures, sig)
	if c.SignedBy(socle.SignerPerson) != nil && c.SignedBy(socle.SignerAdviser) != nil {
		c.Status = socle.CommitmentSigned
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE commitments SET status = ? WHERE id = ?`), c.Status, c.ID); err != nil {
			return nil, s.fail(err, "signature")
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	return c, nil
}

// CreateSignLink records the hash of a signing link's token.
func (s *DB) CreateSignLink(ctx context.Context, tokenHash, commitmentID, personID string, expires time.Time) error {
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO commitment_sign_links (token_hash, commitment_id, person_id, created_at, expires_at)
VALUES (?, ?, ?, ?, ?)`), tokenHash, commitmentID, personID, now(), stamp(expires))
	return s.fail(err, "signing link")
}

// SignLink returns the contract and person of a valid (unused, unexpired)
// signing link; use marks it used in the same statement, so that a link
// signs once.
func (s *DB) SignLink(ctx context.Context, tokenHash string, at time.Time, use bool) (commitmentID, personID string, err error) {
	err = s.read.QueryRowContext(ctx, s.q(`SELECT commitment_id, person_id FROM commitment_sign_links
WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`), tokenHash, stamp(at)).Scan(&commitmentID, &personID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", socle.Errorf(socle.EUNAUTHENTICATED, "this signing link is invalid, used or expired: ask your adviser for a new one")
	} else if err != nil {
		return "", "", fmt.Errorf("reading signing link: %w", err)
	}
	if use {
		res, err := s.write.ExecContext(ctx, s.q(`UPDATE commitment_sign_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`), stamp(at), tokenHash)
		if err != nil {
			return "", "", fmt.Errorf("using signing link: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return "", "", socle.Errorf(socle.EUNAUTHENTICATED, "this signing link was already used")
		}
	}
	return commitmentID, personID, nil
}

// CreateEvent stores an event.
func (s *DB) CreateEvent(ctx context.Context, e *socle.Event) error {
	if e.ID == "" {
		e.ID = socle.NewID(socle.PrefixEvent)
	}
	e.CreatedAt = stamp(e.CreatedAt)
	e.Start, e.End = e.Start.UTC().Truncate(time.Second), e.End.UTC().Truncate(time.Second)
	return s.inTx(ctx, "event", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO events (id, person_id, organisation_id, agent_id, kind, title,
description, location, start_at, end_at, network_visible, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			e.ID, e.PersonID, e.OrganisationID, nullable(e.AgentID), e.Kind, e.Title, e.Description, e.Location,
			e.Start, e.End, e.NetworkVisible, e.CreatedAt)
		if err != nil {
			return s.fail(err, "event")
		}
		return s.recordChange(ctx, tx, socle.ResourcePerson, e.PersonID)
	})
}

// Events returns the events the query selects, by start time.
func (s *DB) Events(ctx context.Context, q socle.EventQuery) ([]*socle.Event, error) {
	if q.PersonID == "" && q.OrganisationID == "" && q.AgentID == "" {
		return nil, socle.Errorf(socle.EINVALID, "events: name a person, an organisation or an agent")
	}
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 1000
	}
	from, to := q.From, q.To
	if from.IsZero() {
		from = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if to.IsZero() {
		to = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	// Empty filters match everything: one statement for every query shape.
	return queryAll(ctx, s, func(sc rowScanner) (*socle.Event, error) {
		var e socle.Event
		var agent sql.NullString
		if err := sc.Scan(&e.ID, &e.PersonID, &e.OrganisationID, &agent, &e.Kind, &e.Title, &e.Description, &e.Location,
			scanTime(&e.Start), scanTime(&e.End), &e.NetworkVisible, scanTime(&e.CreatedAt)); err != nil {
			return nil, err
		}
		e.AgentID = agent.String
		return &e, nil
	}, "events", `SELECT id, person_id, organisation_id, agent_id, kind, title, description,
location, start_at, end_at, network_visible, created_at FROM events
WHERE (? = '' OR person_id = ?) AND (? = '' OR organisation_id = ?) AND (? = '' OR agent_id = ?) AND (? = '' OR kind = ?)
AND start_at >= ? AND start_at < ? ORDER BY start_at, id LIMIT ?`, q.PersonID, q.PersonID, q.OrganisationID, q.OrganisationID, q.AgentID, q.AgentID, q.Kind, q.Kind, from.UTC(), to.UTC(), q.Limit)
}

// CreateRectification stores a rectification request.
func (s *DB) CreateRectification(ctx context.Context, r *socle.RectificationRequest) error {
	if r.ID == "" {
		r.ID = socle.NewID(socle.PrefixRectification)
	}
	r.CreatedAt = stamp(r.CreatedAt)
	if r.Status == "" {
		r.Status = socle.RectificationOpen
	}
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO rectification_requests (id, person_id, field, requested, status, created_at)
VALUES (?, ?, ?, ?, ?, ?)`), r.ID, r.PersonID, r.Field, r.Requested, r.Status, r.CreatedAt)
	return s.fail(err, "rectification request")
}

// AnswerRectification records the answer to an open request.
func (s *DB) AnswerRectification(ctx context.Context, r *socle.RectificationRequest) error {
	return s.answerRectification(ctx, s.write, r)
}

// answerRectification is AnswerRectification in db (a transaction).
func (s *DB) answerRectification(ctx context.Context, db execer, r *socle.RectificationRequest) error {
	r.AnsweredAt = stamp(r.AnsweredAt)
	res, err := db.ExecContext(ctx, s.q(`UPDATE rectification_requests SET status = ?, answer = ?, answered_by = ?, answered_at = ?
WHERE id = ? AND person_id = ? AND status = ?`), r.Status, r.Answer, r.AnsweredBy, r.AnsweredAt, r.ID, r.PersonID, socle.RectificationOpen)
	if err != nil {
		return s.fail(err, "rectification request")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return socle.Errorf(socle.ECONFLICT, "no open rectification request with this id")
	}
	return nil
}

// scanRectification reads the columns id, person_id, field, requested,
// status, answer, answered_by, created_at, answered_at.
func scanRectification(sc rowScanner) (*socle.RectificationRequest, error) {
	r := &socle.RectificationRequest{}
	return r, sc.Scan(&r.ID, &r.PersonID, &r.Field, &r.Requested, &r.Status, &r.Answer, &r.AnsweredBy,
		scanTime(&r.CreatedAt), scanTime(&r.AnsweredAt))
}

// Rectifications returns a person's rectification requests, newest first.
func (s *DB) Rectifications(ctx context.Context, personID string) ([]*socle.RectificationRequest, error) {
	return queryAll(ctx, s, scanRectification, "rectification requests", `SELECT id, person_id, field, requested, status, answer, answered_by, created_at, answered_at
FROM rectification_requests WHERE person_id = ? ORDER BY created_at DESC, id DESC`, personID)
}

// IndicatorRecords returns the anonymous rows the indicators are computed
// from: confirmed orientations, each person's delay from registration to
// her first appointment, and the current version of each contract.
func (s *DB) IndicatorRecords(ctx context.Context) (socle.IndicatorRecords, error) {
	var rec socle.IndicatorRecords
	month := func(t time.Time) string { return t.UTC().Format("2006-01") }
	var err error
	rec.Orientations, err = queryAll(ctx, s, func(sc rowScanner) (socle.IndicatorOrientation, error) {
		var o socle.IndicatorOrientation
		var at time.Time
		err := sc.Scan(&o.OperatorKind, &o.Parcours, &o.Modalite, &o.Departement, scanTime(&at))
		o.Month = month(at)
		return o, err
	}, "indicators: orientations", `SELECT operator_kind, parcours, modalite, departement, decided_at
FROM orientations WHERE status = ?`, socle.OrientationStatusConfirmed)
	if err != nil {
		return rec, err
	}
	rec.FirstAppointments, err = queryAll(ctx, s, func(sc rowScanner) (socle.IndicatorFirstAppointment, error) {
		var dep sql.NullString
		var reg, first time.Time
		err := sc.Scan(&dep, scanTime(&reg), scanTime(&first))
		return socle.IndicatorFirstAppointment{Departement: dep.String, Month: month(reg), Days: max(0, int(first.Sub(reg).Hours()/24))}, err
	}, "indicators: appointments", `SELECT p.departement, p.created_at, MIN(e.start_at)
FROM events e JOIN persons p ON p.id = e.person_id WHERE e.kind = ? GROUP BY p.id, p.departement, p.created_at`, socle.EventAppointment)
	if err != nil {
		return rec, err
	}
	rec.Commitments, err = queryAll(ctx, s, func(sc rowScanner) (socle.IndicatorCommitment, error) {
		var dep sql.NullString
		var at time.Time
		var status string
		err := sc.Scan(&dep, scanTime(&at), &status)
		return socle.IndicatorCommitment{Departement: dep.String, Month: month(at), Signed: status == socle.CommitmentSigned}, err
	}, "indicators: contracts", `SELECT p.departement, c.created_at, c.status FROM commitments c
JOIN persons p ON p.id = c.person_id WHERE c.status <> ?`, socle.CommitmentSuperseded)
	if err != nil {
		return rec, err
	}
	return rec, s.orientationRequestIndicators(ctx, &rec)
}

// factsZone is where "today" is reckoned for appointments.
var factsZone = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return l
}()

// parcoursFacts adds to rel the person's appointments with the
// organisation on day and her current orientation.
func (s *DB) parcoursFacts(ctx context.Context, orgID, personID string, day socle.Date, rel *socle.Relations) error {
	y, m, d := day.Time().Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, factsZone)
	appointments, err := queryAll(ctx, s, func(sc rowScanner) (socle.RelationAppointment, error) {
		var a socle.RelationAppointment
		var agent sql.NullString
		err := sc.Scan(&a.EventID, &a.OrganisationID, &agent, scanTime(&a.Start))
		a.AgentID = agent.String
		return a, err
	}, "appointment facts", `SELECT id, organisation_id, agent_id, start_at FROM events
WHERE person_id = ? AND organisation_id = ? AND kind = ? AND start_at >= ? AND start_at < ? ORDER BY start_at`,
		personID, orgID, socle.EventAppointment, from.UTC(), from.AddDate(0, 0, 1).UTC())
	if err != nil {
		return err
	}
	rel.Appointments = append(rel.Appointments, appointments...)
	var a socle.RelationAssignment
	var org, orgName sql.NullString
	var decided, created time.Time
	err = s.read.QueryRowContext(ctx, s.q(`SELECT o.id, o.organisation_id, g.name, o.operator_kind, o.parcours, o.status, o.decided_at, o.created_at
FROM orientations o LEFT JOIN organisations g ON g.id = o.organisation_id
WHERE o.person_id = ? AND o.status IN (?, ?) ORDER BY o.created_at DESC, o.id DESC LIMIT 1`),
		personID, socle.OrientationStatusProposed, socle.OrientationStatusConfirmed).Scan(
		&a.OrientationID, &org, &orgName, &a.OperatorKind, &a.Parcours, &a.Status, scanTime(&decided), scanTime(&created))
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("reading orientation facts: %w", err)
	}
	a.OrganisationID, a.OrganisationName = org.String, orgName.String
	if decided.IsZero() {
		decided = created
	}
	a.Decided = socle.DateOf(decided.In(factsZone))
	rel.Orientation = &a
	return nil
}
