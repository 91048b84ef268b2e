package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"socle"
	"socle/seal"
)

var (
	_ socle.DiagnosticStore = (*DB)(nil)
	_ socle.PlanStore       = (*DB)(nil)
)

// The associated data of the sealed columns: a sealed value moved to
// another column or person does not open.
const (
	sealedChangeField = "diagnostic_changes.sealed"
	sealedPlanField   = "plans.sealed"
)

// readKey returns the data key of a person for reading her sealed values,
// nil when she has none (never had one, or it was shredded).
func (s *DB) readKey(ctx context.Context, personID string) (*seal.DataKey, error) {
	var wrapped []byte
	err := s.read.QueryRowContext(ctx, s.q(`SELECT wrapped_key FROM person_keys WHERE person_id = ?`), personID).Scan(&wrapped)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && wrapped == nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the person's key: %w", err)
	}
	k, err := s.keyring()
	if err != nil {
		return nil, socle.Errorf(socle.EUNAVAILABLE, "sensitive data cannot be read: no encryption key is configured")
	}
	dk, err := k.Unwrap(personID, wrapped)
	if err != nil {
		return nil, socle.Errorf(socle.EINTERNAL, "person: the key of this record does not open")
	}
	return dk, nil
}

// Diagnostic returns a person's diagnostic with the freins of granted.
func (s *DB) Diagnostic(ctx context.Context, personID string, granted socle.CategorySet) (*socle.Diagnostic, error) {
	d := &socle.Diagnostic{PersonID: personID, Freins: []socle.Frein{}, Situation: socle.ProfessionalSituation{Project: []socle.ROMEAppellation{}}}
	var situation string
	err := s.read.QueryRowContext(ctx, s.q(`SELECT version, situation, updated_at FROM diagnostics WHERE person_id = ?`), personID).
		Scan(&d.Version, &situation, scanTime(&d.UpdatedAt))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return d, nil
	case err != nil:
		return nil, fmt.Errorf("reading diagnostic: %w", err)
	}
	if err := json.Unmarshal([]byte(situation), &d.Situation); err != nil {
		return nil, fmt.Errorf("decoding the professional situation: %w", err)
	}
	if d.Situation.Project == nil {
		d.Situation.Project = []socle.ROMEAppellation{}
	}
	cats := granted.List()
	if len(cats) == 0 {
		return d, nil
	}
	names := make([]any, 0, len(cats)+1)
	names = append(names, personID)
	for _, c := range cats {
		names = append(names, string(c))
	}
	rows, err := s.read.QueryContext(ctx, s.q(`SELECT category, change, sealed FROM diagnostic_changes
WHERE person_id = ? AND category IN (?`+repeatParams(len(cats)-1)+`) ORDER BY version DESC, position DESC`), names...)
	if err != nil {
		return nil, fmt.Errorf("reading diagnostic changes: %w", err)
	}
	defer rows.Close()
	var dk *seal.DataKey
	keyRead := false
	for rows.Next() {
		var cat string
		var clear sql.NullString
		var sealed []byte
		if err := rows.Scan(&cat, &clear, &sealed); err != nil {
			return nil, fmt.Errorf("reading diagnostic changes: %w", err)
		}
		plain := []byte(clear.String)
		if sealed != nil {
			if !keyRead {
				if dk, err = s.readKey(ctx, personID); err != nil {
					return nil, err
				}
				keyRead = true
			}
			if dk == nil {
				continue // shredded: absent, never an error
			}
			if plain, err = dk.Open(sealedChangeField, sealed); err != nil {
				return nil, socle.Errorf(socle.EINTERNAL, "diagnostic: a sealed change does not open")
			}
		}
		var ch socle.FreinChange
		if err := json.Unmarshal(plain, &ch); err != nil {
			return nil, fmt.Errorf("decoding a diagnostic change: %w", err)
		}
		if f := d.Frein(ch.Theme); f != nil {
			f.History = append(f.History, ch)
			continue
		}
		d.Freins = append(d.Freins, socle.Frein{FreinChange: ch, History: []socle.FreinChange{ch}})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading diagnostic changes: %w", err)
	}
	slices.SortFunc(d.Freins, func(a, b socle.Frein) int {
		return slices.Index(socle.Themes, a.Theme) - slices.Index(socle.Themes, b.Theme)
	})
	return d, nil
}

// repeatParams returns ", ?" n times.
func repeatParams(n int) string {
	b := make([]byte, 0, 3*n)
	for range n {
		b = append(b, ", ?"...)
	}
	return string(b)
}

// SaveDiagnostic appends changes and replaces the situation while the
// version is ifVersion.
func (s *DB) SaveDiagnostic(ctx context.Context, personID string, ifVersion int, changes []socle.FreinChange, situation *socle.ProfessionalSituation) (int, error) {
	if err := socle.CheckID(socle.PrefixPerson, "person_id", personID); err != nil {
		return 0, err
	}
	version := ifVersion + 1
	err := s.inTx(ctx, "diagnostic", func(tx *sql.Tx) error {
		var current int
		var stored string
		err := tx.QueryRowContext(ctx, s.q(`SELECT version, situation FROM diagnostics WHERE person_id = ?`), personID).Scan(&current, &stored)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("reading diagnostic: %w", err)
		}
		if current != ifVersion {
			return socle.Errorf(socle.ESTALE, "the diagnostic changed since version %d: it is at version %d", ifVersion, current)
		}
		sit := stored
		if situation != nil || stored == "" {
			v := situation
			if v == nil {
				v = &socle.ProfessionalSituation{}
			}
			if v.Project == nil {
				v.Project = []socle.ROMEAppellation{}
			}
			if sit, err = jsonText(v); err != nil {
				return fmt.Errorf("encoding the professional situation: %w", err)
			}
		}
		t := stamp(now())
		q := `INSERT INTO diagnostics (person_id, version, situation, updated_at) VALUES (?, ?, ?, ?)`
		args := []any{personID, version, sit, t}
		if current > 0 {
			q = `UPDATE diagnostics SET version = ?, situation = ?, updated_at = ? WHERE person_id = ? AND version = ?`
			args = []any{version, sit, t, personID, current}
		}
		if _, err := tx.ExecContext(ctx, s.q(q), args...); err != nil {
			return s.fail(err, "diagnostic")
		}
		var dk *seal.DataKey
		for i, ch := range changes {
			if ch.Theme == "" {
				return socle.Errorf(socle.EINVALID, "diagnostic: a change names no theme")
			}
			ch.At = stamp(ch.At)
			plain, err := json.Marshal(ch)
			if err != nil {
				return fmt.Errorf("encoding a diagnostic change: %w", err)
			}
			cat := socle.ThemeCategory(ch.Theme)
			var clear, sealed any = string(plain), nil
			if cat.Sensitive() {
				if dk == nil {
					if dk, err = s.personKey(ctx, tx, personID); err != nil {
						return err
					}
				}
				b, err := dk.Seal(sealedChangeField, plain)
				if err != nil {
					return fmt.Errorf("sealing a diagnostic change: %w", err)
				}
				clear, sealed = nil, b
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO diagnostic_changes (person_id, version, position, category, change, sealed, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`), personID, version, i, string(cat), clear, sealed, t); err != nil {
				return s.fail(err, "diagnostic")
			}
		}
		return s.recordChange(ctx, tx, socle.ResourcePerson, personID)
	})
	if err != nil {
		return 0, err
	}
	return version, nil
}

// planBody is what a plan column holds: some objectives and their actions.
type planBody struct {
	Objectives []socle.Objective  `json:"objectives"`
	Actions    []socle.PlanAction `json:"actions"`
}

// splitPlan splits a plan into its clear and health parts.
func splitPlan(p *socle.Plan) (clear, health planBody) {
	clear = planBody{Objectives: []socle.Objective{}, Actions: []socle.PlanAction{}}
	for _, o := range p.Objectives {
		if o.Category() == socle.CatHealth {
			health.Objectives = append(health.Objectives, o)
		} else {
			clear.Objectives = append(clear.Objectives, o)
		}
	}
	for _, a := range p.Actions {
		if o := p.Objective(a.ObjectiveID); o != nil && o.Category() == socle.CatHealth {
			health.Actions = append(health.Actions, a)
		} else {
			clear.Actions = append(clear.Actions, a)
		}
	}
	return clear, health
}

// planColumns encodes a plan's body and sealed columns, in tx.
func (s *DB) planColumns(ctx context.Context, tx *sql.Tx, p *socle.Plan) (string, any, error) {
	clear, health := splitPlan(p)
	body, err := jsonText(clear)
	if err != nil {
		return "", nil, fmt.Errorf("encoding the plan: %w", err)
	}
	if len(health.Objectives) == 0 {
		return body, nil, nil
	}
	dk, err := s.personKey(ctx, tx, p.PersonID)
	if err != nil {
		return "", nil, err
	}
	plain, err := json.Marshal(health)
	if err != nil {
		return "", nil, fmt.Errorf("encoding the plan: %w", err)
	}
	sealed, err := dk.Seal(sealedPlanField, plain)
	if err != nil {
		return "", nil, fmt.Errorf("sealing the plan: %w", err)
	}
	return body, sealed, nil
}

// CreatePlan stores a new version of a plan.
func (s *DB) CreatePlan(ctx context.Context, p *socle.Plan) error {
	if err := socle.CheckID(socle.PrefixPerson, "person_id", p.PersonID); err != nil {
		return err
	}
	if p.ID == "" {
		p.ID = socle.NewID(socle.PrefixPlan)
	}
	p.CreatedAt = stamp(p.CreatedAt)
	return s.inTx(ctx, "plan", func(tx *sql.Tx) error {
		var current int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MAX(version), 0) FROM plans WHERE person_id = ?`), p.PersonID).Scan(&current); err != nil {
			return fmt.Errorf("reading plan versions: %w", err)
		}
		if p.Version != current+1 {
			return socle.Errorf(socle.ECONFLICT, "plan: version %d does not follow the current version %d", p.Version, current)
		}
		body, sealed, err := s.planColumns(ctx, tx, p)
		if err != nil {
			return err
		}
		var agreement any
		if p.Agreement != nil {
			if agreement, err = jsonText(p.Agreement); err != nil {
				return fmt.Errorf("encoding the agreement: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO plans (id, person_id, version, body, sealed, agreement, organisation_id, agent_id, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), p.ID, p.PersonID, p.Version, body, sealed, agreement, nullable(p.OrganisationID),
			nullable(p.AgentID), p.CreatedAt); err != nil {
			return s.fail(err, "plan")
		}
		return s.recordChange(ctx, tx, socle.ResourcePerson, p.PersonID)
	})
}

const planSelect = `SELECT id, person_id, version, body, sealed, agreement, organisation_id, agent_id, created_at FROM plans`

type planRow struct {
	p       socle.Plan
	body    string
	sealed  []byte
	agreed  sql.NullString
	org, ag sql.NullString
}

func scanPlan(sc interface{ Scan(...any) error }) (*planRow, error) {
	var r planRow
	if err := sc.Scan(&r.p.ID, &r.p.PersonID, &r.p.Version, &r.body, &r.sealed, &r.agreed, &r.org, &r.ag, scanTime(&r.p.CreatedAt)); err != nil {
		return nil, err
	}
	r.p.OrganisationID, r.p.AgentID = r.org.String, r.ag.String
	return &r, nil
}

// decode opens a plan row: its health part with dk (absent when dk is
// nil: the key was shredded).
func (r *planRow) decode(dk *seal.DataKey) (*socle.Plan, error) {
	p := r.p
	var clear planBody
	if err := json.Unmarshal([]byte(r.body), &clear); err != nil {
		return nil, fmt.Errorf("decoding the plan: %w", err)
	}
	p.Objectives, p.Actions = append([]socle.Objective{}, clear.Objectives...), append([]socle.PlanAction{}, clear.Actions...)
	if r.sealed != nil && dk != nil {
		plain, err := dk.Open(sealedPlanField, r.sealed)
		if err != nil {
			return nil, socle.Errorf(socle.EINTERNAL, "plan: the sealed part does not open")
		}
		var health planBody
		if err := json.Unmarshal(plain, &health); err != nil {
			return nil, fmt.Errorf("decoding the plan: %w", err)
		}
		p.Objectives = append(p.Objectives, health.Objectives...)
		p.Actions = append(p.Actions, health.Actions...)
	}
	if r.agreed.Valid {
		p.Agreement = &socle.PlanAgreement{}
		if err := json.Unmarshal([]byte(r.agreed.String), p.Agreement); err != nil {
			return nil, fmt.Errorf("decoding the agreement: %w", err)
		}
	}
	return &p, nil
}

// plans reads the plan rows of query and opens them.
func (s *DB) plans(ctx context.Context, personID, where string, args ...any) ([]*socle.Plan, error) {
	rs, err := queryAll(ctx, s, scanPlan, "plans", planSelect+" "+where, args...)
	if err != nil {
		return nil, err
	}
	var dk *seal.DataKey
	if slices.ContainsFunc(rs, func(r *planRow) bool { return r.sealed != nil }) {
		if dk, err = s.readKey(ctx, personID); err != nil {
			return nil, err
		}
	}
	out := make([]*socle.Plan, 0, len(rs))
	for _, r := range rs {
		p, err := r.decode(dk)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Plan returns a person's current plan.
func (s *DB) Plan(ctx context.Context, personID string) (*socle.Plan, error) {
	ps, err := s.plans(ctx, personID, `WHERE person_id = ? ORDER BY version DESC LIMIT 1`, personID)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, notFound("plan")
	}
	return ps[0], nil
}

// Plans returns every version of a person's plan, newest first.
func (s *DB) Plans(ctx context.Context, personID string) ([]*socle.Plan, error) {
	return s.plans(ctx, personID, `WHERE person_id = ? ORDER BY version DESC`, personID)
}

// planByID reads a plan version in tx, with every part.
func (s *DB) planByID(ctx context.Context, tx *sql.Tx, id string) (*socle.Plan, error) {
	r, err := scanPlan(tx.QueryRowContext(ctx, s.q(planSelect+` WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("plan")
	}
	if err != nil {
		return nil, fmt.Errorf("reading plan: %w", err)
	}
	var dk *seal.DataKey
	if r.sealed != nil {
		if dk, err = s.personKey(ctx, tx, r.p.PersonID); err != nil {
			return nil, err
		}
	}
	return r.decode(dk)
}

// UpdatePlanAction replaces an action of a plan version.
func (s *DB) UpdatePlanAction(ctx context.Context, planID string, a socle.PlanAction) error {
	return s.inTx(ctx, "plan action", func(tx *sql.Tx) error {
		p, err := s.planByID(ctx, tx, planID)
		if err != nil {
			return err
		}
		cur := p.Action(a.ID)
		if cur == nil {
			return notFound("action")
		}
		a.ObjectiveID = cur.ObjectiveID
		a.StatusAt = stamp(a.StatusAt)
		*cur = a
		body, sealed, err := s.planColumns(ctx, tx, p)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE plans SET body = ?, sealed = ? WHERE id = ?`), body, sealed, planID); err != nil {
			return s.fail(err, "plan action")
		}
		return s.recordChange(ctx, tx, socle.ResourcePerson, p.PersonID)
	})
}

// AgreePlan records the person's agreement to a plan version.
func (s *DB) AgreePlan(ctx context.Context, planID string, a socle.PlanAgreement) error {
	a.At = stamp(a.At)
	agreement, err := jsonText(a)
	if err != nil {
		return fmt.Errorf("encoding the agreement: %w", err)
	}
	return s.inTx(ctx, "plan agreement", func(tx *sql.Tx) error {
		var personID string
		var agreed sql.NullString
		err := tx.QueryRowContext(ctx, s.q(`SELECT person_id, agreement FROM plans WHERE id = ?`), planID).Scan(&personID, &agreed)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("plan")
		}
		if err != nil {
			return fmt.Errorf("reading plan: %w", err)
		}
		if agreed.Valid {
			return socle.Errorf(socle.ECONFLICT, "plan: the person's agreement to this version is already recorded")
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE plans SET agreement = ? WHERE id = ? AND agreement IS NULL`), agreement, planID); err != nil {
			return s.fail(err, "plan agreement")
		}
		return s.recordChange(ctx, tx, socle.ResourcePerson, personID)
	})
}

// shredDiagnostic removes, in tx, what the person's key sealed in the
// diagnostic and the plans (a later key must not meet values it cannot
// open); erasing removes her diagnostic and plans altogether.
func (s *DB) shredDiagnostic(ctx context.Context, tx *sql.Tx, personID string, erase bool) error {
	qs := []string{`DELETE FROM diagnostic_changes WHERE person_id = ? AND sealed IS NOT NULL`, `UPDATE plans SET sealed = NULL WHERE person_id = ?`}
	if erase {
		qs = []string{`DELETE FROM diagnostic_changes WHERE person_id = ?`, `DELETE FROM diagnostics WHERE person_id = ?`,
			`UPDATE plans SET body = '{"objectives":[],"actions":[]}', sealed = NULL WHERE person_id = ?`}
	}
	for _, q := range qs {
		if _, err := tx.ExecContext(ctx, s.q(q), personID); err != nil {
			return s.fail(err, "shredding the diagnostic")
		}
	}
	return nil
}
