package sqlstore

import (
	"context"
	"database/sql"
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

func scanCompany(sc rowScanner) (*socle.Company, error) {
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

func scanContact(sc rowScanner) (*socle.CompanyContact, error) {
	var c socle.CompanyContact
	err := sc.Scan(&c.ID, &c.CompanyID, &c.GivenName, &c.FamilyName, &c.Role, &c.Email, &c.Phone, &c.Consent, &c.PreferredChannel)
	return &c, err
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

func scanOffer(sc rowScanner) (*socle.Offer, error) {
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
	return s.inTx(ctx, "company", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.insertSQL(Table{Name: "companies", Columns: companyColumns}, 1), companyRow(c)...); err != nil {
			return s.fail(err, "company")
		}
		return s.recordChange(ctx, tx, socle.ResourceCompany, c.ID)
	})
}

// Company returns the company with that id, ENOTFOUND if none.
func (s *DB) Company(ctx context.Context, id string) (*socle.Company, error) {
	return queryOne(ctx, s, scanCompany, "company", companySelect+` WHERE id = ?`, id)
}

// CompanyBySIRET returns the company with that SIRET, ENOTFOUND if none.
func (s *DB) CompanyBySIRET(ctx context.Context, siret string) (*socle.Company, error) {
	return queryOne(ctx, s, scanCompany, "company", companySelect+` WHERE siret = ?`, siret)
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
	return queryAll(ctx, s, scanCompany, "companies", query, args...)
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
	return queryAll(ctx, s, scanContact, "contacts", contactSelect+` WHERE company_id = ? ORDER BY family_name, given_name, id`, companyID)
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
	return queryOne(ctx, s, scanOffer, "offer", offerSelect+` WHERE id = ?`, id)
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
	return queryAll(ctx, s, scanOffer, "offers", offerSelect+` WHERE 1 = 1`+where.String()+` ORDER BY created_at DESC, id LIMIT ?`, args...)
}
