package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"socle"
)

// drainConfig is how the server stops (serve's flags).
type drainConfig struct {
	// delay is how long the server keeps serving once not ready, so that
	// load balancers polling /readyz take it out of rotation first.
	delay time.Duration
	// timeout is how long in-flight requests have to finish.
	timeout time.Duration
}

// ready reports whether the server can take requests (GET /readyz): not
// while it drains, while the audit log cannot write (every access would
// fail closed), nor while the disk of the data directory has less than
// minFree bytes available.
func (a *app) ready(dataDir string, minFree uint64) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		if a.draining.Load() {
			return socle.Errorf(socle.EUNAVAILABLE, "the server is shutting down")
		}
		if err := a.audit.Err(); err != nil {
			return socle.Errorf(socle.EUNAVAILABLE, "the audit log cannot write")
		}
		if free, ok := diskFree(dataDir); ok && free < minFree {
			return socle.Errorf(socle.EUNAVAILABLE, "the disk of the data directory is full (%d MiB free)", free>>20)
		}
		return nil
	}
}

// shutdown stops the server in the one order that loses nothing:
//
//  1. not ready: /readyz answers 503 and load balancers stop sending;
//  2. after drain.delay, stop accepting and let the requests in flight
//     finish, for at most drain.timeout: their audit entries are durable
//     when they answer;
//  3. stop the live detector: it reads the entries of those last
//     requests, closes the day and files its alerts, whose evidence it
//     reads from the store, still open;
//  4. close the audit log: the appends pending (the alerts' case events),
//     then a last signed checkpoint;
//  5. close the store.
//
// Steps 3 to 5 are app.Close.
func (a *app) shutdown(srv *http.Server, drain drainConfig, logger *slog.Logger) error {
	a.draining.Store(true)
	logger.Info("shutting down: not ready, draining", "delay", drain.delay, "timeout", drain.timeout)
	time.Sleep(drain.delay)
	ctx, cancel := context.WithTimeout(context.Background(), drain.timeout)
	defer cancel()
	var errs []error
	if err := srv.Shutdown(ctx); err != nil {
		// Requests still running past the timeout are cut; what they
		// appended to the audit log is kept.
		errs = append(errs, fmt.Errorf("draining requests: %w", err))
		srv.Close()
	}
	if err := a.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing: %w", err))
	}
	logger.Info("shut down")
	return errors.Join(errs...)
}
