// Package demo generates a realistic, deterministic demo network: the
// organisations of the five kinds with their agents, persons with their
// follow-ups, companies with their contacts and offers, placed in real
// communes. Everything is fictitious, but every record is valid: NIR,
// SIRET and IBAN keys verify.
package demo

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"socle"
	"socle/geo"
	"socle/progress"
)

// DefaultNow is the reference date of a Config without one.
var DefaultNow = time.Date(2025, time.September, 1, 9, 0, 0, 0, time.UTC)

// DefaultBatchSize is the number of persons of a batch of a Config without one.
const DefaultBatchSize = 5000

// Config says what to generate.
type Config struct {
	// Persons is the number of persons. There is about one company for 50
	// persons.
	Persons int
	// Seed selects the network: the same seed and Config give byte-identical
	// batches.
	Seed int64
	// Geo places the network; the zero Geography means geo.Builtin().
	Geo geo.Geography
	// Progress receives a progress bar when not nil.
	Progress io.Writer
	// Now is the reference date of every date of the network, so that the
	// output does not depend on the day it is generated; zero means
	// DefaultNow.
	Now time.Time
	// BatchSize is the number of persons of a batch; zero means
	// DefaultBatchSize.
	BatchSize int
}

// Summary counts what was loaded and names accounts to try the demo with.
type Summary struct {
	Organisations, Agents, Persons, Followups, Companies, Contacts, Offers int
	Batches                                                                int
	// Accounts are a few agents of each kind of organisation, of one
	// département, to log in with.
	Accounts []Account
}

// Account is an agent to log in to the demo with.
type Account struct {
	Email        string
	Name         string
	Organisation string
	Kind         socle.OrgKind
	Role         socle.Role
}

func (s *Summary) add(b *socle.Batch) {
	s.Organisations += len(b.Organisations)
	s.Agents += len(b.Agents)
	s.Persons += len(b.Persons)
	s.Followups += len(b.Followups)
	s.Companies += len(b.Companies)
	s.Contacts += len(b.Contacts)
	s.Offers += len(b.Offers)
	s.Batches++
}

// Generate generates the network described by cfg and hands it to sink in
// batches: the organisations and agents in the first, then persons with
// their follow-ups and companies with their contacts and offers. The next
// batch is generated while sink loads one. sink must not keep a batch after
// it returns. Generate stops at the first error of sink, or when ctx is
// done, with ctx.Err(); the Summary counts what sink accepted.
func Generate(ctx context.Context, cfg Config, sink func(context.Context, *socle.Batch) error) (Summary, error) {
	var sum Summary
	if cfg.Persons < 0 {
		return sum, socle.Errorf(socle.EINVALID, "demo: the number of persons cannot be negative (%d)", cfg.Persons)
	}
	if sink == nil {
		return sum, errors.New("demo: no sink for the batches")
	}
	g, err := newGenerator(cfg)
	if err != nil {
		return sum, err
	}
	sum.Accounts = g.accounts()

	bar := progress.New(cfg.Progress, "personnes", int64(cfg.Persons))
	defer bar.Done()

	genCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *socle.Batch, 1)
	var genErr error
	go func() {
		defer close(batches)
		genErr = g.run(genCtx, batches)
	}()
	var sinkErr error
	for b := range batches {
		if ctx.Err() != nil {
			break
		}
		if sinkErr = sink(ctx, b); sinkErr != nil {
			break
		}
		sum.add(b)
		bar.Add(int64(len(b.Persons)))
	}
	cancel()
	for range batches { // let the generator end
	}
	switch {
	case ctx.Err() != nil:
		return sum, ctx.Err()
	case sinkErr != nil:
		return sum, fmt.Errorf("demo: loading batch %d: %w", sum.Batches+1, sinkErr)
	}
	return sum, genErr // written before batches was closed
}

// run generates every batch into out.
func (g *generator) run(ctx context.Context, out chan<- *socle.Batch) error {
	totalCompanies := (g.cfg.Persons + 25) / 50
	done, companies := 0, 0
	for first := true; first || done < g.cfg.Persons; first = false {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := &socle.Batch{}
		if first {
			g.network(b)
		}
		n := min(g.cfg.BatchSize, g.cfg.Persons-done)
		if err := g.persons(ctx, b, n); err != nil {
			return err
		}
		done += n
		// Companies are spread in proportion to persons.
		upTo := totalCompanies * done / max(g.cfg.Persons, 1)
		g.companies(b, upTo-companies)
		companies = upTo
		select {
		case out <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// generator holds the state of one generation. Only the goroutine of run
// uses it after newGenerator.
type generator struct {
	cfg   Config
	r     *rng
	now   time.Time
	today time.Time // midnight UTC of the reference date

	places   []*place // the départements that have communes
	placeCum []int64  // cumulative population of places, to draw where people live

	national *org
	orgs     []*org
	sirens   map[string]bool
	emails   map[string]bool

	// birthPlaces are the départements and foreign countries of birth a
	// NIR can name; nirSlots counts the NIRs given per sex, birth month and
	// place, so that NIRs are unique.
	birthPlaces []string
	birthIndex  map[string]int
	nirSlots    map[uint32]uint32

	female, male, family table[int]
	femaleSlug, maleSlug []string
	familySlug           []string
	situations           table[socle.Situation]
	providers            table[string]
	countryTable         table[string]
	languageTable        table[string]
	sizeTable            table[string]
	educationYouth       table[string]
	educationAdult       table[string]
	contractWanted       table[string]
	offerContract        table[string]
	romeByDomain         [26][]int    // ROME indices by the letter of their domain
	domainSkills         [26][]string // skillsByDomain as an array: no map on the hot path
	nafJobs              [][]int      // ROME indices of each NAF

	buf []byte // the strings of one record, converted at once
}

// place is a département of the network with its communes and organisations.
type place struct {
	dep      socle.Departement
	communes []*socle.Commune // largest first
	cum      []int64
	pop      int64

	agencies    []*org
	disability  *org
	youth       []*org
	departement *org
	partners    []*org
}

// org is an organisation and its agents.
type org struct {
	o               *socle.Organisation
	domain          string
	agents          []*socle.Agent
	advisers        []*socle.Agent
	companyAdvisers []*socle.Agent
}

// plmArrondissements are the INSEE code prefixes of the arrondissements
// municipaux of Paris, Marseille and Lyon, by the code of the commune.
// Where the arrondissements are known, people live in them, not in the city
// as a whole, whose population they would count twice.
var plmArrondissements = map[string]string{"75056": "751", "13055": "132", "69123": "6938"}

func newGenerator(cfg Config) (*generator, error) {
	if cfg.Geo.Empty() {
		cfg.Geo = geo.Builtin()
	}
	if cfg.Now.IsZero() {
		cfg.Now = DefaultNow
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	g := &generator{
		cfg:        cfg,
		r:          newRNG(cfg.Seed),
		now:        cfg.Now.UTC(),
		today:      socle.DateOf(cfg.Now.UTC()).Time(),
		sirens:     map[string]bool{},
		emails:     map[string]bool{},
		birthIndex: map[string]int{},
		nirSlots:   map[uint32]uint32{},
	}
	if err := g.placeNetwork(cfg.Geo); err != nil {
		return nil, err
	}
	g.tables()
	g.organisations()
	return g, nil
}

// placeNetwork keeps the départements that have communes, largest communes first.
func (g *generator) placeNetwork(gg geo.Geography) error {
	hasArr := map[string]bool{}
	for _, c := range gg.Communes {
		for _, prefix := range plmArrondissements {
			if len(c.Code) > len(prefix) && c.Code[:len(prefix)] == prefix {
				hasArr[prefix] = true
			}
		}
	}
	byDep := map[string][]*socle.Commune{}
	for i := range gg.Communes {
		c := &gg.Communes[i]
		if prefix, ok := plmArrondissements[c.Code]; ok && hasArr[prefix] {
			continue
		}
		if socle.ValidCommuneCode(c.Code) && len(c.PostalCodes) > 0 {
			byDep[c.DepartementCode] = append(byDep[c.DepartementCode], c)
		}
	}
	var total int64
	for _, d := range gg.Departements {
		if !socle.ValidDepartementCode(d.Code) {
			continue
		}
		g.birthIndex[d.Code] = len(g.birthPlaces)
		g.birthPlaces = append(g.birthPlaces, d.Code)
		cs := byDep[d.Code]
		if len(cs) == 0 {
			continue
		}
		slices.SortStableFunc(cs, func(a, b *socle.Commune) int { return cmp.Compare(b.Population, a.Population) })
		p := &place{dep: d, communes: cs, cum: make([]int64, len(cs))}
		for i, c := range cs {
			p.pop += int64(max(c.Population, 1))
			p.cum[i] = p.pop
		}
		total += p.pop
		g.places = append(g.places, p)
		g.placeCum = append(g.placeCum, total)
	}
	if len(g.places) == 0 {
		return socle.Errorf(socle.EINVALID, "demo: the geography has no commune in a département of the network")
	}
	for _, c := range countries {
		g.birthIndex["99"+c.v] = len(g.birthPlaces)
		g.birthPlaces = append(g.birthPlaces, "99"+c.v)
	}
	return nil
}

func (g *generator) tables() {
	g.female, g.male, g.family = zipfIndex(femaleNames), zipfIndex(maleNames), zipfIndex(familyNames)
	g.femaleSlug, g.maleSlug, g.familySlug = slugs(femaleNames), slugs(maleNames), slugs(familyNames)
	g.situations = weighted[socle.Situation]{
		{socle.SituationJobseeker, 52}, {socle.SituationRSA, 17}, {socle.SituationYouth, 15},
		{socle.SituationDisabled, 8}, {socle.SituationEmployed, 8},
	}.table()
	g.providers = emailProviders.table()
	g.countryTable = countries.table()
	g.languageTable = languages.table()
	g.sizeTable = sizes.table()
	g.educationYouth = weighted[string]{{"", 25}, {"3", 30}, {"4", 35}, {"5", 8}, {"6", 2}}.table()
	g.educationAdult = weighted[string]{{"", 15}, {"3", 28}, {"4", 25}, {"5", 14}, {"6", 10}, {"7", 7}, {"8", 1}}.table()
	g.contractWanted = weighted[string]{{"CDI", 60}, {"CDD", 20}, {"interim", 10}, {"alternance", 5}, {"saisonnier", 5}}.table()
	g.offerContract = weighted[string]{{"CDI", 45}, {"CDD", 30}, {"interim", 15}, {"alternance", 5}, {"saisonnier", 5}}.table()
	index := map[string]int{}
	for i, r := range ROMECodes {
		d := r.Code[0] - 'A'
		g.romeByDomain[d] = append(g.romeByDomain[d], i)
		index[r.Code] = i
		if len(g.domainSkills[d]) == 0 {
			g.domainSkills[d] = skillsByDomain[r.Code[0]]
		}
	}
	g.nafJobs = make([][]int, len(nafCodes))
	for i, n := range nafCodes {
		for _, code := range n.jobs {
			j, ok := index[code]
			if !ok {
				panic("demo: NAF " + n.code + " offers unknown ROME " + code) // caught by the tests
			}
			g.nafJobs[i] = append(g.nafJobs[i], j)
		}
	}
}

func slugs(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = slug(n)
	}
	return out
}

// zipfIndex is zipf over the indices of vs.
func zipfIndex(vs []string) table[int] {
	ws := make(weighted[int], len(vs))
	for i := range vs {
		ws[i].v = i
		ws[i].w = 100000 / (i + 8)
	}
	return ws.table()
}

// pickPlace draws a département in proportion to its population.
func (g *generator) pickPlace() *place {
	x := int64(g.r.pcg.Uint64() % uint64(g.placeCum[len(g.placeCum)-1]))
	i, _ := slices.BinarySearch(g.placeCum, x+1)
	return g.places[i]
}

// pickCommune draws a commune of p in proportion to its population.
func (g *generator) pickCommune(p *place) *socle.Commune {
	x := int64(g.r.pcg.Uint64() % uint64(p.pop))
	i, _ := slices.BinarySearch(p.cum, x+1)
	return p.communes[i]
}

// days returns the midnight UTC n days before the reference date.
func (g *generator) daysAgo(n int) time.Time { return g.today.Add(-time.Duration(n) * 24 * time.Hour) }

// accounts names agents of each kind of organisation to log in with, in
// the Rhône when it is part of the network, else in the largest département.
func (g *generator) accounts() []Account {
	demo := g.places[0]
	for _, p := range g.places {
		if p.dep.Code == "69" {
			demo = p
			break
		}
		if p.pop > demo.pop {
			demo = p
		}
	}
	var out []Account
	add := func(o *org, role socle.Role) {
		for _, a := range o.agents {
			if a.HasRole(role) {
				out = append(out, Account{Email: a.Email, Name: a.FullName(), Organisation: o.o.Name, Kind: o.o.Kind, Role: role})
				return
			}
		}
	}
	add(g.national, socle.RolePlatformAdmin)
	for _, o := range []*org{demo.agencies[0], demo.disability, demo.youth[0], demo.departement, demo.partners[0]} {
		add(o, socle.RoleAdviser)
		add(o, socle.RoleOrgAdmin)
	}
	add(demo.agencies[0], socle.RoleCompanyAdviser)
	add(demo.departement, socle.RoleAuditor)
	return out
}
