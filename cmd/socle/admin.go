package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"socle/metrics"
)

// registerMetrics adds to the app's metrics what is read at each scrape:
// the audit log's size, the live detector's lag, the open cases and the
// database pools.
func (a *app) registerMetrics() {
	m := a.metrics
	m.Gauge("socle_audit_entries", "Entries in the audit log.", func(context.Context) float64 { return float64(a.audit.Size()) })
	m.Gauge("socle_audit_entries_unsigned", "Audit entries not yet covered by a signed checkpoint.", func(ctx context.Context) float64 {
		cp, err := a.audit.Checkpoint(ctx)
		if err != nil {
			return float64(a.audit.Size())
		}
		return float64(a.audit.Size() - min(cp.Size, a.audit.Size()))
	})
	lag := func(ctx context.Context) (entries uint64, seconds float64) {
		pos, err := a.store.DetectCursor(ctx, "live")
		size := a.audit.Size()
		if err != nil || pos >= size {
			return 0, 0
		}
		// The oldest entry the detector has not read yet says how late it is.
		if e, err := a.audit.Entry(ctx, pos); err == nil {
			seconds = time.Since(e.Event.Time).Seconds()
		}
		return size - pos, max(seconds, 0)
	}
	m.Gauge("socle_detect_lag_entries", "Audit entries the live detector has not read yet.", func(ctx context.Context) float64 {
		n, _ := lag(ctx)
		return float64(n)
	})
	m.Gauge("socle_detect_lag_seconds", "Age of the oldest audit entry the live detector has not read yet (0 when up to date).", func(ctx context.Context) float64 {
		_, s := lag(ctx)
		return s
	})
	m.GaugeVec("socle_cases_open", "Misuse cases not closed, by state.", "state", func(ctx context.Context) map[string]float64 {
		counts, err := a.store.OpenCases(ctx)
		if err != nil {
			return nil
		}
		out := map[string]float64{}
		for s, n := range counts {
			out[s] = float64(n)
		}
		return out
	})
	m.DBPools(a.store.Pools())
}

// startAdmin serves the metrics and profiles on their own address, apart
// from the public one; stop closes it. An empty address serves nothing.
func startAdmin(addr string, a *app, logger *slog.Logger, stdout io.Writer) (stop func(), err error) {
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on the admin address %s: %w", addr, err)
	}
	a.registerMetrics()
	srv := &http.Server{
		Handler:           metrics.AdminHandler(a.metrics),
		ReadHeaderTimeout: 5 * time.Second,
		// A CPU profile or an execution trace lasts as asked (?seconds=).
		WriteTimeout: 5 * time.Minute,
		ErrorLog:     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			logger.Error("admin server stopped", "err", err)
		}
	}()
	fmt.Fprintf(stdout, "Métriques et profils sur http://%s/metrics (adresse d'administration)\n", ln.Addr())
	logger.Info("admin listening", "addr", ln.Addr().String())
	return func() { srv.Close() }, nil
}
