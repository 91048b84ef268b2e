package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetectCommands(t *testing.T) {
	ctx := context.Background()
	env := func(string) string { return "" }
	var out, errs bytes.Buffer
	if err := run(ctx, []string{"detect", "eval", "--agents", "400", "--days", "1", "--seed", "2"}, env, &out, &errs); err != nil {
		t.Fatalf("detect eval: %v\n%s", err, errs.String())
	}
	type result struct {
		Events   int64                     `json:"events"`
		Detector map[string]map[string]any `json:"detector"`
	}
	var res result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Events == 0 || res.Detector["overall"]["recall"] == 0 {
		t.Fatalf("detect eval printed %q (%v)", out.String(), err)
	}

	// The simulator writes a labelled event file that eval replays.
	file := filepath.Join(t.TempDir(), "events.jsonl")
	if err := run(ctx, []string{"detect", "simulate", "--agents", "200", "--days", "2", "--out", file}, env, &out, &errs); err != nil {
		t.Fatalf("detect simulate: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"detect", "eval", "--events", file}, env, &out, &errs); err != nil {
		t.Fatalf("detect eval --events: %v", err)
	}
	res = result{}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Events < 1000 || res.Detector["overall"]["recall"].(float64) < 0.6 {
		t.Fatalf("detect eval --events printed %q (%v)", out.String(), err)
	}
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	if err := os.WriteFile(bad, []byte(`{"type":"principal","id":"a"}`+"\n"+`{"type":"robot"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"detect", "eval", "--events", bad}, env, &out, &errs); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a bad event file: %v, want an error naming line 2", err)
	}

	out.Reset()
	errs.Reset()
	if err := run(ctx, []string{"detect", "run", "--since", "2025-01-01", "--data", t.TempDir()}, env, &out, &errs); err != nil {
		t.Fatalf("detect run: %v", err)
	}
	if !strings.Contains(errs.String(), "0 alerts") {
		t.Errorf("detect run on an empty log: %q", errs.String())
	}
	if err := run(ctx, []string{"detect", "run", "--since", "hier"}, env, &out, &errs); err == nil {
		t.Error("a bad --since was accepted")
	}
}
