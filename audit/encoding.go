package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
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

// encodeEvent returns the canonical <event> part of a leaf. It writes the
// JSON by hand, field by field as encoding/json would write eventV1
// (TestEncodeEventMatchesEncodingJSON holds it to that): every append
// encodes one event, and reflection cost the appenders a fifth of the
// CPU of a durable append.
func encodeEvent(ev socle.AuditEvent) ([]byte, error) {
	if ev.Action == "" {
		return nil, socle.Errorf(socle.EINVALID, "Audit event without action.")
	}
	if ev.Time.IsZero() {
		return nil, socle.Errorf(socle.EINVALID, "Audit event without time.")
	}
	t := ev.Time.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return nil, socle.Errorf(socle.EINVALID, "Audit event time outside the years 0000–9999.")
	}
	b := make([]byte, 0, 768)
	b = append(b, `{"time":"`...)
	b = t.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = appendField(b, "request_id", ev.RequestID, true)
	b = appendField(b, "agent_id", ev.AgentID, true)
	b = appendField(b, "client_id", ev.ClientID, true)
	b = appendField(b, "organisation_id", ev.OrganisationID, true)
	b = appendField(b, "action", ev.Action, false)
	b = appendField(b, "resource_kind", ev.ResourceKind, true)
	b = appendField(b, "resource_id", ev.ResourceID, true)
	b = appendField(b, "person_ref", ev.PersonRef, true)
	b = appendField(b, "categories", ev.Categories, true)
	b = appendField(b, "purpose", ev.Purpose, true)
	b = append(b, `,"allowed":`...)
	b = strconv.AppendBool(b, ev.Allowed)
	b = appendField(b, "explanation", ev.Explanation, true)
	if len(ev.Facts) > 0 {
		b = append(b, `,"facts":[`...)
		for i, f := range ev.Facts {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendFact(b, f); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	b = appendField(b, "remote_addr", ev.RemoteAddr, true)
	b = append(b, `,"records":`...)
	b = strconv.AppendInt(b, int64(ev.Records), 10)
	b = appendField(b, "break_glass", ev.BreakGlass, true)
	if len(ev.PersonRefs) > 0 {
		b = append(b, `,"person_refs":[`...)
		for i, r := range ev.PersonRefs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, r)
		}
		b = append(b, ']')
	}
	b = appendField(b, "basis", ev.Basis, true)
	b = appendField(b, "session", ev.Session, true)
	b = appendField(b, "remote", ev.Remote, true)
	b = appendField(b, "call_ref", ev.CallRef, true)
	return append(b, '}'), nil
}

// appendFact appends a fact as encoding/json writes factV1: the detail's
// keys sorted, an empty detail omitted.
func appendFact(b []byte, f socle.Fact) ([]byte, error) {
	b = append(b, `{"kind":`...)
	b = appendString(b, f.Kind)
	if len(f.Detail) > 0 {
		keys := make([]string, 0, len(f.Detail))
		values := f.Detail
		repair := false
		for k := range f.Detail {
			keys = append(keys, k)
			repair = repair || !utf8.ValidString(k)
		}
		if repair {
			// Keys as written, repaired: two may become one.
			values = make(map[string]string, len(f.Detail))
			keys = keys[:0]
			for k, v := range f.Detail {
				k = validUTF8(k)
				if _, dup := values[k]; dup {
					return nil, socle.Errorf(socle.EINVALID, "Audit event fact %q: two detail keys differ only by invalid UTF-8.", validUTF8(f.Kind))
				}
				keys = append(keys, k)
				values[k] = v
			}
		}
		slices.Sort(keys)
		b = append(b, `,"detail":{`...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, values[k])
		}
		b = append(b, '}')
	}
	b = append(b, `,"text":`...)
	b = appendString(b, f.Text)
	return append(b, '}'), nil
}

// appendField appends ,"key":<value>, or nothing when omitEmpty and the
// value is empty.
func appendField(b []byte, key, value string, omitEmpty bool) []byte {
	if omitEmpty && value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

// appendString appends s as a JSON string as encoding/json writes it
// (HTML characters, U+2028 and U+2029 escaped), after validUTF8, and with
// every U+FFFD escaped. Strings of plain characters, nearly all, are
// copied; any other goes through encoding/json itself.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return appendStringJSON(b, s)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
			return appendStringJSON(b, s)
		}
		i += size
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendStringJSON is appendString through encoding/json.
func appendStringJSON(b []byte, s string) []byte {
	q, err := json.Marshal(validUTF8(s))
	if err != nil {
		panic(err) // a valid UTF-8 string always encodes
	}
	// encoding/json writes invalid UTF-8 (a Latin-1 header, say) as the
	// escape \ufffd but a real U+FFFD as is: decoding such an entry and
	// encoding it again would not give its bytes back. Every U+FFFD is
	// written escaped, so that what is appended always decodes.
	if bytes.Contains(q, rawReplacement) {
		q = bytes.ReplaceAll(q, rawReplacement, escapedReplacement)
	}
	return append(b, q...)
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

// DecodeLeaf decodes a canonical leaf of the log. It rejects any leaf that is not
// exactly the canonical encoding of what it decodes to.
func DecodeLeaf(leaf []byte) (uint64, socle.AuditEvent, error) {
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
