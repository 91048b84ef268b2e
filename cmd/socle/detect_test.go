package main

import (
	"bytes"
	"context"
	"encoding/json"
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
	var res struct {
		Events   int64                         `json:"events"`
		Detector map[string]map[string]float64 `json:"detector"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Events == 0 || res.Detector["overall"]["recall"] == 0 {
		t.Fatalf("detect eval printed %q (%v)", out.String(), err)
	}

	out.Reset()
	if err := run(ctx, []string{"detect", "simulate", "--agents", "100", "--days", "1"}, env, &out, &errs); err != nil {
		t.Fatalf("detect simulate: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var ev map[string]any
	if len(lines) < 1000 || json.Unmarshal([]byte(lines[0]), &ev) != nil || ev["label"] == nil {
		t.Fatalf("detect simulate: %d lines, first %q", len(lines), lines[0])
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
