package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"socle"
	"socle/oauth"
	"socle/store/postgres"
)

const clientHelp = `Usage: socle client SUBCOMMAND [flags]   (socle client SUBCOMMAND --help)

Manage the partner systems that call the API with OAuth2 client credentials,
and the platform's token signing keys.

Subcommands:
  create         register a client: --org ID --name NAME --scopes "purpose:action …"
                 [--secret (default) | --jwk FILE]; prints its id, and its secret once
  list           list the clients [--org ID]
  show           a client, its organisation and the agreement rules it acts under: show ID
  disable        disable a client (no new token; its tokens stop verifying): disable ID
  rotate-secret  give a client a new secret, printed once; the previous one stops working
  rotate-key     create a new token signing key; the previous one verifies until its tokens expire
  revoke         revoke one access token by its jti: revoke --client ID JTI

A client is a partner's system acting for its organisation. Scopes are
"<purpose>:<action>" (actions: read, search, create, update, export) and must
be covered by an agreement rule of the client's organisation (its kind, or
itself) granted to systems ("systems": true in the register): the default
register grants systems what it grants advisers. A scope only bounds what
the token may ask: the policy still decides each access, exactly as for an
adviser of the organisation with the same purpose (same throttle, same
audit, with the client as principal).

On SQLite, run these commands while no server writes to the same store: the
audit log has one writer. On PostgreSQL they may run beside the servers,
which learn of a disabled client, a revoked token or a new key at once
(LISTEN/NOTIFY), or at their next refresh (30 s) if the message is lost.
`

// runClient dispatches the client subcommands.
func runClient(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, clientHelp)
		if len(args) == 0 {
			return usagef("client: a subcommand is required (create, list, show, disable, rotate-secret, rotate-key, revoke)")
		}
		return nil
	}
	switch args[0] {
	case "create":
		return runClientCreate(ctx, args[1:], getenv, stdout, stderr)
	case "list":
		return runClientList(ctx, args[1:], getenv, stdout, stderr)
	case "show":
		return runClientShow(ctx, args[1:], getenv, stdout, stderr)
	case "disable":
		return runClientDisable(ctx, args[1:], getenv, stdout, stderr)
	case "rotate-secret":
		return runClientRotateSecret(ctx, args[1:], getenv, stdout, stderr)
	case "rotate-key":
		return runClientRotateKey(ctx, args[1:], getenv, stdout, stderr)
	case "revoke":
		return runClientRevoke(ctx, args[1:], getenv, stdout, stderr)
	}
	return usagef("client: unknown subcommand %q (create, list, show, disable, rotate-secret, rotate-key, revoke)", args[0])
}

// clientFlags are the flags every client subcommand shares: the store and
// the issuer the tokens name.
type clientFlags struct {
	sf      storeFlags
	baseURL *string
}

func newClientFlags(name, usage string, getenv func(string) string, stdout io.Writer) (*flag.FlagSet, *clientFlags) {
	fs := newFlags(name, usage, stdout)
	cf := &clientFlags{}
	cf.sf.register(fs, getenv)
	cf.baseURL = fs.String("base-url", envOr(getenv, "SOCLE_BASE_URL", "http://localhost:8080"), "public URL of the site, the issuer of the tokens (env SOCLE_BASE_URL)")
	return fs, cf
}

// parseWithArgs parses flags placed before or after the positional
// arguments and returns the positional ones.
func parseWithArgs(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	var pos []string
	for {
		fs.SetOutput(io.Discard)
		err := fs.Parse(args)
		fs.SetOutput(stdout)
		if err != nil {
			if err == flag.ErrHelp {
				fs.Usage()
				return nil, err
			}
			return nil, usagef("%s: %v (see socle %s --help)", fs.Name(), err, fs.Name())
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// tellServers asks the servers sharing the PostgreSQL to refresh their
// clients, revocations and keys now; SQLite has no other server.
func (cf *clientFlags) tellServers(ctx context.Context, logger *slog.Logger) {
	if cf.sf.db == "" {
		return
	}
	bus, err := postgres.NewBus(ctx, cf.sf.db, logger)
	if err == nil {
		defer bus.Close()
		err = bus.Publish(ctx, busOAuth)
	}
	if err != nil {
		logger.Warn("the servers learn of the change at their next refresh (30 s)", "err", err)
	}
}

func (cf *clientFlags) open(ctx context.Context, stderr io.Writer) (*app, error) {
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return openApp(ctx, cf.sf, siteConfig{baseURL: strings.TrimRight(*cf.baseURL, "/")}, logger)
}

func runClientCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, cf := newClientFlags("client create", `client create --org ID --name NAME --scopes "purpose:action …" [--secret | --jwk FILE] [--data DIR | --db postgres://…]`, getenv, stdout)
	org := fs.String("org", "", "id of the client's organisation (required)")
	name := fs.String("name", "", "name of the partner system (required)")
	scopes := fs.String("scopes", "", `scopes, space-separated "<purpose>:<action>", e.g. "accompagnement:read accompagnement:search" (required)`)
	secret := fs.Bool("secret", false, "authenticate with a generated secret (client_secret_basic/post); the default")
	jwk := fs.String("jwk", "", "authenticate with private_key_jwt: FILE holds the client's public JWK or JWK set")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	switch {
	case *org == "":
		return usagef("client create: --org is required")
	case strings.TrimSpace(*name) == "":
		return usagef("client create: --name is required")
	case strings.TrimSpace(*scopes) == "":
		return usagef("client create: --scopes is required")
	case *secret && *jwk != "":
		return usagef("client create: --secret and --jwk exclude each other")
	}
	nc := oauth.NewClient{OrganisationID: *org, Name: strings.TrimSpace(*name), Method: socle.OAuthClientSecret, Scopes: strings.Fields(*scopes)}
	if *jwk != "" {
		doc, err := readJWKS(*jwk)
		if err != nil {
			return err
		}
		nc.Method, nc.JWKS = socle.OAuthPrivateKeyJWT, doc
	}
	a, err := cf.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	c, sec, err := a.oauth.CreateClient(ctx, nc)
	if socle.ErrorCode(err) == socle.EINVALID {
		// The problems name the field and the scope at fault.
		return fmt.Errorf("client create: %s", socle.ErrorMessage(err))
	} else if err != nil {
		return fmt.Errorf("client create: %w", err)
	}
	fmt.Fprintf(stdout, "client_id: %s\n", c.ID)
	fmt.Fprintf(stdout, "method: %s\n", c.Method)
	fmt.Fprintf(stdout, "scopes: %s\n", strings.Join(c.Scopes, " "))
	if sec != "" {
		fmt.Fprintf(stdout, "client_secret: %s\n", sec)
		fmt.Fprintln(stdout, "Keep the secret now: it is shown only once and only its keyed hash is stored.")
	}
	return nil
}

// readJWKS reads a public JWK or JWK set and returns a JWK set document.
func readJWKS(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("client create: reading --jwk: %w", err)
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return "", fmt.Errorf("client create: --jwk %s is not JSON: %w", path, err)
	}
	if _, ok := probe["keys"]; ok {
		return string(b), nil
	}
	if _, ok := probe["kty"]; !ok {
		return "", fmt.Errorf("client create: --jwk %s is neither a JWK (kty) nor a JWK set (keys)", path)
	}
	return `{"keys":[` + strings.TrimSpace(string(b)) + `]}`, nil
}

func runClientDisable(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, cf := newClientFlags("client disable", "client disable ID [--data DIR | --db postgres://…]", getenv, stdout)
	pos, err := parseWithArgs(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("client disable: one client id is required")
	}
	a, err := cf.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.oauth.DisableClient(ctx, pos[0]); err != nil {
		if socle.ErrorCode(err) == socle.ENOTFOUND {
			return fmt.Errorf("client disable: no client %q", pos[0])
		}
		return fmt.Errorf("client disable: %w", err)
	}
	cf.tellServers(ctx, a.logger)
	fmt.Fprintf(stdout, "client %s disabled\n", pos[0])
	return nil
}

func runClientRotateKey(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, cf := newClientFlags("client rotate-key", "client rotate-key [--data DIR | --db postgres://…]", getenv, stdout)
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	a, err := cf.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	kid, err := a.oauth.RotateKey(ctx)
	if err != nil {
		return fmt.Errorf("client rotate-key: %w", err)
	}
	cf.tellServers(ctx, a.logger)
	fmt.Fprintf(stdout, "new signing key %s; the previous key verifies until the tokens it signed expire\n", kid)
	return nil
}

func runClientRevoke(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, cf := newClientFlags("client revoke", "client revoke --client ID JTI [--data DIR | --db postgres://…]", getenv, stdout)
	clientID := fs.String("client", "", "id of the client the token was issued to (required)")
	pos, err := parseWithArgs(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("client revoke: one token id (jti) is required")
	}
	if *clientID == "" {
		return usagef("client revoke: --client is required")
	}
	a, err := cf.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.store.OAuthClient(ctx, *clientID); err != nil {
		if socle.ErrorCode(err) == socle.ENOTFOUND {
			return fmt.Errorf("client revoke: no client %q", *clientID)
		}
		return fmt.Errorf("client revoke: %w", err)
	}
	// No token lives longer than MaxTokenTTL: revoking that long covers it.
	until := time.Now().Add(oauth.MaxTokenTTL + time.Minute).UTC()
	if err := a.oauth.Revoke(ctx, pos[0], *clientID, until); err != nil {
		return fmt.Errorf("client revoke: %w", err)
	}
	if err := a.audit.Append(ctx, socle.AuditEvent{Time: time.Now().UTC(), Action: "token_revoked", Allowed: true, ClientID: *clientID,
		ResourceKind: "access_token", ResourceID: pos[0], Explanation: "Jeton révoqué par un opérateur (socle client revoke)."}); err != nil {
		return fmt.Errorf("client revoke: %w", err)
	}
	cf.tellServers(ctx, a.logger)
	fmt.Fprintf(stdout, "token %s revoked\n", pos[0])
	return nil
}
