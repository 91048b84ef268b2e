package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"socle"
)

// The canonical leaf encoding, version 1, is the UTF-8 JSON text
//
//	{"v":1,"index":<decimal index>,"event":<event>}
//
// with no white space, where <event> is the encoding/json encoding of
// eventV1 below: fields in declaration order, empty optional fields omitted,
// the time in UTC as RFC 3339 with nanoseconds, map keys sorted, and
// encoding/json's escaping (HTML characters escaped). Strings are repaired
// to valid UTF-8 before encoding (each invalid byte becoming U+FFFD), every
// U+FFFD is written as the escape \ufffd, and the time's year lies in
// 0000–9999 (RFC 3339): what is appended can always be read back. The index
// binds each entry to its position, so that a deleted, inserted or
// reordered entry is named by Verify. eventV1 is a frozen copy
// of socle.AuditEvent so that changing the domain type's JSON tags cannot
// silently change the encoding: a new encoding must get a new version.
const leafVersion = 1

var (
	leafHead  = []byte(`{"v":1,"index":`)
	leafEvent = []byte(`,"event":`)
)

type factV1 struct {
	Kind   string            `json:"kind"`
	Detail map[string]string `json:"detail,omitempty"`
	Text   string            `json:"text"`
}

type eventV1 struct {
	Time           string   `json:"time"`
	RequestID      string   `json:"request_id,omitempty"`
	AgentID        string   `json:"agent_id,omitempty"`
	ClientID       string   `json:"client_id,omitempty"`
	OrganisationID string   `json:"organisation_id,omitempty"`
	Action         string   `json:"action"`
	ResourceKind   string   `json:"resource_kind,omitempty"`
	ResourceID     string   `json:"resource_id,omitempty"`
	PersonRef      string   `json:"person_ref,omitempty"`
	Categories     string   `json:"categories,omitempty"`
	Purpose        string   `json:"purpose,omitempty"`
	Allowed        bool     `json:"allowed"`
	Explanation    string   `json:"explanation,omitempty"`
	Facts          []factV1 `json:"facts,omitempty"`
	RemoteAddr     string   `json:"remote_addr,omitempty"`
	Records        int      `json:"records"`
	BreakGlass     string   `json:"break_glass,omitempty"`
	// Detection fields, added after the first leaves were written: empty,
	// they are omitted, so every earlier leaf keeps its exact encoding.
	PersonRefs []string `json:"person_refs,omitempty"`
	Basis      string   `json:"basis,omitempty"`
	Session    string   `json:"session,omitempty"`
	Remote     string   `json:"remote,omitempty"`
	CallRef    string   `json:"call_ref,omitempty"`
}

type leafV1 struct {
	V     int     `json:"v"`
	Index uint64  `json:"index"`
	Event eventV1 `json:"event"`
}

// encodeEvent returns the canonical <event> part of a leaf.
func encodeEvent(ev socle.AuditEvent) ([]byte, error) {
	if ev.Action == "" {
		return nil, socle.Errorf(socle.EINVALID, "Audit event without action.")
	}
	if ev.Time.IsZero() {
		return nil, socle.Errorf(socle.EINVALID, "Audit event without time.")
	}
	if y := ev.Time.UTC().Year(); y < 0 || y > 9999 {
		return nil, socle.Errorf(socle.EINVALID, "Audit event time outside the years 0000–9999.")
	}
	e := eventV1{
		Time:           ev.Time.UTC().Format(time.RFC3339Nano),
		RequestID:      validUTF8(ev.RequestID),
		AgentID:        validUTF8(ev.AgentID),
		ClientID:       validUTF8(ev.ClientID),
		OrganisationID: validUTF8(ev.OrganisationID),
		Action:         validUTF8(ev.Action),
		ResourceKind:   validUTF8(ev.ResourceKind),
		ResourceID:     validUTF8(ev.ResourceID),
		PersonRef:      validUTF8(ev.PersonRef),
		Categories:     validUTF8(ev.Categories),
		Purpose:        validUTF8(ev.Purpose),
		Allowed:        ev.Allowed,
		Explanation:    validUTF8(ev.Explanation),
		RemoteAddr:     validUTF8(ev.RemoteAddr),
		Records:        ev.Records,
		BreakGlass:     validUTF8(ev.BreakGlass),
		PersonRefs:     validUTF8s(ev.PersonRefs),
		Basis:          validUTF8(ev.Basis),
		Session:        validUTF8(ev.Session),
		Remote:         validUTF8(ev.Remote),
		CallRef:        validUTF8(ev.CallRef),
	}
	if len(ev.Facts) > 0 {
		e.Facts = make([]factV1, len(ev.Facts))
		for i, f := range ev.Facts {
			e.Facts[i] = factV1{Kind: validUTF8(f.Kind), Text: validUTF8(f.Text)}
			if f.Detail == nil {
				continue
			}
			e.Facts[i].Detail = make(map[string]string, len(f.Detail))
			for k, v := range f.Detail {
				k = validUTF8(k)
				if _, dup := e.Facts[i].Detail[k]; dup {
					return nil, socle.Errorf(socle.EINVALID, "Audit event fact %q: two detail keys differ only by invalid UTF-8.", e.Facts[i].Kind)
				}
				e.Facts[i].Detail[k] = validUTF8(v)
			}
		}
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("encode audit event: %w", err)
	}
	// encoding/json writes invalid UTF-8 (a Latin-1 header, say) as the
	// escape \ufffd but a real U+FFFD as is: decoding such an entry and
	// encoding it again would not give its bytes back. Every U+FFFD is
	// written escaped, so that what is appended always decodes.
	if bytes.Contains(b, rawReplacement) {
		b = bytes.ReplaceAll(b, rawReplacement, escapedReplacement)
	}
	return b, nil
}

var (
	rawReplacement     = []byte("\uFFFD")
	escapedReplacement = []byte(`\ufffd`)
)

// validUTF8 returns s with each byte of invalid UTF-8 replaced by U+FFFD,
// as encoding/json reads it back.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string([]rune(s))
}

// validUTF8s is validUTF8 over a list; nil stays nil (omitted).
func validUTF8s(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = validUTF8(s)
	}
	return out
}

// appendLeaf appends the canonical leaf of entry index with the encoded
// event to dst.
func appendLeaf(dst []byte, index uint64, event []byte) []byte {
	dst = append(dst, leafHead...)
	dst = strconv.AppendUint(dst, index, 10)
	dst = append(dst, leafEvent...)
	dst = append(dst, event...)
	return append(dst, '}')
}

// leafIndex reads the index of a version 1 leaf without decoding it.
func leafIndex(leaf []byte) (uint64, bool) {
	if !bytes.HasPrefix(leaf, leafHead) {
		return 0, false
	}
	var n uint64
	digits := 0
	for _, c := range leaf[len(leafHead):] {
		if c < '0' || c > '9' {
			break
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
		digits++
	}
	rest := leaf[len(leafHead)+digits:]
	if digits == 0 || (digits > 1 && leaf[len(leafHead)] == '0') || !bytes.HasPrefix(rest, leafEvent) {
		return 0, false
	}
	return n, true
}

// decodeLeaf decodes a canonical leaf. It rejects any leaf that is not
// exactly the canonical encoding of what it decodes to.
func decodeLeaf(leaf []byte) (uint64, socle.AuditEvent, error) {
	var l leafV1
	dec := json.NewDecoder(bytes.NewReader(leaf))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return 0, socle.AuditEvent{}, fmt.Errorf("decode audit leaf: %w", err)
	}
	if l.V != leafVersion {
		return 0, socle.AuditEvent{}, fmt.Errorf("decode audit leaf: unknown version %d", l.V)
	}
	t, err := time.Parse(time.RFC3339Nano, l.Event.Time)
	if err != nil {
		return 0, socle.AuditEvent{}, fmt.Errorf("decode audit leaf time: %w", err)
	}
	e := l.Event
	ev := socle.AuditEvent{
		Time:           t,
		RequestID:      e.RequestID,
		AgentID:        e.AgentID,
		ClientID:       e.ClientID,
		OrganisationID: e.OrganisationID,
		Action:         e.Action,
		ResourceKind:   e.ResourceKind,
		ResourceID:     e.ResourceID,
		PersonRef:      e.PersonRef,
		Categories:     e.Categories,
		Purpose:        e.Purpose,
		Allowed:        e.Allowed,
		Explanation:    e.Explanation,
		RemoteAddr:     e.RemoteAddr,
		Records:        e.Records,
		BreakGlass:     e.BreakGlass,
		PersonRefs:     e.PersonRefs,
		Basis:          e.Basis,
		Session:        e.Session,
		Remote:         e.Remote,
		CallRef:        e.CallRef,
	}
	for _, f := range e.Facts {
		ev.Facts = append(ev.Facts, socle.Fact(f))
	}
	body, err := encodeEvent(ev)
	if err != nil {
		return 0, socle.AuditEvent{}, err
	}
	// Entries written before U+FFFD was always escaped hold it as is.
	if canon := appendLeaf(nil, l.Index, body); !bytes.Equal(canon, leaf) &&
		!bytes.Equal(canon, bytes.ReplaceAll(leaf, rawReplacement, escapedReplacement)) {
		return 0, socle.AuditEvent{}, fmt.Errorf("decode audit leaf %d: not in canonical form", l.Index)
	}
	return l.Index, ev, nil
}

// personRefSize is how many bytes of the HMAC a person reference keeps.
const personRefSize = 16

// PersonRef returns the pseudonymous reference of a person for the audit
// log: HMAC-SHA256 keyed with the server's secret key over the person's id,
// truncated to 128 bits, in lower-case hex (32 characters).
//
// The log is kept for years, copied to auditors and fed to detection, and it
// is append-only: a clear id written in it can never be erased. With a keyed
// reference, whoever holds the log without the key cannot tell whose file was
// read, nor confirm a guess, while the server (holding the key) can still
// list every access to one person's file by computing her reference. 128 bits
// make collisions negligible for any population. Losing or rotating the key
// cuts the link to past entries, so the key must be kept with the signer key.
func PersonRef(key []byte, personID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(personID))
	return hex.EncodeToString(m.Sum(nil)[:personRefSize])
}
