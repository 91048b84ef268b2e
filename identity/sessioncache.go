package identity

import (
	"sync"
	"time"

	"socle"
)

// Every staff request is authenticated by its session: reading the
// session, its agent and her organisation took three queries per request.
// The cache below keeps them for sessionCacheTTL, and only while the
// store has changed no session and no agent since they were read (the
// store's generation, sqlstore.DB.SessionsGeneration): a logout, a
// disabled agent or changed roles take effect at the next request on this
// server, and on the others as soon as they hear of it
// (InvalidateSessions, cmd/socle/cluster.go). A change made by another
// process on the same SQLite file (a `socle agent disable`) is seen
// within sessionCacheTTL. Expiry and the idle timeout are still checked
// at every request, and a cached session that fails them is read again.

// sessionCacheTTL is the longest a session is taken from the cache.
const sessionCacheTTL = 2 * time.Second

// sessionCacheMax bounds the sessions kept; past it the expired ones go,
// then all.
const sessionCacheMax = 20_000

// SessionGenerations is what a Store offers for its sessions to be cached:
// a number that changes after every change of a session or an agent.
type SessionGenerations interface {
	SessionsGeneration() uint64
}

// sessionCache holds the live sessions recently read, by session id. The
// zero value caches nothing.
type sessionCache struct {
	gens SessionGenerations // nil: no cache

	mu sync.Mutex
	m  map[string]*cachedSession
}

type cachedSession struct {
	sess  socle.AgentSession
	agent socle.Agent
	org   *socle.Organisation // nil until an actor is built from the session
	gen   uint64              // the store's generation before they were read
	until time.Time           // taken from the cache until then
}

// generation returns the store's generation, to take before reading what
// put will cache.
func (c *sessionCache) generation() uint64 {
	if c.gens == nil {
		return 0
	}
	return c.gens.SessionsGeneration()
}

// get returns copies of the session and agent cached under id, if still
// valid at now.
func (c *sessionCache) get(id string, now time.Time) (*socle.AgentSession, *socle.Agent, bool) {
	if c.gens == nil {
		return nil, nil, false
	}
	gen := c.gens.SessionsGeneration()
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[id]
	if e == nil || e.gen != gen || !now.Before(e.until) {
		return nil, nil, false
	}
	sess, a := e.sess, e.agent
	return &sess, &a, true
}

// put caches the session and agent read while the store's generation was
// gen.
func (c *sessionCache) put(sess *socle.AgentSession, a *socle.Agent, gen uint64, now time.Time) {
	if c.gens == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= sessionCacheMax {
		c.m = c.sweep(now)
	}
	c.m[sess.ID] = &cachedSession{sess: *sess, agent: *a, gen: gen, until: now.Add(sessionCacheTTL)}
}

// sweep returns the entries still valid at now, or none if too many are.
func (c *sessionCache) sweep(now time.Time) map[string]*cachedSession {
	kept := make(map[string]*cachedSession, len(c.m))
	for id, e := range c.m {
		if now.Before(e.until) {
			kept[id] = e
		}
	}
	if len(kept) >= sessionCacheMax {
		return map[string]*cachedSession{}
	}
	return kept
}

// touched records in the cache that the session was used at at.
func (c *sessionCache) touched(id string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[id]; e != nil {
		e.sess.LastSeen = at
	}
}

// organisation returns the organisation cached with the session id, if it
// is orgID's.
func (c *sessionCache) organisation(id, orgID string) *socle.Organisation {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[id]; e != nil && e.org != nil && e.org.ID == orgID {
		return e.org
	}
	return nil
}

// setOrganisation caches org with the session id, if it is cached.
func (c *sessionCache) setOrganisation(id string, org *socle.Organisation) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.m[id]; e != nil && e.agent.OrganisationID == org.ID {
		e.org = org
	}
}
