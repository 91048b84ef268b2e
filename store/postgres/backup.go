package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Dump writes a consistent dump of the database at dbURL to w, in
// pg_dump's custom format, while the servers keep serving (pg_dump reads
// one snapshot). It needs pg_dump (Debian: postgresql-client) of the
// server's major version or newer.
func Dump(ctx context.Context, dbURL string, w io.Writer) error {
	return runTool(ctx, "pg_dump", dbURL, nil, w, "--format=custom", "--no-owner", "--no-privileges")
}

// Restore loads a dump made by Dump into the database at dbURL, which
// must be empty (see Empty), in one transaction: a failed restore leaves
// the database empty.
func Restore(ctx context.Context, dbURL string, dump io.Reader) error {
	return runTool(ctx, "pg_restore", dbURL, dump, io.Discard, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction")
}

// Empty reports whether the database at dbURL has no table in its schema,
// the only database a restore goes into.
func Empty(ctx context.Context, dbURL string) (bool, error) {
	db, err := connect(ctx, dbURL)
	if err != nil {
		return false, err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&n); err != nil {
		return false, fmt.Errorf("postgres: listing tables: %w", err)
	}
	return n == 0, nil
}

// runTool runs a PostgreSQL client tool on dbURL. The password, if the
// URL holds one, goes in the environment rather than the command line,
// where other users could read it.
func runTool(ctx context.Context, tool, dbURL string, stdin io.Reader, stdout io.Writer, args ...string) error {
	bin, err := toolPath(tool)
	if err != nil {
		return err
	}
	u, err := url.Parse(dbURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return errors.New("postgres: the database URL is malformed")
	}
	env := os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	cmd := exec.CommandContext(ctx, bin, append(args, "--dbname="+u.String())...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout = stdin, stdout
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = msg[:2000] + "…"
		}
		return fmt.Errorf("postgres: %s: %w: %s", tool, err, msg)
	}
	return nil
}

// toolPath finds a client tool in PATH, else in Debian's versioned
// directories, newest first (pg_dump must be as new as the server).
func toolPath(tool string) (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return versionOf(b) - versionOf(a) })
	for _, d := range dirs {
		if p := filepath.Join(d, tool); isExecutable(p) {
			return p, nil
		}
	}
	if p, err := exec.LookPath(tool); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("postgres: %s not found: install the PostgreSQL client tools (Debian: apt-get install postgresql-client)", tool)
}

func versionOf(dir string) int {
	var v int
	fmt.Sscanf(filepath.Base(filepath.Dir(dir)), "%d", &v)
	return v
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}
