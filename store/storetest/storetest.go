package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"socle"
)

// Run runs the store suite. open returns a new, empty, migrated store for
// each subtest, and closes it in t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) socle.Store) {
	runTests(t, open, "store", []storeTest[socle.Store]{
		{"Geo", testGeo},
		{"Organisations", testOrganisations},
		{"Agents", testAgents},
		{"Persons", testPersons},
		{"Masking", testMasking},
		{"UpdatePerson", testUpdatePerson},
		{"SearchPersons", testSearchPersons},
		{"Followups", testFollowups},
		{"Companies", testCompanies},
		{"Offers", testOffers},
		{"Load", testLoad},
		{"LoadRollsBack", testLoadRollsBack},
		{"ConcurrentWrites", testConcurrentWrites},
		{"LoadWithoutIndexes", testLoadWithoutIndexes},
	})
}

// storeTest is one named test of a suite, on a store S.
type storeTest[S any] struct {
	name string
	fn   func(t *testing.T, s S)
}

// storeAs returns s as the store interface S a suite needs, or fails the
// test naming S.
func storeAs[S any](t testing.TB, s socle.Store) S {
	t.Helper()
	as, ok := s.(S)
	if !ok {
		t.Fatalf("the store does not implement %s", reflect.TypeFor[S]())
	}
	return as
}

// runTests runs each test in a subtest on a new store from open, which
// must implement S; what names S when it does not.
func runTests[O, S any](t *testing.T, open func(t *testing.T) O, what string, tests []storeTest[S]) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := any(open(t)).(S)
			if !ok {
				t.Fatalf("the store does not implement the %s", what)
			}
			tt.fn(t, s)
		})
	}
}

// wantCode fails t unless err carries the domain error code want.
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := socle.ErrorCode(err); got != want {
		t.Fatalf("error code = %q, want %q (error: %v)", got, want, err)
	}
}

// must fails t on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// sameJSON fails t unless got and want encode to the same JSON: times and
// dates compare by value whatever their representation.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	must(t, err)
	w, err := json.Marshal(want)
	must(t, err)
	if string(g) != string(w) {
		t.Fatalf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// mapped returns f of each element of xs, in order; nil when xs is empty.
func mapped[T, V any](xs []T, f func(T) V) []V {
	var out []V
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// readBack returns a check that the read it is given succeeded and that
// what it read encodes as want (sameJSON): write, then
// readBack(t, "offer", o)(s.Offer(ctx, o.ID)).
func readBack[T any](t *testing.T, what string, want T) func(got T, err error) {
	t.Helper()
	return func(got T, err error) {
		t.Helper()
		must(t, err)
		sameJSON(t, what, got, want)
	}
}

func createOrg(t *testing.T, s socle.Store, name string, deps ...string) *socle.Organisation {
	t.Helper()
	return createOrganisation(t, s, name, socle.KindYouth, deps...)
}

// createOrganisation stores a new organisation (NewOrganisation).
func createOrganisation(t *testing.T, s interface {
	CreateOrganisation(context.Context, *socle.Organisation) error
}, name string, kind socle.OrgKind, deps ...string) *socle.Organisation {
	t.Helper()
	o := NewOrganisation(name, kind, deps...)
	must(t, s.CreateOrganisation(context.Background(), o))
	return o
}

// createAgent stores a new agent of the organisation (NewAgent).
func createAgent(t *testing.T, s interface {
	CreateAgent(context.Context, *socle.Agent) error
}, orgID, email string) *socle.Agent {
	t.Helper()
	a := NewAgent(orgID, email)
	must(t, s.CreateAgent(context.Background(), a))
	return a
}

func createPerson(t *testing.T, s socle.Store, i int) *socle.Person {
	t.Helper()
	p := NewPerson(i)
	must(t, s.CreatePerson(context.Background(), p))
	return p
}

func testGeo(t *testing.T, s socle.Store) {
	ctx := context.Background()
	regions := []socle.Region{{Code: "11", Name: "Île-de-France"}, {Code: "84", Name: "Auvergne-Rhône-Alpes"}}
	deps := []socle.Departement{{Code: "75", RegionCode: "11", Name: "Paris"}, {Code: "69", RegionCode: "84", Name: "Rhône"}, {Code: "01", RegionCode: "84", Name: "Ain"}}
	communes := []socle.Commune{
		{Code: "69123", Name: "Lyon", DepartementCode: "69", RegionCode: "84", PostalCodes: []string{"69001", "69002"}, Population: 522250},
		{Code: "69266", Name: "Villeurbanne", DepartementCode: "69", RegionCode: "84", PostalCodes: []string{"69100"}, Population: 156928},
		{Code: "75056", Name: "Paris", DepartementCode: "75", RegionCode: "11", PostalCodes: []string{"75001"}, Population: 2133111},
		{Code: "01053", Name: "Bourg-en-Bresse", DepartementCode: "01", RegionCode: "84", PostalCodes: []string{"01000"}, Population: 41365},
	}
	must(t, s.ImportGeo(ctx, regions, deps, communes))

	readBack(t, "départements by code", []socle.Departement{deps[2], deps[1], deps[0]})(s.Departements(ctx))

	readBack(t, "commune", &communes[0])(s.Commune(ctx, "69123"))
	_, err := s.Commune(ctx, "99999")
	wantCode(t, err, socle.ENOTFOUND)

	tests := []struct {
		dep   string
		limit int
		want  []string
	}{
		{"69", 0, []string{"69123", "69266"}},
		{"69", 1, []string{"69123"}},
		{"", 0, []string{"75056", "69123", "69266", "01053"}},
		{"", 2, []string{"75056", "69123"}},
		{"13", 0, nil},
	}
	for _, tt := range tests {
		cs, err := s.Communes(ctx, tt.dep, tt.limit)
		must(t, err)
		codes := mapped(cs, func(c socle.Commune) string { return c.Code })
		if !slices.Equal(codes, tt.want) {
			t.Errorf("Communes(%q, %d) = %v, want %v", tt.dep, tt.limit, codes, tt.want)
		}
	}

	// A second import replaces the first.
	must(t, s.ImportGeo(ctx, regions[:1], deps[:1], communes[2:3]))
	got, err := s.Departements(ctx)
	must(t, err)
	if len(got) != 1 || got[0].Code != "75" {
		t.Errorf("after re-import, départements = %v, want only 75", got)
	}
	_, err = s.Commune(ctx, "69123")
	wantCode(t, err, socle.ENOTFOUND)
}

func testOrganisations(t *testing.T, s socle.Store) {
	ctx := context.Background()
	empty, err := s.Empty(ctx)
	must(t, err)
	if !empty {
		t.Fatal("Empty() = false on a new store")
	}
	parent := createOrganisation(t, s, "Service public de l'emploi", socle.KindEmploymentService, "75", "92", "93", "94")
	if !socle.ValidID(socle.PrefixOrganisation, parent.ID) || parent.CreatedAt.IsZero() {
		t.Fatalf("CreateOrganisation did not fill id and time: %+v", parent)
	}
	child := NewOrganisation("Agence Paris 13", socle.KindEmploymentService, "75")
	child.ParentID = parent.ID
	child.SIRET = SIRET(7)
	must(t, s.CreateOrganisation(ctx, child))
	ml := createOrganisation(t, s, "Mission locale de Lyon", socle.KindYouth, "69")

	empty, err = s.Empty(ctx)
	must(t, err)
	if empty {
		t.Error("Empty() = true with organisations")
	}
	readBack(t, "organisation", child)(s.Organisation(ctx, child.ID))
	readBack(t, "organisation with four départements", parent)(s.Organisation(ctx, parent.ID))

	_, err = s.Organisation(ctx, socle.NewID(socle.PrefixOrganisation))
	wantCode(t, err, socle.ENOTFOUND)

	tests := []struct {
		name string
		f    socle.OrganisationFilter
		want []string
	}{
		{"all, by name", socle.OrganisationFilter{}, []string{child.ID, ml.ID, parent.ID}},
		{"kind", socle.OrganisationFilter{Kind: socle.KindEmploymentService}, []string{child.ID, parent.ID}},
		{"département", socle.OrganisationFilter{Departement: "75"}, []string{child.ID, parent.ID}},
		{"département of one", socle.OrganisationFilter{Departement: "93"}, []string{parent.ID}},
		{"kind and département", socle.OrganisationFilter{Kind: socle.KindYouth, Departement: "75"}, nil},
		{"limit", socle.OrganisationFilter{Limit: 2}, []string{child.ID, ml.ID}},
		{"offset", socle.OrganisationFilter{Limit: 2, Offset: 2}, []string{parent.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orgs, err := s.Organisations(ctx, tt.f)
			must(t, err)
			var ids []string
			for _, o := range orgs {
				ids = append(ids, o.ID)
				if o.ID == parent.ID && len(o.Departements) != 4 {
					t.Errorf("listed parent has départements %v, want 4", o.Departements)
				}
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("Organisations(%+v) = %v, want %v", tt.f, ids, tt.want)
			}
		})
	}

	bad := NewOrganisation("", "inconnu")
	wantCode(t, s.CreateOrganisation(ctx, bad), socle.EINVALID)
	orphan := NewOrganisation("Antenne", socle.KindPartner)
	orphan.ParentID = socle.NewID(socle.PrefixOrganisation)
	wantCode(t, s.CreateOrganisation(ctx, orphan), socle.EINVALID)
	if _, err := s.Organisation(ctx, orphan.ID); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("an organisation whose creation failed is readable (err %v)", err)
	}
	dup := NewOrganisation("Doublon", socle.KindPartner)
	dup.ID = ml.ID
	wantCode(t, s.CreateOrganisation(ctx, dup), socle.ECONFLICT)
}

func testAgents(t *testing.T, s socle.Store) {
	ctx := context.Background()
	org := createOrg(t, s, "Cap emploi Rhône", "69")
	other := createOrg(t, s, "Mission locale de Lyon", "69")
	a := NewAgent(org.ID, "Claire.Fontaine@example.fr")
	a.Roles = []socle.Role{socle.RoleAdviser, socle.RoleOrgAdmin}
	must(t, s.CreateAgent(ctx, a))
	b := NewAgent(org.ID, "anne.aubert@example.fr")
	b.FamilyName = "Aubert"
	b.Disabled = true
	must(t, s.CreateAgent(ctx, b))
	must(t, s.CreateAgent(ctx, NewAgent(other.ID, "paul@example.fr")))

	readBack(t, "agent", a)(s.Agent(ctx, a.ID))
	got, err := s.AgentByEmail(ctx, "claire.fontaine@EXAMPLE.fr")
	must(t, err)
	if got.ID != a.ID {
		t.Errorf("AgentByEmail in another case found %s, want %s", got.ID, a.ID)
	}
	_, err = s.Agent(ctx, socle.NewID(socle.PrefixAgent))
	wantCode(t, err, socle.ENOTFOUND)
	_, err = s.AgentByEmail(ctx, "nobody@example.fr")
	wantCode(t, err, socle.ENOTFOUND)

	readBack(t, "agents of the organisation, by name", []*socle.Agent{b, a})(s.AgentsOf(ctx, org.ID))

	dup := NewAgent(other.ID, "CLAIRE.fontaine@example.fr")
	err = s.CreateAgent(ctx, dup)
	wantCode(t, err, socle.ECONFLICT)
	if msg := socle.ErrorMessage(err); msg != "agent: an agent with this e-mail address already exists" {
		t.Errorf("duplicate e-mail message = %q", msg)
	}
	wantCode(t, s.CreateAgent(ctx, NewAgent(socle.NewID(socle.PrefixOrganisation), "x@example.fr")), socle.EINVALID)
	wantCode(t, s.CreateAgent(ctx, NewAgent(org.ID, "not an address")), socle.EINVALID)
}

func testPersons(t *testing.T, s socle.Store) {
	ctx := context.Background()
	p := NewPerson(1)
	p.Identity.NIR = NIR(1)[:5] + " " + NIR(1)[5:] // written with a space
	must(t, s.CreatePerson(ctx, p))
	if !socle.ValidID(socle.PrefixPerson, p.ID) || p.CreatedAt.IsZero() || !p.UpdatedAt.Equal(p.CreatedAt) {
		t.Fatalf("CreatePerson did not fill id and times: %s %v %v", p.ID, p.CreatedAt, p.UpdatedAt)
	}
	got, err := s.Person(ctx, p.ID, socle.AllCategories)
	must(t, err)
	sameJSON(t, "person with every category", got, p)
	if got.Identity.NIR != NIR(1) {
		t.Errorf("NIR stored as %q, want it without spaces", got.Identity.NIR)
	}

	minimal := &socle.Person{Identity: &socle.Identity{GivenName: "Inès", FamilyName: "Benali", BirthDate: socle.NewDate(2001, 3, 2), Sex: "F"}}
	must(t, s.CreatePerson(ctx, minimal))
	readBack(t, "person with identity only", minimal)(s.Person(ctx, minimal.ID, socle.AllCategories))

	_, err = s.Person(ctx, socle.NewID(socle.PrefixPerson), socle.AllCategories)
	wantCode(t, err, socle.ENOTFOUND)
	_, err = s.Person(ctx, socle.NewID(socle.PrefixPerson), 0)
	wantCode(t, err, socle.ENOTFOUND)

	invalid := NewPerson(2)
	invalid.Bank.IBAN = "FR7630006000011234567890188"
	wantCode(t, s.CreatePerson(ctx, invalid), socle.EINVALID)
	dup := NewPerson(3)
	dup.ID = p.ID
	wantCode(t, s.CreatePerson(ctx, dup), socle.ECONFLICT)

	n, err := s.CountPersons(ctx)
	must(t, err)
	if n != 2 {
		t.Errorf("CountPersons = %d, want 2", n)
	}
}

func testMasking(t *testing.T, s socle.Store) {
	ctx := context.Background()
	p := createPerson(t, s, 4)
	sectionKeys := map[socle.Category]string{
		socle.CatIdentity: "identity", socle.CatContact: "contact", socle.CatParcours: "parcours", socle.CatSkills: "skills",
		socle.CatHealth: "health", socle.CatJustice: "justice", socle.CatBank: "bank",
	}
	tests := []struct {
		name    string
		granted socle.CategorySet
	}{
		{"nothing", 0},
		{"identity", socle.SetOf(socle.CatIdentity)},
		{"identity and contact", socle.SetOf(socle.CatIdentity, socle.CatContact)},
		{"health without identity", socle.SetOf(socle.CatHealth)},
		{"every non-sensitive", socle.SetOf(socle.CatIdentity, socle.CatContact, socle.CatParcours, socle.CatSkills)},
		{"everything", socle.AllCategories},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Person(ctx, p.ID, tt.granted)
			must(t, err)
			if got.ID != p.ID {
				t.Fatalf("id = %q, want %q", got.ID, p.ID)
			}
			if cats := got.Categories(); cats != tt.granted {
				t.Errorf("categories read = %v, want %v", cats, tt.granted)
			}
			want := *p
			want.Mask(tt.granted)
			sameJSON(t, "masked person", got, &want)

			b, err := json.Marshal(got)
			must(t, err)
			var keys map[string]json.RawMessage
			must(t, json.Unmarshal(b, &keys))
			for c, key := range sectionKeys {
				if _, present := keys[key]; present != tt.granted.Has(c) {
					t.Errorf("JSON key %q present = %v, granted = %v", key, present, tt.granted.Has(c))
				}
			}
		})
	}
}

func testUpdatePerson(t *testing.T, s socle.Store) {
	ctx := context.Background()
	p := createPerson(t, s, 5)
	before := *p

	// Contact and health are present, only contact is granted: health stays.
	upd := &socle.Person{
		ID:      p.ID,
		Contact: &socle.Contact{Email: "nouvelle@example.fr", PostalCode: "13001", CommuneCode: "13055"},
		Health:  &socle.Health{RQTH: false, Notes: "ne doit pas être écrit"},
	}
	must(t, s.UpdatePerson(ctx, upd, socle.SetOf(socle.CatContact, socle.CatParcours)))
	got, err := s.Person(ctx, p.ID, socle.AllCategories)
	must(t, err)
	sameJSON(t, "updated contact", got.Contact, upd.Contact)
	sameJSON(t, "health not granted", got.Health, before.Health)
	sameJSON(t, "identity absent from the update", got.Identity, before.Identity)
	sameJSON(t, "parcours granted but absent", got.Parcours, before.Parcours)
	if got.UpdatedAt.Before(before.UpdatedAt) {
		t.Errorf("updated_at went backwards: %v then %v", before.UpdatedAt, got.UpdatedAt)
	}
	// The commune moved: search by commune follows the contact section.
	found, err := s.SearchPersons(ctx, socle.PersonQuery{CommuneCode: "13055"}, socle.SetOf(socle.CatIdentity))
	must(t, err)
	if len(found) != 1 || found[0].ID != p.ID {
		t.Errorf("search by the new commune found %d persons", len(found))
	}

	// An identity update changes the names searched.
	id := *before.Identity
	id.FamilyName = "Œuvrard"
	must(t, s.UpdatePerson(ctx, &socle.Person{ID: p.ID, Identity: &id}, socle.AllCategories))
	found, err = s.SearchPersons(ctx, socle.PersonQuery{FamilyName: "oeuv"}, socle.SetOf(socle.CatIdentity))
	must(t, err)
	if len(found) != 1 || found[0].Identity.FamilyName != "Œuvrard" {
		t.Errorf("search by the new family name found %v", found)
	}

	wantCode(t, s.UpdatePerson(ctx, &socle.Person{ID: socle.NewID(socle.PrefixPerson), Contact: upd.Contact}, socle.AllCategories), socle.ENOTFOUND)
	bad := &socle.Person{ID: p.ID, Bank: &socle.Bank{IBAN: "FR00"}}
	wantCode(t, s.UpdatePerson(ctx, bad, socle.AllCategories), socle.EINVALID)
	got, err = s.Person(ctx, p.ID, socle.SetOf(socle.CatBank))
	must(t, err)
	sameJSON(t, "bank after a refused update", got.Bank, before.Bank)
}

func testSearchPersons(t *testing.T, s socle.Store) {
	ctx := context.Background()
	orgA := createOrg(t, s, "Mission locale A", "75")
	orgB := createOrg(t, s, "Mission locale B", "75")
	day := func(offset int) socle.Date { return socle.DateOf(time.Now().AddDate(0, 0, offset)) }
	follow := func(p *socle.Person, org *socle.Organisation, start, end socle.Date) {
		t.Helper()
		must(t, s.CreateFollowup(ctx, &socle.Followup{PersonID: p.ID, OrganisationID: org.ID, Start: start, End: end}))
	}
	n := 100
	mk := func(family, given string, birth socle.Date, commune string) *socle.Person {
		t.Helper()
		n++
		p := NewPerson(n)
		p.Identity.FamilyName, p.Identity.GivenName, p.Identity.BirthDate = family, given, birth
		p.Contact.CommuneCode = commune
		must(t, s.CreatePerson(ctx, p))
		return p
	}
	born := socle.NewDate(1990, 5, 17)
	open := mk("Lefèvre", "Élodie", born, "75056")
	openUntil := mk("Lefebvre", "Éric", born, "75056")
	endsToday := mk("Lefort", "Anne", born, "69123")
	ended := mk("Lefèvre", "Émile", born, "75056")
	otherOrg := mk("Lefèvre", "Elsa", born, "75056")
	future := mk("Lefèvre", "Eva", born, "75056")
	nobody := mk("Lefèvre", "Ella", born, "75056")
	older := mk("Lambert", "Zoé", socle.NewDate(1970, 1, 2), "75056")
	follow(open, orgA, day(-180), socle.Date{})
	follow(openUntil, orgA, day(-30), day(30))
	follow(endsToday, orgA, day(-30), day(0))
	follow(ended, orgA, day(-300), day(-1))
	follow(otherOrg, orgB, day(-10), socle.Date{})
	follow(future, orgA, day(1), socle.Date{})
	follow(older, orgA, day(-10), socle.Date{})
	follow(older, orgB, day(-10), socle.Date{}) // two follow-ups: found once

	identity := socle.SetOf(socle.CatIdentity)
	ids := func(ps ...*socle.Person) []string { return mapped(ps, func(p *socle.Person) string { return p.ID }) }
	tests := []struct {
		name string
		q    socle.PersonQuery
		want []string // in order: family name, given name
	}{
		{"followed by A", socle.PersonQuery{OrganisationID: orgA.ID}, ids(older, openUntil, open, endsToday)},
		{"followed by B", socle.PersonQuery{OrganisationID: orgB.ID}, ids(older, otherOrg)},
		{"followed by nobody known", socle.PersonQuery{OrganisationID: socle.NewID(socle.PrefixOrganisation)}, nil},
		{"prefix, accents and case ignored", socle.PersonQuery{OrganisationID: orgA.ID, FamilyName: "LEFÈV"}, ids(open)},
		{"prefix without accents", socle.PersonQuery{OrganisationID: orgA.ID, FamilyName: "lef"}, ids(openUntil, open, endsToday)},
		{"given name prefix", socle.PersonQuery{OrganisationID: orgA.ID, GivenName: "e"}, ids(openUntil, open)},
		{"not an infix", socle.PersonQuery{OrganisationID: orgA.ID, FamilyName: "evre"}, nil},
		{"birth date", socle.PersonQuery{OrganisationID: orgA.ID, BirthDate: socle.NewDate(1970, 1, 2)}, ids(older)},
		{"NIR", socle.PersonQuery{OrganisationID: orgA.ID, NIR: open.Identity.NIR}, ids(open)},
		{"NIR of a person not followed", socle.PersonQuery{OrganisationID: orgA.ID, NIR: nobody.Identity.NIR}, nil},
		{"commune", socle.PersonQuery{OrganisationID: orgA.ID, CommuneCode: "69123"}, ids(endsToday)},
		{"filters are and-ed", socle.PersonQuery{OrganisationID: orgA.ID, FamilyName: "lef", CommuneCode: "75056", GivenName: "Élo"}, ids(open)},
		{"limit", socle.PersonQuery{OrganisationID: orgA.ID, Limit: 2}, ids(older, openUntil)},
		{"exact NIR without organisation", socle.PersonQuery{NIR: nobody.Identity.NIR}, ids(nobody)},
		{"every Lefèvre without organisation", socle.PersonQuery{FamilyName: "Lefèvre", BirthDate: born}, ids(nobody, open, otherOrg, ended, future)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SearchPersons(ctx, tt.q, identity)
			must(t, err)
			if !slices.Equal(ids(got...), tt.want) {
				names := mapped(got, func(p *socle.Person) string { return p.Identity.GivenName + " " + p.Identity.FamilyName })
				t.Errorf("found %v (%v), want %v", ids(got...), names, tt.want)
			}
			for _, p := range got {
				if p.Identity == nil || p.Contact != nil || p.Health != nil {
					t.Errorf("search result not masked to identity: categories %v", p.Categories())
				}
			}
		})
	}

	// A change of name reaches the search among followed persons, and a
	// follow-up loaded in a later batch than its person carries her names.
	renamed := &socle.Person{ID: open.ID, Identity: &socle.Identity{GivenName: "Éloïse", FamilyName: "Quénard", BirthDate: born, Sex: "F"}}
	must(t, s.UpdatePerson(ctx, renamed, socle.SetOf(socle.CatIdentity)))
	must(t, s.Load(ctx, &socle.Batch{Followups: []*socle.Followup{{PersonID: nobody.ID, OrganisationID: orgA.ID, Start: socle.NewDate(2020, 1, 1)}}}))
	for _, tt := range []struct {
		name   string
		family string
		want   []string
	}{
		{"new name", "quen", ids(open)},
		{"old name no longer", "lefèvre", ids(nobody)},
	} {
		got, err := s.SearchPersons(ctx, socle.PersonQuery{OrganisationID: orgA.ID, FamilyName: tt.family}, identity)
		must(t, err)
		if g := ids(got...); !slices.Equal(g, tt.want) {
			t.Errorf("after renaming, %s: found %v, want %v", tt.name, g, tt.want)
		}
	}

	// The default limit is 50 and the largest 200.
	b := &socle.Batch{}
	for i := range 210 {
		p := NewPerson(1000 + i)
		p.Identity.FamilyName = "Zidane"
		b.Persons = append(b.Persons, p)
	}
	must(t, s.Load(ctx, b))
	for _, tt := range []struct{ limit, want int }{{0, 50}, {10, 10}, {1000, 200}} {
		got, err := s.SearchPersons(ctx, socle.PersonQuery{FamilyName: "zid", Limit: tt.limit}, 0)
		must(t, err)
		if len(got) != tt.want {
			t.Errorf("limit %d: %d results, want %d", tt.limit, len(got), tt.want)
		}
	}
}

func testFollowups(t *testing.T, s socle.Store) {
	ctx := context.Background()
	org := createOrg(t, s, "Département du Rhône", "69")
	a := createAgent(t, s, org.ID, "referente@example.fr")
	p := createPerson(t, s, 6)
	first := &socle.Followup{PersonID: p.ID, OrganisationID: org.ID, Start: socle.NewDate(2023, 1, 10), End: socle.NewDate(2023, 12, 31)}
	second := &socle.Followup{PersonID: p.ID, OrganisationID: org.ID, AgentID: a.ID, Start: socle.NewDate(2024, 2, 1)}
	must(t, s.CreateFollowup(ctx, first))
	must(t, s.CreateFollowup(ctx, second))
	readBack(t, "follow-ups, newest first", []*socle.Followup{second, first})(s.Followups(ctx, p.ID))
	got, err := s.Followups(ctx, socle.NewID(socle.PrefixPerson))
	must(t, err)
	if len(got) != 0 {
		t.Errorf("follow-ups of an unknown person: %v", got)
	}

	tests := []struct {
		name string
		f    socle.Followup
		code string
	}{
		{"unknown person", socle.Followup{PersonID: socle.NewID(socle.PrefixPerson), OrganisationID: org.ID, Start: socle.NewDate(2024, 1, 1)}, socle.EINVALID},
		{"unknown organisation", socle.Followup{PersonID: p.ID, OrganisationID: socle.NewID(socle.PrefixOrganisation), Start: socle.NewDate(2024, 1, 1)}, socle.EINVALID},
		{"unknown agent", socle.Followup{PersonID: p.ID, OrganisationID: org.ID, AgentID: socle.NewID(socle.PrefixAgent), Start: socle.NewDate(2024, 1, 1)}, socle.EINVALID},
		{"ends before it starts", socle.Followup{PersonID: p.ID, OrganisationID: org.ID, Start: socle.NewDate(2024, 1, 1), End: socle.NewDate(2023, 1, 1)}, socle.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.CreateFollowup(ctx, &tt.f)
			wantCode(t, err, tt.code)
			if m := socle.ErrorMessage(err); tt.name != "ends before it starts" && m != "follow-up: refers to a record that does not exist" {
				t.Errorf("message = %q", m)
			}
		})
	}
	got, err = s.Followups(ctx, p.ID)
	must(t, err)
	if len(got) != 2 {
		t.Errorf("%d follow-ups after failed creations, want 2", len(got))
	}
}

func testCompanies(t *testing.T, s socle.Store) {
	ctx := context.Background()
	c := NewCompany(0) // in Paris, 75056
	must(t, s.CreateCompany(ctx, c))
	readBack(t, "company", c)(s.Company(ctx, c.ID))
	readBack(t, "company by SIRET", c)(s.CompanyBySIRET(ctx, c.SIRET))
	_, err := s.Company(ctx, socle.NewID(socle.PrefixCompany))
	wantCode(t, err, socle.ENOTFOUND)
	_, err = s.CompanyBySIRET(ctx, SIRET(999))
	wantCode(t, err, socle.ENOTFOUND)

	dup := NewCompany(0)
	dup.Name = "Autre nom"
	err = s.CreateCompany(ctx, dup)
	wantCode(t, err, socle.ECONFLICT)
	if m := socle.ErrorMessage(err); m != "company: a company with this SIRET already exists" {
		t.Errorf("duplicate SIRET message = %q", m)
	}
	bad := NewCompany(2)
	bad.SIRET = "12345678901234"
	wantCode(t, s.CreateCompany(ctx, bad), socle.EINVALID)

	lyon := NewCompany(9) // communes[1] is Lyon, 69123
	must(t, s.CreateCompany(ctx, lyon))
	for _, tt := range []struct {
		prefix string
		limit  int
		want   []string
	}{
		{"", 0, []string{c.ID, lyon.ID}},
		{"69", 0, []string{lyon.ID}},
		{"6912", 0, []string{lyon.ID}},
		{"75", 0, []string{c.ID}},
		{"13", 0, nil},
		{"", 1, []string{c.ID}},
	} {
		cs, err := s.Companies(ctx, tt.prefix, tt.limit)
		must(t, err)
		ids := mapped(cs, func(c *socle.Company) string { return c.ID })
		if !slices.Equal(ids, tt.want) {
			t.Errorf("Companies(%q, %d) = %v, want %v", tt.prefix, tt.limit, ids, tt.want)
		}
	}

	ct := &socle.CompanyContact{CompanyID: c.ID, GivenName: "Hugo", FamilyName: "Marchand", Role: "DRH", Email: "hugo@example.fr", Consent: true, PreferredChannel: "email"}
	ct2 := &socle.CompanyContact{CompanyID: c.ID, GivenName: "Léa", FamilyName: "Arnaud", Phone: "0478000000", PreferredChannel: "telephone"}
	must(t, s.CreateContact(ctx, ct))
	must(t, s.CreateContact(ctx, ct2))
	readBack(t, "contacts by name", []*socle.CompanyContact{ct2, ct})(s.Contacts(ctx, c.ID))
	orphan := &socle.CompanyContact{CompanyID: socle.NewID(socle.PrefixCompany), GivenName: "A", FamilyName: "B", PreferredChannel: "email"}
	wantCode(t, s.CreateContact(ctx, orphan), socle.EINVALID)
}

func testOffers(t *testing.T, s socle.Store) {
	ctx := context.Background()
	org := createOrg(t, s, "Agence de Lyon", "69")
	c := NewCompany(3)
	must(t, s.CreateCompany(ctx, c))
	o1 := NewOffer(c.ID, "K2111", "69123")
	o1.OrganisationID = org.ID
	o1.CreatedAt = time.Now().Add(-time.Hour)
	o2 := NewOffer(c.ID, "M1607", "75056")
	o2.Open = false
	o2.Skills = nil
	o2.StartDate = socle.Date{}
	must(t, s.CreateOffer(ctx, o1))
	must(t, s.CreateOffer(ctx, o2))
	readBack(t, "offer", o1)(s.Offer(ctx, o1.ID))
	readBack(t, "closed offer without start", o2)(s.Offer(ctx, o2.ID))
	_, err := s.Offer(ctx, socle.NewID(socle.PrefixOffer))
	wantCode(t, err, socle.ENOTFOUND)

	tests := []struct {
		name string
		f    socle.OfferFilter
		want []string
	}{
		{"newest first", socle.OfferFilter{}, []string{o2.ID, o1.ID}},
		{"company", socle.OfferFilter{CompanyID: c.ID}, []string{o2.ID, o1.ID}},
		{"ROME", socle.OfferFilter{ROMECode: "K2111"}, []string{o1.ID}},
		{"département", socle.OfferFilter{Departement: "75"}, []string{o2.ID}},
		{"open only", socle.OfferFilter{OpenOnly: true}, []string{o1.ID}},
		{"limit", socle.OfferFilter{Limit: 1}, []string{o2.ID}},
		{"no match", socle.OfferFilter{ROMECode: "A1101"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offers, err := s.Offers(ctx, tt.f)
			must(t, err)
			ids := mapped(offers, func(o *socle.Offer) string { return o.ID })
			if !slices.Equal(ids, tt.want) {
				t.Errorf("Offers(%+v) = %v, want %v", tt.f, ids, tt.want)
			}
		})
	}
	wantCode(t, s.CreateOffer(ctx, NewOffer(socle.NewID(socle.PrefixCompany), "K2111", "69123")), socle.EINVALID)
	bad := NewOffer(c.ID, "K2111", "69123")
	bad.OrganisationID = socle.NewID(socle.PrefixOrganisation)
	wantCode(t, s.CreateOffer(ctx, bad), socle.EINVALID)
}

// newBatch returns a consistent batch of n persons numbered from first,
// with ids set so that follow-ups, contacts and offers can refer to them.
func newBatch(first, n int) *socle.Batch {
	b := &socle.Batch{}
	org := NewOrganisation(fmt.Sprintf("Structure %d", first), socle.KindPartner, "75", "69")
	org.ID = socle.NewID(socle.PrefixOrganisation)
	b.Organisations = append(b.Organisations, org)
	agent := NewAgent(org.ID, fmt.Sprintf("conseiller%d@example.fr", first))
	agent.ID = socle.NewID(socle.PrefixAgent)
	b.Agents = append(b.Agents, agent)
	for i := range n {
		p := NewPerson(first + i)
		p.ID = socle.NewID(socle.PrefixPerson)
		b.Persons = append(b.Persons, p)
		f := &socle.Followup{PersonID: p.ID, OrganisationID: org.ID, Start: socle.NewDate(2024, 1, 1)}
		if i%5 == 0 {
			f.AgentID = agent.ID
		}
		b.Followups = append(b.Followups, f)
		if i%10 == 0 {
			c := NewCompany(first + i)
			c.ID = socle.NewID(socle.PrefixCompany)
			b.Companies = append(b.Companies, c)
			b.Contacts = append(b.Contacts, &socle.CompanyContact{CompanyID: c.ID, GivenName: "Nina", FamilyName: "Roux", PreferredChannel: "email"})
			b.Offers = append(b.Offers, NewOffer(c.ID, "K2111", c.CommuneCode))
		}
	}
	return b
}

func testLoad(t *testing.T, s socle.Store) {
	ctx := context.Background()
	b := newBatch(0, 600) // more rows than one multi-row INSERT holds
	must(t, s.Load(ctx, b))
	n, err := s.CountPersons(ctx)
	must(t, err)
	if n != 600 {
		t.Errorf("CountPersons = %d, want 600", n)
	}
	readBack(t, "loaded person", b.Persons[599])(s.Person(ctx, b.Persons[599].ID, socle.AllCategories))
	org, err := s.Organisation(ctx, b.Organisations[0].ID)
	must(t, err)
	sameJSON(t, "loaded organisation", org, b.Organisations[0])
	agents, err := s.AgentsOf(ctx, org.ID)
	must(t, err)
	if len(agents) != 1 {
		t.Errorf("%d agents loaded, want 1", len(agents))
	}
	readBack(t, "loaded follow-ups", []*socle.Followup{b.Followups[5]})(s.Followups(ctx, b.Persons[5].ID))
	followed, err := s.SearchPersons(ctx, socle.PersonQuery{OrganisationID: org.ID, Limit: 200}, 0)
	must(t, err)
	if len(followed) != 200 {
		t.Errorf("%d followed persons found, want 200", len(followed))
	}
	c, err := s.CompanyBySIRET(ctx, b.Companies[3].SIRET)
	must(t, err)
	sameJSON(t, "loaded company", c, b.Companies[3])
	cts, err := s.Contacts(ctx, c.ID)
	must(t, err)
	if len(cts) != 1 {
		t.Errorf("%d contacts loaded, want 1", len(cts))
	}
	offers, err := s.Offers(ctx, socle.OfferFilter{Limit: 1000})
	must(t, err)
	if len(offers) != 60 {
		t.Errorf("%d offers loaded, want 60", len(offers))
	}
	readBack(t, "loaded offer", b.Offers[0])(s.Offer(ctx, b.Offers[0].ID))

	// A second batch adds to the first.
	must(t, s.Load(ctx, newBatch(600, 10)))
	if n, err = s.CountPersons(ctx); err != nil || n != 610 {
		t.Errorf("CountPersons after two batches = %d, %v; want 610", n, err)
	}
	must(t, s.Load(ctx, &socle.Batch{}))
}

func testLoadRollsBack(t *testing.T, s socle.Store) {
	ctx := context.Background()
	must(t, s.Load(ctx, newBatch(0, 20)))
	tests := []struct {
		name  string
		spoil func(b *socle.Batch)
		code  string
	}{
		{"follow-up of an unknown person in the middle", func(b *socle.Batch) {
			b.Followups[50].PersonID = socle.NewID(socle.PrefixPerson)
		}, socle.EINVALID},
		{"invalid person in the middle", func(b *socle.Batch) {
			b.Persons[50].Identity.Sex = "X"
		}, socle.EINVALID},
		{"SIRET already loaded", func(b *socle.Batch) {
			b.Companies[5].SIRET = SIRET(0)
		}, socle.ECONFLICT},
		{"SIRET twice in the batch", func(b *socle.Batch) {
			b.Companies[5].SIRET = b.Companies[2].SIRET
		}, socle.ECONFLICT},
		{"organisation with an unknown parent", func(b *socle.Batch) {
			b.Organisations[0].ParentID = socle.NewID(socle.PrefixOrganisation)
		}, socle.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBatch(1000, 100)
			tt.spoil(b)
			wantCode(t, s.Load(ctx, b), tt.code)
			n, err := s.CountPersons(ctx)
			must(t, err)
			if n != 20 {
				t.Errorf("CountPersons after a failed batch = %d, want 20", n)
			}
			if _, err := s.Person(ctx, b.Persons[0].ID, 0); socle.ErrorCode(err) != socle.ENOTFOUND {
				t.Errorf("a person of the failed batch is readable (err %v)", err)
			}
			if _, err := s.Organisation(ctx, b.Organisations[0].ID); socle.ErrorCode(err) != socle.ENOTFOUND {
				t.Errorf("the organisation of the failed batch is readable (err %v)", err)
			}
		})
	}
}

func testConcurrentWrites(t *testing.T, s socle.Store) {
	ctx := context.Background()
	org := createOrg(t, s, "Structure", "75")
	const workers, each = 16, 8
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				p := NewPerson(w*each + i)
				if err := s.CreatePerson(ctx, p); err != nil {
					errs <- err
					continue
				}
				if err := s.CreateFollowup(ctx, &socle.Followup{PersonID: p.ID, OrganisationID: org.ID, Start: socle.NewDate(2024, 1, 1)}); err != nil {
					errs <- err
				}
				if _, err := s.Person(ctx, p.ID, socle.AllCategories); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	n, err := s.CountPersons(ctx)
	must(t, err)
	if n != workers*each {
		t.Errorf("CountPersons = %d, want %d", n, workers*each)
	}
}

// bulkLoader is a store that can load with its indexes dropped.
type bulkLoader interface {
	WithoutIndexes(ctx context.Context, tables []string, load func() error) error
	IndexNames(ctx context.Context, table string) ([]string, error)
}

// testLoadWithoutIndexes loads with the indexes dropped, then checks that
// they are back: the search among followed persons finds the loaded
// persons, and a second bulk load sees the same indexes to drop.
func testLoadWithoutIndexes(t *testing.T, s socle.Store) {
	ctx := context.Background()
	bl, ok := s.(bulkLoader)
	if !ok {
		t.Skip("the store has no bulk load without indexes")
	}
	indexes := func() []string {
		var all []string
		for _, table := range []string{"persons", "followups"} {
			names, err := bl.IndexNames(ctx, table)
			must(t, err)
			all = append(all, names...)
		}
		return all
	}
	before := indexes()
	if len(before) < 4 {
		t.Fatalf("persons and follow-ups have only the indexes %v", before)
	}
	org := createOrg(t, s, "Mission Locale de Lyon", "69")
	b := &socle.Batch{}
	for i := range 20 {
		p := NewPerson(5000 + i)
		p.ID = socle.NewID(socle.PrefixPerson)
		b.Persons = append(b.Persons, p)
		b.Followups = append(b.Followups, &socle.Followup{PersonID: p.ID, OrganisationID: org.ID, Start: socle.NewDate(2024, 1, 1)})
	}
	var loaded bool
	must(t, bl.WithoutIndexes(ctx, []string{"persons", "followups"}, func() error {
		loaded = true
		if during := indexes(); len(during) != 0 {
			t.Errorf("indexes %v kept during the load", during)
		}
		return s.Load(ctx, b)
	}))
	if after := indexes(); !slices.Equal(after, before) {
		t.Errorf("indexes after the load %v, before %v", after, before)
	}
	if !loaded {
		t.Fatal("the load did not run")
	}
	p := b.Persons[7]
	got, err := s.SearchPersons(ctx, socle.PersonQuery{OrganisationID: org.ID, FamilyName: p.Identity.FamilyName, BirthDate: p.Identity.BirthDate}, socle.SetOf(socle.CatIdentity))
	must(t, err)
	if len(got) == 0 {
		t.Fatal("a person loaded without indexes is not found")
	}
	// A failing load still gets its indexes back.
	failed := bl.WithoutIndexes(ctx, []string{"persons"}, func() error { return socle.Errorf(socle.EINVALID, "boom") })
	if socle.ErrorCode(failed) != socle.EINVALID {
		t.Fatalf("the load's error is lost: %v", failed)
	}
	if after := indexes(); !slices.Equal(after, before) {
		t.Errorf("indexes after a failed load %v, before %v", after, before)
	}
}
