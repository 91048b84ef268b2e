// Package ratelog keeps a failing server's log readable: a slog.Handler
// that lets the first warning or error of each message through per window
// and collapses its repeats into a count carried by the next one let
// through. When the disk is full or the database is down, every request
// fails the same way; without it, the log (often on the same full disk)
// would grow by a line per request.
package ratelog

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// maxKeys bounds the messages remembered: beyond it, those quiet for a
// window are forgotten, and if none is, repeats are let through.
const maxKeys = 1024

// Handler collapses repeated warnings and errors. Records below
// slog.LevelWarn (the request log) always pass. Safe for concurrent use.
type Handler struct {
	inner  slog.Handler
	window time.Duration
	st     *state
}

type state struct {
	mu   sync.Mutex
	now  func() time.Time
	seen map[key]*seen
}

type key struct {
	level slog.Level
	msg   string
}

type seen struct {
	passed     time.Time // when the last record of the key was let through
	suppressed int       // repeats since
}

// New returns a handler over inner that lets through one warning or error
// of each (level, message) per window.
func New(inner slog.Handler, window time.Duration) *Handler {
	return &Handler{inner: inner, window: window, st: &state{now: time.Now, seen: map[key]*seen{}}}
}

// Enabled reports whether inner handles the level.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

// Handle passes r to inner unless it repeats a warning or error let
// through less than a window ago; a record let through after repeats
// carries "repeated": how many were dropped.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.inner.Handle(ctx, r)
	}
	n, pass := h.st.admit(key{r.Level, r.Message}, h.window)
	if !pass {
		return nil
	}
	if n > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("repeated", n))
	}
	return h.inner.Handle(ctx, r)
}

// admit reports whether a record of k passes, and how many repeats it
// then reports.
func (s *state) admit(k key, window time.Duration) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	e, ok := s.seen[k]
	if !ok {
		if len(s.seen) >= maxKeys {
			for k2, e2 := range s.seen {
				if now.Sub(e2.passed) >= window {
					delete(s.seen, k2)
				}
			}
			if len(s.seen) >= maxKeys {
				return 0, true
			}
		}
		s.seen[k] = &seen{passed: now}
		return 0, true
	}
	if now.Sub(e.passed) < window {
		e.suppressed++
		return 0, false
	}
	n := e.suppressed
	e.passed, e.suppressed = now, 0
	return n, true
}

// WithAttrs returns a handler whose records carry attrs, sharing the
// repeat counts.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{inner: h.inner.WithAttrs(attrs), window: h.window, st: h.st}
}

// WithGroup returns a handler that groups the attributes, sharing the
// repeat counts.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{inner: h.inner.WithGroup(name), window: h.window, st: h.st}
}
