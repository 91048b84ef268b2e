package storetest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"testing"
)

// PostgresCluster is a private PostgreSQL server of one test, which the
// test may kill and start again (outage tests). scripts/with-postgres
// starts the shared one; this is for the tests that must stop it.
type PostgresCluster struct {
	// URL reaches the server's postgres database.
	URL   string
	bin   string
	dir   string
	port  int
	owner string // the user the server runs as; "" for the current one
}

// StartPostgres initialises and starts a private cluster, stopped and
// removed in tb.Cleanup. It skips the test when PostgreSQL's binaries are
// not installed (/usr/lib/postgresql/*/bin), unless in CI.
func StartPostgres(tb testing.TB) *PostgresCluster {
	tb.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.Sort(bins)
	var bin string
	for _, b := range slices.Backward(bins) {
		if _, err := os.Stat(filepath.Join(b, "pg_ctl")); err == nil {
			bin = b
			break
		}
	}
	if bin == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("PostgreSQL is not installed under /usr/lib/postgresql in CI")
		}
		tb.Skip("PostgreSQL is not installed under /usr/lib/postgresql")
	}
	c := &PostgresCluster{bin: bin, dir: tb.TempDir()}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		if _, err := user.Lookup("postgres"); err != nil {
			tb.Skip("running as root without a postgres user")
		}
		c.owner = "postgres"
		// The temporary directories above it must be traversable.
		for d := c.dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
			os.Chmod(d, 0o755)
		}
		if out, err := exec.Command("chown", "postgres", c.dir).CombinedOutput(); err != nil {
			tb.Fatalf("chown: %v: %s", err, out)
		}
	}
	if out, err := c.cmd("initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale").CombinedOutput(); err != nil {
		tb.Fatalf("initdb: %v: %s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=2", c.port)
	c.Start(tb)
	tb.Cleanup(func() { c.cmd("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop").Run() })
	return c
}

func (c *PostgresCluster) data() string { return filepath.Join(c.dir, "data") }

func (c *PostgresCluster) cmd(name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	if c.owner != "" {
		return exec.Command("runuser", append([]string{"-u", c.owner, "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

// Start starts the server and waits until it accepts connections.
func (c *PostgresCluster) Start(tb testing.TB) {
	tb.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50", c.port, c.dir)
	if out, err := c.cmd("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "server.log"), "-w", "-t", "60", "-o", opts, "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		tb.Fatalf("pg_ctl start: %v: %s\n%s", err, out, log)
	}
}

// Stop kills the server as a crash would (pg_ctl stop -m immediate).
func (c *PostgresCluster) Stop(tb testing.TB) {
	tb.Helper()
	if out, err := c.cmd("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil {
		tb.Fatalf("pg_ctl stop: %v: %s", err, out)
	}
}
