package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"socle"
)

var (
	companyColumns = []string{"id", "siret", "name", "naf", "size", "address", "postal_code", "commune_code", "created_at"}
	contactColumns = []string{"id", "company_id", "given_name", "family_name", "role", "email", "phone", "consent", "preferred_channel"}
	offerColumns   = []string{"id", "company_id", "organisation_id", "rome_code", "title", "commune_code", "departement", "contract",
		"hours_per_week", "salary_min", "salary_max", "skills", "start_date", "open", "created_at"}
)

const (
	companySelect = `SELECT id, siret, name, naf, size, address, postal_code, commune_code, created_at FROM companies`
	contactSelect = `SELECT id, company_id, given_name, family_name, role, email, phone, consent, preferred_channel FROM company_contacts`
	offerSelect   = `SELECT id, company_id, organisation_id, rome_code, title, commune_code, contract, hours_per_week, salary_min, salary_max, skills, start_date, open, created_at FROM offers`
)

func prepareCompany(c *socle.Company) {
	if c.ID == "" {
		c.ID = socle.NewID(socle.PrefixCompany)
	}
	c.CreatedAt = stamp(c.CreatedAt)
}

func companyRow(c *socle.Company) []any {
	return []any{c.ID, c.SIRET, c.Name, c.NAF, c.Size, c.Address, c.PostalCode, c.CommuneCode, c.CreatedAt}
}

func scanCompany(sc interface{ Scan(...any) error }) (*socle.Company, error) {
	var c socle.Company
	err := sc.Scan(&c.ID, &c.SIRET, &c.Name, &c.NAF, &c.Size, &c.Address, &c.PostalCode, &c.CommuneCode, scanTime(&c.CreatedAt))
	return &c, err
}

func prepareContact(c *socle.CompanyContact) {
	if c.ID == "" {
		c.ID = socle.NewID(socle.PrefixContact)
	}
}

func contactRow(c *socle.CompanyContact) []any {
	return []any{c.ID, c.CompanyID, c.GivenName, c.FamilyName, c.Role, c.Email, c.Phone, c.Consent, c.PreferredChannel}
}

func prepareOffer(o *socle.Offer) {
	if o.ID == "" {
		o.ID = socle.NewID(socle.PrefixOffer)
	}
	o.CreatedAt = stamp(o.CreatedAt)
}

func offerRow(o *socle.Offer) []any {
	return []any{o.ID, o.CompanyID, nullable(o.OrganisationID), o.ROMECode, o.Title, o.CommuneCode, socle.DepartementOf(o.CommuneCode),
		o.Contract, o.HoursPerWeek, o.SalaryMin, o.SalaryMax, listJSON(o.Skills), o.StartDate, o.Open, o.CreatedAt}
}

func scanOffer(sc interface{ Scan(...any) error }) (*socle.Offer, error) {
	var o socle.Offer
	var org sql.NullString
	var skills []byte
	if err := sc.Scan(&o.ID, &o.CompanyID, &org, &o.ROMECode, &o.Title, &o.CommuneCode, &o.Contract, &o.HoursPerWeek,
		&o.SalaryMin, &o.SalaryMax, &skills, &o.StartDate, &o.Open, scanTime(&o.CreatedAt)); err != nil {
		return nil, err
	}
	o.OrganisationID = org.String
	var err error
	o.Skills, err = decodeList[string](skills)
	return &o, err
}

// CreateCompany validates and stores a company; a SIRET already known is ECONFLICT.
func (s *DB) CreateCompany(ctx context.Context, c *socle.Company) error {
	if err := c.Validate(); err != nil {
		return err
	}
	prepareCompany(c)
	_, err := s.write.ExecContext(ctx, s.insertSQL(Table{Name: "companies", Columns: companyColumns}, 1), companyRow(c)...)
	return s.fail(err, "company")
}

func (s *DB) companyWhere(ctx context.Context, where string, arg any) (*socle.Company, error) {
	c, err := scanCompany(s.read.QueryRowContext(ctx, s.q(companySelect+where), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("company")
	} else if err != nil {
		return nil, fmt.Errorf("reading company: %w", err)
	}
	return c, nil
}

// Company returns the company with that id, ENOTFOUND if none.
func (s *DB) Company(ctx context.Context, id string) (*socle.Company, error) {
	return s.companyWhere(ctx, ` WHERE id = ?`, id)
}

// CompanyBySIRET returns the company with that SIRET, ENOTFOUND if none.
func (s *DB) CompanyBySIRET(ctx context.Context, siret string) (*socle.Company, error) {
	return s.companyWhere(ctx, ` WHERE siret = ?`, siret)
}

// Companies returns the companies whose commune code starts with
// communePrefix (all when ""), by name; at most limit (default 50, at most 1000).
func (s *DB) Companies(ctx context.Context, communePrefix string, limit int) ([]*socle.Company, error) {
	query := companySelect
	var args []any
	if communePrefix != "" {
		query += ` WHERE commune_code >= ? AND commune_code < ?`
		args = append(args, communePrefix, communePrefix+prefixUpper)
	}
	query += ` ORDER BY name, id LIMIT ?`
	args = append(args, clampLimit(limit, 50, 1000))
	rows, err := s.read.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("listing companies: %w", err)
	}
	defer rows.Close()
	var out []*socle.Company
	for rows.Next() {
		c, err := scanCompany(rows)
		if err != nil {
			return nil, fmt.Errorf("listing companies: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing companies: %w", err)
	}
	return out, nil
}

// CreateContact validates and stores a company contact; an unknown company is EINVALID.
func (s *DB) CreateContact(ctx context.Context, c *socle.CompanyContact) error {
	if err := c.Validate(); err != nil {
		return err
	}
	prepareContact(c)
	_, err := s.write.ExecContext(ctx, s.insertSQL(Table{Name: "company_contacts", Columns: contactColumns}, 1), contactRow(c)...)
	return s.fail(err, "company contact")
}

// Contacts returns the contacts of a company, by name.
func (s *DB) Contacts(ctx context.Context, companyID string) ([]*socle.CompanyContact, error) {
	rows, err := s.read.QueryContext(ctx, s.q(contactSelect+` WHERE company_id = ? ORDER BY family_name, given_name, id`), companyID)
	if err != nil {
		return nil, fmt.Errorf("listing contacts: %w", err)
	}
	defer rows.Close()
	var out []*socle.CompanyContact
	for rows.Next() {
		var c socle.CompanyContact
		if err := rows.Scan(&c.ID, &c.CompanyID, &c.GivenName, &c.FamilyName, &c.Role, &c.Email, &c.Phone, &c.Consent, &c.PreferredChannel); err != nil {
			return nil, fmt.Errorf("listing contacts: %w", err)
		}
		out = append(out, &c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing contacts: %w", err)
	}
	return out, nil
}

// CreateOffer validates and stores an offer; an unknown company or
// organisation is EINVALID.
func (s *DB) CreateOffer(ctx context.Context, o *socle.Offer) error {
	if err := o.Validate(); err != nil {
		return err
	}
	prepareOffer(o)
	_, err := s.write.ExecContext(ctx, s.insertSQL(Table{Name: "offers", Columns: offerColumns}, 1), offerRow(o)...)
	return s.fail(err, "offer")
}

// Offer returns the offer with that id, ENOTFOUND if none.
func (s *DB) Offer(ctx context.Context, id string) (*socle.Offer, error) {
	o, err := scanOffer(s.read.QueryRowContext(ctx, s.q(offerSelect+` WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("offer")
	} else if err != nil {
		return nil, fmt.Errorf("reading offer: %w", err)
	}
	return o, nil
}

// Offers returns the offers matching f, newest first; at most f.Limit
// (default 50, at most 1000).
func (s *DB) Offers(ctx context.Context, f socle.OfferFilter) ([]*socle.Offer, error) {
	var where strings.Builder
	var args []any
	if f.CompanyID != "" {
		where.WriteString(` AND company_id = ?`)
		args = append(args, f.CompanyID)
	}
	if f.ROMECode != "" {
		where.WriteString(` AND rome_code = ?`)
		args = append(args, f.ROMECode)
	}
	if f.Departement != "" {
		where.WriteString(` AND departement = ?`)
		args = append(args, f.Departement)
	}
	if f.OpenOnly {
		where.WriteString(` AND open = ?`)
		args = append(args, true)
	}
	args = append(args, clampLimit(f.Limit, 50, 1000))
	rows, err := s.read.QueryContext(ctx, s.q(offerSelect+` WHERE 1 = 1`+where.String()+` ORDER BY created_at DESC, id LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("listing offers: %w", err)
	}
	defer rows.Close()
	var out []*socle.Offer
	for rows.Next() {
		o, err := scanOffer(rows)
		if err != nil {
			return nil, fmt.Errorf("listing offers: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing offers: %w", err)
	}
	return out, nil
}
