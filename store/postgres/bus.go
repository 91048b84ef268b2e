package postgres

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// busChannel is the LISTEN/NOTIFY channel of the invalidations.
const busChannel = "socle_invalidate"

// AllChanged is the message a Bus hands its handler when it may have
// missed messages (at start and after a lost connection): forget every
// cache.
const AllChanged = "*"

// Bus carries cache invalidations between the servers sharing the
// database, over PostgreSQL's LISTEN/NOTIFY: a server that changes what
// others cache (a person's relations, the register, cases) publishes a
// message after its transaction commits, and every other server drops
// what it cached. A notification is not durable: a server whose listening
// connection dropped may have missed some, so on every (re)connection its
// handler gets AllChanged.
type Bus struct {
	url    string
	self   string // prefixes this server's messages, which it ignores
	pool   *pgxpool.Pool
	logger *slog.Logger
}

// NewBus connects the publishing side of the bus to the database at url.
func NewBus(ctx context.Context, url string, logger *slog.Logger) (*Bus, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("bus: the database URL is malformed")
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("bus: %w", err)
	}
	return &Bus{url: url, self: rand.Text()[:12], pool: pool, logger: logger}, nil
}

// Close closes the publishing connections.
func (b *Bus) Close() { b.pool.Close() }

// Publish sends msg to the other servers. Call it after the change
// committed, so that a server that reloads on the message sees it.
func (b *Bus) Publish(ctx context.Context, msg string) error {
	if _, err := b.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, busChannel, b.self+"|"+msg); err != nil {
		return fmt.Errorf("bus: publishing: %w", err)
	}
	return nil
}

// Run listens until ctx ends, calling handle with each message from
// another server, and with AllChanged on each (re)connection.
func (b *Bus) Run(ctx context.Context, handle func(msg string)) {
	for ctx.Err() == nil {
		if err := b.listen(ctx, handle); err != nil && ctx.Err() == nil {
			b.logger.Warn("bus: listening", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
}

func (b *Bus) listen(ctx context.Context, handle func(msg string)) error {
	conn, err := pgx.Connect(ctx, b.url)
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+busChannel); err != nil {
		return err
	}
	handle(AllChanged)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		from, msg, ok := strings.Cut(n.Payload, "|")
		if ok && from != b.self {
			handle(msg)
		}
	}
}
