package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"socle"
)

// maxRowsPerInsert bounds the rows of one multi-row INSERT: beyond a few
// hundred, longer statements stop paying off.
const maxRowsPerInsert = 256

type insertKey struct {
	table string
	rows  int
}

// insertSQL returns the multi-row INSERT of n rows into t, built from the
// table and column names of this package only, and cached.
func (s *DB) insertSQL(t Table, n int) string {
	key := insertKey{t.Name, n}
	if q, ok := s.inserts.Load(key); ok {
		return q.(string)
	}
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(t.Name)
	b.WriteString(" (")
	b.WriteString(strings.Join(t.Columns, ", "))
	b.WriteString(") VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.Columns)), ", ") + ")"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	q := b.String()
	if s.d.Numbered {
		q = Rebind(q)
	}
	s.inserts.Store(key, q)
	return q
}

// insertRows inserts the rows of t in tx with prepared multi-row INSERTs,
// the statement of full chunks prepared once and reused.
func (s *DB) insertRows(ctx context.Context, tx *sql.Tx, t Table) error {
	if len(t.Rows) == 0 {
		return nil
	}
	per := max(1, min(s.d.MaxParams/len(t.Columns), maxRowsPerInsert))
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, min(per, len(t.Rows))*len(t.Columns))
	for rows := t.Rows; len(rows) > 0; {
		n := min(per, len(rows))
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		var err error
		if n == per {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, s.insertSQL(t, n)); err != nil {
					return fmt.Errorf("preparing insert into %s: %w", t.Name, err)
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, s.insertSQL(t, n), args...)
		}
		if err != nil {
			return fmt.Errorf("inserting into %s: %w", t.Name, err)
		}
		rows = rows[n:]
	}
	return nil
}

// Load inserts a batch in one transaction: all of it or nothing. Records
// are validated first; missing ids and creation times are filled in b.
func (s *DB) Load(ctx context.Context, b *socle.Batch) error {
	tables, err := s.batchTables(ctx, b)
	if err != nil {
		return err
	}
	if s.d.BulkLoad != nil {
		return s.fail(s.d.BulkLoad(ctx, s.write, tables), "batch")
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("batch: %w", err)
	}
	defer tx.Rollback()
	for _, t := range tables {
		if err := s.insertRows(ctx, tx, t); err != nil {
			return s.fail(err, "batch")
		}
	}
	return s.commit(tx, "batch")
}

// batchTable validates and prepares each record of a batch and returns the
// table of their rows; what names a record at fault.
func batchTable[T interface{ Validate() error }](name string, columns []string, what string, records []T, prepare func(T), row func(T) []any) (Table, error) {
	t := Table{Name: name, Columns: columns, Rows: make([][]any, 0, len(records))}
	for i, r := range records {
		if err := r.Validate(); err != nil {
			return Table{}, batchError(what, i, err)
		}
		prepare(r)
		t.Rows = append(t.Rows, row(r))
	}
	return t, nil
}

// batchTables validates b and returns its rows, table by table, in an
// order where references point backwards.
func (s *DB) batchTables(ctx context.Context, b *socle.Batch) ([]Table, error) {
	orgs := Table{Name: "organisations", Columns: organisationColumns}
	orgDeps := Table{Name: "organisation_departements", Columns: organisationDepartementColumns}
	for i, o := range b.Organisations {
		if err := o.Validate(); err != nil {
			return nil, batchError("organisation", i, err)
		}
		prepareOrganisation(o)
		orgs.Rows = append(orgs.Rows, organisationRow(o))
		orgDeps.Rows = append(orgDeps.Rows, organisationDepartementRows(o)...)
	}
	agents, err := batchTable("agents", agentColumns, "agent", b.Agents, prepareAgent, agentRow)
	if err != nil {
		return nil, err
	}
	persons := Table{Name: "persons", Columns: personColumns, Rows: make([][]any, 0, len(b.Persons))}
	keys := Table{Name: "person_keys", Columns: personKeyColumns}
	for i, p := range b.Persons {
		if err := p.Validate(); err != nil {
			return nil, batchError("person", i, err)
		}
		preparePerson(p)
		row, err := personRow(p)
		if err != nil {
			return nil, batchError("person", i, err)
		}
		keyRow, err := s.sealNewPerson(p.ID, row, p.CreatedAt)
		if err != nil {
			return nil, batchError("person", i, err)
		}
		persons.Rows = append(persons.Rows, row)
		if keyRow != nil {
			keys.Rows = append(keys.Rows, keyRow)
		}
	}
	followups := Table{Name: "followups", Columns: followupColumns, Rows: make([][]any, 0, len(b.Followups))}
	names := make(map[string]personNames, len(b.Persons))
	for _, p := range b.Persons {
		names[p.ID] = personNames{NormalizeName(p.Identity.FamilyName), NormalizeName(p.Identity.GivenName)}
	}
	for i, f := range b.Followups {
		if err := f.Validate(); err != nil {
			return nil, batchError("follow-up", i, err)
		}
		prepareFollowup(f)
		n, ok := names[f.PersonID]
		if !ok {
			// A follow-up of a person loaded earlier.
			var err error
			if n, err = s.namesOf(ctx, f.PersonID); err != nil {
				return nil, batchError("follow-up", i, err)
			}
		}
		followups.Rows = append(followups.Rows, followupRow(f, n))
	}
	companies, err := batchTable("companies", companyColumns, "company", b.Companies, prepareCompany, companyRow)
	if err != nil {
		return nil, err
	}
	contacts, err := batchTable("company_contacts", contactColumns, "contact", b.Contacts, prepareContact, contactRow)
	if err != nil {
		return nil, err
	}
	offers, err := batchTable("offers", offerColumns, "offer", b.Offers, prepareOffer, offerRow)
	if err != nil {
		return nil, err
	}
	provenance, err := provenanceTable(b.Provenance)
	if err != nil {
		return nil, err
	}
	return []Table{orgs, orgDeps, agents, persons, keys, followups, provenance, companies, contacts, offers}, nil
}

// batchError names the record of a batch that failed, keeping the code of err.
func batchError(what string, i int, err error) error {
	return socle.Errorf(socle.ErrorCode(err), "batch %s %d: %s", what, i, socle.ErrorMessage(err))
}
