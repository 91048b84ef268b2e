package storetest

import (
	"context"
	"testing"

	"socle"
)

// RunFederationLinks runs the suite of the links between a federation's
// subjects and agents or persons. open returns a new, empty, migrated store.
func RunFederationLinks(t *testing.T, open func(t *testing.T) socle.Store) {
	s := open(t)
	links, ok := s.(socle.FederationLinkStore)
	if !ok {
		t.Fatal("the store does not implement socle.FederationLinkStore")
	}
	ctx := context.Background()
	org := NewOrganisation("Mission Locale de Lyon", socle.KindYouth, "69")
	if err := s.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	agent := NewAgent(org.ID, "noe@ml-lyon.fr")
	if err := s.CreateAgent(ctx, agent); err != nil {
		t.Fatal(err)
	}
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
