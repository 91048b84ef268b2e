package main

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"socle"
	"socle/audit"
	"socle/cases"
	"socle/commitment"
	"socle/directory"
	"socle/employer"
	"socle/gate"
	sochttp "socle/http"
	"socle/identity"
	"socle/matching"
	"socle/metrics"
	"socle/oauth"
	"socle/policy"
	"socle/register"
	"socle/rome"
	"socle/space"
	"socle/store/auditsql"
	"socle/store/sqlstore"
	"socle/webhook"
)

// app is Socle wired together: the store, the policy engine, the audit log
// and the gate over them.
type app struct {
	store    *sqlstore.DB
	policy   *policy.Engine
	audit    *audit.Log
	auditSQL auditsql.Storage // where audit keeps its entries, and their search index
	gate     *gate.Gate
	parcours *gate.Parcours
	register *register.Service
	identity *identity.Service
	oauth    *oauth.Service
	webhooks *webhook.Service // partners' subscriptions to the change feed
	sso      *oauth.SSO
	space    *space.Service
	fc       *space.FranceConnect // FranceConnect into the person's space; nil when off
	employer *employer.Service
	auth     sochttp.Authenticator
	logger   *slog.Logger
	keys     keys
	rome     *rome.Referential  // the job referential of the offer forms and of the matching index
	matching *matching.Index    // the gate's index of the mise en relation, loaded by startMatching
	cases    *cases.Service     // misuse cases and bulk tasks (detect_live.go)
	dir      *directory.Service // register of protected persons, declarations (detect_live.go)
	cluster  *cluster           // nil unless serving beside other servers (cluster.go)

	// stopDetection stops the live detector after it has read the last
	// entries and closed the day; nil when it was not started.
	stopDetection func()
	// draining is set when the server stops taking requests (readiness).
	draining  atomic.Bool
	closeOnce sync.Once
	closeErr  error
	metrics   *metrics.Metrics
}

// keys are the platform's secrets, kept in the data directory.
type keys struct {
	auditSigner string // signs the audit checkpoints (note format)
	personRef   []byte // HMAC key of the pseudonymous person references
	forms       []byte // signs the pre-session CSRF cookie of the login forms
	clientHMAC  []byte // keys the hash of partner client secrets
	signingSeal []byte // seals the token signing keys at rest (AES-256-GCM)
	commitment  string // Ed25519 seed (hex) that signs contrats d'engagement
	links       []byte // keys the stored hashes of one-time links (activation, recovery, sign-in)
	directory   []byte // HMAC key of the detection directory's identity and home hashes
}

// siteConfig is how the site is reached, for cookies, links and WebAuthn.
type siteConfig struct {
	tls     bool
	baseURL string
	sso     oauth.SSOConfig // off when Issuer is empty
	// franceConnect signs persons in; off when Issuer is empty.
	franceConnect space.FranceConnectConfig
	// witnesses cosign the audit checkpoints; none: checkpoints are
	// signed by the log only.
	witnesses []audit.Witness
	// mailer sends the mails (links, notifications); nil for commands that
	// send none: a mail then fails with an error in the log.
	mailer identity.Mailer
	// shared: this server shares its PostgreSQL with others behind a load
	// balancer (cluster.go).
	shared bool
	// webhookLoopback lets partners subscribe plain-http loopback URLs
	// (the demo, tests); otherwise webhooks need https.
	webhookLoopback bool
	// webhookRoots are the authorities the webhook receivers'
	// certificates may chain to; the system's when nil (--webhook-ca).
	webhookRoots *x509.CertPool
}

func openApp(ctx context.Context, sf storeFlags, site siteConfig, logger *slog.Logger) (*app, error) {
	db, err := openStore(ctx, sf)
	if err != nil {
		return nil, err
	}
	a := &app{store: db, logger: logger, metrics: metrics.New()}
	if a.keys, err = loadKeys(sf.data); err != nil {
		db.Close()
		return nil, err
	}
	if a.policy, err = policy.NewEngine(db, policy.DefaultRegister(), policy.Config{}); err != nil {
		db.Close()
		return nil, fmt.Errorf("policy: %w", err)
	}
	auditOpts := audit.Options{Logger: logger, Witnesses: site.witnesses}
	var gatePolicy socle.Policy = a.policy
	var registerEngine register.Engine = a.policy
	if site.shared {
		if a.cluster, err = newCluster(ctx, sf.db, logger); err != nil {
			db.Close()
			return nil, err
		}
		auditOpts.Leader = a.cluster.audit
		gatePolicy = sharedPolicy{a.policy, a.cluster}
		registerEngine = sharedRegister{a.policy, a.cluster}
	}
	a.auditSQL = auditsql.New(db)
	if a.audit, err = audit.Open(ctx, a.metrics.AuditStorage(a.auditSQL), a.keys.auditSigner, auditOpts); err != nil {
		a.closeCluster()
		db.Close()
		return nil, fmt.Errorf("audit log: %w", err)
	}
	homes := directory.HomeIndex{Marker: directory.NewMarker(a.keys.directory), Store: db}
	if err = a.newMatching(ctx); err != nil {
		a.closeCluster()
		db.Close()
		return nil, err
	}
	if a.gate, err = gate.New(db, gatePolicy, a.metrics.Auditor(a.audit), a.policy, gate.WithHomes(homes), gate.WithAuditSearch(a.auditSQL),
		gate.WithMatching(a.matching)); err != nil {
		a.closeCluster()
		db.Close()
		return nil, fmt.Errorf("gate: %w", err)
	}
	a.gate.PersonRef = func(id string) string { return audit.PersonRef(a.keys.personRef, id) }
	a.wireDetection()
	a.gate.Throttle.Observe = a.metrics.ObserveThrottle
	if a.cluster != nil {
		a.wireCluster()
	}
	contractSigner, err := commitment.NewSigner(a.keys.commitment)
	if err != nil {
		db.Close()
		return nil, err
	}
	a.parcours = gate.NewParcours(a.gate, db, contractSigner)
	a.identity, err = identity.New(db, a.audit, site.mailer, logger, identity.Config{
		Secure: site.tls, BaseURL: site.baseURL, Key: a.keys.forms, LinkKey: a.keys.links,
	})
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("identity: %w", err)
	}
	if a.register, err = register.Open(ctx, db, registerEngine, a.audit, a.identity); err != nil {
		a.Close()
		return nil, fmt.Errorf("register of purposes and agreements: %w", err)
	}
	a.cases.SetNotifier(a.identity) // critical alerts and questions reach agents at once
	a.oauth, err = oauth.New(ctx, db, db, a.audit, oauth.Config{
		Issuer: site.baseURL, SecretKey: a.keys.clientHMAC, KeyEncryptionKey: a.keys.signingSeal, Logger: logger,
		Agreements: func() []policy.Agreement { return a.policy.Register().Agreements },
	})
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("oauth: %w", err)
	}
	if a.webhooks, err = webhook.New(db, a.gate, db, a.oauth, webhook.Config{AllowLoopbackHTTP: site.webhookLoopback, RootCAs: site.webhookRoots, Logger: logger}); err != nil {
		a.Close()
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	if site.sso.Issuer != "" {
		site.sso.RedirectURL = site.baseURL + "/sso/callback"
		site.sso.PostLogoutRedirectURL = site.baseURL + oauth.SSOLogoutReturnPath
		if a.sso, err = oauth.NewSSO(ctx, site.sso, db, a.audit); err != nil {
			a.Close()
			return nil, fmt.Errorf("single sign-on: %w", err)
		}
	}
	if err := a.openSpace(site); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.openFranceConnect(ctx, site); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.openEmployer(site); err != nil {
		a.Close()
		return nil, err
	}
	a.auth = sochttp.FirstOf(oauth.NewAuthenticator(a.oauth, db), a.identity, a.space)
	return a, nil
}

// services are what the HTTP server serves.
func (a *app) services() sochttp.Services {
	return sochttp.Services{Gate: a.gate, Parcours: a.parcours, Directory: a.store, Identity: a.identity, OAuth: a.oauth, Webhooks: a.webhooks, SSO: a.sso, Auth: a.auth, Register: a.register, Space: a.space, FranceConnect: a.fc,
		Audit: a.audit, AuditVerifierKey: a.auditVerifierKey(), ROME: a.rome, Employer: a.employer, Cases: a.cases, Detection: a.dir}
}

// Close stops what reads or writes the store, in order: the live detector
// (it files its last alerts, which are audited), the audit log (pending
// appends, then a last signed checkpoint), then the store. Once; later
// calls return the first result.
func (a *app) Close() error {
	a.closeOnce.Do(func() {
		if a.stopDetection != nil {
			a.stopDetection()
		}
		var auditErr error
		if a.audit != nil {
			auditErr = a.audit.Close()
		}
		a.closeCluster()
		a.closeErr = errors.Join(auditErr, a.store.Close())
	})
	return a.closeErr
}

func (a *app) closeCluster() {
	if a.cluster != nil {
		if a.cluster.stopAudit != nil {
			a.cluster.stopAudit()
		}
		a.cluster.bus.Close()
	}
}

// loadKeys reads the platform keys from dir, creating those missing: only
// ensureKeys (through openStore) may let it create any, on an empty store.
func loadKeys(dir string) (keys, error) {
	var k keys
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return k, fmt.Errorf("creating data directory: %w", err)
	}
	signer, err := readOrCreate(filepath.Join(dir, "audit-signer.key"), func() (string, error) {
		s, _, err := audit.GenerateKey("socle.audit")
		return s, err
	})
	if err != nil {
		return k, err
	}
	ref, err := readOrCreate(filepath.Join(dir, "person-ref.key"), func() (string, error) {
		return randomHex(32)
	})
	if err != nil {
		return k, err
	}
	forms, err := readOrCreate(filepath.Join(dir, "forms.key"), func() (string, error) {
		return randomHex(32)
	})
	if err != nil {
		return k, err
	}
	hexKey := func(name string) ([]byte, error) {
		v, err := readOrCreate(filepath.Join(dir, name), func() (string, error) { return randomHex(32) })
		if err != nil {
			return nil, err
		}
		b, err := hex.DecodeString(v)
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("key %s: expected 64 hexadecimal digits", name)
		}
		return b, nil
	}
	k = keys{auditSigner: signer, personRef: []byte(ref), forms: []byte(forms)}
	if k.clientHMAC, err = hexKey("client-secret.key"); err != nil {
		return k, err
	}
	if k.signingSeal, err = hexKey("signing-seal.key"); err != nil {
		return k, err
	}
	if k.links, err = hexKey("link-token.key"); err != nil {
		return k, err
	}
	if k.directory, err = hexKey("directory.key"); err != nil {
		return k, err
	}
	if k.commitment, err = readOrCreate(filepath.Join(dir, "commitment-signer.key"), commitment.GenerateKey); err != nil {
		return k, err
	}
	return k, nil
}

func readOrCreate(path string, create func() (string, error)) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("reading key %s: %w", path, err)
	}
	v, err := create()
	if err != nil {
		return "", fmt.Errorf("creating key %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("writing key %s: %w", path, err)
	}
	if _, err := io.WriteString(f, v+"\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("writing key %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", fmt.Errorf("writing key %s: %w", path, err)
	}
	return v, f.Close()
}
