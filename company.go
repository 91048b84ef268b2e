package socle

import (
	"slices"
	"time"
)

// Company is an employer establishment, identified by its SIRET.
type Company struct {
	ID          string    `json:"id"`
	SIRET       string    `json:"siret"`
	Name        string    `json:"name"`
	NAF         string    `json:"naf"`
	Size        string    `json:"size"` // INSEE workforce band: "00", "01", "02", "03", "11", "12", …
	Address     string    `json:"address,omitempty"`
	PostalCode  string    `json:"postal_code"`
	CommuneCode string    `json:"commune_code"`
	CreatedAt   time.Time `json:"created_at"`
}

// SIREN is the company part of the SIRET.
func (c *Company) SIREN() string {
	if len(c.SIRET) < 9 {
		return ""
	}
	return c.SIRET[:9]
}

// Validate checks c's fields.
func (c *Company) Validate() error {
	var p Problems
	p.OptionalID("id", PrefixCompany, c.ID)
	if !ValidSIRET(c.SIRET) {
		p.Add("siret", "not a valid SIRET (14 digits with a Luhn key)")
	}
	if c.Name == "" || len(c.Name) > 200 {
		p.Add("name", "required, at most 200 characters")
	}
	if c.NAF != "" && !ValidNAF(c.NAF) {
		p.Add("naf", "not a NAF code such as 62.01Z")
	}
	if !ValidPostalCode(c.PostalCode) {
		p.Add("postal_code", "not a French postal code")
	}
	if !ValidCommuneCode(c.CommuneCode) {
		p.Add("commune_code", "not an INSEE commune code")
	}
	return p.Err("company")
}

// Channels a contact may prefer.
var Channels = []string{"email", "telephone", "courrier"}

// CompanyContact is a person to speak to at a company. Contacts are personal
// data too: their consent is recorded.
type CompanyContact struct {
	ID               string `json:"id"`
	CompanyID        string `json:"company_id"`
	GivenName        string `json:"given_name"`
	FamilyName       string `json:"family_name"`
	Role             string `json:"role,omitempty"`
	Email            string `json:"email,omitempty"`
	Phone            string `json:"phone,omitempty"`
	Consent          bool   `json:"consent"`
	PreferredChannel string `json:"preferred_channel"`
}

// Validate checks c's fields.
func (c *CompanyContact) Validate() error {
	var p Problems
	p.ID("company_id", PrefixCompany, c.CompanyID)
	if c.GivenName == "" || c.FamilyName == "" {
		p.Add("name", "given and family names required")
	}
	if c.Email != "" && !ValidEmail(c.Email) {
		p.Add("email", "not a valid e-mail address")
	}
	if c.Phone != "" && !ValidPhone(c.Phone) {
		p.Add("phone", "not a French phone number")
	}
	if !slices.Contains(Channels, c.PreferredChannel) {
		p.Add("preferred_channel", "one of %v", Channels)
	}
	return p.Err("company contact")
}

// Contract kinds of an offer.
var Contracts = []string{"CDI", "CDD", "interim", "alternance", "saisonnier"}

// Offer is a job offer of a company (a recruitment need made public).
type Offer struct {
	ID             string    `json:"id"`
	CompanyID      string    `json:"company_id"`
	OrganisationID string    `json:"organisation_id,omitempty"` // the organisation that took it
	ROMECode       string    `json:"rome_code"`
	Title          string    `json:"title"`
	CommuneCode    string    `json:"commune_code"`
	Contract       string    `json:"contract"`
	HoursPerWeek   int       `json:"hours_per_week"`
	SalaryMin      int       `json:"salary_min,omitempty"` // euros per month, gross
	SalaryMax      int       `json:"salary_max,omitempty"`
	Skills         []string  `json:"skills,omitempty"`
	StartDate      Date      `json:"start_date"`
	Open           bool      `json:"open"`
	CreatedAt      time.Time `json:"created_at"`
}

// Validate checks o's fields.
func (o *Offer) Validate() error {
	var p Problems
	p.ID("company_id", PrefixCompany, o.CompanyID)
	if !ValidROME(o.ROMECode) {
		p.Add("rome_code", "not a ROME code such as M1607")
	}
	if o.Title == "" || len(o.Title) > 200 {
		p.Add("title", "required, at most 200 characters")
	}
	if !ValidCommuneCode(o.CommuneCode) {
		p.Add("commune_code", "not an INSEE commune code")
	}
	if !slices.Contains(Contracts, o.Contract) {
		p.Add("contract", "one of %v", Contracts)
	}
	if o.HoursPerWeek < 1 || o.HoursPerWeek > 48 {
		p.Add("hours_per_week", "between 1 and 48")
	}
	if o.SalaryMin < 0 || o.SalaryMax < 0 || (o.SalaryMax > 0 && o.SalaryMax < o.SalaryMin) {
		p.Add("salary", "non-negative, maximum not below minimum")
	}
	return p.Err("offer")
}
