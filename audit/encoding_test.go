package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"

	"socle"
)

func TestCanonicalLeaf(t *testing.T) {
	ev := socle.AuditEvent{
		Time:       time.Date(2025, 3, 2, 10, 30, 0, 5, time.FixedZone("CET", 3600)),
		AgentID:    "agt-1",
		Action:     "read",
		PersonRef:  "0123",
		Allowed:    true,
		Facts:      []socle.Fact{{Kind: "followup", Detail: map[string]string{"z": "1", "a": "<2>"}, Text: "Suivie"}},
		Records:    1,
		BreakGlass: "",
	}
	body, err := encodeEvent(ev)
	if err != nil {
		t.Fatal(err)
	}
	// Golden: changing this string changes every hash; bump leafVersion.
	want := `{"v":1,"index":42,"event":{"time":"2025-03-02T09:30:00.000000005Z","agent_id":"agt-1","action":"read","person_ref":"0123","allowed":true,"facts":[{"kind":"followup","detail":{"a":"\u003c2\u003e","z":"1"},"text":"Suivie"}],"records":1}}`
	leaf := appendLeaf(nil, 42, body)
	if string(leaf) != want {
		t.Fatalf("leaf\n%s\nwant\n%s", leaf, want)
	}
	i, got, err := DecodeLeaf(leaf)
	if err != nil || i != 42 || !got.Time.Equal(ev.Time) || got.Facts[0].Detail["a"] != "<2>" {
		t.Fatalf("DecodeLeaf = %d, %+v, %v", i, got, err)
	}
	for _, bad := range []string{
		`{"v":1,"index":42,"event":{"time":"2025-03-02T09:30:00.000000005Z","action":"read","agent_id":"agt-1","person_ref":"0123","allowed":true,"records":1}}`,
		`{"v":2,"index":42,"event":{"time":"2025-03-02T09:30:00.000000005Z","action":"read","allowed":true,"records":1}}`,
		`{"v":1, "index":42,"event":{"time":"2025-03-02T09:30:00.000000005Z","action":"read","allowed":true,"records":1}}`,
	} {
		if _, _, err := DecodeLeaf([]byte(bad)); err == nil {
			t.Errorf("DecodeLeaf accepted %s", bad)
		}
	}
}

func TestLeafIndex(t *testing.T) {
	tests := []struct {
		leaf string
		want uint64
		ok   bool
	}{
		{`{"v":1,"index":0,"event":{}}`, 0, true},
		{`{"v":1,"index":18446744073709551615,"event":{}}`, 1<<64 - 1, true},
		{`{"v":1,"index":18446744073709551616,"event":{}}`, 0, false},
		{`{"v":1,"index":07,"event":{}}`, 0, false},
		{`{"v":1,"index":,"event":{}}`, 0, false},
		{`{"v":2,"index":1,"event":{}}`, 0, false},
		{`{"v":1,"index":1}`, 0, false},
	}
	for _, tt := range tests {
		got, ok := leafIndex([]byte(tt.leaf))
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("leafIndex(%s) = %d, %v; want %d, %v", tt.leaf, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTreeHasherMatchesRFC6962(t *testing.T) {
	th := newTreeHasher()
	for size := range 200 {
		data := make([]byte, size)
		rand.Read(data)
		if got, want := th.leaf(data), rfc6962.DefaultHasher.HashLeaf(data); !bytes.Equal(got, want) {
			t.Fatalf("leaf hash of %d bytes differs", size)
		}
		l, r := rfc6962.DefaultHasher.HashLeaf(data), rfc6962.DefaultHasher.HashLeaf(data[:size/2])
		if got, want := th.node(l, r), rfc6962.DefaultHasher.HashChildren(l, r); !bytes.Equal(got, want) {
			t.Fatal("node hash differs")
		}
	}
}

func TestPersonRef(t *testing.T) {
	a := PersonRef([]byte("key one"), "per-1")
	if len(a) != 32 || a != PersonRef([]byte("key one"), "per-1") {
		t.Fatalf("PersonRef = %q, want 32 stable hex characters", a)
	}
	for _, other := range []string{PersonRef([]byte("key two"), "per-1"), PersonRef([]byte("key one"), "per-2")} {
		if other == a {
			t.Fatal("different key or person gave the same reference")
		}
	}
}

func TestWhatIsAppendedDecodes(t *testing.T) {
	tests := []struct {
		name, breakGlass, want string
	}{
		{"Latin-1 byte", "urgence m\xe9dicale", "urgence m\uFFFDdicale"},
		{"replacement character", "urgence \uFFFD", "urgence \uFFFD"},
		{"both", "\xff\uFFFD", "\uFFFD\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := openTestLog(t, Options{})
			ev := testEvent(1)
			ev.BreakGlass = tt.breakGlass
			ev.Facts[0].Detail["motif"] = tt.breakGlass
			i, err := tl.log.AppendIndex(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			e, err := tl.log.Entry(context.Background(), i)
			if err != nil {
				t.Fatalf("entry appended with %q does not decode: %v", tt.breakGlass, err)
			}
			if e.Event.BreakGlass != tt.want || e.Event.Facts[0].Detail["motif"] != tt.want {
				t.Errorf("decoded %q, want %q", e.Event.BreakGlass, tt.want)
			}
		})
	}
	// An entry written before U+FFFD was always escaped still decodes.
	legacy := `{"v":1,"index":7,"event":{"time":"2025-03-02T09:30:00Z","action":"read","allowed":true,"records":1,"break_glass":"urgence ` + "\uFFFD" + ` \ufffd"}}`
	if _, ev, err := DecodeLeaf([]byte(legacy)); err != nil || ev.BreakGlass != "urgence \uFFFD \uFFFD" {
		t.Errorf("legacy leaf: %q, %v", ev.BreakGlass, err)
	}
}
