package sqlstore

import (
	"context"
	"sync"

	"socle"
)

// groupCommit writes the items that callers hand it concurrently together,
// in one transaction (write): one commit, and on a durable engine one
// fsync, for all of them, instead of one each on a single writer. Every
// caller returns once its own item is written (or failed).
type groupCommit[T any] struct {
	mu      sync.Mutex
	pending []*groupItem[T]
	leading bool // a caller or a goroutine is writing a batch
}

type groupItem[T any] struct {
	item T
	done chan error
}

// do writes item with the others pending and returns its outcome. The
// first caller writes the batch; those arriving meanwhile wait for the
// next one.
func (g *groupCommit[T]) do(item T, write func(context.Context, []T) error) error {
	r := &groupItem[T]{item: item, done: make(chan error, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, r)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if lead {
		g.lead(write)
	}
	return <-r.done
}

// lead writes what is pending as one batch, then hands the next batch to
// a new goroutine, so that no caller waits for more than its own batch.
// The write does not use a caller's context: it carries others' items.
func (g *groupCommit[T]) lead(write func(context.Context, []T) error) {
	g.mu.Lock()
	batch := g.pending
	g.pending = nil
	g.mu.Unlock()
	items := make([]T, len(batch))
	for i, r := range batch {
		items[i] = r.item
	}
	ctx := context.Background()
	if err := write(ctx, items); err != nil && len(batch) > 1 && socle.ErrorCode(err) != socle.EUNAVAILABLE {
		// One item must not fail the others: each alone. Not when the
		// database is unavailable: each would wait as long again.
		for _, r := range batch {
			r.done <- write(ctx, []T{r.item})
		}
	} else {
		for _, r := range batch {
			r.done <- err
		}
	}
	g.mu.Lock()
	if len(g.pending) > 0 {
		g.mu.Unlock()
		go g.lead(write)
		return
	}
	g.leading = false
	g.mu.Unlock()
}
