package policy

import (
	"hash/maphash"
	"sync"
)

// cacheShards spreads the relation cache over independent locks. Every
// entry of one person lives in the shard of that person, so that
// Invalidate(person) touches one shard only.
const cacheShards = 32

// relCache is a bounded LRU cache with TTL of compiled relations, keyed by
// (organisation, person, day). Recency is tracked per person: a person's
// entries (one per organisation and day that asked) are evicted together.
type relCache struct {
	seed     maphash.Seed
	ttl      int64 // nanoseconds
	perShard int   // entries per shard
	shards   [cacheShards]cacheShard
}

type cacheShard struct {
	mu       sync.Mutex
	byPerson map[string]*cacheNode
	lru      cacheNode // sentinel: lru.next is the most recent
	entries  int
	// gen changes on every invalidation so that a fetch that started
	// before it does not store what it read.
	gen uint64
}

type cacheNode struct {
	person     string
	views      []cachedView
	prev, next *cacheNode
}

type cachedView struct {
	org     string
	day     int64
	expires int64
	view    *relView
}

func newRelCache(size int, ttlNanos int64) *relCache {
	c := &relCache{seed: maphash.MakeSeed(), ttl: ttlNanos, perShard: max(1, size/cacheShards)}
	for i := range c.shards {
		s := &c.shards[i]
		s.byPerson = make(map[string]*cacheNode)
		s.lru.next, s.lru.prev = &s.lru, &s.lru
	}
	return c
}

func (c *relCache) shard(person string) *cacheShard {
	return &c.shards[maphash.String(c.seed, person)%cacheShards]
}

// get returns the view cached for the key, or nil, and the shard generation
// to hand back to put.
func (c *relCache) get(org, person string, day, now int64) (*relView, uint64) {
	s := c.shard(person)
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.byPerson[person]
	if n == nil {
		return nil, s.gen
	}
	for i := range n.views {
		v := &n.views[i]
		if v.org == org && v.day == day {
			if now >= v.expires {
				n.views = append(n.views[:i], n.views[i+1:]...)
				s.entries--
				if len(n.views) == 0 {
					s.remove(n)
				}
				return nil, s.gen
			}
			s.touch(n)
			return v.view, s.gen
		}
	}
	return nil, s.gen
}

// put stores a view unless the person's shard was invalidated since gen.
func (c *relCache) put(org, person string, day, now int64, gen uint64, view *relView) {
	s := c.shard(person)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != gen {
		return
	}
	n := s.byPerson[person]
	if n == nil {
		n = &cacheNode{person: person}
		s.byPerson[person] = n
		n.next, n.prev = s.lru.next, &s.lru
		s.lru.next.prev = n
		s.lru.next = n
	} else {
		s.touch(n)
	}
	cv := cachedView{org: org, day: day, expires: now + c.ttl, view: view}
	for i := range n.views {
		if n.views[i].org == org && n.views[i].day == day {
			n.views[i] = cv
			return
		}
	}
	n.views = append(n.views, cv)
	s.entries++
	for s.entries > c.perShard && s.lru.prev != n {
		s.remove(s.lru.prev)
	}
}

// invalidate forgets every entry of person.
func (c *relCache) invalidate(person string) {
	s := c.shard(person)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	if n := s.byPerson[person]; n != nil {
		s.remove(n)
	}
}

// invalidateAll forgets everything.
func (c *relCache) invalidateAll() {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		s.gen++
		clear(s.byPerson)
		s.lru.next, s.lru.prev = &s.lru, &s.lru
		s.entries = 0
		s.mu.Unlock()
	}
}

func (s *cacheShard) touch(n *cacheNode) {
	if s.lru.next == n {
		return
	}
	n.prev.next, n.next.prev = n.next, n.prev
	n.next, n.prev = s.lru.next, &s.lru
	s.lru.next.prev = n
	s.lru.next = n
}

func (s *cacheShard) remove(n *cacheNode) {
	n.prev.next, n.next.prev = n.next, n.prev
	n.prev, n.next = nil, nil
	s.entries -= len(n.views)
	delete(s.byPerson, n.person)
}
