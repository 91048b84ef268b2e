package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"socle"
	"testing"
	"time"

	sochttp "socle/http"
)

// TestShutdownOrder: on shutdown the server turns not ready while it
// drains, and the live detector reads the entries of the last requests
// and files its alerts before the audit log and the store close: after
// shutdown the alert is in the store and the log verifies.
func TestShutdownOrder(t *testing.T) {
	e := newLiveEnv(t, 6)
	ctx := context.Background()
	dir := t.TempDir()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone data")
	}
	if err := e.a.startDetection(ctx); err != nil {
		t.Fatal(err)
	}
	svc := e.a.services()
	svc.Ready = e.a.ready(dir, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: sochttp.NewServer(slog.New(slog.NewTextHandler(io.Discard, nil)), sochttp.Config{}, svc)}
	go srv.Serve(ln)
	readyz := func() int {
		resp, err := http.Get("http://" + ln.Addr().String() + "/readyz")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := readyz(); s != http.StatusOK {
		t.Fatalf("readyz before shutdown = %d", s)
	}
	// Night reads just before the shutdown: the detector, polling every
	// few seconds, has not read them yet.
	night := time.Date(2025, 3, 4, 2, 0, 0, 0, paris)
	for i, id := range e.persons {
		if err := e.read(t, e.adviser, night.Add(time.Duration(i)*time.Minute), id); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() {
		done <- e.a.shutdown(srv, drainConfig{delay: 500 * time.Millisecond, timeout: 5 * time.Second}, slog.New(slog.DiscardHandler))
	}()
	deadline := time.Now().Add(400 * time.Millisecond)
	for readyz() != http.StatusServiceUnavailable {
		if time.Now().After(deadline) {
			t.Fatal("readyz did not turn 503 while draining")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	// Reopen the data directory: the alert of the last reads was filed.
	a, err := openApp(ctx, storeFlags{data: e.dataDir}, siteConfig{baseURL: "http://localhost"}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	cs, err := a.cases.Cases(ctx, e.auditor, socle.CaseFilter{Rule: "off_hours"})
	if err != nil || len(cs) != 1 {
		t.Fatalf("cases after shutdown = %+v, %v; want the off-hours case of the last reads", cs, err)
	}
	if pos, err := a.store.DetectCursor(ctx, "live"); err != nil || pos == 0 {
		t.Errorf("detector cursor after shutdown = %d, %v", pos, err)
	}
}

// TestReadyTellsWhy: readiness fails on a full disk, while draining and
// when the audit log cannot write.
func TestReadyTellsWhy(t *testing.T) {
	e := newLiveEnv(t, 1)
	ctx := context.Background()
	if err := e.a.ready(e.dataDir, 1)(ctx); err != nil {
		t.Fatalf("ready: %v", err)
	}
	if _, ok := diskFree(e.dataDir); ok {
		if err := e.a.ready(e.dataDir, 1<<62)(ctx); err == nil {
			t.Error("ready with less free disk than required")
		}
	}
	e.a.draining.Store(true)
	if err := e.a.ready(e.dataDir, 1)(ctx); err == nil {
		t.Error("ready while draining")
	}
	e.a.draining.Store(false)
	if err := e.a.audit.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.a.ready(e.dataDir, 1)(ctx); err == nil {
		t.Error("ready with the audit log closed")
	}
}
