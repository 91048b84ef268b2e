package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"socle"
	"socle/audit"
	"socle/progress"
	"socle/store/auditsql"
	"socle/store/sqlstore"
)

func init() {
	benchmarks["audit"] = benchmark{"durable audit appends/s (group commit) and verification entries/s", runBenchAudit}
}

// auditBenchResult is the JSON line of `socle bench audit`.
type auditBenchResult struct {
	Benchmark           string  `json:"benchmark"`
	Events              int     `json:"events"`
	Writers             int     `json:"writers"`
	DurableEventsPerSec float64 `json:"durable_events_per_sec"`
	MeanBatch           float64 `json:"mean_batch"`
	AppendP50Micros     int64   `json:"append_p50_us"`
	AppendP99Micros     int64   `json:"append_p99_us"`
	VerifyEntries       uint64  `json:"verify_entries"`
	VerifyEntriesPerSec float64 `json:"verify_entries_per_sec"`
	Store               string  `json:"store"`
	// DiskFsyncsPerSec is how many append+fsync rounds a file in the data
	// directory takes per second, measured in the same run; each batch
	// costs (at least) one. The ceiling of durable appends is then
	// MeanBatch × DiskFsyncsPerSec.
	DiskFsyncsPerSec    float64 `json:"disk_fsyncs_per_sec"`
	CeilingEventsPerSec float64 `json:"ceiling_events_per_sec"`
}

func runBenchAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("bench audit", "bench audit [--data DIR | --db postgres://…] [--events N] [--writers W] [--cpuprofile FILE]", stdout)
	// No environment defaults: the benchmark appends to the log of the
	// store it is given, which must be chosen explicitly.
	var sf storeFlags
	fs.StringVar(&sf.data, "data", "", "data directory of a SQLite store and its keys (a fresh temporary one when empty)")
	fs.StringVar(&sf.db, "db", "", "PostgreSQL URL: append to the audit log of that database (keys from --data)")
	events := fs.Int("events", 200_000, "number of events to append")
	writers := fs.Int("writers", 256, "concurrent appenders")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the appends and the verification to this file (go tool pprof)")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if *events < 1 || *writers < 1 || *writers > 100_000 {
		return usagef("bench audit: --events must be at least 1 and --writers between 1 and 100000")
	}
	removeTemporary, err := sf.orTemporary("bench-audit")
	if err != nil {
		return fmt.Errorf("bench audit: %w", err)
	}
	defer removeTemporary()
	db, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	k, err := loadKeys(sf.data)
	if err != nil {
		return err
	}
	fsyncs, err := diskFsyncRate(sf.data, time.Second)
	if err != nil {
		return fmt.Errorf("bench audit: %w", err)
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return fmt.Errorf("bench audit: %w", err)
	}
	defer stopProfile()
	res, err := benchAudit(ctx, db, k, *events, *writers, stderr)
	if err != nil {
		return err
	}
	res.DiskFsyncsPerSec = fsyncs
	res.CeilingEventsPerSec = res.MeanBatch * fsyncs
	return json.NewEncoder(stdout).Encode(res)
}

// benchAudit appends n events from w goroutines to the audit log of db,
// then verifies the whole log.
func benchAudit(ctx context.Context, db *sqlstore.DB, k keys, n, w int, stderr io.Writer) (auditBenchResult, error) {
	st := &countingStorage{Storage: auditsql.New(db)}
	log, err := audit.Open(ctx, st, k.auditSigner, audit.Options{})
	if err != nil {
		return auditBenchResult{}, err
	}
	defer log.Close()
	pool := benchEvents(k.personRef, 4096)
	bar := progress.New(stderr, "événements", int64(n))
	var next atomic.Int64
	lat := make([][]time.Duration, w)
	errs := make(chan error, w)
	var wg sync.WaitGroup
	start := time.Now()
	for g := range w {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				ev, err := audit.Event(time.Now(), pool[i%int64(len(pool))])
				if err != nil {
					errs <- err
					return
				}
				t0 := time.Now()
				if err := log.Append(ctx, ev); err != nil {
					errs <- err
					return
				}
				lat[g] = append(lat[g], time.Since(t0))
				bar.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	bar.Done()
	close(errs)
	if err := <-errs; err != nil {
		return auditBenchResult{}, fmt.Errorf("bench audit: append: %w", err)
	}
	if err := log.Close(); err != nil {
		return auditBenchResult{}, err
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	res := auditBenchResult{
		Benchmark: "audit", Events: n, Writers: w, Store: db.Dialect().Name,
		DurableEventsPerSec: float64(n) / elapsed.Seconds(),
		MeanBatch:           float64(st.records.Load()) / float64(max(st.batches.Load(), 1)),
		AppendP50Micros:     all[len(all)/2].Microseconds(),
		AppendP99Micros:     all[len(all)*99/100].Microseconds(),
	}
	vkey, err := audit.VerifierKey(k.auditSigner)
	if err != nil {
		return res, err
	}
	vbar := progress.New(stderr, "vérification", int64(log.Size()))
	var done uint64
	vstart := time.Now()
	rep, err := audit.Verify(ctx, auditsql.New(db), vkey, func(d uint64) { vbar.Add(int64(d - done)); done = d })
	if err != nil {
		return res, err
	}
	velapsed := time.Since(vstart)
	vbar.Done()
	if !rep.OK {
		return res, fmt.Errorf("bench audit: the log does not verify: entry %d: %s", rep.FirstBad, rep.Problem)
	}
	res.VerifyEntries = rep.Size
	res.VerifyEntriesPerSec = float64(rep.Size) / velapsed.Seconds()
	return res, nil
}

// diskFsyncRate measures how many times per second a file in dir can be
// appended a page and fsynced, for about d: what one durable commit of
// the write-ahead log costs at least.
func diskFsyncRate(dir string, d time.Duration) (float64, error) {
	f, err := os.CreateTemp(dir, "fsync-rate-*")
	if err != nil {
		return 0, fmt.Errorf("measuring the fsync rate: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	page := make([]byte, 4096)
	n := 0
	start := time.Now()
	for time.Since(start) < d || n < 10 {
		if _, err := f.Write(page); err != nil {
			return 0, fmt.Errorf("measuring the fsync rate: %w", err)
		}
		if err := f.Sync(); err != nil {
			return 0, fmt.Errorf("measuring the fsync rate: %w", err)
		}
		n++
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// countingStorage counts the durable writes of a log, for the mean batch.
type countingStorage struct {
	audit.Storage
	batches, records atomic.Uint64
}

func (c *countingStorage) AppendBatch(ctx context.Context, first uint64, records []audit.Record) error {
	if err := c.Storage.AppendBatch(ctx, first, records); err != nil {
		return err
	}
	c.batches.Add(1)
	c.records.Add(uint64(len(records)))
	return nil
}

// benchEvents returns n events shaped like the gate's: reads, searches and
// denials of agents of a few organisations, with explanations.
func benchEvents(refKey []byte, n int) []audit.Act {
	r := rand.New(rand.NewPCG(1, 2))
	orgs := make([]string, 40)
	for i := range orgs {
		orgs[i] = socle.NewID(socle.PrefixOrganisation)
	}
	agents := make([]string, 400)
	for i := range agents {
		agents[i] = socle.NewID(socle.PrefixAgent)
	}
	purposes := []string{"accompagnement", "orientation", "insertion_rsa", "mise_en_relation", "indemnisation"}
	out := make([]audit.Act, n)
	for i := range out {
		a := r.IntN(len(agents))
		org := orgs[a%len(orgs)]
		ev := audit.Act{
			RequestID: fmt.Sprintf("%016x", r.Uint64()), AgentID: agents[a], OrganisationID: org,
			Action: string(socle.ActionRead), ResourceKind: string(socle.ResourcePerson),
			PersonRef:  audit.PersonRef(refKey, socle.NewID(socle.PrefixPerson)),
			Categories: "identity,contact,parcours,skills", Purpose: purposes[r.IntN(len(purposes))],
			Allowed: true, RemoteAddr: fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), r.IntN(256)), Records: 1,
		}
		fact := socle.Fact{Kind: "followup", Detail: map[string]string{"organisation_id": org, "since": "2025-09-15"},
			Text: "Votre structure suit cette personne depuis le 15 septembre 2025."}
		switch k := r.IntN(20); {
		case k < 3:
			ev.Action, ev.PersonRef, ev.Records = string(socle.ActionSearch), "", r.IntN(20)
		case k == 3:
			ev.Allowed, ev.Categories, ev.Records = false, "", 0
			fact = socle.Fact{Kind: "denied", Text: "Aucune convention ne couvre cet accès : votre structure ne suit pas cette personne."}
		}
		ev.Facts = []socle.Fact{fact}
		ev.Explanation = fact.Text
		out[i] = ev
	}
	return out
}
