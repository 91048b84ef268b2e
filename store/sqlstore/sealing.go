package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"socle"
	"socle/seal"
)

// Sensitive sections (health, justice, bank: socle.Category.Sensitive) are
// stored sealed with a data key of the person's own (package seal), whose
// wrapped form is in person_keys. The rules, in one place:
//
//   - Without a keyring (SetSealer), writing a sensitive section fails
//     (EUNAVAILABLE): nothing sensitive is ever written in clear.
//   - A person gets her key with her first sensitive section; a person
//     without one has no row in person_keys.
//   - Reading a person whose key is absent or shredded returns her
//     sensitive sections as absent, never an error: that is what
//     crypto-shredding means (and sections written in clear before
//     migration 0007, which have no key, are never shown either).
//   - A sealed value that does not open under the person's key (moved from
//     another person or column, altered) fails the read closed with
//     EINTERNAL: tampering is loud, and never shows anyone's data.

// SetSealer sets the keyring that seals the sensitive sections. Call it once,
// before the store is used.
func (s *DB) SetSealer(k *seal.Keyring) { s.sealer = k }

// sensitiveSections are the indexes in sectionColumns of the sensitive
// categories, and personSensitiveColumns their indexes in personColumns.
var sensitiveSections, personSensitiveColumns = func() (secs, cols []int) {
	for i, sc := range sectionColumns {
		if sc.cat.Sensitive() {
			secs = append(secs, i)
			cols = append(cols, slices.Index(personColumns, sc.col))
		}
	}
	return secs, cols
}()

// sensitiveSet is the set of the sensitive categories.
var sensitiveSet = socle.SetOf(socle.CatHealth, socle.CatJustice, socle.CatBank)

var personKeyColumns = []string{"person_id", "wrapped_key", "created_at"}

// errNoSealer is the fail-safe refusal to write a sensitive section in clear.
var errNoSealer = socle.Errorf(socle.EUNAVAILABLE, "sensitive data cannot be stored: no encryption key is configured")

// keyring returns the keyring, or errNoSealer.
func (s *DB) keyring() (*seal.Keyring, error) {
	if s.sealer == nil {
		return nil, errNoSealer
	}
	return s.sealer, nil
}

// sealNewPerson seals in place the sensitive values of a person row (in
// personColumns order) of a new person, with a new data key, and returns
// the person_keys row to insert with it; nil when the row has no
// sensitive value.
func (s *DB) sealNewPerson(id string, row []any, created time.Time) ([]any, error) {
	if !slices.ContainsFunc(personSensitiveColumns, func(c int) bool { return row[c] != nil }) {
		return nil, nil
	}
	k, err := s.keyring()
	if err != nil {
		return nil, err
	}
	dk, wrapped, err := k.NewKey(id)
	if err != nil {
		return nil, err
	}
	for _, c := range personSensitiveColumns {
		if row[c] == nil {
			continue
		}
		if row[c], err = sealValue(dk, personColumns[c], row[c]); err != nil {
			return nil, err
		}
	}
	return []any{id, wrapped, created}, nil
}

// sealValue seals a section as encoded by sectionJSON.
func sealValue(dk *seal.DataKey, col string, v any) ([]byte, error) {
	plain, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("sealing %s: unexpected %T", col, v)
	}
	return dk.Seal(col, []byte(plain))
}

// sealUpdate seals in place the sensitive sections (in sectionColumns
// order) of an update of person id that will be written, in tx: with her
// key, or a new one when she has none or it was shredded. An erased
// person takes no sensitive data any more (ECONFLICT).
func (s *DB) sealUpdate(ctx context.Context, tx *sql.Tx, id string, sections *[6]any, granted socle.CategorySet) error {
	if !slices.ContainsFunc(sensitiveSections, func(i int) bool {
		return sections[i] != nil && granted.Has(sectionColumns[i].cat)
	}) {
		return nil
	}
	dk, err := s.personKey(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, i := range sensitiveSections {
		if sections[i] == nil || !granted.Has(sectionColumns[i].cat) {
			continue
		}
		if sections[i], err = sealValue(dk, sectionColumns[i].col, sections[i]); err != nil {
			return err
		}
	}
	return nil
}

// personKey returns, in tx, the data key of person id that seals what is
// written now: hers, or a new one when she has none or it was shredded.
// An erased person takes no sensitive data any more (ECONFLICT).
func (s *DB) personKey(ctx context.Context, tx *sql.Tx, id string) (*seal.DataKey, error) {
	k, err := s.keyring()
	if err != nil {
		return nil, err
	}
	var wrapped []byte
	var erased sql.NullString
	err = tx.QueryRowContext(ctx, s.q(`SELECT wrapped_key, erased_at FROM person_keys WHERE person_id = ?`), id).Scan(&wrapped, &erased)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("reading the person's key: %w", err)
	}
	if erased.Valid {
		return nil, socle.Errorf(socle.ECONFLICT, "person: this record was erased")
	}
	var dk *seal.DataKey
	if wrapped != nil {
		if dk, err = k.Unwrap(id, wrapped); err != nil {
			return nil, socle.Errorf(socle.EINTERNAL, "person: the key of this record does not open")
		}
	} else {
		if dk, wrapped, err = k.NewKey(id); err != nil {
			return nil, err
		}
		// A shredded key is replaced: the sections it sealed were nulled
		// with it, so nothing old becomes readable again.
		// The insert is conditional so that an update of a missing person
		// ends in ENOTFOUND, not in a foreign-key error.
		q := `INSERT INTO person_keys (person_id, wrapped_key, created_at) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM persons WHERE id = ?)`
		if exists {
			q = `UPDATE person_keys SET wrapped_key = ?, created_at = ?, shredded_at = NULL WHERE person_id = ?`
		}
		args := []any{id, wrapped, now(), id}
		if exists {
			args = []any{wrapped, now(), id}
		}
		if _, err := tx.ExecContext(ctx, s.q(q), args...); err != nil {
			return nil, s.fail(err, "person")
		}
	}
	return dk, nil
}

// keySelect is the column a person read adds when it reads a sensitive
// section: the wrapped key, NULL when absent or shredded.
const keySelect = "(SELECT wrapped_key FROM person_keys WHERE person_keys.person_id = persons.id)"

// unseal opens in place the sensitive sections of a scanned person. Without
// a key they are absent; a value that does not open fails closed.
func (s *DB) unseal(ps *personScan, granted socle.CategorySet) error {
	if granted&sensitiveSet == 0 {
		return nil
	}
	present := slices.ContainsFunc(sensitiveSections, func(i int) bool { return ps.sections[i] != nil })
	if !present {
		return nil
	}
	if ps.wrapped == nil {
		for _, i := range sensitiveSections {
			ps.sections[i] = nil
		}
		return nil
	}
	k, err := s.keyring()
	if err != nil {
		return socle.Errorf(socle.EUNAVAILABLE, "sensitive data cannot be read: no encryption key is configured")
	}
	dk, err := k.Unwrap(ps.p.ID, ps.wrapped)
	if err != nil {
		return socle.Errorf(socle.EINTERNAL, "person: the key of this record does not open")
	}
	for _, i := range sensitiveSections {
		if ps.sections[i] == nil {
			continue
		}
		if ps.sections[i], err = dk.Open(sectionColumns[i].col, ps.sections[i]); err != nil {
			return socle.Errorf(socle.EINTERNAL, "person: a sensitive section of this record does not open")
		}
	}
	return nil
}

// ShredPerson crypto-shreds the sensitive sections of a person: her data
// key is deleted (a tombstone row keeps shredded_at) and the sealed columns
// are nulled, in one transaction. Shredding a person without sensitive
// data, or twice, is not an error. ENOTFOUND if no such person.
func (s *DB) ShredPerson(ctx context.Context, personID string) error {
	return s.shred(ctx, personID, false)
}

// ErasedName is what an erased person's names become: her record stays as
// a tombstone so that the audit log's references to her id keep a meaning.
const ErasedName = "personne effacée"

// ErasePerson erases a person (lawful erasure, or the end of retention):
// her sensitive sections are crypto-shredded and her identity, contact,
// parcours and skills blanked to a tombstone named ErasedName, in one
// transaction; her id, follow-ups and the audit log stay. Her sessions,
// one-time links of the person's space and the Idempotency-Keys of creates
// about her are deleted. ENOTFOUND if no such
// person; erasing twice is not an error.
func (s *DB) ErasePerson(ctx context.Context, personID string) error {
	return s.shred(ctx, personID, true)
}

// erasedBirthDate stands for the birth date of an erased person, which
// the schema requires.
var erasedBirthDate = socle.NewDate(1900, 1, 1)

func (s *DB) shred(ctx context.Context, personID string, erase bool) error {
	what := "shredding person"
	if erase {
		what = "erasing person"
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer tx.Rollback()
	t := now()
	var res sql.Result
	if erase {
		res, err = tx.ExecContext(ctx, s.q(`UPDATE persons SET nir = NULL, given_name = ?, family_name = ?, birth_name = '', birth_date = ?, sex = '',
			family_norm = ?, given_norm = ?, commune_code = NULL, departement = NULL,
			contact = NULL, parcours = NULL, skills = NULL, health = NULL, justice = NULL, bank = NULL, updated_at = ? WHERE id = ?`),
			ErasedName, ErasedName, erasedBirthDate, NormalizeName(ErasedName), NormalizeName(ErasedName), t, personID)
	} else {
		res, err = tx.ExecContext(ctx, s.q(`UPDATE persons SET health = NULL, justice = NULL, bank = NULL, updated_at = ? WHERE id = ?`), t, personID)
	}
	if err != nil {
		return s.fail(err, what)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	} else if n == 0 {
		return notFound("person")
	}
	if erase {
		erased := NormalizeName(ErasedName)
		if err := s.renameFollowups(ctx, tx, personID, personNames{erased, erased}); err != nil {
			return err
		}
	}
	var erased any
	if erase {
		erased = t
	}
	// The upsert keeps the first shredding and erasure times.
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO person_keys (person_id, wrapped_key, created_at, shredded_at, erased_at) VALUES (?, NULL, ?, ?, ?)
		ON CONFLICT (person_id) DO UPDATE SET wrapped_key = NULL,
			shredded_at = COALESCE(person_keys.shredded_at, excluded.shredded_at),
			erased_at = COALESCE(person_keys.erased_at, excluded.erased_at)`), personID, t, t, erased); err != nil {
		return s.fail(err, what)
	}
	if err := s.shredDiagnostic(ctx, tx, personID, erase); err != nil {
		return err
	}
	if erase {
		for _, q := range []string{`DELETE FROM person_sessions WHERE person_id = ?`, `DELETE FROM person_links WHERE person_id = ?`,
			`DELETE FROM person_explanations WHERE person_id = ?`,
			// Her Idempotency-Keys: what was created about her, and her registration.
			`DELETE FROM idempotency_keys WHERE person_id = ?`} {
			if _, err := tx.ExecContext(ctx, s.q(q), personID); err != nil {
				return s.fail(err, what)
			}
		}
	}
	return s.commit(tx, what)
}
