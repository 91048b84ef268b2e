package sqlstore

import (
	"sync"
	"sync/atomic"
)

// sessionsGeneration counts the changes of what authenticates a staff
// request (sessions, agents), so that a cache of live sessions (package
// identity) knows, without a query, that what it holds may be stale.
type sessionsGeneration struct {
	n     atomic.Uint64
	mu    sync.Mutex
	hooks []func()
}

// SessionsGeneration returns a number that changes whenever this store
// changes a session or an agent (after the change), or InvalidateSessions
// is called. A cache entry read while it had one value is stale once it
// has another.
func (s *DB) SessionsGeneration() uint64 { return s.sessionsGen.n.Load() }

// InvalidateSessions marks every cached session stale: another server
// changed sessions or agents (cmd/socle/cluster.go).
func (s *DB) InvalidateSessions() { s.sessionsGen.n.Add(1) }

// OnSessionsChange registers fn to run after each change of a session or
// an agent made through this store: a server tells the others
// (cmd/socle/cluster.go).
func (s *DB) OnSessionsChange(fn func()) {
	s.sessionsGen.mu.Lock()
	defer s.sessionsGen.mu.Unlock()
	s.sessionsGen.hooks = append(s.sessionsGen.hooks, fn)
}

// sessionsChanged runs after a write of sessions or agents, whether it
// succeeded or not: a failed write may still have been applied.
func (s *DB) sessionsChanged() {
	s.sessionsGen.n.Add(1)
	s.sessionsGen.mu.Lock()
	hooks := s.sessionsGen.hooks
	s.sessionsGen.mu.Unlock()
	for _, fn := range hooks {
		fn()
	}
}
