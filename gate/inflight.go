package gate

import (
	"sync"

	"socle"
)

// inflightReads are the reads the throttle allowed whose count is being
// written to the store, by principal: a principal's concurrent reads are
// then counted together (one commit) while each check still sees all of
// them. The zero value is empty.
type inflightReads struct {
	mu sync.Mutex
	m  map[string][]*inflightBatch
}

type inflightBatch struct{ reads []socle.ThrottleRead }

// of returns the reads of principal in flight.
func (f *inflightReads) of(principal string) []socle.ThrottleRead {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []socle.ThrottleRead
	for _, b := range f.m[principal] {
		out = append(out, b.reads...)
	}
	return out
}

// add puts reads in flight for principal until done is called.
func (f *inflightReads) add(principal string, reads []socle.ThrottleRead) (done func()) {
	b := &inflightBatch{reads: reads}
	f.mu.Lock()
	if f.m == nil {
		f.m = map[string][]*inflightBatch{}
	}
	f.m[principal] = append(f.m[principal], b)
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		bs := f.m[principal]
		for i, x := range bs {
			if x == b {
				bs = append(bs[:i:i], bs[i+1:]...)
				break
			}
		}
		if len(bs) == 0 {
			delete(f.m, principal)
		} else {
			f.m[principal] = bs
		}
	}
}
