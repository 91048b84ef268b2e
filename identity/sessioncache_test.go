package identity_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"socle"
	"socle/identity"
	"socle/internal/stacktest"
	"socle/store/sqlite"
	"socle/store/sqlstore"
)

// countingStore counts the reads that authenticate a session.
type countingStore struct {
	*sqlstore.DB
	reads atomic.Int64
}

func (c *countingStore) Session(ctx context.Context, id string) (*socle.AgentSession, error) {
	c.reads.Add(1)
	return c.DB.Session(ctx, id)
}

func (c *countingStore) Organisation(ctx context.Context, id string) (*socle.Organisation, error) {
	c.reads.Add(1)
	return c.DB.Organisation(ctx, id)
}

// TestSessionsAreCachedUntilTheyChange: a session authenticates from the
// cache without a query, until the store changes a session or an agent
// (at once), another server says so (at once), or a few seconds pass (a
// change by another process on the same file).
func TestSessionsAreCachedUntilTheyChange(t *testing.T) {
	db, dir := stacktest.Open(t)
	e := &env{t: t, store: db, audit: &recorder{}, mail: &mailbox{}, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), secrets: map[string]string{}}
	counting := &countingStore{DB: db}
	var err error
	e.svc, err = identity.New(counting, e.audit, e.mail, slog.New(slog.NewTextHandler(io.Discard, nil)), identity.Config{Password: cheap})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.Now = func() time.Time { return e.now }
	e.orgA = e.org("Mission Locale de Lyon", socle.KindYouth, "69")
	a := e.agent(e.orgA, "camille@ml-lyon.fr")
	tok, _ := e.login(a)

	before := counting.reads.Load()
	for range 5 {
		if !e.authed(tok) {
			t.Fatal("a live session does not authenticate")
		}
	}
	if n := counting.reads.Load() - before; n != 0 {
		t.Errorf("5 requests of a cached session read the store %d times, want 0", n)
	}

	// Disabled by another process on the same file: not seen by the
	// cache, until it expires.
	raw, err := sql.Open("sqlite3", filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	disable := func(a *socle.Agent) {
		t.Helper()
		if _, err := raw.Exec(`UPDATE agents SET disabled = 1 WHERE id = ?`, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	disable(a)
	if !e.authed(tok) {
		t.Fatal("the cache was not used")
	}
	e.now = e.now.Add(3 * time.Second)
	if e.authed(tok) {
		t.Fatal("a session of an agent disabled elsewhere authenticates past the cache's life")
	}

	// Another server tells: at once.
	b := e.agent(e.orgA, "dominique@ml-lyon.fr")
	tokB, _ := e.login(b)
	e.authed(tokB)
	disable(b)
	db.InvalidateSessions()
	if e.authed(tokB) {
		t.Fatal("a session authenticates after another server said sessions changed")
	}

	// A logout on this server: at once.
	c := e.agent(e.orgA, "claude@ml-lyon.fr")
	tokC, _ := e.login(c)
	e.authed(tokC)
	if err := e.svc.Logout(context.Background(), tokC); err != nil {
		t.Fatal(err)
	}
	if e.authed(tokC) {
		t.Fatal("a session authenticates after its logout")
	}
}
