// Package storetest is the one test suite of socle.Store: the SQLite and
// PostgreSQL stores both run Run, and the benchmarks of Bench.
package storetest

import (
	"fmt"
	"time"

	"socle"
)

// ValidIBAN is a well-known valid French IBAN (a bank's published example).
const ValidIBAN = "FR7630006000011234567890189"

var (
	familyNames = []string{"Lefèvre", "Martin", "Dupré", "Bernard", "Petit", "Durand", "Moreau", "Lambert"}
	givenNames  = []string{"Élodie", "Jean-Pierre", "Camille", "Loïc", "Inès", "Mathéo", "Zoé", "Chloé"}
	communes    = []string{"75056", "69123", "13055", "31555", "44109", "33063", "59350", "67482"}
)

// NIR returns a valid NIR for the number i.
func NIR(i int) string {
	body := fmt.Sprintf("%d%02d%02d75%03d%03d", 1+i%2, 60+i%40, 1+i%12, 100+i%900, i%1000)
	return body + socle.NIRKey(body)
}

// SIRET returns a valid SIRET for the number i.
func SIRET(i int) string {
	prefix := fmt.Sprintf("%013d", 4000000000000+i)
	return prefix + string(socle.SIRETKey(prefix))
}

// NewPerson returns a valid person numbered i with every section filled,
// without id.
func NewPerson(i int) *socle.Person {
	commune := communes[i%len(communes)]
	return &socle.Person{
		Identity: &socle.Identity{
			NIR:        NIR(i),
			GivenName:  givenNames[i%len(givenNames)],
			FamilyName: familyNames[(i/len(givenNames))%len(familyNames)],
			BirthName:  "",
			BirthDate:  socle.NewDate(1960+i%40, time.Month(1+i%12), 1+i%28),
			Sex:        []string{"F", "M"}[i%2],
		},
		Contact: &socle.Contact{
			Email:       fmt.Sprintf("usager%d@example.fr", i),
			Phone:       "0612345678",
			Address:     fmt.Sprintf("%d rue de la République", 1+i%200),
			PostalCode:  commune[:2] + "000",
			CommuneCode: commune,
		},
		Parcours: &socle.Parcours{
			Situation:      socle.Situations[i%len(socle.Situations)],
			RegisteredOn:   socle.NewDate(2024, time.Month(1+i%12), 1+i%28),
			EducationLevel: "4",
			Constraints:    []string{"mobilite", "logement"},
		},
		Skills: &socle.Skills{
			ROMECodes:      []string{"K2111", "M1607"},
			Skills:         []string{"accueil", "tableur"},
			Languages:      []string{"fr", "en"},
			DrivingLicence: i%3 == 0,
			ContractWanted: "CDI",
			HoursWanted:    35,
		},
		Health:  &socle.Health{RQTH: true, RQTHUntil: socle.NewDate(2030, 6, 30), Notes: "aménagement de poste"},
		Justice: &socle.Justice{Measure: "sursis avec mise à l'épreuve", Until: socle.NewDate(2027, 1, 31)},
		Bank:    &socle.Bank{IBAN: ValidIBAN, BIC: "BNPAFRPP"},
	}
}

// NewOrganisation returns a valid organisation without id.
func NewOrganisation(name string, kind socle.OrgKind, deps ...string) *socle.Organisation {
	if len(deps) == 0 {
		deps = []string{"75"}
	}
	return &socle.Organisation{Kind: kind, Name: name, Departements: deps}
}

// NewAgent returns a valid adviser of the organisation.
func NewAgent(orgID, email string) *socle.Agent {
	return &socle.Agent{OrganisationID: orgID, Email: email, GivenName: "Claire", FamilyName: "Fontaine", Roles: []socle.Role{socle.RoleAdviser}}
}

// NewCompany returns a valid company numbered i, without id.
func NewCompany(i int) *socle.Company {
	commune := communes[i%len(communes)]
	return &socle.Company{
		SIRET: SIRET(i), Name: fmt.Sprintf("Entreprise %04d", i), NAF: "62.01Z", Size: "11",
		Address: "3 quai des Chartrons", PostalCode: commune[:2] + "000", CommuneCode: commune,
	}
}

// NewOffer returns a valid open offer of the company.
func NewOffer(companyID, rome, commune string) *socle.Offer {
	return &socle.Offer{
		CompanyID: companyID, ROMECode: rome, Title: "Agent d'accueil (H/F)", CommuneCode: commune,
		Contract: "CDI", HoursPerWeek: 35, SalaryMin: 1900, SalaryMax: 2200, Skills: []string{"accueil"},
		StartDate: socle.NewDate(2026, 9, 1), Open: true,
	}
}

// NewContact returns a valid contact of the company, with an e-mail
// address numbered i, without id.
func NewContact(companyID string, i int) *socle.CompanyContact {
	return &socle.CompanyContact{
		CompanyID: companyID, GivenName: "Nadia", FamilyName: fmt.Sprintf("Recruteuse%d", i), Role: "Responsable RH",
		Email: fmt.Sprintf("rh%d@entreprise.example", i), Phone: "0478000000", Consent: true, PreferredChannel: "email",
	}
}
