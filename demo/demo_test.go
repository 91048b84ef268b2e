package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"socle"
	"socle/geo"
)

var testNow = time.Date(2025, time.March, 2, 9, 0, 0, 0, time.UTC)

// validatingSink validates every record of every batch and counts them:
// what a store's Load checks before it writes.
type validatingSink struct {
	batches, orgs, agents, persons, followups, companies, contacts, offers int
}

func (s *validatingSink) load(_ context.Context, b *socle.Batch) error {
	s.batches++
	for _, o := range b.Organisations {
		if err := o.Validate(); err != nil {
			return fmt.Errorf("%s: %w", o.Name, err)
		}
	}
	for _, a := range b.Agents {
		if err := a.Validate(); err != nil {
			return fmt.Errorf("%s: %w", a.Email, err)
		}
	}
	for _, p := range b.Persons {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("person %s: %w", p.ID, err)
		}
	}
	for _, f := range b.Followups {
		if err := f.Validate(); err != nil {
			return fmt.Errorf("follow-up %s: %w", f.ID, err)
		}
	}
	for _, c := range b.Companies {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("company %s: %w", c.Name, err)
		}
	}
	for _, c := range b.Contacts {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("contact %s: %w", c.ID, err)
		}
	}
	for _, o := range b.Offers {
		if err := o.Validate(); err != nil {
			return fmt.Errorf("offer %s: %w", o.ID, err)
		}
	}
	s.orgs += len(b.Organisations)
	s.agents += len(b.Agents)
	s.persons += len(b.Persons)
	s.followups += len(b.Followups)
	s.companies += len(b.Companies)
	s.contacts += len(b.Contacts)
	s.offers += len(b.Offers)
	return nil
}

// keepingSink validates like validatingSink, keeps every batch for the
// checks across records and hashes their JSON.
type keepingSink struct {
	validatingSink
	all  socle.Batch
	hash hash.Hash
}

func newKeepingSink() *keepingSink { return &keepingSink{hash: sha256.New()} }

func (s *keepingSink) load(ctx context.Context, b *socle.Batch) error {
	if err := s.validatingSink.load(ctx, b); err != nil {
		return err
	}
	if err := json.NewEncoder(s.hash).Encode(b); err != nil {
		return err
	}
	s.all.Organisations = append(s.all.Organisations, b.Organisations...)
	s.all.Agents = append(s.all.Agents, b.Agents...)
	s.all.Persons = append(s.all.Persons, b.Persons...)
	s.all.Followups = append(s.all.Followups, b.Followups...)
	s.all.Companies = append(s.all.Companies, b.Companies...)
	s.all.Contacts = append(s.all.Contacts, b.Contacts...)
	s.all.Offers = append(s.all.Offers, b.Offers...)
	return nil
}

func (s *keepingSink) sum() string { return fmt.Sprintf("%x", s.hash.Sum(nil)) }

func generate(t *testing.T, cfg Config) (*keepingSink, Summary) {
	t.Helper()
	sink := newKeepingSink()
	sum, err := Generate(t.Context(), cfg, sink.load)
	if err != nil {
		t.Fatal(err)
	}
	return sink, sum
}

func TestGenerate(t *testing.T) {
	const persons = 12_000
	sink, sum := generate(t, Config{Persons: persons, Seed: 7, Now: testNow, BatchSize: 5000})
	all := &sink.all

	t.Run("counts", func(t *testing.T) {
		if sum.Batches != 3 || sink.batches != 3 {
			t.Errorf("batches: got %d (sink %d), want 3", sum.Batches, sink.batches)
		}
		if sum.Persons != persons || len(all.Persons) != persons {
			t.Errorf("persons: got %d (sink %d), want %d", sum.Persons, len(all.Persons), persons)
		}
		got := []int{sum.Organisations, sum.Agents, sum.Followups, sum.Companies, sum.Contacts, sum.Offers}
		want := []int{sink.orgs, sink.agents, sink.followups, sink.companies, sink.contacts, sink.offers}
		if !slices.Equal(got, want) {
			t.Errorf("summary counts %v, sink counted %v", got, want)
		}
		if n := sum.Companies; n != persons/50 {
			t.Errorf("companies: got %d, want one per 50 persons", n)
		}
		if r := float64(sum.Offers) / float64(sum.Companies); r < 1.5 || r > 2.5 {
			t.Errorf("offers per company: got %.2f, want about 2", r)
		}
		if r := float64(sum.Followups) / persons; r < 1.05 || r > 1.4 {
			t.Errorf("follow-ups per person: got %.2f", r)
		}
	})

	orgs := map[string]*socle.Organisation{}
	sirets := map[string]bool{}
	kinds := map[string]map[socle.OrgKind]int{}
	for _, o := range all.Organisations {
		orgs[o.ID] = o
		if !socle.ValidSIRET(o.SIRET) || !socle.ValidSIREN(o.SIRET[:9]) || sirets[o.SIRET] {
			t.Errorf("organisation %s: SIRET %s invalid or repeated", o.Name, o.SIRET)
		}
		sirets[o.SIRET] = true
		if len(o.Departements) == 1 {
			if kinds[o.Departements[0]] == nil {
				kinds[o.Departements[0]] = map[socle.OrgKind]int{}
			}
			kinds[o.Departements[0]][o.Kind]++
		}
	}
	t.Run("organisations", func(t *testing.T) {
		if len(kinds) != 20 {
			t.Errorf("départements with organisations: got %d, want the 20 of the built-in geography", len(kinds))
		}
		for dep, k := range kinds {
			for _, kind := range socle.OrgKinds {
				if k[kind] == 0 {
					t.Errorf("département %s has no organisation of kind %s", dep, kind)
				}
			}
			if k[socle.KindDisability] != 1 || k[socle.KindDepartement] != 1 || k[socle.KindEmploymentService] > 4 || k[socle.KindYouth] > 3 || k[socle.KindPartner] > 3 {
				t.Errorf("département %s: organisations %v", dep, k)
			}
		}
		names := map[string]bool{}
		for _, o := range all.Organisations {
			names[o.Name] = true
		}
		for _, want := range []string{"Département du Rhône", "Département des Bouches-du-Rhône", "Département de la Gironde", "Département de l'Hérault", "Département de Paris", "Cap emploi Rhône", "Mission locale de Lyon", "Mission locale de Paris", "France Travail Lyon 3e", "France Travail Marseille 13e"} {
			if !names[want] {
				t.Errorf("no organisation named %q", want)
			}
		}
	})

	agents := map[string]*socle.Agent{}
	t.Run("agents", func(t *testing.T) {
		emails := map[string]bool{}
		roles := map[string]map[socle.Role]int{}
		for _, a := range all.Agents {
			agents[a.ID] = a
			if emails[a.Email] {
				t.Errorf("e-mail %s twice", a.Email)
			}
			emails[a.Email] = true
			if orgs[a.OrganisationID] == nil {
				t.Errorf("agent %s: unknown organisation", a.Email)
			}
			if roles[a.OrganisationID] == nil {
				roles[a.OrganisationID] = map[socle.Role]int{}
			}
			for _, r := range a.Roles {
				roles[a.OrganisationID][r]++
			}
		}
		platform := 0
		for id, r := range roles {
			if r[socle.RoleOrgAdmin] != 1 || r[socle.RoleAuditor] != 1 {
				t.Errorf("organisation %s: %d administrateurs, %d auditeurs; want one each", orgs[id].Name, r[socle.RoleOrgAdmin], r[socle.RoleAuditor])
			}
			platform += r[socle.RolePlatformAdmin]
		}
		if platform == 0 || len(roles) != len(orgs) {
			t.Errorf("%d platform administrators, %d organisations with agents of %d", platform, len(roles), len(orgs))
		}
		for _, acc := range sum.Accounts {
			if !emails[acc.Email] || !acc.Kind.Valid() || !acc.Role.Valid() {
				t.Errorf("account %+v is not an agent", acc)
			}
		}
		if len(sum.Accounts) < 10 {
			t.Errorf("accounts: got %d", len(sum.Accounts))
		}
	})

	people := map[string]*socle.Person{}
	t.Run("persons", func(t *testing.T) {
		nirs := map[string]bool{}
		var health, justice, bank int
		for _, p := range all.Persons {
			people[p.ID] = p
			id := p.Identity
			if nirs[id.NIR] {
				t.Errorf("NIR %s twice", id.NIR)
			}
			nirs[id.NIR] = true
			if sex := map[string]byte{"M": '1', "F": '2'}[id.Sex]; id.NIR[0] != sex {
				t.Errorf("NIR %s for sex %s", id.NIR, id.Sex)
			}
			if b := id.BirthDate.Time(); id.NIR[1:5] != b.Format("0601") {
				t.Errorf("NIR %s for birth date %s", id.NIR, id.BirthDate)
			}
			age := testNow.Year() - id.BirthDate.Time().Year()
			lo, hi := 18, 65
			switch p.Parcours.Situation {
			case socle.SituationYouth:
				lo, hi = 16, 26
			case socle.SituationRSA:
				lo = 25
			}
			if age < lo || age > hi+1 {
				t.Errorf("%s aged about %d", p.Parcours.Situation, age)
			}
			if p.Parcours.RegisteredOn.After(socle.DateOf(testNow)) || p.Parcours.RegisteredOn.Before(id.BirthDate) {
				t.Errorf("registered on %s, born %s", p.Parcours.RegisteredOn, id.BirthDate)
			}
			if socle.DepartementOf(p.Contact.CommuneCode) != socle.DepartementOf(p.Contact.PostalCode+"x") && !strings.HasPrefix(p.Contact.CommuneCode, "2") {
				t.Errorf("postal code %s for commune %s", p.Contact.PostalCode, p.Contact.CommuneCode)
			}
			if (p.Health != nil) != (p.Parcours.Situation == socle.SituationDisabled) {
				t.Errorf("health section %v for situation %s", p.Health != nil, p.Parcours.Situation)
			}
			if p.Health != nil {
				health++
			}
			if p.Justice != nil {
				justice++
			}
			if p.Bank != nil {
				bank++
				if !strings.HasPrefix(p.Bank.IBAN, "FR76") {
					t.Errorf("IBAN %s: a French IBAN with a valid RIB key has check digits 76", p.Bank.IBAN)
				}
			}
			for _, r := range p.Skills.ROMECodes {
				if !slices.ContainsFunc(ROMECodes, func(x ROME) bool { return x.Code == r }) {
					t.Errorf("unknown ROME %s", r)
				}
			}
		}
		n := float64(len(all.Persons))
		for _, c := range []struct {
			what      string
			got       int
			low, high float64
		}{{"health", health, 0.06, 0.10}, {"justice", justice, 0.005, 0.02}, {"bank", bank, 0.56, 0.64}} {
			if r := float64(c.got) / n; r < c.low || r > c.high {
				t.Errorf("%s: %.3f of persons, want between %.3f and %.3f", c.what, r, c.low, c.high)
			}
		}
	})

	t.Run("followups", func(t *testing.T) {
		followed := map[string]int{}
		ended := 0
		for _, f := range all.Followups {
			p, o := people[f.PersonID], orgs[f.OrganisationID]
			if p == nil || o == nil {
				t.Fatalf("follow-up %s: unknown person or organisation", f.ID)
			}
			followed[p.ID]++
			if !o.Covers(socle.DepartementOf(p.Contact.CommuneCode)) {
				t.Errorf("%s follows a person of commune %s outside its territory %v", o.Name, p.Contact.CommuneCode, o.Departements)
			}
			if a := agents[f.AgentID]; a == nil || a.OrganisationID != o.ID || !a.HasRole(socle.RoleAdviser) {
				t.Errorf("follow-up %s: référent %s is not an adviser of %s", f.ID, f.AgentID, o.Name)
			}
			if f.Start.Before(p.Parcours.RegisteredOn) || f.Start.After(socle.DateOf(testNow)) {
				t.Errorf("follow-up from %s, registered on %s", f.Start, p.Parcours.RegisteredOn)
			}
			if !f.End.IsZero() {
				ended++
			}
			want := map[socle.Situation]socle.OrgKind{
				socle.SituationYouth: socle.KindYouth, socle.SituationRSA: socle.KindDepartement, socle.SituationDisabled: socle.KindDisability,
			}[p.Parcours.Situation]
			if followed[p.ID] == 1 && want != "" && o.Kind != want {
				t.Errorf("%s followed first by %s", p.Parcours.Situation, o.Kind)
			}
		}
		if len(followed) != len(people) {
			t.Errorf("%d persons followed of %d", len(followed), len(people))
		}
		if r := float64(ended) / float64(len(all.Followups)); r < 0.07 || r > 0.2 {
			t.Errorf("ended follow-ups: %.3f, want about 0.1", r)
		}
	})

	t.Run("companies", func(t *testing.T) {
		companies := map[string]*socle.Company{}
		for _, c := range all.Companies {
			companies[c.ID] = c
			if sirets[c.SIRET] || !socle.ValidSIREN(c.SIREN()) {
				t.Errorf("company %s: SIRET %s repeated or SIREN invalid", c.Name, c.SIRET)
			}
			sirets[c.SIRET] = true
		}
		for _, c := range all.Contacts {
			if companies[c.CompanyID] == nil {
				t.Errorf("contact %s of an unknown company", c.ID)
			}
		}
		for _, o := range all.Offers {
			c := companies[o.CompanyID]
			if c == nil {
				t.Fatalf("offer %s of an unknown company", o.ID)
			}
			if socle.DepartementOf(o.CommuneCode) != socle.DepartementOf(c.CommuneCode) {
				t.Errorf("offer in %s of a company in %s", o.CommuneCode, c.CommuneCode)
			}
			if o.OrganisationID != "" && orgs[o.OrganisationID] == nil {
				t.Errorf("offer %s taken by an unknown organisation", o.ID)
			}
			if o.SalaryMin < smic*o.HoursPerWeek/35 && o.Contract != "alternance" {
				t.Errorf("offer %s pays %d for %d hours", o.ID, o.SalaryMin, o.HoursPerWeek)
			}
		}
	})
}

func TestDeterministic(t *testing.T) {
	cfg := Config{Persons: 3000, Seed: 42, Now: testNow, BatchSize: 1000}
	a, _ := generate(t, cfg)
	b, _ := generate(t, cfg)
	if a.sum() != b.sum() {
		t.Error("the same seed gave different batches")
	}
	cfg.Seed = 43
	c, _ := generate(t, cfg)
	if a.sum() == c.sum() {
		t.Error("different seeds gave the same batches")
	}
}

func TestSharedGeography(t *testing.T) {
	dir := "../../shared/data/cog"
	if _, err := os.Stat(filepath.Join(dir, geo.CommunesFile)); err != nil {
		t.Skipf("shared COG files absent (%v)", err)
	}
	g, err := geo.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	sink, sum := generate(t, Config{Persons: 3000, Seed: 1, Geo: g, Now: testNow})
	deps := map[string]bool{}
	for _, o := range sink.all.Organisations {
		if o.Kind == socle.KindDepartement {
			deps[o.Departements[0]] = true
			if strings.Contains(o.Name, ":") {
				t.Errorf("%s: the article of every département is known", o.Name)
			}
		}
	}
	if len(deps) != len(g.Departements) {
		t.Errorf("départements with a conseil départemental: got %d, want %d", len(deps), len(g.Departements))
	}
	if sum.Persons != 3000 {
		t.Errorf("persons: got %d", sum.Persons)
	}
}

func TestCancel(t *testing.T) {
	t.Run("during", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		calls := 0
		sum, err := Generate(ctx, Config{Persons: 100_000_000, Seed: 1, Now: testNow, BatchSize: 1000}, func(context.Context, *socle.Batch) error {
			calls++
			cancel()
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		if calls != 1 || sum.Batches != 1 {
			t.Errorf("sink called %d times, %d batches counted; want 1", calls, sum.Batches)
		}
	})
	t.Run("before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := Generate(ctx, Config{Persons: 1_000_000}, func(context.Context, *socle.Batch) error {
			t.Error("sink called after cancellation")
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
	})
}

func TestProgress(t *testing.T) {
	var out bytes.Buffer
	if _, err := Generate(t.Context(), Config{Persons: 2000, BatchSize: 200, Progress: &out}, func(context.Context, *socle.Batch) error { return nil }); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 10 || !strings.HasPrefix(lines[0], "personnes  10% 200/2 000") || !strings.HasPrefix(lines[9], "personnes 100% 2 000/2 000") {
		t.Errorf("progress: got %q", out.String())
	}
}

func TestSinkError(t *testing.T) {
	boom := errors.New("disk full")
	calls := 0
	sum, err := Generate(t.Context(), Config{Persons: 5000, BatchSize: 1000}, func(context.Context, *socle.Batch) error {
		calls++
		if calls == 2 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "batch 2") {
		t.Errorf("got %v, want the sink's error for batch 2", err)
	}
	if sum.Batches != 1 || calls != 2 {
		t.Errorf("batches counted %d, calls %d", sum.Batches, calls)
	}
}

func TestConfigErrors(t *testing.T) {
	noop := func(context.Context, *socle.Batch) error { return nil }
	if _, err := Generate(t.Context(), Config{Persons: -1}, noop); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("negative persons: got %v", err)
	}
	if _, err := Generate(t.Context(), Config{}, nil); err == nil {
		t.Error("no sink: want an error")
	}
	overseas := geo.Geography{Departements: []socle.Departement{{Code: "988", Name: "Nouvelle-Calédonie"}},
		Communes: []socle.Commune{{Code: "98818", Name: "Nouméa", DepartementCode: "988", PostalCodes: []string{"98800"}}}}
	if _, err := Generate(t.Context(), Config{Geo: overseas}, noop); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("geography outside the network: got %v", err)
	}
	// No person: the network alone, in one batch.
	sink := newKeepingSink()
	sum, err := Generate(t.Context(), Config{}, sink.load)
	if err != nil || sum.Batches != 1 || sum.Persons != 0 || sum.Organisations == 0 || sum.Companies != 0 {
		t.Errorf("no person: got %+v, %v", sum, err)
	}
}

func TestHelpers(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Lyon", "de Lyon"}, {"Le Havre", "du Havre"}, {"Les Ulis", "des Ulis"},
		{"La Rochelle", "de La Rochelle"}, {"Aix-en-Provence", "d'Aix-en-Provence"}, {"Évry", "d'Évry"},
	} {
		if got := deName(c.in); got != c.want {
			t.Errorf("deName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{"Hélène", "helene"}, {"Le Goff", "le-goff"}, {"Aïcha", "aicha"}, {"Côte-d'Or", "cote-d-or"}, {"Lemaître", "lemaitre"},
	} {
		if got := slug(c.in); got != c.want {
			t.Errorf("slug(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, body := range []string{"1850269123456", "2961120345678", "1720120123012", "2900297101001", "1680599350003"} {
		nir := body + fmt.Sprintf("%02d", nirKey([]byte(body)))
		if !socle.ValidNIR(nir) || nir[13:] != socle.NIRKey(body) {
			t.Errorf("nirKey(%s): %s, want key %s", body, nir, socle.NIRKey(body))
		}
	}
	for _, prefix := range []string{"73282932", "40483304", "22690001"} {
		siren := prefix + string(socle.LuhnKey(prefix))
		if !socle.ValidSIREN(siren) {
			t.Errorf("LuhnKey(%s) gives %s", prefix, siren)
		}
	}
}

// BenchmarkGenerate measures generation into a sink that validates every
// record and discards it; run with -cpu 1 for one core.
func BenchmarkGenerate(b *testing.B) {
	const persons = 50_000
	var total int
	for b.Loop() {
		sink := &validatingSink{}
		if _, err := Generate(b.Context(), Config{Persons: persons, Seed: 1, Now: testNow}, sink.load); err != nil {
			b.Fatal(err)
		}
		total += sink.persons
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "persons/s")
}

// BenchmarkGenerateOnly measures generation alone, into a sink that counts.
func BenchmarkGenerateOnly(b *testing.B) {
	const persons = 50_000
	var total int
	for b.Loop() {
		sum, err := Generate(b.Context(), Config{Persons: persons, Seed: 1, Now: testNow}, func(context.Context, *socle.Batch) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		total += sum.Persons
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "persons/s")
}
