package demo

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"socle"
)

// organisations builds the organisations of every place and their agents.
func (g *generator) organisations() {
	var all []string
	for _, p := range g.places {
		all = append(all, p.dep.Code)
	}
	g.national = g.newOrg(socle.KindEmploymentService, "France Travail – Direction générale", "", all, "francetravail.fr", "")
	g.staff(g.national, map[socle.Role]int{socle.RolePlatformAdmin: 3, socle.RoleOrgAdmin: 1, socle.RoleAuditor: 1, socle.RoleStatistician: 2})

	for _, p := range g.places {
		deps := []string{p.dep.Code}
		names := map[string]bool{}

		towns := townsOf(p.communes)
		for _, c := range agencySites(towns, min(int(p.pop/300_000)+1, 4)) {
			o := g.newOrg(socle.KindEmploymentService, "France Travail "+shortCommune(c.Name), g.national.o.ID, deps, "francetravail.fr", "")
			g.staff(o, map[socle.Role]int{socle.RoleAdviser: g.r.between(8, 14), socle.RoleCompanyAdviser: 2, socle.RoleOrgAdmin: 1, socle.RoleAuditor: 1})
			p.agencies = append(p.agencies, o)
		}

		p.disability = g.newOrg(socle.KindDisability, "Cap emploi "+p.dep.Name, "", deps, "capemploi"+strings.ToLower(p.dep.Code)+".fr", "")
		g.staff(p.disability, map[socle.Role]int{socle.RoleAdviser: g.r.between(4, 8), socle.RoleCompanyAdviser: 1, socle.RoleOrgAdmin: 1, socle.RoleAuditor: 1})

		youth := min(int(p.pop/500_000)+1, 3, len(towns))
		for _, t := range towns[:youth] {
			name := t.name
			o := g.newOrg(socle.KindYouth, "Mission locale "+deName(name), "", deps, "ml-"+slug(name)+".fr", "")
			g.staff(o, map[socle.Role]int{socle.RoleAdviser: g.r.between(4, 8), socle.RoleCompanyAdviser: 1, socle.RoleOrgAdmin: 1, socle.RoleAuditor: 1})
			p.youth = append(p.youth, o)
		}

		name := "Département : " + p.dep.Name
		if phrase, ok := g.cfg.Geo.DepartementPhrase(p.dep.Code); ok {
			name = "Département " + phrase
		}
		p.departement = g.newOrg(socle.KindDepartement, name, "", deps, slug(p.dep.Name)+".fr", "22")
		g.staff(p.departement, map[socle.Role]int{socle.RoleAdviser: g.r.between(4, 8), socle.RoleOrgAdmin: 1, socle.RoleAuditor: 1, socle.RoleStatistician: 1, socle.RoleContractManager: 1})

		for range g.r.between(1, 3) {
			var name string
			for try := 0; try < 10 && (name == "" || names[name]); try++ {
				t := towns[g.r.intn(min(len(towns), 10))]
				name = strings.Replace(pick(g.r, partnerNames), "{}", deName(t.name), 1)
			}
			if names[name] {
				continue
			}
			names[name] = true
			domain := slug(name)
			if len(domain) > 40 {
				domain = strings.TrimRight(domain[:40], "-")
			}
			o := g.newOrg(socle.KindPartner, name, "", deps, domain+".fr", "")
			g.staff(o, map[socle.Role]int{socle.RoleAdviser: g.r.between(2, 4), socle.RoleOrgAdmin: 1, socle.RoleAuditor: 1})
			p.partners = append(p.partners, o)
		}
	}
}

// town is a city as its inhabitants name it: Paris, Lyon and Marseille
// group their arrondissements municipaux, other towns are one commune.
type town struct {
	name     string
	pop      int
	communes []*socle.Commune // largest first
}

// townsOf groups communes, largest first, into towns, largest first.
func townsOf(communes []*socle.Commune) []*town {
	var towns []*town
	byCity := map[string]*town{}
	for _, c := range communes {
		city, ok := plmCity(c.Code)
		if !ok {
			towns = append(towns, &town{name: c.Name, pop: c.Population, communes: []*socle.Commune{c}})
			continue
		}
		t := byCity[city]
		if t == nil {
			t = &town{name: city}
			byCity[city] = t
			towns = append(towns, t)
		}
		t.pop += c.Population
		t.communes = append(t.communes, c)
	}
	slices.SortStableFunc(towns, func(a, b *town) int { return cmp.Compare(b.pop, a.pop) })
	return towns
}

// plmCity returns the city of an arrondissement municipal.
func plmCity(code string) (string, bool) {
	for _, c := range []struct{ prefix, city string }{{"751", "Paris"}, {"132", "Marseille"}, {"6938", "Lyon"}} {
		if strings.HasPrefix(code, c.prefix) && len(code) == 5 {
			return c.city, true
		}
	}
	return "", false
}

// agencySites returns the communes of n employment agencies: one per
// 300,000 inhabitants of a town, in its largest arrondissements, towns by
// size.
func agencySites(towns []*town, n int) []*socle.Commune {
	var sites []*socle.Commune
	for _, t := range towns {
		for _, c := range t.communes[:min(t.pop/300_000+1, len(t.communes))] {
			if len(sites) == n {
				return sites
			}
			sites = append(sites, c)
		}
	}
	return sites
}

// newOrg returns an organisation with a SIRET whose SIREN starts with
// sirenPrefix (22 for départements), if any.
func (g *generator) newOrg(kind socle.OrgKind, name, parent string, deps []string, domain, sirenPrefix string) *org {
	o := &org{domain: domain, o: &socle.Organisation{
		ID:           socle.NewIDFrom(g.r, socle.PrefixOrganisation),
		Kind:         kind,
		Name:         name,
		SIRET:        g.siret(sirenPrefix),
		ParentID:     parent,
		Departements: deps,
		CreatedAt:    g.daysAgo(g.r.between(2*365, 6*365)).Add(9 * time.Hour),
	}}
	g.orgs = append(g.orgs, o)
	return o
}

// staffOrder lists roles in the order agents are created, so that the
// output does not depend on map iteration.
var staffOrder = []socle.Role{socle.RolePlatformAdmin, socle.RoleOrgAdmin, socle.RoleAuditor, socle.RoleAdviser, socle.RoleCompanyAdviser, socle.RoleStatistician, socle.RoleContractManager}

// staff creates the agents of o, n of each role.
func (g *generator) staff(o *org, n map[socle.Role]int) {
	for _, role := range staffOrder {
		for range n[role] {
			a := g.agent(o, role)
			o.agents = append(o.agents, a)
			switch role {
			case socle.RoleAdviser:
				o.advisers = append(o.advisers, a)
			case socle.RoleCompanyAdviser:
				o.companyAdvisers = append(o.companyAdvisers, a)
			}
		}
	}
}

func (g *generator) agent(o *org, role socle.Role) *socle.Agent {
	given, givenSlug := g.givenName(g.r.intn(2) == 0)
	fi := g.family.draw(g.r)
	local := givenSlug + "." + g.familySlug[fi]
	email := local + "@" + o.domain
	for i := 2; g.emails[email]; i++ {
		email = local + strconv.Itoa(i) + "@" + o.domain
	}
	g.emails[email] = true
	return &socle.Agent{
		ID:             socle.NewIDFrom(g.r, socle.PrefixAgent),
		OrganisationID: o.o.ID,
		Email:          email,
		GivenName:      given,
		FamilyName:     familyNames[fi],
		Roles:          []socle.Role{role},
		CreatedAt:      o.o.CreatedAt.Add(time.Duration(g.r.intn(365*24)) * time.Hour),
	}
}

// givenName returns a first name and its slug.
func (g *generator) givenName(female bool) (string, string) {
	if female {
		i := g.female.draw(g.r)
		return femaleNames[i], g.femaleSlug[i]
	}
	i := g.male.draw(g.r)
	return maleNames[i], g.maleSlug[i]
}

// network puts the organisations and agents in b.
func (g *generator) network(b *socle.Batch) {
	for _, o := range g.orgs {
		b.Organisations = append(b.Organisations, o.o)
		b.Agents = append(b.Agents, o.agents...)
	}
}

// siret returns a new SIRET whose SIREN and SIRET keys verify, with a
// SIREN starting with prefix, unique in the network.
func (g *generator) siret(prefix string) string {
	var b [14]byte
	for {
		n := copy(b[:], prefix)
		for i := n; i < 8; i++ {
			b[i] = byte('0' + g.r.intn(10))
		}
		if n == 0 && b[0] == '0' {
			b[0] = byte('1' + g.r.intn(9))
		}
		b[8] = socle.LuhnKey(string(b[:8]))
		siren := string(b[:9])
		if g.sirens[siren] || siren == "356000000" { // La Poste's SIRETs follow another rule
			continue
		}
		g.sirens[siren] = true
		nic := 1 + g.r.intn(99) // the NIC of an establishment: 00012, 00025…
		b[9], b[10], b[11] = '0', '0', byte('0'+nic/10)
		b[12] = byte('0' + nic%10)
		b[13] = socle.LuhnKey(string(b[:13]))
		return string(b[:])
	}
}
