// Package progress reports the progress of long work (a bulk load, an
// import) on a terminal or in a log.
package progress

import (
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

// redraw is the least time between two draws of the bar on a terminal:
// faster is invisible and costs the work it reports on.
const redraw = 100 * time.Millisecond

// quietLog is how often a log line is printed when the total is unknown.
const quietLog = 10 * time.Second

// Bar reports the progress of counted work. On a terminal it redraws one
// line with a bar, the percentage, the rate and the time left, at most ten
// times a second; elsewhere (a log, CI) it prints a plain line every tenth
// of the work. A nil *Bar does nothing, so callers need not test for one.
// Add and Done are safe for concurrent use.
type Bar struct {
	w     io.Writer
	label string
	total int64
	tty   bool
	width int
	now   func() time.Time
	start time.Time

	n        atomic.Int64
	nextDraw atomic.Int64 // unix nanoseconds before which Add does not draw

	printed atomic.Int64 // plain mode: tenths of the work already reported

	mu   sync.Mutex // guards the writer and what follows
	done bool
	buf  []byte
}

// New returns a bar that reports on w the progress of total units of work
// named label ("personnes"). A total of 0 or less means unknown. New
// returns nil when w is nil.
func New(w io.Writer, label string, total int64) *Bar {
	if w == nil {
		return nil
	}
	tty, width := false, 0
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		tty = true
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil {
			width = cols
		}
	}
	return newBar(w, label, total, tty, width, time.Now)
}

func newBar(w io.Writer, label string, total int64, tty bool, width int, now func() time.Time) *Bar {
	if width <= 0 {
		width = 80
	}
	b := &Bar{w: w, label: label, total: max(total, 0), tty: tty, width: width, now: now, start: now()}
	b.nextDraw.Store(b.start.UnixNano())
	return b
}

// Add records n more units done.
func (b *Bar) Add(n int64) {
	if b == nil {
		return
	}
	cur := b.n.Add(n)
	if b.tty || b.total == 0 {
		now := b.now()
		next := b.nextDraw.Load()
		if now.UnixNano() < next {
			return
		}
		interval := redraw
		if !b.tty {
			interval = quietLog
		}
		// One caller wins the right to draw; the others go on working.
		if !b.nextDraw.CompareAndSwap(next, now.Add(interval).UnixNano()) {
			return
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if !b.done {
			b.draw(b.n.Load(), now, false)
		}
		return
	}
	tenth := min(cur*10/b.total, 10)
	// 100% is for Done, with the elapsed time.
	if tenth >= 10 || tenth <= b.printed.Load() {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done || tenth <= b.printed.Load() {
		return
	}
	b.printed.Store(tenth)
	b.draw(cur, b.now(), false)
}

// Done reports the end of the work: the final count and the elapsed time,
// then a new line. Only the first call prints.
func (b *Bar) Done() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	b.done = true
	b.draw(b.n.Load(), b.now(), true)
}

// Count returns the units done so far.
func (b *Bar) Count() int64 {
	if b == nil {
		return 0
	}
	return b.n.Load()
}

// draw writes one report. Called with mu held.
func (b *Bar) draw(cur int64, now time.Time, final bool) {
	elapsed := now.Sub(b.start)
	buf := b.buf[:0]
	if b.tty {
		buf = append(buf, '\r')
	}
	buf = append(buf, b.label...)
	buf = append(buf, ' ')
	if b.total > 0 {
		pct := min(cur*100/b.total, 100)
		if b.tty {
			buf = b.appendBar(buf, cur)
			buf = append(buf, ' ')
		}
		buf = appendPadded(buf, pct, 3)
		buf = append(buf, "% "...)
		buf = appendCount(buf, cur)
		buf = append(buf, '/')
		buf = appendCount(buf, b.total)
	} else {
		buf = appendCount(buf, cur)
	}
	if secs := elapsed.Seconds(); secs > 0 {
		buf = append(buf, ", "...)
		buf = appendCount(buf, int64(float64(cur)/secs))
		buf = append(buf, "/s"...)
	}
	switch {
	case final:
		buf = append(buf, ", "...)
		buf = appendDuration(buf, elapsed)
	case b.total > 0 && cur > 0 && cur < b.total && elapsed > 0:
		left := time.Duration(float64(elapsed) * float64(b.total-cur) / float64(cur))
		buf = append(buf, ", ETA "...)
		buf = appendDuration(buf, left)
	}
	if b.tty {
		// Clear what a longer previous line left behind.
		buf = append(buf, "\x1b[K"...)
		if final {
			buf = append(buf, '\n')
		}
	} else {
		buf = append(buf, '\n')
	}
	b.buf = buf
	_, _ = b.w.Write(buf) // a report that cannot be shown must not stop the work
}

// appendBar draws [=====>    ] sized to the terminal.
func (b *Bar) appendBar(buf []byte, cur int64) []byte {
	size := min(max(b.width-len(b.label)-60, 10), 40)
	full := int(min(cur*int64(size)/b.total, int64(size)))
	buf = append(buf, '[')
	buf = append(buf, strings.Repeat("=", full)...)
	if full < size {
		buf = append(buf, '>')
		buf = append(buf, strings.Repeat(" ", size-full-1)...)
	}
	return append(buf, ']')
}

func appendPadded(buf []byte, v int64, width int) []byte {
	s := strconv.FormatInt(v, 10)
	for range width - len(s) {
		buf = append(buf, ' ')
	}
	return append(buf, s...)
}

// appendCount writes v with a space between thousands, as French
// readers group digits: 1 234 567.
func appendCount(buf []byte, v int64) []byte {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		buf = append(buf, '-')
		s = s[1:]
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			buf = append(buf, ' ')
		}
		buf = append(buf, s[i])
	}
	return buf
}

// appendDuration writes d as 1h02m03s, 2m05s or 4.2s.
func appendDuration(buf []byte, d time.Duration) []byte {
	if d < time.Minute {
		return append(strconv.AppendFloat(buf, d.Seconds(), 'f', 1, 64), 's')
	}
	d = d.Round(time.Second)
	h, m, s := int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	if h > 0 {
		buf = strconv.AppendInt(buf, h, 10)
		buf = append(buf, 'h')
		buf = appendZero(buf, m)
	} else {
		buf = strconv.AppendInt(buf, m, 10)
	}
	buf = append(buf, 'm')
	buf = appendZero(buf, s)
	return append(buf, 's')
}

func appendZero(buf []byte, v int64) []byte {
	if v < 10 {
		buf = append(buf, '0')
	}
	return strconv.AppendInt(buf, v, 10)
}
