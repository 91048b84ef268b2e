package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"socle"
)

// RunFederationLinks runs the suite of the links between a federation's
// subjects and agents or persons. open returns a new, empty, migrated store.
func RunFederationLinks(t *testing.T, open func(t *testing.T) socle.Store) {
	s := open(t)
	links := storeAs[socle.FederationLinkStore](t, s)
	ctx := context.Background()
	agent := newFederationAgent(t, s)
	person := NewPerson(1)
	if err := s.CreatePerson(ctx, person); err != nil {
		t.Fatal(err)
	}
	const pc, fc = "https://proconnect.example", "https://franceconnect.example"
	tests := []struct {
		name string
		link socle.FederationLink
		want string
	}{
		{name: "an agent", link: socle.FederationLink{Issuer: pc, Subject: "s1", AgentID: agent.ID}},
		{name: "a person", link: socle.FederationLink{Issuer: fc, Subject: "s1", PersonID: person.ID}},
		{name: "the same subject at another issuer", link: socle.FederationLink{Issuer: fc, Subject: "s2", PersonID: person.ID}},
		{name: "a subject linked twice", link: socle.FederationLink{Issuer: pc, Subject: "s1", AgentID: agent.ID}, want: socle.ECONFLICT},
		{name: "neither agent nor person", link: socle.FederationLink{Issuer: pc, Subject: "s3"}, want: socle.EINVALID},
		{name: "both agent and person", link: socle.FederationLink{Issuer: pc, Subject: "s4", AgentID: agent.ID, PersonID: person.ID}, want: socle.EINVALID},
		{name: "an unknown agent", link: socle.FederationLink{Issuer: pc, Subject: "s5", AgentID: socle.NewID(socle.PrefixAgent)}, want: socle.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.link
			err := links.CreateFederationLink(ctx, &l)
			if socle.ErrorCode(err) != tt.want {
				t.Fatalf("creating: %v, want %q", err, tt.want)
			}
			got, err := links.FederationLink(ctx, l.Issuer, l.Subject)
			if tt.want != "" {
				if tt.want != socle.ECONFLICT && socle.ErrorCode(err) != socle.ENOTFOUND {
					t.Fatalf("a refused link was stored: %+v, %v", got, err)
				}
				return
			}
			if err != nil || got.AgentID != l.AgentID || got.PersonID != l.PersonID || got.CreatedAt.IsZero() {
				t.Fatalf("read back %+v, %v; want %+v", got, err, l)
			}
		})
	}
	if _, err := links.FederationLink(ctx, pc, "nobody"); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("an unknown subject: %v, want ENOTFOUND", err)
	}
}

// RunIdentityChecks runs the suite of the identity-set match and the
// queue of identity checks. open returns a new, empty, migrated store.
func RunIdentityChecks(t *testing.T, open func(t *testing.T) socle.Store) {
	s := open(t)
	checks := storeAs[socle.IdentityCheckStore](t, s)
	ctx := context.Background()
	agent := newFederationAgent(t, s)
	single := NewPerson(1)
	single.Identity.GivenName, single.Identity.FamilyName = "Hélène", "Lefèvre-Dupré"
	twin1, twin2 := NewPerson(2), NewPerson(2)
	noNIR := NewPerson(3)
	noNIR.Identity.NIR = ""
	for _, p := range []*socle.Person{single, twin1, twin2, noNIR} {
		if err := s.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	setOf := func(p *socle.Person) socle.IdentitySet {
		return socle.IdentitySet{GivenNames: p.Identity.GivenName, FamilyName: p.Identity.FamilyName, BirthDate: p.Identity.BirthDate,
			Sex: p.Identity.Sex, BirthPlace: NIR(1)[5:10]}
	}
	twins := setOf(twin1)
	twins.BirthPlace = NIR(2)[5:10]
	tests := []struct {
		name string
		set  socle.IdentitySet
		want []string
	}{
		{name: "exact", set: setOf(single), want: []string{single.ID}},
		{name: "case, accents and hyphens", set: func() socle.IdentitySet {
			id := setOf(single)
			id.GivenNames, id.FamilyName = "HELENE Marie", "LEFEVRE DUPRE"
			return id
		}(), want: []string{single.ID}},
		{name: "usage name", set: func() socle.IdentitySet {
			id := setOf(single)
			id.FamilyName, id.PreferredUsername = "Martin", "lefèvre dupré"
			return id
		}(), want: []string{single.ID}},
		{name: "another birthplace", set: func() socle.IdentitySet { id := setOf(single); id.BirthPlace = "69123"; return id }()},
		{name: "another birth date", set: func() socle.IdentitySet { id := setOf(single); id.BirthDate = socle.NewDate(1990, 1, 1); return id }()},
		{name: "another sex", set: func() socle.IdentitySet { id := setOf(single); id.Sex = "F"; return id }()},
		{name: "no NIR, no birthplace to confirm", set: setOf(noNIR)},
		{name: "two records", set: twins, want: []string{twin1.ID, twin2.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checks.PersonsByIdentity(ctx, tt.set, 10)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("matched %v, want %v", got, want)
			}
		})
	}

	t.Run("by NIR", func(t *testing.T) {
		spaced := single.Identity.NIR[:1] + " " + single.Identity.NIR[1:5] + " " + single.Identity.NIR[5:]
		for _, tt := range []struct {
			nir  string
			born socle.Date
			want int
		}{{single.Identity.NIR, single.Identity.BirthDate, 1}, {spaced, single.Identity.BirthDate, 1},
			{single.Identity.NIR, socle.NewDate(1990, 1, 1), 0}, {NIR(2), twin1.Identity.BirthDate, 2}} {
			ids, err := checks.PersonsByNIR(ctx, tt.nir, tt.born, 10)
			if err != nil || len(ids) != tt.want {
				t.Errorf("PersonsByNIR(%q, %s) = %v, %v; want %d", tt.nir, tt.born, ids, err, tt.want)
			}
		}
	})

	t.Run("queue", func(t *testing.T) {
		c := &socle.IdentityCheck{Issuer: "https://fc.example", Subject: "fc-1", Identity: twins, Candidates: 2}
		if created, err := checks.CreateIdentityCheck(ctx, c); err != nil || !created {
			t.Fatalf("queueing: %v, %v", created, err)
		}
		again := &socle.IdentityCheck{Issuer: "https://fc.example", Subject: "fc-1", Identity: twins, Candidates: 2}
		if created, err := checks.CreateIdentityCheck(ctx, again); err != nil || created || again.ID != c.ID {
			t.Fatalf("a second login of the same subject queued another check: %v, %v, %s", created, err, again.ID)
		}
		other := &socle.IdentityCheck{Issuer: "https://fc.example", Subject: "fc-2", Identity: setOf(noNIR)}
		if _, err := checks.CreateIdentityCheck(ctx, other); err != nil {
			t.Fatal(err)
		}
		open, err := checks.OpenIdentityChecks(ctx, 10)
		if err != nil || len(open) != 2 || open[0].ID != c.ID || open[0].Identity.BirthDate != twins.BirthDate || open[0].Candidates != 2 {
			t.Fatalf("open checks %+v, %v", open, err)
		}
		if err := checks.ResolveIdentityCheck(ctx, c.ID, agent.ID, twin2.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if l, err := checks.FederationLink(ctx, c.Issuer, c.Subject); err != nil || l.PersonID != twin2.ID {
			t.Fatalf("the linked check left no link: %+v, %v", l, err)
		}
		if err := checks.ResolveIdentityCheck(ctx, c.ID, agent.ID, "", time.Now()); socle.ErrorCode(err) != socle.ECONFLICT {
			t.Fatalf("resolving twice: %v, want ECONFLICT", err)
		}
		if err := checks.ResolveIdentityCheck(ctx, other.ID, agent.ID, "", time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := checks.FederationLink(ctx, other.Issuer, other.Subject); socle.ErrorCode(err) != socle.ENOTFOUND {
			t.Fatalf("a rejected check was linked: %v", err)
		}
		got, err := checks.IdentityCheck(ctx, c.ID)
		if err != nil || got.Status != socle.IdentityCheckLinked || got.ResolvedBy != agent.ID || got.ResolvedAt.IsZero() {
			t.Fatalf("resolved check %+v, %v", got, err)
		}
		if _, err := checks.IdentityCheck(ctx, socle.NewID(socle.PrefixIdentityCheck)); socle.ErrorCode(err) != socle.ENOTFOUND {
			t.Fatalf("an unknown check: %v", err)
		}
		if open, _ := checks.OpenIdentityChecks(ctx, 10); len(open) != 0 {
			t.Fatalf("%d checks still open", len(open))
		}
	})
}

// newFederationAgent stores an organisation and one of its agents.
func newFederationAgent(t *testing.T, s socle.Store) *socle.Agent {
	t.Helper()
	org := createOrganisation(t, s, "Mission Locale de Lyon", socle.KindYouth, "69")
	return createAgent(t, s, org.ID, "noe@ml-lyon.fr")
}
