package main

import (
	"context"
	"log/slog"
	"socle"
	"strings"
	"sync"
	"time"

	"socle/policy"
	"socle/register"
	"socle/store/postgres"
)

// cluster is what a server needs to run beside others on one PostgreSQL
// behind a load balancer (docs/deployment.md): the leases that elect the
// one audit checkpointer and the one live detector, and the bus that tells
// the other servers what to forget from their caches. Sessions,
// break-the-glass grants, cases and the audit log itself are in the
// database already.
type cluster struct {
	audit    *postgres.Lease // signs the audit checkpoints
	detector *postgres.Lease // runs the live detector
	webhooks *postgres.Lease // delivers the partners' webhooks
	bus      *postgres.Bus
	logger   *slog.Logger

	// stopAudit ends the audit lease, after the log's last checkpoint.
	stopAudit context.CancelFunc

	mu   sync.Mutex
	live *liveDetector // while this server holds the detector lease
}

func newCluster(ctx context.Context, url string, logger *slog.Logger) (*cluster, error) {
	bus, err := postgres.NewBus(ctx, url, logger)
	if err != nil {
		return nil, err
	}
	return &cluster{
		audit:    postgres.NewLease(url, postgres.AuditLeaderKey, "audit", logger),
		detector: postgres.NewLease(url, postgres.DetectorKey, "detector", logger),
		webhooks: postgres.NewLease(url, postgres.WebhooksKey, "webhooks", logger),
		bus:      bus,
		logger:   logger,
	}, nil
}

// The bus messages: a person's relations changed, the register changed, a
// case verdict suppressed alerts, partner clients or keys changed.
const (
	busPerson   = "person:"
	busRegister = "register"
	busCases    = "cases"
	busOAuth    = "oauth"
	// busSessions: sessions or agents changed; the cached sessions are
	// stale (identity/sessioncache.go).
	busSessions = "sessions"
)

// publish tells the other servers, logging a failure: the change is
// committed, and the others' caches expire by themselves (relations after
// policy.Config.CacheTTL, the register and cases at their next reload).
func (c *cluster) publish(msg string) {
	// Bounded: a write already committed must not hang on the bus.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.bus.Publish(ctx, msg); err != nil {
		c.logger.Error("telling the other servers", "err", err, "message", strings.SplitN(msg, ":", 2)[0])
	}
}

// sharedPolicy is the policy engine of a server in a cluster: forgetting a
// person's relations after a write is published to the other servers.
type sharedPolicy struct {
	*policy.Engine
	c *cluster
}

func (p sharedPolicy) Invalidate(personID string) {
	p.Engine.Invalidate(personID)
	p.c.publish(busPerson + personID)
}

// sharedRegister is the engine the register service edits in a cluster:
// a new register is published to the other servers.
type sharedRegister struct {
	*policy.Engine
	c *cluster
}

func (r sharedRegister) SetRegister(reg policy.Register) error {
	if err := r.Engine.SetRegister(reg); err != nil {
		return err
	}
	r.c.publish(busRegister)
	return nil
}

// wireCluster makes the app's caches shared: its writes publish
// invalidations, and start applies the others'.
func (a *app) wireCluster() {
	a.cases.OnSuppress(func(socle.Suppression) { a.cluster.publish(busCases) })
	a.store.OnSessionsChange(func() { a.cluster.publish(busSessions) })
}

// startCluster runs the leases and the bus listener until ctx ends. The
// live detector runs only while this server holds its lease.
func (a *app) startCluster(ctx context.Context) error {
	// Reloads apply the stored register to the engine directly, so that
	// they are not published again.
	reloader, err := register.Open(ctx, a.store, a.policy, a.audit, a.identity)
	if err != nil {
		return err
	}
	c := a.cluster
	go c.bus.Run(ctx, func(msg string) {
		switch {
		case strings.HasPrefix(msg, busPerson):
			a.policy.Invalidate(strings.TrimPrefix(msg, busPerson))
		case msg == busRegister:
			if err := reloader.Reload(ctx); err != nil {
				a.logger.Error("reloading the register", "err", err)
			}
		case msg == busCases:
			c.reloadCases(ctx)
		case msg == busOAuth:
			a.refreshOAuth(ctx)
		case msg == busSessions:
			a.store.InvalidateSessions()
		case msg == postgres.AllChanged:
			a.store.InvalidateSessions()
			a.refreshOAuth(ctx)
			a.policy.InvalidateAll()
			if err := reloader.Reload(ctx); err != nil {
				a.logger.Error("reloading the register", "err", err)
			}
			c.reloadCases(ctx)
		}
	})
	// The audit lease outlives ctx until the log is closed (app.Close),
	// so that a leader stopping signs the last checkpoint.
	auditCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	c.stopAudit = stop
	go c.audit.Run(auditCtx, nil)
	go c.detector.Run(ctx, func(ctx context.Context) {
		l := a.newLiveDetector()
		if err := l.Start(ctx); err != nil {
			a.logger.Error("live detection", "err", err)
			return
		}
		c.mu.Lock()
		c.live = l
		c.mu.Unlock()
		defer func() {
			c.mu.Lock()
			c.live = nil
			c.mu.Unlock()
		}()
		l.Run(ctx)
	})
	return nil
}

// refreshOAuth reloads the partner clients' state and the signing keys.
func (a *app) refreshOAuth(ctx context.Context) {
	if err := a.oauth.Refresh(ctx); err != nil {
		a.logger.Error("refreshing partner clients", "err", err)
	}
}

// reloadCases makes the live detector, if it runs here, honour the
// suppressions and bulk tasks decided on other servers.
func (c *cluster) reloadCases(ctx context.Context) {
	c.mu.Lock()
	l := c.live
	c.mu.Unlock()
	if l == nil {
		return
	}
	if err := l.LoadCases(ctx); err != nil {
		c.logger.Error("live detection: reloading cases", "err", err)
	}
}
