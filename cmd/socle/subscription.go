package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"socle"
)

const subscriptionHelp = `Usage: socle subscription SUBCOMMAND [flags]   (socle subscription SUBCOMMAND --help)

Manage the webhook subscriptions of partner systems (OAuth clients), as an
operator helping a partner: the same checks as the API's
/api/v1/subscriptions (the client's scopes must grant "<purpose>:read"; the
URL must be https to a host that resolves to public addresses only).

Subcommands:
  create   subscribe a client: --client ID --url URL --purpose PURPOSE; prints the subscription id
  list     the subscriptions of a client: --client ID
  show     a subscription and its latest deliveries (the delivery log): show ID [--deliveries N]
  delete   delete a subscription and its pending deliveries: delete ID
  replay   send a delivery again at the next round, whatever its status: replay DELIVERY_ID

A delivery carries references (kind, id, version), never data: the
partner's system reads the record through the API, audited. Deliveries are
signed (detached JWS, keys at /.well-known/jwks.json) and retried with
exponential backoff for 24 hours (docs/api.md).
`

// runSubscription dispatches the subscription subcommands.
func runSubscription(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	const names = "create, list, show, delete, replay"
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, subscriptionHelp)
		if len(args) == 0 {
			return usagef("subscription: a subcommand is required (%s)", names)
		}
		return nil
	}
	run, ok := map[string]func(context.Context, []string, func(string) string, io.Writer, io.Writer) error{
		"create": runSubscriptionCreate, "list": runSubscriptionList, "show": runSubscriptionShow,
		"delete": runSubscriptionDelete, "replay": runSubscriptionReplay,
	}[args[0]]
	if !ok {
		return usagef("subscription: unknown subcommand %q (%s)", args[0], names)
	}
	return run(ctx, args[1:], getenv, stdout, stderr)
}

func runSubscriptionCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, cf := newClientFlags("subscription create", "subscription create --client ID --url URL --purpose PURPOSE [--allow-loopback] [--data DIR | --db postgres://…]", getenv, stdout)
	loopback := fs.Bool("allow-loopback", false, "accept a receiver on the loopback interface, over http too (tests, the demo)")
	clientID := fs.String("client", "", "id of the subscribing client (required)")
	target := fs.String("url", "", "https URL that receives the deliveries (required)")
	purpose := fs.String("purpose", "", "purpose of the changes delivered; the client's scopes must grant <purpose>:read (required)")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	switch {
	case *clientID == "":
		return usagef("subscription create: --client is required")
	case *target == "":
		return usagef("subscription create: --url is required")
	case *purpose == "":
		return usagef("subscription create: --purpose is required")
	}
	a, err := cf.openWebhooks(ctx, *loopback, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	actor, err := a.webhooks.ClientActor(ctx, *clientID)
	if err != nil {
		return fmt.Errorf("subscription create: %s", clientProblem(err, *clientID))
	}
	sub, err := a.webhooks.Subscribe(ctx, actor, *target, *purpose)
	if err != nil {
		return fmt.Errorf("subscription create: %s", domainMessage(err))
	}
	fmt.Fprintf(stdout, "subscription_id: %s\nclient_id: %s\npurpose: %s\nurl: %s\n", sub.ID, sub.ClientID, sub.Purpose, sub.URL)
	return nil
}

func runSubscriptionList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs, cf := newClientFlags("subscription list", "subscription list --client ID [--data DIR | --db postgres://…]", getenv, stdout)
	clientID := fs.String("client", "", "id of the client (required)")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if *clientID == "" {
		return usagef("subscription list: --client is required")
	}
	a, err := cf.openWebhooks(ctx, false, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	actor, err := a.webhooks.ClientActor(ctx, *clientID)
	if err != nil {
		return fmt.Errorf("subscription list: %s", clientProblem(err, *clientID))
	}
	subs, err := a.webhooks.Subscriptions(ctx, actor)
	if err != nil {
		return fmt.Errorf("subscription list: %w", err)
	}
	if len(subs) == 0 {
		fmt.Fprintf(stdout, "client %s has no subscription\n", *clientID)
	}
	for _, s := range subs {
		fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", s.ID, s.Purpose, s.Created.UTC().Format("2006-01-02T15:04:05Z"), s.URL)
	}
	return nil
}

func runSubscriptionShow(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	n := new(int)
	a, id, err := openWithID(ctx, "subscription show", "subscription id", args, getenv, stdout, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(n, "deliveries", 20, "how many of the latest deliveries to print (1 to 500)")
	})
	if err != nil {
		return err
	}
	defer a.Close()
	if *n < 1 || *n > 500 {
		return usagef("subscription show: --deliveries must be between 1 and 500")
	}
	sub, err := a.store.Subscription(ctx, id)
	if err != nil {
		return fmt.Errorf("subscription show: %s", notFoundAs(err, "no subscription %q", id))
	}
	fmt.Fprintf(stdout, "subscription_id: %s\nclient_id: %s\npurpose: %s\nurl: %s\ncreated_at: %s\n", sub.ID, sub.ClientID, sub.Purpose, sub.URL,
		sub.Created.UTC().Format("2006-01-02T15:04:05Z"))
	ds, err := a.store.Deliveries(ctx, sub.ID, "", *n)
	if err != nil {
		return fmt.Errorf("subscription show: delivery log: %w", err)
	}
	fmt.Fprintf(stdout, "deliveries (latest first): %d\n", len(ds))
	for _, d := range ds {
		last := ""
		if d.LastStatus != 0 {
			last = fmt.Sprintf(" last_status=%d", d.LastStatus)
		}
		if d.LastError != "" {
			last += fmt.Sprintf(" last_error=%q", d.LastError)
		}
		fmt.Fprintf(stdout, "  %s\t%s\t%s %s v%d\tattempts=%d%s\n", d.ID, d.Status, d.Change.Kind, d.Change.ID, d.Change.Version, d.Attempts, last)
	}
	return nil
}

func runSubscriptionDelete(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	a, id, err := openWithID(ctx, "subscription delete", "subscription id", args, getenv, stdout, stderr, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	sub, actor, err := subscriptionOwner(ctx, a, id)
	if err != nil {
		return fmt.Errorf("subscription delete: %s", err)
	}
	if err := a.webhooks.Unsubscribe(ctx, actor, sub.ID); err != nil {
		return fmt.Errorf("subscription delete: %w", err)
	}
	fmt.Fprintf(stdout, "subscription %s deleted\n", sub.ID)
	return nil
}

func runSubscriptionReplay(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	a, id, err := openWithID(ctx, "subscription replay", "delivery id", args, getenv, stdout, stderr, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	d, err := a.store.Delivery(ctx, id)
	if err != nil {
		return fmt.Errorf("subscription replay: %s", notFoundAs(err, "no delivery %q", id))
	}
	_, actor, err := subscriptionOwner(ctx, a, d.SubscriptionID)
	if err != nil {
		return fmt.Errorf("subscription replay: %s", err)
	}
	if d, err = a.webhooks.Replay(ctx, actor, d.ID); err != nil {
		return fmt.Errorf("subscription replay: %w", err)
	}
	fmt.Fprintf(stdout, "delivery %s queued again (%s); the server sends it at its next round\n", d.ID, d.Status)
	return nil
}

// subscriptionOwner returns the subscription id and its client as it
// acts, or a message naming what is missing.
func subscriptionOwner(ctx context.Context, a *app, id string) (*socle.Subscription, socle.Actor, error) {
	sub, err := a.store.Subscription(ctx, id)
	if err != nil {
		return nil, socle.Actor{}, fmt.Errorf("%s", notFoundAs(err, "no subscription %q", id))
	}
	actor, err := a.webhooks.ClientActor(ctx, sub.ClientID)
	if err != nil {
		return nil, socle.Actor{}, fmt.Errorf("%s", clientProblem(err, sub.ClientID))
	}
	return sub, actor, nil
}

// openWithID parses the flags of a subcommand that takes one id (what
// names it) and opens the app with the webhook service.
func openWithID(ctx context.Context, name, what string, args []string, getenv func(string) string, stdout, stderr io.Writer, extra func(*flag.FlagSet)) (*app, string, error) {
	fs, cf := newClientFlags(name, name+" "+strings.ToUpper(strings.ReplaceAll(what, " ", "_"))+" [--data DIR | --db postgres://…]", getenv, stdout)
	if extra != nil {
		extra(fs)
	}
	pos, err := parseWithArgs(fs, args, stdout)
	if err != nil {
		return nil, "", err
	}
	if len(pos) != 1 {
		return nil, "", usagef("%s: one %s is required", name, what)
	}
	a, err := cf.openWebhooks(ctx, false, stderr)
	if err != nil {
		return nil, "", err
	}
	return a, pos[0], nil
}

// openWebhooks opens the app with the webhook service, accepting loopback
// receivers when asked.
func (cf *clientFlags) openWebhooks(ctx context.Context, loopback bool, stderr io.Writer) (*app, error) {
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := openApp(ctx, cf.sf, siteConfig{baseURL: strings.TrimRight(*cf.baseURL, "/"), webhookLoopback: loopback}, logger)
	if err != nil {
		return nil, err
	}
	if a.webhooks == nil {
		a.Close()
		return nil, fmt.Errorf("webhooks are not available on this store")
	}
	return a, nil
}

// clientProblem says what is wrong with a subscription's client.
func clientProblem(err error, clientID string) string {
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return fmt.Sprintf("no client %q", clientID)
	}
	return err.Error()
}

// notFoundAs names a missing record, or returns the error's text.
func notFoundAs(err error, format string, id string) string {
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return fmt.Sprintf(format, id)
	}
	return err.Error()
}

// domainMessage is the readable message of a domain error (the problems
// name the field at fault), or the error's text.
func domainMessage(err error) string {
	if code := socle.ErrorCode(err); code != socle.EINTERNAL && code != "" {
		return socle.ErrorMessage(err)
	}
	return strings.TrimSpace(err.Error())
}
