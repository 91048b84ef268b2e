package ratelog

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestRepeatsAreCollapsedWithTheirCount(t *testing.T) {
	var buf bytes.Buffer
	h := New(slog.NewJSONHandler(&buf, nil), 10*time.Second)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h.st.now = func() time.Time { return now }
	log := slog.New(h)
	for range 1000 {
		log.Error("audit append failed", "err", "no space left on device")
		log.With("request_id", "x").Warn("slow request")
		log.Info("request", "status", 503)
	}
	now = now.Add(11 * time.Second)
	log.Error("audit append failed", "err", "no space left on device")

	var errors, warns, infos int
	var repeated []float64
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		switch rec["msg"] {
		case "audit append failed":
			errors++
			if n, ok := rec["repeated"].(float64); ok {
				repeated = append(repeated, n)
			}
		case "slow request":
			warns++
		case "request":
			infos++
		}
	}
	if errors != 2 || warns != 1 || infos != 1000 {
		t.Errorf("lines: %d errors, %d warnings, %d infos; want 2, 1, 1000 (infos are never collapsed)", errors, warns, infos)
	}
	if len(repeated) != 1 || repeated[0] != 999 {
		t.Errorf("repeat counts %v, want [999] on the error after the window", repeated)
	}
}

func TestManyDistinctMessagesStayBounded(t *testing.T) {
	var buf bytes.Buffer
	h := New(slog.NewJSONHandler(&buf, nil), time.Hour)
	log := slog.New(h)
	for i := range 3 * maxKeys {
		log.Error("failure " + strings.Repeat("x", i%50) + string(rune('a'+i%26)) + time.Duration(i).String())
	}
	if len(h.st.seen) > maxKeys {
		t.Fatalf("%d messages remembered, bound is %d", len(h.st.seen), maxKeys)
	}
	if n := strings.Count(buf.String(), "\n"); n != 3*maxKeys {
		t.Fatalf("%d distinct messages logged as %d lines", 3*maxKeys, n)
	}
}
