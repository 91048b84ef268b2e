package audit

import (
	"bytes"
	"context"
	"maps"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"socle"
)

// jsonString is what encoding/json makes of s: every byte of invalid UTF-8
// becomes U+FFFD.
func jsonString(s string) string { return string([]rune(s)) }

// FuzzAppendedEventDecodesAndProves checks the promise of the canonical
// encoding: an event the log accepts can always be read back (decoded,
// equal to what was appended up to UTF-8 repair) and proved included in the
// signed tree; an event it cannot encode faithfully is refused before it
// is appended, never stored undecodable.
func FuzzAppendedEventDecodesAndProves(f *testing.F) {
	f.Add(int64(1740907800), int64(5), "agt-1", "read", "per-1", "Suivie depuis le 2 mars.", "organisation_id", "org-1", "10.1.2.3", 1)
	f.Add(int64(0), int64(0), "", "search", "", "", "", "", "", 0)
	f.Add(int64(-62135596800), int64(0), "\xff\xfe", "read\x00", "<script>", "\u2028\u2029", "\xc3", "\xc3\x28", "::1", -1)
	f.Add(int64(253402300799), int64(999999999), "é", "write", "per-2", "\"quoted\"\\", "a\xffb", "a\xfeb", "", 1<<40)
	f.Add(int64(253402300800), int64(0), "agt", "read", "", "", "", "", "", 0)
	f.Add(int64(-62135596801), int64(0), "agt", "read", "", "", "", "", "", 0)
	f.Add(int64(1740907800), int64(0), "agt", "read", "", "", "\xff", "x", "", 0)

	skey, vkey, err := GenerateKey("socle.test/fuzz")
	if err != nil {
		f.Fatal(err)
	}
	st := &memStorage{}
	l, err := Open(context.Background(), st, skey, Options{CheckpointEvery: 1 << 20, CheckpointInterval: time.Hour})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		if err := l.Close(); err != nil {
			f.Error(err)
		}
		if _, err := Verify(context.Background(), st, vkey, nil); err != nil {
			f.Errorf("the fuzzed log does not verify: %v", err)
		}
	})

	f.Fuzz(func(t *testing.T, sec, nsec int64, agent, action, resource, explanation, key1, key2, remote string, records int) {
		ctx := context.Background()
		ev := socle.AuditEvent{
			Time:        time.Unix(sec, nsec).In(time.FixedZone("X", int(sec%50_000))),
			AgentID:     agent,
			Action:      action,
			ResourceID:  resource,
			Explanation: explanation,
			RemoteAddr:  remote,
			Records:     records,
			Facts: []socle.Fact{{
				Kind:   "followup",
				Detail: map[string]string{key1: explanation, key2: agent},
				Text:   explanation,
			}},
		}
		i, err := l.AppendIndex(ctx, ev)
		if err != nil {
			if socle.ErrorCode(err) != socle.EINVALID {
				t.Fatalf("append refused with %v, want EINVALID", err)
			}
			return
		}
		e, err := l.Entry(ctx, i)
		if err != nil {
			t.Fatalf("appended entry %d cannot be read back: %v", i, err)
		}
		got := e.Event
		if !got.Time.Equal(ev.Time) {
			t.Errorf("time %v read back as %v", ev.Time, got.Time)
		}
		if got.AgentID != jsonString(agent) || got.Action != jsonString(action) || got.ResourceID != jsonString(resource) ||
			got.Explanation != jsonString(explanation) || got.RemoteAddr != jsonString(remote) || got.Records != records {
			t.Errorf("event %+v read back as %+v", ev, got)
		}
		wantDetail := map[string]string{jsonString(key1): jsonString(explanation), jsonString(key2): jsonString(agent)}
		if len(got.Facts) != 1 || !maps.Equal(got.Facts[0].Detail, wantDetail) {
			t.Errorf("facts %+v read back as %+v", ev.Facts, got.Facts)
		}
		size := l.Size()
		root, err := l.rootAt(ctx, size)
		if err != nil {
			t.Fatal(err)
		}
		p, err := l.InclusionProof(ctx, i, size)
		if err != nil {
			t.Fatal(err)
		}
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, i, size, e.LeafHash, p, root); err != nil {
			t.Fatalf("entry %d not proved in tree of %d: %v", i, size, err)
		}
	})
}

// FuzzDecodeLeaf checks that DecodeLeaf accepts only canonical leaves: what
// it decodes re-encodes to the very bytes it read.
func FuzzDecodeLeaf(f *testing.F) {
	body, err := encodeEvent(testEvent(3))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(appendLeaf(nil, 3, body))
	f.Add([]byte(`{"v":1,"index":0,"event":{"time":"2025-03-02T09:30:00Z","action":"read","allowed":false,"records":0}}`))
	f.Add([]byte(`{"v":2}`))
	f.Fuzz(func(t *testing.T, leaf []byte) {
		i, ev, err := DecodeLeaf(leaf)
		if err != nil {
			return
		}
		body, err := encodeEvent(ev)
		if err != nil {
			t.Fatalf("decoded event does not encode: %v", err)
		}
		if again := appendLeaf(nil, i, body); !bytes.Equal(again, leaf) {
			t.Fatalf("leaf %q decoded, re-encodes as %q", leaf, again)
		}
	})
}
