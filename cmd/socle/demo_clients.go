package main

import (
	"context"
	"fmt"
	"io"

	"socle"
	"socle/oauth"
)

// demoClientScopes are the scopes of the demo's partner systems: what an
// adviser does through the API for the accompagnement.
var demoClientScopes = []string{"accompagnement:read", "accompagnement:search", "accompagnement:update"}

// demoClients creates one partner system (an OAuth client with a secret)
// per kind of organisation, for the first organisation of that kind that
// follows someone, and prints how to call it: a token, then the file of a
// person it follows. The secrets are printed once, like socle client
// create does.
func (a *app) demoClients(ctx context.Context, stdout io.Writer) error {
	base := a.oauth.Issuer()
	fmt.Fprintln(stdout, "Systèmes partenaires de démonstration (un client OAuth par type de structure ; il voit ce que voit un conseiller de sa structure) :")
	for _, kind := range socle.OrgKinds {
		orgs, err := a.store.Organisations(ctx, socle.OrganisationFilter{Kind: kind, Limit: 50})
		if err != nil {
			return fmt.Errorf("demo clients: %w", err)
		}
		for _, org := range orgs {
			persons, err := a.store.SearchPersons(ctx, socle.PersonQuery{OrganisationID: org.ID, Limit: 1}, socle.SetOf(socle.CatIdentity))
			if err != nil {
				return fmt.Errorf("demo clients: %w", err)
			}
			if len(persons) == 0 {
				continue
			}
			c, secret, err := a.oauth.CreateClient(ctx, oauth.NewClient{OrganisationID: org.ID, Name: "SI de démonstration — " + org.Name,
				Method: socle.OAuthClientSecret, Scopes: demoClientScopes})
			if err != nil {
				return fmt.Errorf("demo client of %s: %w", org.Name, err)
			}
			fmt.Fprintf(stdout, "  %s (%s) : client %s\n", org.Name, kind.Label(), c.ID)
			fmt.Fprintf(stdout, "    TOKEN=$(curl -s -u '%s:%s' -d grant_type=client_credentials -d scope=accompagnement:read %s/oauth/token | jq -r .access_token)\n", c.ID, secret, base)
			fmt.Fprintf(stdout, "    curl -H \"Authorization: Bearer $TOKEN\" '%s/api/v1/persons/%s?purpose=accompagnement'\n", base, persons[0].ID)
			break
		}
	}
	fmt.Fprintf(stdout, "  Flux des modifications : curl -H \"Authorization: Bearer $TOKEN\" '%s/api/v1/changes?purpose=accompagnement' ; documentation : docs/partners.md\n", base)
	return nil
}
