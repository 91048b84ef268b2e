package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"socle"
)

// syncBuffer is a bytes.Buffer safe for a server goroutine writing while
// the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func noEnv(string) string { return "" }

func TestEveryCommandHasHelp(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), []string{c.name, "--help"}, noEnv, &out, io.Discard)
			if err != nil && !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("--help: %v", err)
			}
			if !strings.Contains(out.String(), "Usage: socle "+c.name) {
				t.Errorf("--help printed %q", out.String())
			}
		})
	}
}

func TestBadCommandLines(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "a command is required"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"serve", "--no-such-flag"}, "flag provided but not defined"},
		{[]string{"serve", "--demo-persons", "0"}, "--demo-persons"},
		{[]string{"serve", "--tls-cert", "x"}, "go together"},
		{[]string{"serve"}, "no mail transport"},
		{[]string{"serve", "--smtp-addr", "relay.example.fr"}, "not host:port"},
		{[]string{"serve", "--smtp-addr", "relay.example.fr:587"}, "sender address"},
		{[]string{"serve", "--smtp-addr", "relay.example.fr:25", "--smtp-from", "socle@example.fr", "--smtp-plain-localhost"}, "loopback"},
		{[]string{"serve", "--demo", "--sms-url", "http://sms.example.fr/envoi"}, "not an https URL"},
		{[]string{"serve", "--demo", "--webhook-ca", "/nonexistent/ca.pem"}, "--webhook-ca"},
		{[]string{"demo", "--persons", "-3"}, "--persons"},
		{[]string{"demo", "--seed", "abc"}, "invalid value"},
		{[]string{"version", "extra"}, "unexpected argument"},
		{[]string{"import"}, "what to import"},
		{[]string{"import", "insee"}, "unknown kind"},
		{[]string{"import", "cog"}, "directory"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			err := run(context.Background(), tt.args, noEnv, io.Discard, io.Discard)
			var ue usageError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want a usage error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestImportCOGNamesABadDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/regions.json", []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"import", "cog", dir, "--data", t.TempDir()}, noEnv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "json") {
		t.Fatalf("err = %v, want an error naming the bad file", err)
	}
}

// startDemo runs `socle serve --demo` with persons demo persons in a new
// data directory and returns its base URL, its output and the submatches
// of line in that output, which the demo must print; what names the line.
func startDemo(t *testing.T, persons string, line *regexp.Regexp, what string) (base string, stdout *syncBuffer, m []string) {
	t.Helper()
	base, stdout = startServer(t, "--demo", "--demo-persons", persons, "--data", t.TempDir())
	if m = line.FindStringSubmatch(stdout.String()); m == nil {
		t.Fatalf("serve --demo printed no %s:\n%s", what, stdout)
	}
	return base, stdout, m
}

var listening = regexp.MustCompile(`Socle écoute sur (http://[^ ]+/)`)

// startServer runs `socle serve` with args in the background and returns
// its base URL; the server is shut down gracefully at cleanup.
func startServer(t *testing.T, args ...string) (base string, stdout *syncBuffer) {
	t.Helper()
	return startServerLogging(t, io.Discard, args...)
}

// startServerLogging is startServer with the server's log written to stderr.
func startServerLogging(t *testing.T, stderr io.Writer, args ...string) (base string, stdout *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout = &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), noEnv, stdout, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after shutdown", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not shut down")
		}
	})
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], stdout
		}
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v\n%s", err, stdout)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start:\n%s", stdout)
	return "", nil
}

func TestServeDemoAnswersAndShutsDown(t *testing.T) {
	base, out := startServer(t, "--demo", "--demo-persons", "200", "--data", t.TempDir())
	for _, path := range []string{"healthz", "readyz", "api/v1/openapi.json", "", "structures"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET /%s = %d", path, resp.StatusCode)
		}
	}
	if !strings.Contains(out.String(), "@") {
		t.Errorf("the demo printed no account:\n%s", out)
	}
	// Every demo partner system works as printed: a token, then the file
	// of a person its organisation follows.
	calls := regexp.MustCompile(`curl -s -u '([^:]+):([^']+)' .*\n.*'https?://[^/]+/(api/v1/persons/[^?]+)\?purpose=accompagnement'`).FindAllStringSubmatch(out.String(), -1)
	if len(calls) != len(socle.OrgKinds) {
		t.Fatalf("the demo printed %d partner systems, want one per kind (%d):\n%s", len(calls), len(socle.OrgKinds), out)
	}
	for _, c := range calls {
		status, body := token(t, base, c[1], c[2], "accompagnement:read")
		tok, _ := body["access_token"].(string)
		if status != http.StatusOK || tok == "" {
			t.Errorf("token of demo client %s: %d %v", c[1], status, body)
			continue
		}
		req, _ := http.NewRequest(http.MethodGet, base+c[3]+"?purpose=accompagnement", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		if status, body := doJSON(t, req); status != http.StatusOK {
			t.Errorf("demo client %s reading %s: %d %v", c[1], c[3], status, body)
		}
	}
}

func TestMigrateAppliesOnceThenIsUpToDate(t *testing.T) {
	dir := t.TempDir()
	var first, second bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "--data", dir}, noEnv, &first, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"migrate", "--data", dir}, noEnv, &second, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.String(), "applied migrations [1 ") || !strings.Contains(second.String(), "up to date") {
		t.Errorf("first run %q, second run %q", first.String(), second.String())
	}
}
