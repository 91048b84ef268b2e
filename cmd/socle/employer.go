package main

import (
	"context"
	"fmt"
	"io"

	"socle/employer"
	"socle/identity"
)

// openEmployer wires the employer space (espace employeur).
func (a *app) openEmployer(site siteConfig) error {
	var err error
	a.employer, err = employer.New(a.store, a.audit, site.mailer, a.logger, employer.Config{
		BaseURL: site.baseURL, Secure: site.tls, Key: a.keys.forms, LinkKey: a.keys.links,
	})
	if err != nil {
		return fmt.Errorf("employer space: %w", err)
	}
	return nil
}

// demoEmployer prints how to try the employer space: the e-mail of a demo
// company contact, a login link for her, and from now on the space's
// mails. Only with --demo: a real deployment never prints a link.
func (a *app) demoEmployer(ctx context.Context, stdout io.Writer) error {
	// Its contacts' mailboxes are invented: never sent, even with SMTP.
	a.employer.SetMailer(identity.DemoMailer{Out: stdout, Logger: a.logger})
	for _, dep := range []string{"69", ""} {
		companies, err := a.store.Companies(ctx, dep, 50)
		if err != nil {
			return err
		}
		for _, c := range companies {
			contacts, err := a.store.Contacts(ctx, c.ID)
			if err != nil {
				return err
			}
			for _, ct := range contacts {
				if ct.Email == "" {
					continue
				}
				if other, err := a.store.ContactByEmail(ctx, ct.Email); err != nil || other.ID != ct.ID {
					continue
				}
				link, err := a.employer.IssueLink(ctx, ct.ID)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "Espace employeur : %s %s (%s) demande un lien sur /employeur avec l'adresse %s (en démonstration, le courriel s'affiche ici), ou ouvre dans les 15 minutes :\n  %s\n",
					ct.GivenName, ct.FamilyName, c.Name, ct.Email, link)
				return nil
			}
		}
	}
	return nil
}
