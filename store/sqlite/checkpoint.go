package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strconv"
	"sync"
	"time"
)

// checkpointPolicy says when a checkpointer copies a write-ahead log back
// into its database file.
type checkpointPolicy struct {
	// every is how often it checkpoints.
	every time.Duration
	// truncate is the size of the log file past which it truncates it.
	truncate *int64
}

// walTruncateSize is the size of the data file's write-ahead log past
// which the checkpointer truncates it (a variable for tests).
var walTruncateSize int64 = 64 << 20

// dataCheckpoints keep the data file's log short: every read of the data
// searches the frames appended since the last checkpoint.
var dataCheckpoints = checkpointPolicy{every: 100 * time.Millisecond, truncate: &walTruncateSize}

// checkpointWait is the longest a truncating checkpoint waits for readers,
// during which writers wait too; past it, it gives up until a later tick.
const checkpointWait = 100 * time.Millisecond

// checkpointer copies the write-ahead log back into the database file in
// the background, on its own connection, instead of inside a writer's
// commit (SQLite's automatic checkpoint, switched off on every
// connection): the commits of the audit log's group commit never stall on
// a checkpoint, and the log stays short, so that a reader searches only
// the few frames appended since the last checkpoint (walFindFrame; with a
// checkpoint every 256 MiB this taxed every page read).
//
// A PASSIVE checkpoint takes no lock that writers or readers wait for: it
// copies what no reader still needs, and the next one copies the rest.
// Readers that never all stop keep it from letting the log start over, so
// past walTruncateSize it waits briefly for them and truncates the file.
type checkpointer struct {
	db     *sql.DB
	wal    string // the write-ahead log file
	policy checkpointPolicy
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
}

func startCheckpointer(ctx context.Context, path, driver string, policy checkpointPolicy) (*checkpointer, error) {
	dsn := path + "?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=" + strconv.FormatInt(checkpointWait.Milliseconds(), 10)
	db, err := openSingle(ctx, driver, dsn)
	if err != nil {
		return nil, err
	}
	c := &checkpointer{db: db, wal: path + "-wal", policy: policy, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	tick := time.NewTicker(c.policy.every)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			// An error (a full disk, readers that did not stop in time)
			// is the writers' to report if it lasts: they hit it too. The
			// next tick tries again.
			_ = c.checkpoint()
		}
	}
}

// checkpoint runs one checkpoint: PASSIVE, or TRUNCATE when the log file
// has grown past the policy's truncate size.
func (c *checkpointer) checkpoint() error {
	mode := "PASSIVE"
	if st, err := os.Stat(c.wal); err == nil && st.Size() > *c.policy.truncate {
		mode = "TRUNCATE"
	}
	_, err := c.db.Exec(`PRAGMA wal_checkpoint(` + mode + `)`)
	return err
}

// Close stops the checkpointer after a last checkpoint.
func (c *checkpointer) Close() error {
	var err error
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		err = errors.Join(c.checkpoint(), c.db.Close())
	})
	return err
}
