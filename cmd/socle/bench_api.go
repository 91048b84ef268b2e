package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/pquerna/otp/totp"

	"socle"
	sochttp "socle/http"
	"socle/oauth"
	"socle/policy"
	"socle/progress"
)

func init() {
	benchmarks["api"] = benchmark{"audited person reads/s and p50/p99 over HTTP, adviser session and client token", runBenchAPI}
}

// apiBenchRow is one measure of `socle bench api`: one principal reading
// persons at one concurrency for --duration.
type apiBenchRow struct {
	Benchmark   string  `json:"benchmark"`
	Store       string  `json:"store"`
	Principal   string  `json:"principal"` // "adviser" (session cookie) or "client" (bearer token)
	Concurrency int     `json:"concurrency"`
	Reads       int     `json:"reads"` // 200 answers
	Refused     int     `json:"refused"`
	ReadsPerSec float64 `json:"audited_reads_per_sec"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	// AuditGrowth is how many entries the audit log gained during the
	// run; it must equal Reads + Refused (one entry per gate decision).
	AuditGrowth uint64 `json:"audit_growth"`
	// CPUmsPerRead is the CPU time (user and system) the process used
	// during the run per answer, the in-process load generator included:
	// on a loaded machine a firmer figure than reads/s.
	CPUmsPerRead float64 `json:"cpu_ms_per_read,omitempty"`
}

// benchAPIPersons is how many followed persons the bench reads, in turn:
// fewer than the throttle's step-up threshold of distinct persons per
// hour (gate.DefaultStepUp), which a client cannot pass and an adviser
// could pass only with a new second factor.
const benchAPIPersons = 200

func runBenchAPI(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("bench api", "bench api [--data DIR | --db postgres://…] [--persons N] [--duration D] [--concurrency 16,64] [--json] [--cpuprofile FILE]\n\n"+
		"Starts the HTTP server in-process on a loopback port, signs an adviser in (password and TOTP through\n"+
		"the login pages) and creates an OAuth client of her organisation, then reads persons her organisation\n"+
		"follows with GET /api/v1/persons/{id}?purpose=accompagnement, for each principal and concurrency.\n"+
		"Only 200 answers count, and the audit log must have grown by one entry per answer. CPU ms/read is\n"+
		"the process's CPU time during the measure per answer, the in-process load generator included.\n"+
		"Without --data or --db, a demo network of --persons persons is generated in a temporary SQLite\n"+
		"directory; an empty --data directory or database is filled the same way and kept.", stdout)
	var sf storeFlags
	fs.StringVar(&sf.data, "data", "", "data directory of a SQLite store and its keys (a fresh temporary one when empty)")
	fs.StringVar(&sf.db, "db", "", "PostgreSQL URL (keys from --data)")
	persons := fs.Int("persons", 20_000, "persons of the demo network generated into an empty store")
	duration := fs.Duration("duration", 10*time.Second, "how long each (principal, concurrency) is measured")
	concurrencyList := fs.String("concurrency", "16,64", "comma-separated numbers of concurrent readers")
	asJSON := fs.Bool("json", false, "print one JSON line per measure instead of a table")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measures to this file (go tool pprof)")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	concurrencies, err := parseConcurrencies(*concurrencyList)
	if err != nil {
		return err
	}
	if *persons < 1 || *duration <= 0 {
		return usagef("bench api: --persons and --duration must be positive")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("bench api: listening: %w", err)
	}
	defer ln.Close()
	site := siteConfig{baseURL: defaultBaseURL(ln.Addr().String(), false)}
	base := site.baseURL + "/"
	a, closeApp, err := openBenchApp(ctx, "api", sf, site, *persons, stderr)
	if err != nil {
		return err
	}
	defer closeApp()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	srv := &http.Server{Handler: sochttp.NewServer(logger, sochttp.Config{Version: version, Metrics: a.metrics}, a.services()),
		ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		srv.Close()
		<-served
	}()

	target, err := benchAPITarget(ctx, a)
	if err != nil {
		return err
	}
	adviser, err := benchAdviserSession(ctx, a, base, target.adviser)
	if err != nil {
		return err
	}
	client, err := benchClientToken(ctx, a, base, target.org)
	if err != nil {
		return err
	}

	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return fmt.Errorf("bench api: %w", err)
	}
	defer stopProfile()
	var rows []apiBenchRow
	for _, p := range []benchPrincipal{adviser, client} {
		for _, c := range concurrencies {
			row, err := benchAPIRun(ctx, a, base, p, target.persons, c, *duration, stderr)
			if err != nil {
				return err
			}
			row.Store = a.store.Dialect().Name
			rows = append(rows, row)
		}
	}
	return printAPIRows(stdout, rows, *asJSON)
}

// parseConcurrencies reads the --concurrency list.
func parseConcurrencies(list string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 10_000 {
			return nil, usagef("bench api: --concurrency: %q is not a number of readers between 1 and 10000", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// apiTarget is the organisation of the bench, an adviser of it and
// persons it follows.
type apiTarget struct {
	org     *socle.Organisation
	adviser *socle.Agent
	persons []string
}

// benchAPITarget picks the organisation that follows the most persons
// (up to benchAPIPersons) among those that have an adviser.
func benchAPITarget(ctx context.Context, a *app) (apiTarget, error) {
	var best apiTarget
	for _, kind := range socle.OrgKinds {
		orgs, err := a.store.Organisations(ctx, socle.OrganisationFilter{Kind: kind, Limit: 20})
		if err != nil {
			return apiTarget{}, fmt.Errorf("bench api: organisations: %w", err)
		}
		for _, org := range orgs {
			found, err := a.store.SearchPersons(ctx, socle.PersonQuery{OrganisationID: org.ID, Limit: benchAPIPersons}, socle.SetOf(socle.CatIdentity))
			if err != nil {
				return apiTarget{}, fmt.Errorf("bench api: persons followed by %s: %w", org.Name, err)
			}
			if len(found) <= len(best.persons) {
				continue
			}
			agents, err := a.store.AgentsOf(ctx, org.ID)
			if err != nil {
				return apiTarget{}, fmt.Errorf("bench api: agents of %s: %w", org.Name, err)
			}
			i := slices.IndexFunc(agents, func(ag *socle.Agent) bool { return ag.HasRole(socle.RoleAdviser) })
			if i < 0 {
				continue
			}
			best = apiTarget{org: org, adviser: agents[i], persons: nil}
			for _, p := range found {
				best.persons = append(best.persons, p.ID)
			}
		}
	}
	if best.org == nil {
		return apiTarget{}, errors.New("bench api: the store holds no organisation with an adviser that follows someone")
	}
	return best, nil
}

// benchPrincipal is who reads: the header that authenticates her
// requests.
type benchPrincipal struct {
	name   string // adviser or client
	header string // Cookie or Authorization
	value  string
}

var benchCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// benchAdviserSession gives the adviser a password and a TOTP secret, as
// the demo does, and signs her in through the login pages.
func benchAdviserSession(ctx context.Context, a *app, base string, agent *socle.Agent) (benchPrincipal, error) {
	secret, err := a.identity.SetupDemoAgent(ctx, agent.ID, demoPassword)
	if err != nil {
		return benchPrincipal{}, fmt.Errorf("bench api: setting up the adviser: %w", err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		return benchPrincipal{}, err
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		return benchPrincipal{}, fmt.Errorf("bench api: TOTP code: %w", err)
	}
	for _, step := range []struct {
		path   string
		fields url.Values
	}{
		{"connexion", url.Values{"email": {agent.Email}, "password": {demoPassword}}},
		{"second-facteur", url.Values{"code": {code}}},
	} {
		if err := postPageForm(c, base+step.path, step.fields); err != nil {
			return benchPrincipal{}, fmt.Errorf("bench api: signing the adviser in: %w", err)
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		return benchPrincipal{}, err
	}
	var cookies []string
	for _, ck := range jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	return benchPrincipal{name: "adviser", header: "Cookie", value: strings.Join(cookies, "; ")}, nil
}

// postPageForm loads the form at pageURL and posts fields with its CSRF
// token, expecting the redirect of a success.
func postPageForm(c *http.Client, pageURL string, fields url.Values) error {
	resp, err := c.Get(pageURL)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	m := benchCSRF.FindSubmatch(body)
	if m == nil {
		return fmt.Errorf("GET %s: %d, no form", pageURL, resp.StatusCode)
	}
	fields.Set("csrf", string(m[1]))
	if resp, err = c.PostForm(pageURL, fields); err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("POST %s: %d, want 303", pageURL, resp.StatusCode)
	}
	return nil
}

// benchClientToken creates a partner system of org, as `socle client
// create` does, and gets a token with client credentials.
func benchClientToken(ctx context.Context, a *app, base string, org *socle.Organisation) (benchPrincipal, error) {
	scope := policy.PurposeAccompagnement + ":read"
	cl, secret, err := a.oauth.CreateClient(ctx, oauth.NewClient{OrganisationID: org.ID, Name: "SI du banc d'essai — " + org.Name,
		Method: socle.OAuthClientSecret, Scopes: []string{scope}})
	if err != nil {
		return benchPrincipal{}, fmt.Errorf("bench api: creating a client of %s: %w", org.Name, err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return benchPrincipal{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(cl.ID), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return benchPrincipal{}, fmt.Errorf("bench api: token: %w", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		return benchPrincipal{}, fmt.Errorf("bench api: token: %d (%v)", resp.StatusCode, err)
	}
	return benchPrincipal{name: "client", header: "Authorization", value: "Bearer " + tok.AccessToken}, nil
}

// benchAPIRun reads persons in turn as p from c goroutines for d, then
// checks that the audit log grew by one entry per answer.
func benchAPIRun(ctx context.Context, a *app, base string, p benchPrincipal, persons []string, c int, d time.Duration, stderr io.Writer) (apiBenchRow, error) {
	transport := &http.Transport{MaxIdleConns: c, MaxIdleConnsPerHost: c, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	httpc := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	bar := progress.New(stderr, fmt.Sprintf("%s, %d lecteurs (ms écoulées)", p.name, c), d.Milliseconds())
	before := a.audit.Size()
	cpuBefore, cpuKnown := processCPU()
	var next, refused atomic.Int64
	lat := make([][]time.Duration, c)
	errs := make(chan error, c)
	start := time.Now()
	deadline := start.Add(d)
	stopBar := make(chan struct{})
	go func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		shown := int64(0)
		for {
			select {
			case <-stopBar:
				return
			case <-t.C:
				now := min(time.Since(start).Milliseconds(), d.Milliseconds())
				bar.Add(now - shown)
				shown = now
			}
		}
	}()
	var wg sync.WaitGroup
	for g := range c {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				id := persons[next.Add(1)%int64(len(persons))]
				req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"api/v1/persons/"+id+"?purpose="+policy.PurposeAccompagnement, nil)
				if err != nil {
					errs <- err
					return
				}
				req.Header.Set(p.header, p.value)
				t0 := time.Now()
				resp, err := httpc.Do(req)
				if err != nil {
					errs <- fmt.Errorf("bench api: GET person: %w", err)
					return
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					errs <- fmt.Errorf("bench api: reading the answer: %w", err)
					return
				}
				if resp.StatusCode != http.StatusOK {
					refused.Add(1)
					continue
				}
				lat[g] = append(lat[g], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpuAfter, _ := processCPU()
	close(stopBar)
	bar.Done()
	close(errs)
	if err := <-errs; err != nil {
		return apiBenchRow{}, err
	}
	all := slices.Concat(lat...)
	row := apiBenchRow{Benchmark: "api", Principal: p.name, Concurrency: c, Reads: len(all), Refused: int(refused.Load()),
		ReadsPerSec: float64(len(all)) / elapsed.Seconds(), AuditGrowth: a.audit.Size() - before}
	if len(all) == 0 {
		return row, fmt.Errorf("bench api: %s at concurrency %d: no read answered 200 (%d refused)", p.name, c, row.Refused)
	}
	p50, p99 := percentiles(all)
	row.P50ms, row.P99ms = us(p50)/1000, us(p99)/1000
	if cpuKnown {
		row.CPUmsPerRead = us(cpuAfter-cpuBefore) / 1000 / float64(row.Reads+row.Refused)
	}
	// Every decision, granted or refused, appends one entry before the
	// answer leaves: fewer entries would mean unaudited reads.
	if row.AuditGrowth != uint64(row.Reads+row.Refused) {
		return row, fmt.Errorf("bench api: %s at concurrency %d: the audit log grew by %d entries for %d answers", p.name, c, row.AuditGrowth, row.Reads+row.Refused)
	}
	return row, nil
}

func printAPIRows(w io.Writer, rows []apiBenchRow, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "store\tprincipal\tconcurrency\treads\trefused\treads/s\tp50 ms\tp99 ms\tCPU ms/read\taudit growth\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.3f\t%d = %d ✓\t\n", r.Store, r.Principal, r.Concurrency, r.Reads, r.Refused,
			r.ReadsPerSec, r.P50ms, r.P99ms, r.CPUmsPerRead, r.AuditGrowth, r.Reads+r.Refused)
	}
	return tw.Flush()
}
