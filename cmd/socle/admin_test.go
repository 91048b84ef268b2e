package main

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var adminListening = regexp.MustCompile(`Métriques et profils sur (http://[^ ]+)/metrics`)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestMetricsAndProfilesOnlyOnTheAdminAddress(t *testing.T) {
	base, out := startServer(t, "--demo", "--demo-persons", "50", "--data", t.TempDir(), "--admin-addr", "127.0.0.1:0")
	m := adminListening.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("serve printed no admin address:\n%s", out)
	}
	admin := m[1]
	for range 3 {
		get(t, base+"healthz")
	}
	get(t, base+"api/v1/persons/per-unknown?purpose=accompagnement")
	get(t, base+"no/such/page")

	for _, path := range []string{"metrics", "debug/pprof/", "debug/pprof/heap", "debug/pprof/cmdline"} {
		if code, _ := get(t, base+path); code != http.StatusNotFound {
			t.Errorf("public GET /%s = %d, want 404: metrics and profiles are served on the admin address only", path, code)
		}
	}
	if code, body := get(t, admin+"/debug/pprof/"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("admin GET /debug/pprof/ = %d", code)
	}
	code, body := get(t, admin+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("admin GET /metrics = %d", code)
	}
	for _, want := range []string{
		`socle_http_requests_total{code="200",route="GET /healthz"} 3`,
		`socle_http_request_duration_seconds_count{code="200",route="GET /healthz"} 3`,
		`route="GET /api/v1/persons/{id}"`,
		`socle_http_requests_total{code="404",route="/"} 5`, // the catch-all of unknown pages
		`socle_audit_batch_size_count`,
		`socle_audit_commit_duration_seconds_bucket`,
		`socle_audit_append_duration_seconds_count`,
		`socle_audit_checkpoint_age_seconds`,
		`socle_audit_entries `,
		`socle_audit_entries_unsigned`,
		`socle_detect_lag_entries`,
		`socle_detect_lag_seconds`,
		`go_sql_open_connections{db_name="socle_read"}`,
		`go_sql_wait_count_total{db_name="socle_write"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "per-unknown") || strings.Contains(body, "no/such/page") {
		t.Error("metrics hold a request path: only route patterns may be labels")
	}
}
