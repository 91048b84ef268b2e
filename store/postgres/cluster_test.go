package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"socle"
	"socle/audit"
	"socle/store/auditsql"
	"socle/store/postgres"
	"socle/store/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < 10*time.Second {
		if cond() {
			return time.Since(start)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting: %s", what)
	return 0
}

func TestLeaseHasOneHolderAndIsTakenOverWhenItsConnectionDies(t *testing.T) {
	url := freshURL(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := postgres.NewLease(url, postgres.DetectorKey, "a", quiet)
	b := postgres.NewLease(url, postgres.DetectorKey, "b", quiet)
	a.Poll, b.Poll = 50*time.Millisecond, 50*time.Millisecond
	var mu sync.Mutex
	var leading []string
	lead := func(name string) func(context.Context) {
		return func(ctx context.Context) {
			mu.Lock()
			leading = append(leading, name)
			mu.Unlock()
			<-ctx.Done()
		}
	}
	go a.Run(ctx, lead("a"))
	waitFor(t, "a leads", a.Leading)
	go b.Run(ctx, lead("b"))
	time.Sleep(300 * time.Millisecond)
	if b.Leading() {
		t.Fatal("two leases lead at once")
	}
	// A lease in another schema of the same database is another role.
	other := postgres.NewLease(freshURL(t), postgres.DetectorKey, "other", quiet)
	go other.Run(ctx, nil)
	waitFor(t, "the lease of another schema leads", other.Leading)

	// Kill a's connection, as PostgreSQL does when its process dies.
	admin, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'socle lease a'`); err != nil {
		t.Fatal(err)
	}
	took := waitFor(t, "b takes over", b.Leading)
	t.Logf("taken over in %v", took)
	waitFor(t, "a steps down or leads again alone", func() bool { return !(a.Leading() && b.Leading()) })
	mu.Lock()
	defer mu.Unlock()
	if len(leading) < 2 || leading[0] != "a" || leading[1] != "b" {
		t.Errorf("leaders in turn: %v, want a then b", leading)
	}
}

func TestBusTellsTheOtherServers(t *testing.T) {
	url := freshURL(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var buses [2]*postgres.Bus
	var got [2]chan string
	for i := range buses {
		bus, err := postgres.NewBus(ctx, url, quiet)
		if err != nil {
			t.Fatal(err)
		}
		defer bus.Close()
		buses[i], got[i] = bus, make(chan string, 10)
		go bus.Run(ctx, func(msg string) { got[i] <- msg })
	}
	for i := range got {
		select {
		case msg := <-got[i]:
			if msg != postgres.AllChanged {
				t.Fatalf("first message %q, want AllChanged on connecting", msg)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no AllChanged on connecting")
		}
	}
	if err := buses[0].Publish(ctx, "person:per_1"); err != nil {
		t.Fatal(err)
	}
	// The channel is shared by every schema of the database: tests running
	// beside this one publish too, so only this test's message counts.
	for deadline := time.After(10 * time.Second); ; {
		select {
		case msg := <-got[1]:
			if msg != "person:per_1" {
				continue
			}
		case <-deadline:
			t.Fatal("the other server did not get the message")
		}
		break
	}
	for quiet := time.After(200 * time.Millisecond); ; {
		select {
		case msg := <-got[0]:
			if msg == "person:per_1" {
				t.Fatalf("the publishing server got its own message %q", msg)
			}
			continue
		case <-quiet:
		}
		break
	}
}

// TestAuditSuiteOverMonthlyPartitions runs the audit storage suite over a
// log partitioned by month with the optional script (applied twice).
func TestAuditSuiteOverMonthlyPartitions(t *testing.T) {
	storetest.RunAudit(t, func(t *testing.T) (audit.Storage, storetest.AuditSearcher) {
		url := freshURL(t)
		db, err := postgres.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		raw, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		for range 2 {
			if _, err := raw.Exec(postgres.AuditByMonthSQL); err != nil {
				t.Fatalf("partitioning: %v", err)
			}
		}
		var parts int
		if err := raw.QueryRow(`SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent WHERE c.relname = 'audit_entries' AND c.relnamespace = current_schema()::regnamespace`).Scan(&parts); err != nil || parts < 4 {
			t.Fatalf("audit_entries has %d partitions (%v), want the rows before, this month, the next ones and the default", parts, err)
		}
		st := auditsql.New(db)
		return st, st
	})
}

// TestMonthlyPartitionsKeepTheStoredLog partitions a log that holds
// entries; the log goes on and verifies.
func TestMonthlyPartitionsKeepTheStoredLog(t *testing.T) {
	ctx := context.Background()
	url := freshURL(t)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	skey, vkey, err := audit.GenerateKey("socle.test/audit")
	if err != nil {
		t.Fatal(err)
	}
	appendSome := func(n int) {
		l, err := audit.Open(ctx, auditsql.New(db), skey, audit.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if err := l.Append(ctx, socle.AuditEvent{Time: time.Now(), RequestID: fmt.Sprint("req-", i), Action: "read", Allowed: true}); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	appendSome(40)
	raw, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, postgres.AuditByMonthSQL); err != nil {
		t.Fatalf("partitioning: %v", err)
	}
	appendSome(40)
	rep, err := audit.Verify(ctx, auditsql.New(db), vkey, nil)
	if err != nil || !rep.OK || rep.Size != 80 {
		t.Fatalf("Verify = %+v, %v; want 80 entries intact", rep, err)
	}
}

// alwaysLeads is the audit.Leader of a log that signs its checkpoints.
type alwaysLeads struct{}

func (alwaysLeads) Leading() bool { return true }

// neverLeads is the audit.Leader of a follower.
type neverLeads struct{}

func (neverLeads) Leading() bool { return false }

// BenchmarkSharedAuditAppend measures durable audit appends from 64
// concurrent requests, spread over one log or over three logs sharing the
// database as three servers do (one leads), each with its own store pool.
// It reports events/s and the mean batch; the difference between the
// unshared and the one-log case is the cost of sequencing by the database.
func BenchmarkSharedAuditAppend(b *testing.B) {
	for _, tc := range []struct {
		name   string
		logs   int
		shared bool
	}{{"unshared", 1, false}, {"logs=1", 1, true}, {"logs=3", 3, true}} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			url := freshURL(b)
			skey, _, err := audit.GenerateKey("socle.test/audit")
			if err != nil {
				b.Fatal(err)
			}
			logs := make([]*audit.Log, tc.logs)
			for i := range logs {
				db, err := postgres.Open(ctx, url)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { db.Close() })
				opts := audit.Options{}
				if tc.shared {
					opts.Leader = neverLeads{}
					if i == 0 {
						opts.Leader = alwaysLeads{}
					}
				}
				if logs[i], err = audit.Open(ctx, auditsql.New(db), skey, opts); err != nil {
					b.Fatal(err)
				}
			}
			var n atomic.Int64
			b.SetParallelism(32) // 64 goroutines on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					k := n.Add(1)
					ev := socle.AuditEvent{Time: time.Now(), RequestID: fmt.Sprint("req-", k), AgentID: "agt_1", OrganisationID: "org_1",
						Action: "read", ResourceKind: "person", PersonRef: fmt.Sprint("ref-", k%5000), Purpose: "accompagnement", Allowed: true, Records: 1}
					if err := logs[int(k)%len(logs)].Append(ctx, ev); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			for _, l := range logs {
				if err := l.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
