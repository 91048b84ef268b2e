package socle

import (
	"slices"
	"time"
)

// OrgKind is the kind of an organisation of the network.
type OrgKind string

// The five kinds of organisation of the network.
const (
	KindEmploymentService OrgKind = "service_emploi" // the public employment service
	KindDisability        OrgKind = "handicap"       // the disability-employment operator
	KindYouth             OrgKind = "mission_locale" // a mission locale
	KindDepartement       OrgKind = "departement"    // a département (RSA)
	KindPartner           OrgKind = "partenaire"     // an associative or private partner
)

// OrgKinds lists the kinds in display order.
var OrgKinds = []OrgKind{KindEmploymentService, KindDisability, KindYouth, KindDepartement, KindPartner}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool { return slices.Contains(OrgKinds, k) }

// Label is the French name of k.
func (k OrgKind) Label() string {
	switch k {
	case KindEmploymentService:
		return "Service public de l'emploi"
	case KindDisability:
		return "Opérateur handicap"
	case KindYouth:
		return "Mission locale"
	case KindDepartement:
		return "Département"
	case KindPartner:
		return "Partenaire"
	}
	return string(k)
}

// Organisation is an operator or a partner of the network (a structure).
type Organisation struct {
	ID       string  `json:"id"`
	Kind     OrgKind `json:"kind"`
	Name     string  `json:"name"`
	SIRET    string  `json:"siret,omitempty"`
	ParentID string  `json:"parent_id,omitempty"`
	// Departements is the territory: the département codes it covers.
	Departements []string  `json:"departements"`
	CreatedAt    time.Time `json:"created_at"`
}

// Validate checks o's fields.
func (o *Organisation) Validate() error {
	var p Problems
	p.OptionalID("id", PrefixOrganisation, o.ID)
	if !o.Kind.Valid() {
		p.Add("kind", "unknown kind %q", o.Kind)
	}
	if o.Name == "" || len(o.Name) > 200 {
		p.Add("name", "required, at most 200 characters")
	}
	if o.SIRET != "" && !ValidSIRET(o.SIRET) {
		p.Add("siret", "not a valid SIRET (14 digits with a Luhn key)")
	}
	p.OptionalID("parent_id", PrefixOrganisation, o.ParentID)
	if len(o.Departements) == 0 {
		p.Add("departements", "at least one département")
	}
	for _, d := range o.Departements {
		if !ValidDepartementCode(d) {
			p.Add("departements", "unknown département code %q", d)
		}
	}
	return p.Err("organisation")
}

// Covers reports whether o's territory includes the département.
func (o *Organisation) Covers(departement string) bool {
	return slices.Contains(o.Departements, departement)
}

// OrganisationFilter selects organisations.
type OrganisationFilter struct {
	Kind        OrgKind
	Departement string
	Limit       int
	Offset      int
}
