package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"socle"
	sochttp "socle/http"
	"socle/oauth"
	"socle/orientation"
	"socle/ratelog"
	"socle/space"
	"socle/webhook"
)

// storeFlags are the flags that choose the store, shared by the commands.
type storeFlags struct {
	data string
	db   string
}

func (sf *storeFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&sf.data, "data", envOr(getenv, "SOCLE_DATA", "data"), "data directory of the embedded SQLite store and the keys (env SOCLE_DATA)")
	fs.StringVar(&sf.db, "db", getenv("SOCLE_DB"), "PostgreSQL URL (postgres://…); overrides --data for the store (env SOCLE_DB)")
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "serve [--addr 127.0.0.1:8080] [--data DIR | --db postgres://…] (--smtp-addr HOST:PORT --smtp-from ADDR | --demo) [--witness URL --witness-key KEY]…", stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	addr := fs.String("addr", envOr(getenv, "SOCLE_ADDR", "127.0.0.1:8080"), "listen address (env SOCLE_ADDR)")
	demoMode := fs.Bool("demo", false, "fill an empty store with a demo network and print the demo accounts")
	demoPersons := fs.Int("demo-persons", 5000, "number of persons of the demo network (with --demo)")
	tlsCert := fs.String("tls-cert", getenv("SOCLE_TLS_CERT"), "TLS certificate file: serve HTTPS (env SOCLE_TLS_CERT)")
	tlsKey := fs.String("tls-key", getenv("SOCLE_TLS_KEY"), "TLS key file (env SOCLE_TLS_KEY)")
	ssoIssuer := fs.String("sso-issuer", getenv("SOCLE_SSO_ISSUER"), "OpenID Connect issuer of the network's single sign-on; off when empty (env SOCLE_SSO_ISSUER; the secret comes from SOCLE_SSO_CLIENT_SECRET)")
	ssoClientID := fs.String("sso-client-id", getenv("SOCLE_SSO_CLIENT_ID"), "client id of Socle at the SSO provider (env SOCLE_SSO_CLIENT_ID)")
	ssoKind := fs.String("sso-kind", envOr(getenv, "SOCLE_SSO_KIND", string(oauth.SSOGeneric)), "flavour of the SSO provider: oidc (generic OpenID Connect, verified e-mail required) or proconnect (the État's federation for agents: signed userinfo, SIRET checked against the agent's organisation, logout at the federation) (env SOCLE_SSO_KIND)")
	fcIssuer := fs.String("franceconnect-issuer", getenv("SOCLE_FRANCECONNECT_ISSUER"), "OpenID Connect issuer of FranceConnect (or FranceConnect+) for persons' sign-in to their space, besides the e-mailed link; off when empty (env SOCLE_FRANCECONNECT_ISSUER; the secret comes from SOCLE_FRANCECONNECT_CLIENT_SECRET; register BASE-URL/usager/franceconnect/retour as redirect URI)")
	fcClientID := fs.String("franceconnect-client-id", getenv("SOCLE_FRANCECONNECT_CLIENT_ID"), "client id of Socle at FranceConnect (env SOCLE_FRANCECONNECT_CLIENT_ID)")
	ssoACR := fs.String("sso-mfa-acr", getenv("SOCLE_SSO_MFA_ACR"), "comma-separated acr values that prove a second factor at the SSO provider; with proconnect they are asked for, and eidas2,eidas3 when empty; another returned level means Socle's own second factor (env SOCLE_SSO_MFA_ACR)")
	adminAddr := fs.String("admin-addr", getenv("SOCLE_ADMIN_ADDR"), "address of the metrics (/metrics) and profiles (/debug/pprof/), apart from the public one; off when empty, keep it on loopback or a private network, e.g. 127.0.0.1:9090 (env SOCLE_ADMIN_ADDR)")
	webhookEvery := fs.Duration("webhook-interval", 5*time.Second, "how often the partners' webhooks are queued and delivered")
	webhookLoopback := fs.Bool("webhook-allow-loopback", false, "accept plain-http webhook URLs on the loopback interface (tests; on with --demo)")
	webhookCA := fs.String("webhook-ca", getenv("SOCLE_WEBHOOK_CA"), "PEM file of authorities trusted, besides the system's, for the certificates of webhook receivers (a partner's private PKI); verification is never skipped (env SOCLE_WEBHOOK_CA)")
	baseURL := fs.String("base-url", getenv("SOCLE_BASE_URL"), "public URL of the site, for mail links and WebAuthn; http://localhost:PORT by default (env SOCLE_BASE_URL)")
	var wf witnessFlags
	wf.register(fs, getenv)
	var mf mailFlags
	mf.register(fs, getenv)
	var smsf smsFlags
	smsf.register(fs, getenv)
	var drain drainConfig
	fs.DurationVar(&drain.delay, "drain-delay", 0, "on SIGTERM, how long to keep serving while /readyz answers 503, so that load balancers stop sending first")
	fs.DurationVar(&drain.timeout, "drain-timeout", 15*time.Second, "on SIGTERM, how long requests in flight have to finish")
	minFreeMiB := fs.Uint64("min-free-disk-mib", 256, "/readyz answers 503 when the disk of the data directory has less free space (MiB)")
	// Orientation requests between structures.
	handoffDays := fs.Int("orientation-deadline", socle.DefaultHandoffDeadlines.Deadline, "working days a structure has to answer an orientation request, after which it goes to the départemental committee")
	handoffRemind := fs.Int("orientation-reminder", socle.DefaultHandoffDeadlines.RemindBefore, "working days before the deadline of an orientation request when its structure is reminded")
	handoffEvery := fs.Duration("orientation-interval", time.Hour, "how often the deadlines of orientation requests are checked")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	handoff := socle.HandoffDeadlines{Deadline: *handoffDays, RemindBefore: *handoffRemind}
	if err := handoff.Validate(); err != nil || *handoffEvery <= 0 {
		return usagef("serve: --orientation-deadline must be at least 1, --orientation-reminder from 0 to less than the deadline, --orientation-interval positive")
	}
	witnesses, err := wf.witnesses("serve")
	if err != nil {
		return err
	}
	var webhookRoots *x509.CertPool // the system's
	if *webhookCA != "" {
		if webhookRoots, err = webhook.TrustedRoots(*webhookCA); err != nil {
			return usagef("serve: --webhook-ca: %v", err)
		}
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usagef("serve: --tls-cert and --tls-key go together")
	}
	if *demoPersons < 1 || *demoPersons > 10_000_000 {
		return usagef("serve: --demo-persons must be between 1 and 10000000")
	}
	// Repeated warnings and errors (a full disk, a database down) are
	// collapsed into one line per message and window, with their count.
	logger := slog.New(ratelog.New(slog.NewJSONHandler(stderr, nil), 10*time.Second))
	if len(witnesses) == 0 {
		logger.Warn("audit checkpoints are not witnessed: give --witness and --witness-key (see README)")
	}
	mailer, err := mf.mailer(getenv, *demoMode, stdout, logger)
	if err != nil {
		return err
	}
	sms, err := smsf.sender(getenv, *demoMode, stdout, logger)
	if err != nil {
		return err
	}

	site := siteConfig{tls: *tlsCert != "", baseURL: *baseURL, mailer: mailer, shared: sf.db != "", sso: oauth.SSOConfig{
		Issuer: *ssoIssuer, ClientID: *ssoClientID, ClientSecret: getenv("SOCLE_SSO_CLIENT_SECRET"),
		Kind: oauth.SSOKind(*ssoKind), MFAACRValues: splitList(*ssoACR),
	}, franceConnect: space.FranceConnectConfig{
		Issuer: *fcIssuer, ClientID: *fcClientID, ClientSecret: getenv("SOCLE_FRANCECONNECT_CLIENT_SECRET"),
	}, witnesses: witnesses, webhookLoopback: *demoMode || *webhookLoopback, webhookRoots: webhookRoots}
	// Listen first, so that the default base URL (the WebAuthn origin)
	// names the real port when --addr asks for any (":0").
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", *addr, err)
	}
	defer ln.Close()
	if site.baseURL == "" {
		site.baseURL = defaultBaseURL(ln.Addr().String(), site.tls)
	}
	app, err := openApp(ctx, sf, site, logger)
	if err != nil {
		return err
	}
	defer app.Close()

	if *demoMode {
		if err := app.fillDemo(ctx, *demoPersons, stdout, stderr); err != nil {
			return err
		}
		if err := app.demoSpace(ctx, stdout); err != nil {
			return fmt.Errorf("demo person space: %w", err)
		}
		if err := app.demoEmployer(ctx, stdout); err != nil {
			return fmt.Errorf("demo employer space: %w", err)
		}
	}

	if err := app.startMatching(ctx); err != nil {
		return err
	}
	if err := app.startDetection(ctx); err != nil {
		return err
	}
	app.startAppointments(ctx, mailer, sms, site.baseURL)
	svc := app.services()
	svc.Ready = app.ready(sf.data, *minFreeMiB<<20)
	handler := sochttp.NewServer(logger, sochttp.Config{Version: version, TLS: *tlsCert != "", Metrics: app.metrics}, svc)
	stopAdmin, err := startAdmin(*adminAddr, app, logger, stdout)
	if err != nil {
		return err
	}
	defer stopAdmin()
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "Socle écoute sur %s://%s/\n", scheme, ln.Addr())
	if *demoMode {
		fmt.Fprintf(stdout, "Ouvrez %s/connexion avec un des comptes ci-dessus.\n", site.baseURL)
	}
	logger.Info("listening", "addr", ln.Addr().String(), "version", version)

	go app.oauth.Run(ctx, 30*time.Second)
	if err := app.parcours.SetHandoffDeadlines(handoff); err != nil {
		return err
	}
	go (&orientation.Deadlines{Parcours: app.parcours, Directory: app.store, Notifier: app.identity, Logger: logger}).Run(ctx, *handoffEvery)
	if app.cluster != nil {
		// One server delivers: the holder of the webhooks lease.
		go app.cluster.webhooks.Run(ctx, func(ctx context.Context) { app.webhooks.Run(ctx, *webhookEvery) })
	} else {
		go app.webhooks.Run(ctx, *webhookEvery)
	}
	errc := make(chan error, 1)
	go func() {
		if *tlsCert != "" {
			errc <- srv.ServeTLS(ln, *tlsCert, *tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	if err := app.shutdown(srv, drain, logger); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	return nil
}

// defaultBaseURL names the site by localhost rather than a loopback IP,
// since WebAuthn rejects IP addresses as the relying party.
func defaultBaseURL(addr string, tls bool) string {
	scheme := "http"
	if tls {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return scheme + "://localhost"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// splitList splits a comma-separated flag value, dropping blanks; nil when
// empty, so that the default applies.
func splitList(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
