package main

import (
	"context"
	"fmt"
	"io"

	"socle/audit"
	"socle/identity"
	"socle/space"
)

// openSpace wires the person's own space (espace usager) and gives the gate
// the audit index her history is searched in.
func (a *app) openSpace(site siteConfig) error {
	vkey, err := audit.VerifierKey(a.keys.auditSigner)
	if err != nil {
		return fmt.Errorf("person space: %w", err)
	}
	a.gate.SetAuditSearch(a.auditSQL)
	a.space, err = space.New(a.store, a.audit, site.mailer, a.logger, space.Config{
		BaseURL: site.baseURL, Secure: site.tls, Key: a.keys.forms, LinkKey: a.keys.links, VerifierKey: vkey, PersonRef: a.gate.PersonRef,
	})
	if err != nil {
		return fmt.Errorf("person space: %w", err)
	}
	return nil
}

// openFranceConnect wires FranceConnect(+) as a way into the person's
// space, when its issuer is configured.
func (a *app) openFranceConnect(ctx context.Context, site siteConfig) error {
	if site.franceConnect.Issuer == "" {
		return nil
	}
	cfg := site.franceConnect
	cfg.RedirectURL = site.baseURL + "/usager/franceconnect/retour"
	fc, err := space.NewFranceConnect(ctx, a.space, a.store, cfg)
	if err != nil {
		return fmt.Errorf("FranceConnect: %w", err)
	}
	a.fc = fc
	return nil
}

// demoSpace prints how to try the person's space: the e-mail of a demo
// person, a login link for her, and from now on the space's mails. Only
// with --demo: a real deployment never prints a link.
func (a *app) demoSpace(ctx context.Context, stdout io.Writer) error {
	a.space.SetMailer(identity.DemoMailer{Out: stdout, Logger: a.logger})
	email, err := a.store.SpaceDemoEmail(ctx)
	if err != nil || email == "" {
		return err
	}
	ids, err := a.store.PersonsByEmail(ctx, email, 2)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return nil
	}
	link, err := a.space.IssueLink(ctx, ids[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Espace usager : demandez un lien sur /usager avec l'adresse %s (en démonstration, le courriel s'affiche ici), ou ouvrez dans les 15 minutes :\n  %s\n", email, link)
	return nil
}
