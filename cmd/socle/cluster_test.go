package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"socle"
	"socle/audit"
	"socle/policy"
	"socle/store/auditsql"
	"socle/store/storetest"
)

// childEnv makes the test binary run `socle` with its arguments instead of
// the tests: the cluster test starts real server processes it can kill -9.
const childEnv = "SOCLE_TEST_RUN_SOCLE"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main()
		os.Exit(0)
	}
	code := m.Run()
	stopSharedDemo()
	os.Exit(code)
}

// clusterEnv is a demo network on a fresh PostgreSQL schema, with a
// partner system allowed to read the identity and contact of the persons
// of its territory and to update their contact, and the keys in dir.
type clusterEnv struct {
	dbURL, dir       string
	persons          []string // in the partner's territory
	clientID, secret string
}

func newClusterEnv(tb testing.TB) *clusterEnv {
	tb.Helper()
	env := &clusterEnv{dbURL: storetest.PostgresURL(tb), dir: tb.TempDir()}
	if out, err := runSocle("demo", "--db", env.dbURL, "--data", env.dir, "--persons", "300"); err != nil {
		tb.Fatalf("demo: %v\n%s", err, out)
	}
	ctx := context.Background()
	pg, err := sql.Open("pgx", env.dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	defer pg.Close()
	var org string
	if err := pg.QueryRowContext(ctx, `SELECT o.id FROM organisations o
		JOIN organisation_departements d ON d.organisation_id = o.id JOIN persons p ON p.departement = d.departement_code
		WHERE o.kind = 'partenaire' GROUP BY o.id ORDER BY count(*) DESC, o.id LIMIT 1`).Scan(&org); err != nil {
		tb.Fatalf("no partner organisation with persons in its territory: %v", err)
	}
	rows, err := pg.QueryContext(ctx, `SELECT p.id FROM persons p JOIN organisation_departements d ON d.departement_code = p.departement
		WHERE d.organisation_id = $1 ORDER BY p.id LIMIT 40`, org)
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			tb.Fatal(err)
		}
		env.persons = append(env.persons, id)
	}
	rows.Close()

	// An agreement written for the partner itself: its system reads the
	// identity of the persons of its territory.
	a, err := openApp(ctx, storeFlags{db: env.dbURL, data: env.dir}, siteConfig{baseURL: "http://localhost"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatal(err)
	}
	reg := a.policy.Register()
	reg.Agreements = append(reg.Agreements, policy.Agreement{AgreementRule: socle.AgreementRule{
		ID: "test-partner-si", OrganisationID: org, Purpose: "accompagnement", Read: socle.SetOf(socle.CatIdentity, socle.CatContact), Write: socle.SetOf(socle.CatContact), Population: socle.PopulationTerritory}})
	admin := socle.Actor{AgentID: "agt_admin", OrganisationID: org, Roles: []socle.Role{socle.RolePlatformAdmin}, Strength: socle.AuthMFA}
	_, _, err = a.register.Update(ctx, admin, "req-cluster-env", reg, "Convention du système du partenaire pour le test")
	if cerr := a.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatal(err)
	}
	out, err := runSocle("client", "create", "--db", env.dbURL, "--data", env.dir, "--org", org, "--name", "SI partenaire", "--scopes", "accompagnement:read accompagnement:update")
	if err != nil {
		tb.Fatalf("client create: %v\n%s", err, out)
	}
	env.clientID, env.secret = firstGroup(clientIDLine, out), firstGroup(clientSecretLine, out)
	return env
}

// runSocle runs a socle command line in this process.
func runSocle(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), args, noEnv, &out, io.Discard)
	return out.String(), err
}

// token returns an access token of the partner system from server s.
func (env *clusterEnv) token(tb testing.TB, s *serverProcess) string {
	tb.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"accompagnement:read accompagnement:update"}}
	req, err := http.NewRequest(http.MethodPost, s.base+"oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(env.clientID), url.QueryEscape(env.secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
		tb.Fatalf("token: %d, %v", resp.StatusCode, err)
	}
	return body.AccessToken
}

// serverProcess is one `socle serve` process of the cluster test.
type serverProcess struct {
	cmd    *exec.Cmd
	base   string
	stderr *syncBuffer
	exited chan struct{}
}

// startServerProcess starts `socle serve` on PostgreSQL in its own process
// and waits until it listens.
func startServerProcess(t testing.TB, dbURL, dir string) *serverProcess {
	t.Helper()
	// One public URL for all, as behind a load balancer: it is the issuer
	// of the tokens that every server verifies.
	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0", "--db", dbURL, "--data", dir, "--base-url", "https://socle.example.fr", "--smtp-addr", "127.0.0.1:1", "--smtp-from", "socle@example.fr", "--smtp-plain-localhost")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serverProcess{cmd: cmd, stderr: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.exited
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case p.base = <-found:
	case <-p.exited:
		t.Fatalf("serve stopped:\n%s", p.stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start:\n%s", p.stderr)
	}
	return p
}

// leads reports whether the process logged that it took the role.
func (p *serverProcess) leads(role string) bool {
	return strings.Contains(p.stderr.String(), `"msg":"lease acquired","role":"`+role+`"`)
}

// TestThreeServersOnOnePostgreSQL runs three `socle serve` processes on one
// PostgreSQL, drives audited reads through all three, kills -9 the one
// that signs the audit checkpoints, and checks that the others go on, that
// another takes over, that the log verifies, and that every acknowledged
// request has its audit entry.
func TestThreeServersOnOnePostgreSQL(t *testing.T) {
	env := newClusterEnv(t)
	dbURL, dir, persons := env.dbURL, env.dir, env.persons
	ctx := context.Background()
	pg, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	servers := make([]*serverProcess, 3)
	for i := range servers {
		servers[i] = startServerProcess(t, dbURL, dir)
	}
	leader := waitForLeader(t, servers, nil)

	tok := env.token(t, servers[0])

	// Readers spread requests over the live servers, as a load balancer
	// would, and remember every request answered other than 503.
	var (
		mu      sync.Mutex
		acked   = map[string]int{} // request id → status
		live    atomic.Pointer[[]*serverProcess]
		stop    = make(chan struct{})
		wg      sync.WaitGroup
		counter atomic.Int64
	)
	all := servers
	live.Store(&all)
	client := &http.Client{Timeout: 10 * time.Second}
	// Writers each update the e-mail of a person of their own, in turn,
	// and remember what they sent and what was acknowledged.
	type writes struct {
		person string
		sent   []string
		acked  int // index in sent of the last acknowledged value; -1: none
	}
	// send sends req and records its status under id in acked, unless the
	// server died under it or answered that it is unavailable; it reports
	// whether the request was acknowledged.
	send := func(req *http.Request, id string) bool {
		resp, err := client.Do(req)
		if err != nil {
			return false // not acknowledged: the server died under it
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			return false
		}
		mu.Lock()
		acked[id] = resp.StatusCode
		mu.Unlock()
		return true
	}
	writers := make([]*writes, 3)
	for w := range writers {
		wr := &writes{person: persons[len(persons)-1-w], acked: -1}
		writers[w] = wr
		var contact socle.Contact
		var raw []byte
		if err := pg.QueryRowContext(ctx, `SELECT contact FROM persons WHERE id = $1`, wr.person).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if raw != nil {
			if err := json.Unmarshal(raw, &contact); err != nil {
				t.Fatal(err)
			}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := 0; ; seq++ {
				select {
				case <-stop:
					return
				default:
				}
				ss := *live.Load()
				s := ss[seq%len(ss)]
				contact.Email = fmt.Sprintf("ecrit-%d-%06d@exemple.fr", w, seq)
				body, _ := json.Marshal(map[string]any{"contact": contact})
				id := fmt.Sprintf("cluster-write-%d-%06d", w, seq)
				req, _ := http.NewRequest(http.MethodPatch, s.base+"api/v1/persons/"+wr.person+"?purpose=accompagnement", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Request-Id", id)
				// Each write replaces the last one on purpose: whatever the version.
				req.Header.Set("If-Match", "*")
				wr.sent = append(wr.sent, contact.Email)
				if send(req, id) {
					wr.acked = len(wr.sent) - 1
				}
			}
		}()
	}
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				n := counter.Add(1)
				ss := *live.Load()
				s := ss[int(n)%len(ss)]
				id := fmt.Sprintf("cluster-test-%08d", n)
				req, _ := http.NewRequest(http.MethodGet, s.base+"api/v1/persons/"+persons[int(n)%len(persons)]+"?purpose=accompagnement", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				req.Header.Set("X-Request-Id", id)
				send(req, id)
			}
		}()
	}
	ackedCount := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	time.Sleep(2 * time.Second)
	before := ackedCount()
	if before == 0 {
		t.Fatal("no request was answered before the kill")
	}

	// Kill -9 the audit leader; the balancer stops sending it requests.
	var survivors []*serverProcess
	for _, s := range servers {
		if s != leader {
			survivors = append(survivors, s)
		}
	}
	live.Store(&survivors)
	killed := time.Now()
	if err := leader.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-leader.exited
	next := waitForLeader(t, survivors, leader)
	t.Logf("audit leader taken over in %v", time.Since(killed).Round(time.Millisecond))
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	after := ackedCount()
	if after <= before {
		t.Fatalf("no request was answered after the kill (%d before, %d after)", before, after)
	}

	// Stop the survivors as an operator would: the leader signs a last
	// checkpoint.
	for _, s := range survivors {
		s.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, s := range survivors {
		select {
		case <-s.exited:
		case <-time.After(20 * time.Second):
			t.Fatalf("a server did not stop on SIGTERM:\n%s", s.stderr)
		}
	}
	if !next.leads("audit") {
		t.Fatal("the new leader lost its role")
	}

	// No acknowledged write is lost: each person holds the last value
	// acknowledged, or one sent after it whose answer was lost.
	for w, wr := range writers {
		if wr.acked < 0 {
			t.Fatalf("writer %d: no write acknowledged", w)
		}
		var email string
		if err := pg.QueryRowContext(ctx, `SELECT contact->>'email' FROM persons WHERE id = $1`, wr.person).Scan(&email); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(wr.sent[wr.acked:], email) {
			t.Errorf("writer %d: the person holds %q, want the last acknowledged %q or a later one", w, email, wr.sent[wr.acked])
		}
	}
	if out, err := socleCmd(t, "audit", "verify", "--db", dbURL, "--data", dir); err != nil {
		t.Fatalf("audit verify: %v\n%s", err, out)
	}
	db, err := openStore(ctx, storeFlags{db: dbURL, data: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := auditsql.New(db)
	size, err := st.Size(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cpSize, _, err := st.LatestCheckpoint(ctx)
	if err != nil || cpSize != size {
		t.Errorf("latest checkpoint covers %d of %d entries (%v): the new leader did not sign the end of the log", cpSize, size, err)
	}
	logged := map[string]bool{}
	err = st.ReadRange(ctx, 0, size, func(i uint64, r audit.Record) error {
		_, ev, err := audit.DecodeLeaf(r.Leaf)
		if err != nil {
			return err
		}
		logged[ev.RequestID] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	missing, allowed := 0, 0
	for id, status := range acked {
		if status == http.StatusOK {
			allowed++
		}
		if status != http.StatusOK && status != http.StatusNotFound && status != http.StatusForbidden {
			t.Fatalf("request %s answered %d, want a decision (200, 403 or 404)", id, status)
		}
		if !logged[id] {
			missing++
			if missing <= 3 {
				t.Errorf("request %s answered %d has no audit entry", id, status)
			}
		}
	}
	if allowed == 0 {
		t.Error("no read was allowed: the test reads no data")
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged requests have no audit entry", missing, len(acked))
	}
	nwrites := 0
	for _, wr := range writers {
		nwrites += wr.acked + 1
	}
	t.Logf("%d requests acknowledged (%d before the kill, %d allowed, about %d writes), %d audit entries", len(acked), before, allowed, nwrites, size)
}

// waitForLeader waits until one of the servers, other than the one gone,
// holds the audit lease.
func waitForLeader(t *testing.T, servers []*serverProcess, gone *serverProcess) *serverProcess {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range servers {
			if s != gone && s.leads("audit") {
				return s
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no server took the audit lease")
	return nil
}

// TestRegisterChangeReachesTheOtherServers edits the register on one of two
// servers sharing a PostgreSQL; the other applies it through the bus, not
// at its next restart.
func TestRegisterChangeReachesTheOtherServers(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	dir := t.TempDir()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var apps [2]*app
	for i := range apps {
		a, err := openApp(ctx, storeFlags{db: dbURL, data: dir}, siteConfig{baseURL: "http://localhost", shared: true}, logger)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		if err := a.startDetection(ctx); err != nil {
			t.Fatal(err)
		}
		apps[i] = a
	}
	admin := socle.Actor{AgentID: "agt_admin", OrganisationID: "org_x", Roles: []socle.Role{socle.RolePlatformAdmin}, Strength: socle.AuthMFA}
	reg := apps[0].policy.Register()
	reg.Agreements = reg.Agreements[:len(reg.Agreements)-1]
	// Wait until the second server listens, or it would learn the change
	// from the AllChanged of its connection rather than from the message.
	time.Sleep(500 * time.Millisecond)
	updated, _, err := apps[0].register.Update(ctx, admin, "req-register", reg, "Retrait d'une convention pour le test")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for apps[1].policy.Register().Version != updated.Version {
		if time.Now().After(deadline) {
			t.Fatalf("the other server still applies register version %d, want %d", apps[1].policy.Register().Version, updated.Version)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got, want := len(apps[1].policy.Register().Agreements), len(reg.Agreements); got != want {
		t.Errorf("the other server has %d agreements, want %d", got, want)
	}
}

// BenchmarkAuditedReads measures reads of a person by a partner system,
// each decided and durably audited before it answers, through one server
// and through three sharing the PostgreSQL (requests spread round-robin,
// as a load balancer would). It reports reads/s. Run it under
// scripts/with-postgres with a fixed count, e.g. -benchtime=4000x.
func BenchmarkAuditedReads(b *testing.B) {
	env := newClusterEnv(b)
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("servers=%d", n), func(b *testing.B) {
			servers := make([]*serverProcess, n)
			for i := range servers {
				servers[i] = startServerProcess(b, env.dbURL, env.dir)
			}
			tok := env.token(b, servers[0])
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var counter atomic.Int64
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					k := int(counter.Add(1))
					req, _ := http.NewRequest(http.MethodGet, servers[k%n].base+"api/v1/persons/"+env.persons[k%len(env.persons)]+"?purpose=accompagnement", nil)
					req.Header.Set("Authorization", "Bearer "+tok)
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("read: %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
		})
	}
}

// TestDisabledClientIsRefusedAtOnceByEveryServer disables a partner client
// with the CLI beside two running servers: both refuse its token within
// seconds, not at their next refresh (30 s).
func TestDisabledClientIsRefusedAtOnceByEveryServer(t *testing.T) {
	env := newClusterEnv(t)
	servers := []*serverProcess{startServerProcess(t, env.dbURL, env.dir), startServerProcess(t, env.dbURL, env.dir)}
	tok := env.token(t, servers[0])
	read := func(s *serverProcess) int {
		req, _ := http.NewRequest(http.MethodGet, s.base+"api/v1/persons/"+env.persons[0]+"?purpose=accompagnement", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, s := range servers {
		if got := read(s); got != http.StatusOK {
			t.Fatalf("read before disabling: %d", got)
		}
	}
	// A server whose bus connects after the message refreshes on
	// connecting (AllChanged): either way it learns of the change.
	if out, err := runSocle("client", "disable", env.clientID, "--db", env.dbURL, "--data", env.dir); err != nil {
		t.Fatalf("client disable: %v\n%s", err, out)
	}
	disabled := time.Now()
	for i, s := range servers {
		for read(s) != http.StatusUnauthorized {
			if time.Since(disabled) > 10*time.Second {
				t.Fatalf("server %d still accepts the disabled client's token", i)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Logf("both servers refuse the token %v after disabling", time.Since(disabled).Round(time.Millisecond))
}
