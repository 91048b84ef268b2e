package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"socle"
)

var personColumns = []string{
	"id", "nir", "given_name", "family_name", "birth_name", "birth_date", "sex", "family_norm", "given_norm",
	"commune_code", "departement", "contact", "parcours", "skills", "health", "justice", "bank", "created_at", "updated_at",
}

// sectionColumns are the JSON columns of the categories other than
// identity, in socle.Categories order.
var sectionColumns = []struct {
	cat socle.Category
	col string
}{
	{socle.CatContact, "contact"},
	{socle.CatParcours, "parcours"},
	{socle.CatSkills, "skills"},
	{socle.CatHealth, "health"},
	{socle.CatJustice, "justice"},
	{socle.CatBank, "bank"},
}

const identityColumns = "nir, given_name, family_name, birth_name, birth_date, sex"

// personSelects holds the column list of a person read for each set of
// granted categories: a category not granted is not even read.
var personSelects = func() []string {
	out := make([]string, socle.AllCategories+1)
	for g := range out {
		granted := socle.CategorySet(g)
		cols := "id, version, created_at, updated_at"
		if granted.Has(socle.CatIdentity) {
			cols += ", " + identityColumns
		}
		for _, sc := range sectionColumns {
			if granted.Has(sc.cat) {
				cols += ", " + sc.col
			}
		}
		if granted&sensitiveSet != 0 {
			cols += ", " + keySelect
		}
		out[g] = cols
	}
	return out
}()

func preparePerson(p *socle.Person) {
	if p.ID == "" {
		p.ID = socle.NewID(socle.PrefixPerson)
	}
	p.CreatedAt = stamp(p.CreatedAt)
	if p.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	p.UpdatedAt = stamp(p.UpdatedAt)
	p.Version = 1
	if p.Identity != nil {
		p.Identity.NIR = normalizeNIR(p.Identity.NIR)
	}
}

// normalizeNIR removes the spaces a NIR is often written with, so that it
// is stored and searched in one form.
func normalizeNIR(nir string) string { return strings.ReplaceAll(nir, " ", "") }

// contactColumnsOf returns the search columns derived from the contact section.
func contactColumnsOf(c *socle.Contact) (commune, dep any) {
	if c == nil || c.CommuneCode == "" {
		return nil, nil
	}
	return c.CommuneCode, socle.DepartementOf(c.CommuneCode)
}

func personRow(p *socle.Person) ([]any, error) {
	id := p.Identity
	commune, dep := contactColumnsOf(p.Contact)
	row := []any{
		p.ID, nullable(id.NIR), id.GivenName, id.FamilyName, id.BirthName, id.BirthDate, id.Sex,
		NormalizeName(id.FamilyName), NormalizeName(id.GivenName), commune, dep,
	}
	sections, err := personSections(p)
	if err != nil {
		return nil, err
	}
	row = append(row, sections[:]...)
	return append(row, p.CreatedAt, p.UpdatedAt), nil
}

// personSections encodes the JSON sections of p in sectionColumns order.
func personSections(p *socle.Person) ([6]any, error) {
	var out [6]any
	var err error
	var errs [6]error
	out[0], errs[0] = sectionJSON(p.Contact)
	out[1], errs[1] = sectionJSON(p.Parcours)
	out[2], errs[2] = sectionJSON(p.Skills)
	out[3], errs[3] = sectionJSON(p.Health)
	out[4], errs[4] = sectionJSON(p.Justice)
	out[5], errs[5] = sectionJSON(p.Bank)
	if err = errors.Join(errs[:]...); err != nil {
		return out, fmt.Errorf("encoding person sections: %w", err)
	}
	return out, nil
}

// personScan receives the columns of a person read with some categories.
type personScan struct {
	p        socle.Person
	nir      sql.NullString
	identity socle.Identity
	sections [6][]byte
	wrapped  []byte // the person's wrapped data key, when a sensitive section is read
	dest     []any
}

func newPersonScan(granted socle.CategorySet) *personScan {
	ps := &personScan{}
	ps.dest = append(ps.dest, &ps.p.ID, &ps.p.Version, scanTime(&ps.p.CreatedAt), scanTime(&ps.p.UpdatedAt))
	if granted.Has(socle.CatIdentity) {
		id := &ps.identity
		ps.dest = append(ps.dest, &ps.nir, &id.GivenName, &id.FamilyName, &id.BirthName, &id.BirthDate, &id.Sex)
	}
	for i, sc := range sectionColumns {
		if granted.Has(sc.cat) {
			ps.dest = append(ps.dest, &ps.sections[i])
		}
	}
	if granted&sensitiveSet != 0 {
		ps.dest = append(ps.dest, &ps.wrapped)
	}
	return ps
}

// person returns the scanned person, with the sections of granted only.
func (ps *personScan) person(granted socle.CategorySet) (*socle.Person, error) {
	p := ps.p
	if granted.Has(socle.CatIdentity) {
		id := ps.identity
		id.NIR = ps.nir.String
		p.Identity = &id
	}
	var errs [6]error
	p.Contact, errs[0] = decodeSection[socle.Contact](ps.sections[0])
	p.Parcours, errs[1] = decodeSection[socle.Parcours](ps.sections[1])
	p.Skills, errs[2] = decodeSection[socle.Skills](ps.sections[2])
	p.Health, errs[3] = decodeSection[socle.Health](ps.sections[3])
	p.Justice, errs[4] = decodeSection[socle.Justice](ps.sections[4])
	p.Bank, errs[5] = decodeSection[socle.Bank](ps.sections[5])
	if err := errors.Join(errs[:]...); err != nil {
		return nil, fmt.Errorf("decoding person sections: %w", err)
	}
	// Defence in depth: only granted columns were read, mask anyway.
	p.Mask(granted)
	return &p, nil
}

// CreatePerson validates and stores a new person, filling its id and times.
func (s *DB) CreatePerson(ctx context.Context, p *socle.Person) error {
	return s.inTx(ctx, "person", func(tx *sql.Tx) error { return s.createPerson(ctx, tx, p) })
}

// createPerson stores a new person, with her key when a sensitive section
// needs one, in tx.
func (s *DB) createPerson(ctx context.Context, tx *sql.Tx, p *socle.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	preparePerson(p)
	row, err := personRow(p)
	if err != nil {
		return err
	}
	keyRow, err := s.sealNewPerson(p.ID, row, p.CreatedAt)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.insertSQL(Table{Name: "persons", Columns: personColumns}, 1), row...); err != nil {
		return s.fail(err, "person")
	}
	if keyRow != nil {
		if _, err := tx.ExecContext(ctx, s.insertSQL(Table{Name: "person_keys", Columns: personKeyColumns}, 1), keyRow...); err != nil {
			return s.fail(err, "person")
		}
	}
	return s.recordChange(ctx, tx, socle.ResourcePerson, p.ID)
}

// Person returns the person with that id with the granted sections only,
// ENOTFOUND if none.
func (s *DB) Person(ctx context.Context, id string, granted socle.CategorySet) (*socle.Person, error) {
	granted &= socle.AllCategories
	ps := newPersonScan(granted)
	err := s.read.QueryRowContext(ctx, s.q(`SELECT `+personSelects[granted]+` FROM persons WHERE id = ?`), id).Scan(ps.dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("person")
	} else if err != nil {
		return nil, fmt.Errorf("reading person: %w", err)
	}
	if err := s.unseal(ps, granted); err != nil {
		return nil, err
	}
	return ps.person(granted)
}

// placeholderIdentity stands in for the identity when validating an update
// that does not carry one, so that Validate checks the sections present.
var placeholderIdentity = socle.Identity{GivenName: "x", FamilyName: "x", BirthDate: socle.NewDate(2000, 1, 1), Sex: "F"}

// UpdatePerson replaces the sections of p that are in granted and present
// in p; the others stay as they are. ENOTFOUND if p.ID does not exist.
func (s *DB) UpdatePerson(ctx context.Context, p *socle.Person, granted socle.CategorySet) error {
	// One transaction: the person's key, when a sensitive section needs
	// one, is created with the update or not at all.
	return keepVersionOnError(p, func() error {
		return s.inTx(ctx, "person", func(tx *sql.Tx) error { return s.updatePerson(ctx, tx, p, granted) })
	})
}

// updatePerson is UpdatePerson in tx.
func (s *DB) updatePerson(ctx context.Context, tx *sql.Tx, p *socle.Person, granted socle.CategorySet) error {
	check := *p
	check.Mask(granted)
	if check.Identity == nil {
		check.Identity = &placeholderIdentity
	}
	if err := check.Validate(); err != nil {
		return err
	}
	if err := socle.CheckID(socle.PrefixPerson, "person", p.ID); err != nil {
		return err
	}
	var set strings.Builder
	var args []any
	if id := p.Identity; id != nil && granted.Has(socle.CatIdentity) {
		set.WriteString(`nir = ?, given_name = ?, family_name = ?, birth_name = ?, birth_date = ?, sex = ?, family_norm = ?, given_norm = ?, `)
		id.NIR = normalizeNIR(id.NIR)
		args = append(args, nullable(id.NIR), id.GivenName, id.FamilyName, id.BirthName, id.BirthDate, id.Sex, NormalizeName(id.FamilyName), NormalizeName(id.GivenName))
	}
	if p.Contact != nil && granted.Has(socle.CatContact) {
		commune, dep := contactColumnsOf(p.Contact)
		set.WriteString(`commune_code = ?, departement = ?, `)
		args = append(args, commune, dep)
	}
	sections, err := personSections(p)
	if err != nil {
		return err
	}
	if err := s.sealUpdate(ctx, tx, p.ID, &sections, granted); err != nil {
		return err
	}
	for i, sc := range sectionColumns {
		if sections[i] != nil && granted.Has(sc.cat) {
			set.WriteString(sc.col + ` = ?, `)
			args = append(args, sections[i])
		}
	}
	updated := now()
	set.WriteString(`updated_at = ?, version = version + 1`)
	args = append(args, updated, p.ID)
	if err := s.updateVersioned(ctx, tx, `UPDATE persons SET `+set.String()+` WHERE id = ?`, p.ID, p.Version, args...); err != nil {
		return err
	}
	if id := p.Identity; id != nil && granted.Has(socle.CatIdentity) {
		if err := s.renameFollowups(ctx, tx, p.ID, personNames{NormalizeName(id.FamilyName), NormalizeName(id.GivenName)}); err != nil {
			return err
		}
	}
	p.UpdatedAt = updated
	if err := tx.QueryRowContext(ctx, s.q(`SELECT version FROM persons WHERE id = ?`), p.ID).Scan(&p.Version); err != nil {
		return fmt.Errorf("reading person version: %w", err)
	}
	return s.recordChange(ctx, tx, socle.ResourcePerson, p.ID)
}

// SearchPersons returns the persons matching every filter of q, by name,
// with the granted sections only. With q.OrganisationID, only the persons
// that organisation follows today are candidates. At most q.Limit (default
// 50, at most 200).
func (s *DB) SearchPersons(ctx context.Context, q socle.PersonQuery, granted socle.CategorySet) ([]*socle.Person, error) {
	granted &= socle.AllCategories
	var where strings.Builder
	var args []any
	// Among the persons an organisation follows, the search runs over its
	// follow-ups, which carry the names: one range scan of the index
	// (organisation, family name, given name), whatever the population.
	from, names := ` FROM persons WHERE 1 = 1`, "persons."
	selects := personSelects[granted]
	if q.OrganisationID != "" {
		today := socle.DateOf(time.Now())
		from, names = ` FROM followups f JOIN persons ON persons.id = f.person_id WHERE f.organisation_id = ? AND f.start_date <= ? AND (f.end_date IS NULL OR f.end_date >= ?)`, "f."
		selects = "persons." + selects
		args = append(args, q.OrganisationID, today, today)
	}
	if prefix := NormalizeName(q.FamilyName); prefix != "" {
		where.WriteString(` AND ` + names + `family_norm >= ? AND ` + names + `family_norm < ?`)
		args = append(args, prefix, prefix+prefixUpper)
	}
	if prefix := NormalizeName(q.GivenName); prefix != "" {
		where.WriteString(` AND ` + names + `given_norm >= ? AND ` + names + `given_norm < ?`)
		args = append(args, prefix, prefix+prefixUpper)
	}
	if !q.BirthDate.IsZero() {
		where.WriteString(` AND birth_date = ?`)
		args = append(args, q.BirthDate)
	}
	if q.NIR != "" {
		where.WriteString(` AND nir = ?`)
		args = append(args, normalizeNIR(q.NIR))
	}
	if q.CommuneCode != "" {
		where.WriteString(` AND commune_code = ?`)
		args = append(args, q.CommuneCode)
	}
	args = s.territoryFilter(&where, args, q.Departements, q.Situations)
	args = append(args, clampLimit(q.Limit, 50, 200))
	query := `SELECT ` + selects + from + where.String() + ` ORDER BY ` + names + `family_norm, ` + names + `given_norm, persons.id LIMIT ?`
	rows, err := s.read.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("searching persons: %w", err)
	}
	defer rows.Close()
	var out []*socle.Person
	seen := map[string]bool{}
	for rows.Next() {
		ps := newPersonScan(granted)
		if err := rows.Scan(ps.dest...); err != nil {
			return nil, fmt.Errorf("searching persons: %w", err)
		}
		// Two open follow-ups by the same organisation: the repeated row is
		// skipped before it is unsealed and decoded.
		if seen[ps.p.ID] {
			continue
		}
		seen[ps.p.ID] = true
		if err := s.unseal(ps, granted); err != nil {
			return nil, err
		}
		p, err := ps.person(granted)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("searching persons: %w", err)
	}
	return out, nil
}

// CountPersons returns the number of persons.
func (s *DB) CountPersons(ctx context.Context) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM persons`).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting persons: %w", err)
	}
	return n, nil
}

// renameFollowups copies a person's new names onto her follow-ups.
func (s *DB) renameFollowups(ctx context.Context, tx *sql.Tx, personID string, n personNames) error {
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE followups SET family_norm = ?, given_norm = ? WHERE person_id = ?`), n.family, n.given, personID); err != nil {
		return fmt.Errorf("renaming follow-ups: %w", err)
	}
	return nil
}
