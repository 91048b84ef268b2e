package policy

import (
	"slices"

	"socle"
)

// Codes of the default purposes.
const (
	PurposeAccompagnement = "accompagnement"
	PurposeOrientation    = "orientation"
	PurposeMatching       = "mise_en_relation"
	PurposeCompensation   = "indemnisation"
	PurposeControl        = "controle"
	PurposeStatistics     = "statistique"
	PurposeRSA            = "insertion_rsa"
)

// DefaultPurposes returns the default register of purposes with their legal
// basis and the retention of the data processed for them.
func DefaultPurposes() []socle.Purpose {
	return []socle.Purpose{
		{Code: PurposeAccompagnement, Label: "Accompagnement",
			LegalBasis:    "Code du travail L5312-1 et L5411-6 ; RGPD art. 6-1-e (mission d'intérêt public)",
			RetentionDays: 730},
		{Code: PurposeOrientation, Label: "Orientation",
			LegalBasis:    "Code du travail L5411-5-1 (loi n° 2023-1196 pour le plein emploi) ; RGPD art. 6-1-e (mission d'intérêt public)",
			RetentionDays: 730},
		{Code: PurposeMatching, Label: "Mise en relation",
			LegalBasis:    "Code du travail L5312-1 3° ; RGPD art. 6-1-e (mission d'intérêt public)",
			RetentionDays: 365},
		{Code: PurposeCompensation, Label: "Indemnisation",
			LegalBasis:    "Code du travail L5312-1 4° et L5422-1 ; RGPD art. 6-1-c (obligation légale)",
			RetentionDays: 3650},
		{Code: PurposeControl, Label: "Contrôle de la recherche d'emploi",
			LegalBasis:    "Code du travail L5426-1 ; CASF L262-37 ; RGPD art. 6-1-e (mission d'intérêt public)",
			RetentionDays: 1095},
		{Code: PurposeStatistics, Label: "Statistique et pilotage",
			LegalBasis:    "Code du travail L5312-1 ; RGPD art. 6-1-e et art. 89 (fins statistiques)",
			RetentionDays: 1825},
		{Code: PurposeRSA, Label: "Insertion des bénéficiaires du RSA",
			LegalBasis:    "CASF L262-29 et L262-40 ; RGPD art. 6-1-e (mission d'intérêt public)",
			RetentionDays: 1095},
	}
}

// DefaultAgreements returns the default conventions of the five kinds of
// organisation. Their shape follows the lessons of DESIGN.md: health data
// only for the disability operator following the person, bank data only for
// compensation by a gestionnaire of the employment service, partners only
// over the persons they follow, and everyone else only through an
// exact-identifier lookup that returns a minimal card. The rules of
// advisers are granted to the organisation's systems too (Systems).
func DefaultAgreements() []Agreement {
	var (
		id       = socle.CatIdentity
		contact  = socle.CatContact
		parcours = socle.CatParcours
		skills   = socle.CatSkills
		health   = socle.CatHealth
		bank     = socle.CatBank

		adviser   = []socle.Role{socle.RoleAdviser}
		company   = []socle.Role{socle.RoleCompanyAdviser}
		manager   = []socle.Role{socle.RoleContractManager}
		statistic = []socle.Role{socle.RoleStatistician}
		rsa       = []socle.Situation{socle.SituationRSA}
	)
	rule := func(ruleID string, kind socle.OrgKind, purpose string, pop socle.Population, roles []socle.Role, read, write socle.CategorySet) Agreement {
		// What an adviser is granted, her organisation's systems are too:
		// a partner's software acts for its advisers.
		return Agreement{AgreementRule: socle.AgreementRule{
			ID: ruleID, OrgKind: kind, Purpose: purpose, Population: pop, Roles: roles, Read: read, Write: write,
		}, Systems: slices.Equal(roles, adviser), Version: 1}
	}
	withSituations := func(a Agreement, s []socle.Situation) Agreement { a.Situations = s; return a }
	set := socle.SetOf
	core := set(id, contact, parcours, skills)
	lookup := set(id)
	proposed := set(id, contact, skills)

	const (
		se  = socle.KindEmploymentService
		dis = socle.KindDisability
		ml  = socle.KindYouth
		dep = socle.KindDepartement
		par = socle.KindPartner

		followed  = socle.PopulationFollowed
		territory = socle.PopulationTerritory
		exact     = socle.PopulationLookup
		oriented  = PopulationOriented
	)
	return []Agreement{
		// Public employment service.
		rule("se-accompagnement", se, PurposeAccompagnement, followed, adviser, core, core),
		rule("se-identifiant", se, PurposeAccompagnement, exact, adviser, lookup, 0),
		rule("se-orientation", se, PurposeOrientation, territory, adviser, set(id, contact, parcours), set(parcours)),
		rule("se-mise-en-relation", se, PurposeMatching, followed, adviser, core, 0),
		rule("se-mise-en-relation-offres", se, PurposeMatching, PopulationProposed, company, proposed, 0),
		rule("se-indemnisation", se, PurposeCompensation, territory, manager, set(id, contact, parcours, bank), set(contact, bank)),
		rule("se-controle", se, PurposeControl, territory, manager, set(id, contact, parcours), set(parcours)),
		rule("se-statistique", se, PurposeStatistics, territory, statistic, set(parcours, skills), 0),

		// Disability-employment operator: health only over the persons it follows.
		rule("handicap-accompagnement", dis, PurposeAccompagnement, followed, adviser, core|set(health), core|set(health)),
		rule("handicap-identifiant", dis, PurposeAccompagnement, exact, adviser, lookup, 0),
		rule("handicap-orientation", dis, PurposeOrientation, followed, adviser, set(id, contact, parcours), set(parcours)),
		rule("handicap-orientation-designee", dis, PurposeOrientation, oriented, adviser, set(id, contact, parcours), set(parcours)),
		rule("handicap-mise-en-relation", dis, PurposeMatching, followed, adviser, core, 0),
		rule("handicap-mise-en-relation-offres", dis, PurposeMatching, PopulationProposed, company, proposed, 0),
		rule("handicap-statistique", dis, PurposeStatistics, followed, statistic, set(parcours, skills), 0),

		// Missions locales: their young people.
		rule("ml-accompagnement", ml, PurposeAccompagnement, followed, adviser, core, core),
		rule("ml-identifiant", ml, PurposeAccompagnement, exact, adviser, lookup, 0),
		rule("ml-orientation", ml, PurposeOrientation, followed, adviser, set(id, contact, parcours), set(parcours)),
		rule("ml-orientation-designee", ml, PurposeOrientation, oriented, adviser, set(id, contact, parcours), set(parcours)),
		rule("ml-mise-en-relation", ml, PurposeMatching, followed, adviser, core, 0),
		rule("ml-mise-en-relation-offres", ml, PurposeMatching, PopulationProposed, company, proposed, 0),
		rule("ml-statistique", ml, PurposeStatistics, followed, statistic, set(parcours, skills), 0),

		// Départements: the RSA beneficiaries of their territory.
		withSituations(rule("dep-insertion-rsa", dep, PurposeRSA, territory, adviser, core, set(parcours)), rsa),
		rule("dep-accompagnement", dep, PurposeAccompagnement, followed, adviser, core, core),
		rule("dep-identifiant", dep, PurposeAccompagnement, exact, adviser, lookup, 0),
		withSituations(rule("dep-orientation", dep, PurposeOrientation, territory, adviser, set(id, contact, parcours), set(parcours)), rsa),
		withSituations(rule("dep-controle", dep, PurposeControl, territory, manager, set(id, contact, parcours), set(parcours)), rsa),
		withSituations(rule("dep-statistique", dep, PurposeStatistics, territory, statistic, set(parcours), 0), rsa),

		// Partners: only the persons they follow, never health, justice or bank.
		rule("partenaire-accompagnement", par, PurposeAccompagnement, followed, adviser, core, set(contact, parcours, skills)),
		rule("partenaire-identifiant", par, PurposeAccompagnement, exact, adviser, lookup, 0),
		rule("partenaire-orientation-designee", par, PurposeOrientation, oriented, adviser, set(id, contact, parcours), 0),
		rule("partenaire-mise-en-relation", par, PurposeMatching, followed, adviser, set(id, contact, skills), 0),
		rule("partenaire-mise-en-relation-offres", par, PurposeMatching, PopulationProposed, company, proposed, 0),

		// Orientation requests addressed to the employment service or a
		// département: while one is open, what is needed to answer it
		// (identity and the parcours summary), nothing more.
		rule("se-orientation-demandee", se, PurposeOrientation, oriented, adviser, set(id, parcours), 0),
		rule("dep-orientation-demandee", dep, PurposeOrientation, oriented, adviser, set(id, parcours), 0),
	}
}

// DefaultRegister returns the default purposes and agreements as version 1
// of the register.
func DefaultRegister() Register {
	return Register{Version: 1, Purposes: DefaultPurposes(), Agreements: DefaultAgreements()}
}
