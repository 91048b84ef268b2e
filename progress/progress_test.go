package progress

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a fake time source the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 2, 9, 0, 0, 0, time.UTC)} }

func TestPlainEveryTenth(t *testing.T) {
	var buf bytes.Buffer
	c := newClock()
	b := newBar(&buf, "personnes", 1000, false, 0, c.now)
	for range 1000 {
		c.advance(time.Millisecond)
		b.Add(1)
	}
	b.Done()
	b.Done() // only the first call prints
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 10 {
		t.Fatalf("got %d lines, want 9 tenths and the end:\n%s", len(lines), buf.String())
	}
	if want := "personnes  10% 100/1 000, 1 000/s, ETA 0.9s"; lines[0] != want {
		t.Errorf("first line: got %q, want %q", lines[0], want)
	}
	if want := "personnes 100% 1 000/1 000, 1 000/s, 1.0s"; lines[9] != want {
		t.Errorf("last line: got %q, want %q", lines[9], want)
	}
	if strings.ContainsAny(buf.String(), "\r\x1b") {
		t.Error("plain output must carry no terminal control")
	}
}

func TestTerminalThrottled(t *testing.T) {
	var buf bytes.Buffer
	c := newClock()
	b := newBar(&buf, "personnes", 100, true, 80, c.now)
	b.Add(10) // draws: nothing shown yet
	for range 20 {
		b.Add(1) // same instant: throttled
	}
	c.advance(50 * time.Millisecond)
	b.Add(1) // still within a tenth of a second
	c.advance(60 * time.Millisecond)
	b.Add(1) // draws
	if n := strings.Count(buf.String(), "\r"); n != 2 {
		t.Errorf("got %d draws, want 2: %q", n, buf.String())
	}
	if !strings.Contains(buf.String(), "[===>       ]") || !strings.Contains(buf.String(), " 32% 32/100") {
		t.Errorf("bar not drawn as expected: %q", buf.String())
	}
	b.Done()
	if out := buf.String(); !strings.HasSuffix(out, "\x1b[K\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("Done must end the line once: %q", out)
	}
}

func TestUnknownTotal(t *testing.T) {
	var buf bytes.Buffer
	c := newClock()
	b := newBar(&buf, "lignes", 0, false, 0, c.now)
	b.Add(5) // first report
	c.advance(time.Second)
	b.Add(5) // quiet
	c.advance(10 * time.Second)
	b.Add(5) // ten seconds later: reported
	b.Done()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 3 || lines[0] != "lignes 5" || !strings.HasPrefix(lines[1], "lignes 15, 1/s") || strings.Contains(buf.String(), "ETA") {
		t.Errorf("got %q, want 5, then 15 at 1/s, then the end, and no ETA without a total", buf.String())
	}
}

func TestConcurrentAdd(t *testing.T) {
	var buf bytes.Buffer
	b := newBar(&buf, "x", 8000, false, 0, newClock().now)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				b.Add(1)
			}
		})
	}
	wg.Wait()
	b.Done()
	if b.Count() != 8000 {
		t.Errorf("count: got %d, want 8000", b.Count())
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 10 {
		t.Errorf("got %d lines, want 10:\n%s", len(lines), buf.String())
	}
}

func TestNil(t *testing.T) {
	b := New(nil, "x", 10)
	if b != nil {
		t.Fatal("New(nil) must return nil")
	}
	b.Add(1) // must not panic
	b.Done()
	if b.Count() != 0 {
		t.Error("nil bar counts nothing")
	}
}

func TestNewOnBuffer(t *testing.T) {
	var buf bytes.Buffer
	if b := New(&buf, "x", 10); b.tty {
		t.Error("a buffer is not a terminal")
	}
}

func TestAppendDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		1500 * time.Millisecond:                         "1.5s",
		2*time.Minute + 5*time.Second:                   "2m05s",
		time.Hour + 2*time.Minute + 3*time.Second + 1e8: "1h02m03s",
	} {
		if got := string(appendDuration(nil, d)); got != want {
			t.Errorf("%v: got %q, want %q", d, got, want)
		}
	}
}
