package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// The session advisory locks that elect one server for a role among those
// sharing the database. A lock is (key, hash of the schema), so that two
// instances in two schemas of one database do not elect each other.
const (
	// AuditLeaderKey elects the server that signs the audit checkpoints.
	AuditLeaderKey int32 = 0x50c1ea
	// DetectorKey elects the server that runs the live misuse detector.
	DetectorKey int32 = 0x50c1ed
	// WebhooksKey elects the server that delivers the partners' webhooks.
	WebhooksKey int32 = 0x50c1eb
)

// Lease is a role that exactly one of the servers sharing the database
// holds at a time: a session-level advisory lock on a connection of its
// own. PostgreSQL releases the lock when that connection dies, so when the
// holder is killed another server takes the role over at its next try.
//
// A holder that loses its connection stops leading at once (it learns it
// at its next check, every Poll). A holder cut off by the network keeps
// the lock on the server side until PostgreSQL's TCP keepalives give up
// (about KeepaliveBound): it checks its connection every Poll, so it has
// stepped down well before another server can take over.
type Lease struct {
	url     string
	key     int32
	name    string
	logger  *slog.Logger
	leading atomic.Bool
	// Poll is how often a server tries to take the lock, and the holder
	// checks its connection (500ms).
	Poll time.Duration
}

// KeepaliveBound is how long PostgreSQL keeps the lock of a holder that
// vanished from the network without closing its connection: the server's
// TCP keepalives on the lease connection, set by Run (idle 5s, then 3
// probes 2s apart).
const KeepaliveBound = 11 * time.Second

// NewLease returns the lease of the role key (one of the keys above) in
// the database at url; name is for the logs.
func NewLease(url string, key int32, name string, logger *slog.Logger) *Lease {
	return &Lease{url: url, key: key, name: name, logger: logger, Poll: 500 * time.Millisecond}
}

// Leading reports whether this server holds the role now.
func (l *Lease) Leading() bool { return l.leading.Load() }

// Run tries to take the lock every Poll until ctx ends. While it holds the
// lock it runs lead (if not nil) with a context that ends when the lock is
// lost or ctx ends, and waits for lead to return before trying again.
func (l *Lease) Run(ctx context.Context, lead func(ctx context.Context)) {
	for ctx.Err() == nil {
		if err := l.hold(ctx, lead); err != nil && ctx.Err() == nil {
			l.logger.Warn("lease", "role", l.name, "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(l.Poll):
		}
	}
}

// hold connects, waits until the lock is free, and holds it while the
// connection answers.
func (l *Lease) hold(ctx context.Context, lead func(ctx context.Context)) error {
	cfg, err := pgx.ParseConfig(l.url)
	if err != nil {
		return fmt.Errorf("lease %s: the database URL is malformed", l.name)
	}
	// The server side notices a vanished holder by its keepalives.
	cfg.RuntimeParams["tcp_keepalives_idle"] = "5"
	cfg.RuntimeParams["tcp_keepalives_interval"] = "2"
	cfg.RuntimeParams["tcp_keepalives_count"] = "3"
	cfg.RuntimeParams["application_name"] = "socle lease " + l.name
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("lease %s: connecting: %w", l.name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for {
		var got bool
		if err := l.query(ctx, conn, &got, `SELECT pg_try_advisory_lock($1, hashtext(current_schema()))`, l.key); err != nil {
			return err
		}
		if got {
			break
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(l.Poll):
		}
	}
	l.leading.Store(true)
	l.logger.Info("lease acquired", "role", l.name)
	leadCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if lead != nil {
			lead(leadCtx)
		}
	}()
	defer func() {
		l.leading.Store(false)
		cancel()
		<-done
	}()
	for {
		select {
		case <-ctx.Done():
			// Release at once rather than when the connection closes.
			var released bool
			return l.query(context.WithoutCancel(ctx), conn, &released, `SELECT pg_advisory_unlock($1, hashtext(current_schema()))`, l.key)
		case <-time.After(l.Poll):
		}
		var one int
		if err := l.query(ctx, conn, &one, `SELECT 1`); err != nil {
			l.logger.Warn("lease lost", "role", l.name, "err", err)
			return err
		}
	}
}

// leaseQueryTimeout bounds a query on the lease connection: a holder that
// cannot check its lock within it steps down, well within KeepaliveBound.
const leaseQueryTimeout = 5 * time.Second

// query runs a one-value query on the lease connection.
func (l *Lease) query(ctx context.Context, conn *pgx.Conn, dst any, sql string, args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, leaseQueryTimeout)
	defer cancel()
	if err := conn.QueryRow(ctx, sql, args...).Scan(dst); err != nil {
		return fmt.Errorf("lease %s: %w", l.name, err)
	}
	return nil
}
