package policy_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"socle"
	"socle/policy"
)

// mapFacts is a Facts over plain maps: the relations of each person with
// every organisation, filtered the way a store would.
type mapFacts struct {
	mu      sync.Mutex
	persons map[string]socle.Relations
	calls   int
	err     error
}

func (f *mapFacts) Relations(_ context.Context, orgID, personID string, day socle.Date) (socle.Relations, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return socle.Relations{}, f.err
	}
	r, ok := f.persons[personID]
	if !ok {
		return socle.Relations{}, nil
	}
	// Like a store: only the day's appointments. Relations with other
	// organisations are left in, the engine must ignore them.
	out := r
	out.Appointments = nil
	for _, a := range r.Appointments {
		if d := socle.DateOf(a.Start.In(paris)); !d.Before(day) && !d.After(day) {
			out.Appointments = append(out.Appointments, a)
		}
	}
	return out, nil
}

func (f *mapFacts) set(personID string, r socle.Relations) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.persons[personID] = r
}

func (f *mapFacts) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

var paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// now is the time of every request of the tests: Tuesday 10 June 2025, 10:00 in Paris.
var now = time.Date(2025, time.June, 10, 10, 0, 0, 0, paris)

// Organisations of the test network.
const (
	orgSE   = "org_se_lyon"
	orgCap  = "org_cap_rhone"
	orgML   = "org_ml_lyon"
	orgDep  = "org_dep_rhone"
	orgPar  = "org_tremplin"
	orgPar2 = "org_insertion_plus"
)

var orgNames = map[string]string{
	orgSE: "France Travail Lyon Est", orgCap: "Cap emploi Rhône", orgML: "Mission Locale de Lyon",
	orgDep: "Département du Rhône", orgPar: "Association Tremplin", orgPar2: "Insertion Plus",
}

var orgKinds = map[string]socle.OrgKind{
	orgSE: socle.KindEmploymentService, orgCap: socle.KindDisability, orgML: socle.KindYouth,
	orgDep: socle.KindDepartement, orgPar: socle.KindPartner, orgPar2: socle.KindPartner,
}

// Persons of the test network.
const (
	alice = "per_alice" // jobseeker followed by France Travail (référent agt_se_adv), proposed on its offer
	bruno = "per_bruno" // RSA beneficiary followed by the département and by Tremplin
	chloe = "per_chloe" // RSA beneficiary of the Rhône followed by no one
	david = "per_david" // jobseeker of the Rhône, not RSA, followed by no one
	emma  = "per_emma"  // disabled worker followed by Cap emploi (référent agt_cap_adv)
	farid = "per_farid" // young person followed by the mission locale since 2 March 2025
	gael  = "per_gael"  // young person whose mission locale follow-up ended on 15 January 2025
	hugo  = "per_hugo"  // RSA beneficiary of the Ain (01), outside the Rhône
	ines  = "per_ines"  // oriented to Cap emploi, not yet followed
	jules = "per_jules" // appointment today with Tremplin
	kim   = "per_kim"   // proposed on offers taken by Tremplin and by the mission locale
	lea   = "per_lea"   // follow-up by Tremplin starting next month
)

func d(y int, m time.Month, day int) socle.Date { return socle.NewDate(y, m, day) }

func followup(id, org, agent string, start, end socle.Date) socle.RelationFollowup {
	return socle.RelationFollowup{ID: id, OrganisationID: org, OrganisationName: orgNames[org], AgentID: agent, Start: start, End: end}
}

func network() *mapFacts {
	return &mapFacts{persons: map[string]socle.Relations{
		alice: {Departement: "69", Situation: socle.SituationJobseeker,
			Followups: []socle.RelationFollowup{followup("fol_a1", orgSE, "agt_se_adv", d(2024, time.November, 4), socle.Date{})},
			Proposals: []socle.RelationProposal{{MatchID: "mer_a1", OfferID: "off_cariste", OfferTitle: "Cariste", CompanyName: "Transports Martin",
				OrganisationID: orgSE, Status: "proposee", Since: d(2025, time.June, 2)}}},
		bruno: {Departement: "69", Situation: socle.SituationRSA,
			Followups: []socle.RelationFollowup{
				followup("fol_b1", orgDep, "agt_dep_adv", d(2024, time.September, 1), socle.Date{}),
				followup("fol_b2", orgPar, "agt_par_adv", d(2025, time.January, 6), socle.Date{}),
			}},
		chloe: {Departement: "69", Situation: socle.SituationRSA},
		david: {Departement: "69", Situation: socle.SituationJobseeker},
		emma: {Departement: "69", Situation: socle.SituationDisabled,
			Followups: []socle.RelationFollowup{followup("fol_e1", orgCap, "agt_cap_adv", d(2025, time.February, 17), socle.Date{})}},
		farid: {Departement: "69", Situation: socle.SituationYouth,
			Followups: []socle.RelationFollowup{followup("fol_f1", orgML, "agt_ml_adv", d(2025, time.March, 2), socle.Date{})}},
		gael: {Departement: "69", Situation: socle.SituationYouth,
			Followups: []socle.RelationFollowup{followup("fol_g1", orgML, "agt_ml_adv", d(2023, time.May, 9), d(2025, time.January, 15))}},
		hugo: {Departement: "01", Situation: socle.SituationRSA},
		ines: {Departement: "69", Situation: socle.SituationDisabled,
			Orientation: &socle.RelationAssignment{OrientationID: "ori_i1", OrganisationID: orgCap, OrganisationName: orgNames[orgCap],
				OperatorKind: socle.KindDisability, Parcours: socle.ParcoursProfessional, Status: socle.OrientationStatusConfirmed,
				Decided: d(2025, time.June, 5)}},
		jules: {Departement: "69", Situation: socle.SituationJobseeker,
			Appointments: []socle.RelationAppointment{
				{EventID: "evt_j1", OrganisationID: orgPar, AgentID: "agt_par_adv", Start: time.Date(2025, time.June, 10, 14, 30, 0, 0, paris)},
				{EventID: "evt_j0", OrganisationID: orgML, AgentID: "agt_ml_adv", Start: time.Date(2025, time.June, 3, 9, 0, 0, 0, paris)},
			}},
		kim: {Departement: "69", Situation: socle.SituationYouth,
			Proposals: []socle.RelationProposal{
				{MatchID: "mer_k1", OfferID: "off_vendeur", OfferTitle: "Vendeur", CompanyName: "Boulangerie Dupont", OrganisationID: orgPar, Status: "entretien"},
				{MatchID: "mer_k2", OfferID: "off_serveur", OfferTitle: "Serveur", CompanyName: "Brasserie du Parc", OrganisationID: orgML, Status: "proposee"},
				{MatchID: "mer_k3", OfferID: "off_magasin", OfferTitle: "Magasinier", CompanyName: "Entrepôts Rhône", OrganisationID: orgCap, Status: "refusee"},
			}},
		lea: {Departement: "69", Situation: socle.SituationJobseeker,
			Followups: []socle.RelationFollowup{followup("fol_l1", orgPar, "agt_par_adv", d(2025, time.July, 1), socle.Date{})}},
	}}
}

// agent returns an agent of org with roles, authenticated with a second factor.
func agent(org, id string, roles ...socle.Role) socle.Actor {
	return socle.Actor{AgentID: id, OrganisationID: org, OrgKind: orgKinds[org], OrgName: orgNames[org],
		Roles: roles, Departements: []string{"69"}, Strength: socle.AuthMFA}
}

func withStrength(a socle.Actor, s socle.AuthStrength) socle.Actor { a.Strength = s; return a }

var (
	seAdv      = agent(orgSE, "agt_se_adv", socle.RoleAdviser)
	seAdv2     = agent(orgSE, "agt_se_adv2", socle.RoleAdviser)
	seCompany  = agent(orgSE, "agt_se_ent", socle.RoleCompanyAdviser)
	seManager  = agent(orgSE, "agt_se_gest", socle.RoleContractManager)
	seStat     = agent(orgSE, "agt_se_stat", socle.RoleStatistician)
	seAdmin    = agent(orgSE, "agt_se_admin", socle.RoleOrgAdmin)
	capAdv     = agent(orgCap, "agt_cap_adv", socle.RoleAdviser)
	capAdv2    = agent(orgCap, "agt_cap_adv2", socle.RoleAdviser)
	capCompany = agent(orgCap, "agt_cap_ent", socle.RoleCompanyAdviser)
	mlAdv      = agent(orgML, "agt_ml_adv", socle.RoleAdviser)
	mlCompany  = agent(orgML, "agt_ml_ent", socle.RoleCompanyAdviser)
	mlStat     = agent(orgML, "agt_ml_stat", socle.RoleStatistician)
	depAdv     = agent(orgDep, "agt_dep_adv", socle.RoleAdviser)
	depManager = agent(orgDep, "agt_dep_gest", socle.RoleContractManager)
	depStat    = agent(orgDep, "agt_dep_stat", socle.RoleStatistician)
	parAdv     = agent(orgPar, "agt_par_adv", socle.RoleAdviser)
	parCompany = agent(orgPar, "agt_par_ent", socle.RoleCompanyAdviser)
	par2Adv    = agent(orgPar2, "agt_par2_adv", socle.RoleAdviser)
	parClient  = socle.Actor{ClientID: "cli_tremplin", OrganisationID: orgPar, OrgKind: socle.KindPartner,
		Departements: []string{"69"}, Strength: socle.AuthClient}
	depClient = socle.Actor{ClientID: "cli_dep", OrganisationID: orgDep, OrgKind: socle.KindDepartement,
		Departements: depAdv.Departements, Strength: socle.AuthClient}
)

func newEngine(t testing.TB, facts policy.Facts, cfg policy.Config) *policy.Engine {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return now }
	}
	e, err := policy.NewEngine(facts, policy.DefaultRegister(), cfg)
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	return e
}

var errStore = errors.New("store down")
