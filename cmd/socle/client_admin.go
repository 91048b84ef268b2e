package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"socle"
)

func runClientList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, cf := newClientFlags("client list", "client list [--org ID] [--data DIR | --db postgres://…]", getenv, stdout)
	org := fs.String("org", "", "only the clients of this organisation")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	a, err := cf.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	cs, err := a.oauth.Clients(ctx, *org)
	if err != nil {
		return fmt.Errorf("client list: %w", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tORGANISATION\tNAME\tMETHOD\tSTATE\tSCOPES")
	for _, c := range cs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.OrganisationID, c.Name, c.Method, clientState(c), strings.Join(c.Scopes, " "))
	}
	return tw.Flush()
}

func clientState(c *socle.OAuthClient) string {
	if c.Disabled {
		return "disabled"
	}
	return "active"
}

func runClientShow(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	id, a, err := openForClient(ctx, "show", args, getenv, stdout, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	c, err := a.oauth.Client(ctx, id)
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return fmt.Errorf("client show: no client %q", id)
	} else if err != nil {
		return fmt.Errorf("client show: %w", err)
	}
	org, err := a.store.Organisation(ctx, c.OrganisationID)
	if err != nil {
		return fmt.Errorf("client show: organisation: %w", err)
	}
	rules, err := a.oauth.Agreements(ctx, c)
	if err != nil {
		return fmt.Errorf("client show: %w", err)
	}
	fmt.Fprintf(stdout, "client_id: %s\nname: %s\norganisation: %s (%s, %s)\nmethod: %s\nstate: %s\nscopes: %s\ncreated: %s\n",
		c.ID, c.Name, org.ID, org.Name, org.Kind, c.Method, clientState(c), strings.Join(c.Scopes, " "), c.CreatedAt.Format("2006-01-02 15:04:05Z07:00"))
	fmt.Fprintln(stdout, "agreements (what an adviser of the organisation is granted, and so the client):")
	if len(rules) == 0 {
		fmt.Fprintln(stdout, "  none: every access will be refused")
	}
	for _, r := range rules {
		fmt.Fprintf(stdout, "  %s: purpose %s, population %s, read %s, write %s\n", r.ID, r.Purpose, r.Population, r.Read, orNone(r.Write.String()))
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func runClientRotateSecret(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	id, a, err := openForClient(ctx, "rotate-secret", args, getenv, stdout, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	secret, err := a.oauth.RotateSecret(ctx, id)
	switch socle.ErrorCode(err) {
	case "":
	case socle.ENOTFOUND:
		return fmt.Errorf("client rotate-secret: no client %q", id)
	case socle.EINVALID:
		return fmt.Errorf("client rotate-secret: %s", socle.ErrorMessage(err))
	default:
		return fmt.Errorf("client rotate-secret: %w", err)
	}
	fmt.Fprintf(stdout, "client_id: %s\nclient_secret: %s\n", id, secret)
	fmt.Fprintln(stdout, "Keep the secret now: it is shown only once; the previous one no longer works.")
	return nil
}

// openForClient parses the flags of a subcommand that names one client
// ("client NAME ID") and opens the app; the caller closes it.
func openForClient(ctx context.Context, name string, args []string, getenv func(string) string, stdout, stderr io.Writer) (string, *app, error) {
	fs, cf := newClientFlags("client "+name, "client "+name+" ID [--data DIR | --db postgres://…]", getenv, stdout)
	pos, err := parseWithArgs(fs, args, stdout)
	if err != nil {
		return "", nil, err
	}
	if len(pos) != 1 {
		return "", nil, usagef("client %s: one client id is required", name)
	}
	a, err := cf.open(ctx, stderr)
	if err != nil {
		return "", nil, err
	}
	return pos[0], a, nil
}
