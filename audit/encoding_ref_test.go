package audit

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"socle"
)

// encodeEventJSON is the canonical encoding through encoding/json and
// eventV1, as the log wrote it before encodeEvent wrote it by hand: the
// reference that encodeEvent must match byte for byte.
func encodeEventJSON(ev socle.AuditEvent) ([]byte, error) {
	str := func(ss []string) []string {
		if len(ss) == 0 {
			return nil
		}
		out := make([]string, len(ss))
		for i, s := range ss {
			out[i] = validUTF8(s)
		}
		return out
	}
	e := eventV1{
		Time: ev.Time.UTC().Format(time.RFC3339Nano), RequestID: validUTF8(ev.RequestID), AgentID: validUTF8(ev.AgentID),
		ClientID: validUTF8(ev.ClientID), OrganisationID: validUTF8(ev.OrganisationID), Action: validUTF8(ev.Action),
		ResourceKind: validUTF8(ev.ResourceKind), ResourceID: validUTF8(ev.ResourceID), PersonRef: validUTF8(ev.PersonRef),
		Categories: validUTF8(ev.Categories), Purpose: validUTF8(ev.Purpose), Allowed: ev.Allowed,
		Explanation: validUTF8(ev.Explanation), RemoteAddr: validUTF8(ev.RemoteAddr), Records: ev.Records,
		BreakGlass: validUTF8(ev.BreakGlass), PersonRefs: str(ev.PersonRefs), Basis: validUTF8(ev.Basis),
		Session: validUTF8(ev.Session), Remote: validUTF8(ev.Remote), CallRef: validUTF8(ev.CallRef),
	}
	for _, f := range ev.Facts {
		fv := factV1{Kind: validUTF8(f.Kind), Text: validUTF8(f.Text)}
		if len(f.Detail) > 0 {
			fv.Detail = map[string]string{}
			for k, v := range f.Detail {
				fv.Detail[validUTF8(k)] = validUTF8(v)
			}
		}
		e.Facts = append(e.Facts, fv)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return bytes.ReplaceAll(b, rawReplacement, escapedReplacement), nil
}

// trickyStrings are what a string of an event may hold that JSON escapes
// or repairs.
var trickyStrings = []string{
	"", "plain", "Mission Locale de Lyon suit cette personne depuis le 2 mars 2025.", "é à ç œ €",
	`quote " and \ backslash`, "<script>&amp;</script>", "tab\tnew\nline\rcr", "\b\f\x00\x01\x1f\x7f",
	"\u2028\u2029", "<", ">", "&", `"`, `\`, "\n", "\x1f", "\u2028", "\u2029", "\xff", "real \uFFFD replacement", "invalid \xff\xfe latin-1 \xe9", "half \xe2\x82", "😀 emoji",
}

func TestEncodeEventMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	pick := func() string {
		if r.IntN(3) == 0 {
			return ""
		}
		var b strings.Builder
		for range 1 + r.IntN(3) {
			b.WriteString(trickyStrings[r.IntN(len(trickyStrings))])
		}
		return b.String()
	}
	events := []socle.AuditEvent{testEvent(1), testEvent(7)}
	for range 2000 {
		ev := socle.AuditEvent{
			Time:      time.Date(2025, 3, 2, 9, 30, 0, r.IntN(1e9), time.FixedZone("X", r.IntN(20)*1800)),
			RequestID: pick(), AgentID: pick(), ClientID: pick(), OrganisationID: pick(), Action: "read" + pick(),
			ResourceKind: pick(), ResourceID: pick(), PersonRef: pick(), Categories: pick(), Purpose: pick(),
			Allowed: r.IntN(2) == 0, Explanation: pick(), RemoteAddr: pick(), Records: r.IntN(1000) - 10,
			BreakGlass: pick(), Basis: pick(), Session: pick(), Remote: pick(), CallRef: pick(),
		}
		for range r.IntN(3) {
			f := socle.Fact{Kind: pick(), Text: pick()}
			if r.IntN(3) > 0 {
				f.Detail = map[string]string{}
				for range r.IntN(4) {
					f.Detail[pick()+"k"] = pick()
				}
			}
			ev.Facts = append(ev.Facts, f)
		}
		switch r.IntN(3) {
		case 0:
			ev.PersonRefs = []string{}
		case 1:
			ev.PersonRefs = []string{pick(), pick()}
		}
		events = append(events, ev)
	}
	for i, ev := range events {
		want, werr := encodeEventJSON(ev)
		got, err := encodeEvent(ev)
		if werr != nil {
			t.Fatalf("event %d: reference: %v", i, werr)
		}
		if err != nil {
			// Only keys that collide once repaired are refused.
			if !strings.Contains(err.Error(), "differ only by invalid UTF-8") {
				t.Fatalf("event %d: %v", i, err)
			}
			continue
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("event %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func BenchmarkEncodeEvent(b *testing.B) {
	ev := testEvent(3)
	for _, bb := range []struct {
		name string
		enc  func(socle.AuditEvent) ([]byte, error)
	}{{"by hand", encodeEvent}, {"encoding/json", encodeEventJSON}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bb.enc(ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
