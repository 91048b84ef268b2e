package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"socle/audit"
	"socle/detect"
	"socle/directory"
	"socle/progress"
	"socle/store/auditsql"
)

func runDetect(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	subs := map[string]func(context.Context, []string, func(string) string, io.Writer, io.Writer) error{
		"simulate": runDetectSimulate,
		"run":      runDetectRun,
		"eval":     runDetectEval,
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, "Usage: socle detect simulate|run|eval [flags]\n\n"+
			"  simulate  write a simulated network and its traffic with planted misuse, as a labelled\n"+
			"            event file (docs/detect-events.md)\n"+
			"  run       run detection over the audit log and print the alerts (JSON lines)\n"+
			"  eval      simulate (or replay a labelled event file with --events), detect, and print\n"+
			"            precision, recall and false alerts per 1,000 principal-workdays (one JSON line)")
		if len(args) == 0 {
			return usagef("detect: a subcommand is required (simulate, run, eval)")
		}
		return nil
	}
	sub, ok := subs[args[0]]
	if !ok {
		return usagef("detect: unknown subcommand %q (simulate, run, eval)", args[0])
	}
	return sub(ctx, args[1:], getenv, stdout, stderr)
}

func simFlags(name, usage string, stdout io.Writer) (*simConfigFlags, *flag.FlagSet) {
	fs := newFlags(name, usage, stdout)
	c := &simConfigFlags{}
	fs.IntVar(&c.agents, "agents", 2000, "number of agents (partner systems and persons scale with it)")
	fs.IntVar(&c.days, "days", 5, "days of traffic")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the simulation")
	return c, fs
}

type simConfigFlags struct {
	agents, days int
	seed         uint64
}

func (c *simConfigFlags) config() detect.SimConfig {
	return detect.SimConfig{Agents: c.agents, Days: c.days, Seed: c.seed}
}

func runDetectSimulate(ctx context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	c, fs := simFlags("detect simulate", "detect simulate [--agents N] [--days D] [--seed S] [--out FILE]", stdout)
	out := fs.String("out", "", "file to write (default: standard output)")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("detect simulate: %w", err)
		}
		defer f.Close()
		w = f
	}
	world := detect.NewWorld(c.config())
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		loc = time.UTC
	}
	if err := world.WriteEvents(ctx, w, loc); err != nil {
		return fmt.Errorf("detect simulate: %w", err)
	}
	fmt.Fprintf(stderr, "%d principals, %d persons, %d planted incidents\n", world.Principals(), world.Persons(), len(world.Incidents()))
	return nil
}

func runDetectEval(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, fs := simFlags("detect eval", "detect eval [--seed S] [--agents N] [--days D] | --events FILE", stdout)
	events := fs.String("events", "", "replay a labelled JSON-lines event file (docs/detect-events.md) instead of simulating")
	livePath := fs.Bool("live", false, "with --events: also replay the file through the live path (the directory loaded as serve loads the store's, the events as the gate records them) and report its scores under \"live\"")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if getenv("GOMEMLIMIT") == "" {
		// Ten million events fit in 2 GiB when the collector keeps the
		// heap close to what is live.
		debug.SetMemoryLimit(1536 << 20)
	}
	var res detect.Result
	var err error
	if *livePath && *events == "" {
		return usagef("detect eval: --live needs --events FILE")
	}
	if *events != "" {
		res, err = evalEventFile(ctx, *events)
		if err == nil && *livePath {
			err = evalLivePath(ctx, *events, &res)
		}
	} else {
		res, err = detect.Eval(ctx, c.config(), stderr)
	}
	if err != nil {
		return fmt.Errorf("detect eval: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "%s\n", res.JSON())
	return err
}

// evalEventFile scores the detector on a labelled event file, days and
// hours in Europe/Paris.
func evalEventFile(ctx context.Context, name string) (detect.Result, error) {
	f, err := os.Open(name)
	if err != nil {
		return detect.Result{}, err
	}
	defer f.Close()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		loc = time.UTC
	}
	res, err := detect.EvalFile(ctx, f, loc)
	if err != nil {
		return detect.Result{}, fmt.Errorf("%s: %w", name, err)
	}
	res.Source = name
	return res, nil
}

// evalLivePath replays the labelled file through the live path and adds
// its scores to res.
func evalLivePath(ctx context.Context, name string, res *detect.Result) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	alerts, truth, err := directory.ReplayLive(ctx, f, parisLocation())
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	rep := detect.ScoreAlerts(alerts, truth, res.Detector.Overall.PrincipalDays)
	res.Live = &rep
	return nil
}

// runDetectRun runs the detector over the audit log of the store, from
// --since, and prints each alert as a JSON line.
func runDetectRun(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("detect run", "detect run [--since 24h|2025-03-01] [--data DIR | --db postgres://…]\n\nRuns the detector over the audit log with the same directory as serve (staff, homes, protected persons, declarations, bulk tasks) and prints each alert as a JSON line.", stdout)
	var sf storeFlags
	sf.register(fs, getenv)
	since := fs.String("since", "24h", "start: a duration back from now (24h, 168h) or a date (2025-03-01, RFC 3339)")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	from, err := parseSince(*since, time.Now())
	if err != nil {
		return usagef("detect run: %v", err)
	}
	db, err := openStore(ctx, sf)
	if err != nil {
		return err
	}
	defer db.Close()
	log := auditsql.New(db)
	size, err := log.Size(ctx)
	if err != nil {
		return fmt.Errorf("detect run: %w", err)
	}
	// The log is appended in time order: find the first entry at or after
	// from by bisection, reading one leaf per step.
	timeAt := func(i uint64) (time.Time, error) {
		var t time.Time
		err := log.ReadRange(ctx, i, i+1, func(_ uint64, r audit.Record) error {
			_, ev, err := audit.DecodeLeaf(r.Leaf)
			t = ev.Time
			return err
		})
		return t, err
	}
	lo, hi := uint64(0), size
	for lo < hi {
		mid := lo + (hi-lo)/2
		t, err := timeAt(mid)
		if err != nil {
			return fmt.Errorf("detect run: %w", err)
		}
		if t.Before(from) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	// The same directory and pipeline as the live detector of serve:
	// staff, homes, the register of protected persons, declarations and
	// bulk tasks, with the baselines learnt so far.
	k, err := loadKeys(sf.data)
	if err != nil {
		return fmt.Errorf("detect run: %w", err)
	}
	src, live, pipe := newPipeline(func(id string) string { return audit.PersonRef(k.personRef, id) })
	if err := live.Load(ctx, db, from.Add(-directoryHorizon)); err != nil {
		return fmt.Errorf("detect run: %w", err)
	}
	if _, err := pipe.LoadState(ctx, db); err != nil {
		return fmt.Errorf("detect run: %w", err)
	}
	loc := parisLocation()
	enc := json.NewEncoder(stdout)
	type alertOut struct {
		detect.Alert
		PrincipalID  string `json:"principal_id"`
		Organisation string `json:"organisation_id,omitempty"`
		At           string `json:"at"`
	}
	emit := func(alerts []detect.Alert) error {
		for _, a := range alerts {
			if err := enc.Encode(alertOut{Alert: a, PrincipalID: src.PrincipalName(a.Principal), Organisation: src.Orgs.Name(a.Org),
				At: time.Unix(a.Time, 0).In(loc).Format(time.RFC3339)}); err != nil {
				return err
			}
		}
		return nil
	}
	bar := progress.New(stderr, "entrées", int64(size-lo))
	err = log.ReadRange(ctx, lo, size, func(i uint64, r audit.Record) error {
		_, ev, err := audit.DecodeLeaf(r.Leaf)
		if err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		bar.Add(1)
		return emit(pipe.Observe(i, ev))
	})
	bar.Done()
	if err == nil {
		err = emit(pipe.Flush())
	}
	if err != nil {
		return fmt.Errorf("detect run: %w", err)
	}
	st := pipe.Detector.Stats()
	staff, former, homes, protected, decls, tasks := live.Counts()
	fmt.Fprintf(stderr, "directory: %d staff (%d former), %d persons with a home, %d protected, %d declarations, %d bulk tasks\n",
		staff, former, homes, protected, decls, tasks)
	fmt.Fprintf(stderr, "%d entries since %s: %d reads, %d explained, %d by a bulk task, %d explained afterwards, %d unexplained, %d alerts, %d review items\n",
		size-lo, from.Format(time.RFC3339), st.Reads, st.Explained, st.BulkTask, st.Retroactive, st.Unexplained, st.Alerts, st.Reviews)
	return nil
}

// parseSince reads a duration back from now or a date.
func parseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration (24h) or a date (2025-03-01)", s)
}
