package httpx

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"socle"
	"socle/gate"
	"socle/matching"
)

// GateRequest collects who asks and why: the actor the middleware
// authenticated, the declared purpose (query parameter "purpose" or header
// "X-Purpose") and a break-the-glass justification if any.
func GateRequest(r *http.Request) gate.Request {
	purpose := r.URL.Query().Get("purpose")
	if purpose == "" {
		purpose = r.Header.Get("X-Purpose")
	}
	return gate.Request{
		Actor:      ActorFrom(r.Context()),
		Purpose:    strings.TrimSpace(purpose),
		BreakGlass: strings.TrimSpace(r.Header.Get("X-Break-Glass")),
		RequestID:  RequestID(r.Context()),
		RemoteAddr: RemoteAddr(r),
		// Creates only: a retried create with the same key is answered
		// with the first result (gate/idempotency.go).
		IdempotencyKey: strings.TrimSpace(r.Header.Get("Idempotency-Key")),
		CallRef:        strings.TrimSpace(r.Header.Get("X-Call-Ref")),
	}
}

// CaseFilter reads the filter of the cases list from the query parameters
// named state, rule, principal and org (the API and the console name them
// differently).
func CaseFilter(r *http.Request, state, rule, principal, org string) socle.CaseFilter {
	v := r.URL.Query()
	return socle.CaseFilter{State: socle.CaseState(strings.TrimSpace(v.Get(state))), Rule: strings.TrimSpace(v.Get(rule)),
		Principal: strings.TrimSpace(v.Get(principal)), OrganisationID: strings.TrimSpace(v.Get(org)), Limit: 200}
}

// SearchRequest is the gate request of an auditor's search. The purpose
// query parameter is a filter of the search here, not a declared purpose.
func SearchRequest(r *http.Request) gate.Request {
	return gate.Request{
		Actor: ActorFrom(r.Context()), Purpose: strings.TrimSpace(r.Header.Get("X-Purpose")),
		RequestID: RequestID(r.Context()), RemoteAddr: RemoteAddr(r),
	}
}

// AuditQuery reads the search criteria from the query string, with the
// parameter names of the API (names) or of the French page.
func AuditQuery(r *http.Request, names [7]string) (socle.AuditQuery, error) {
	v := r.URL.Query()
	q := socle.AuditQuery{
		PersonRef: strings.TrimSpace(v.Get(names[0])), AgentID: strings.TrimSpace(v.Get(names[1])),
		OrganisationID: strings.TrimSpace(v.Get(names[2])), Purpose: strings.TrimSpace(v.Get(names[3])),
		Action: strings.TrimSpace(v.Get("action")),
	}
	var err error
	if q.From, err = timeParam(v.Get(names[4]), names[4], false); err != nil {
		return q, err
	}
	if q.To, err = timeParam(v.Get(names[5]), names[5], true); err != nil {
		return q, err
	}
	if b := v.Get(names[6]); b != "" {
		if q.Before, err = strconv.ParseUint(b, 10, 64); err != nil {
			return q, socle.Errorf(socle.EINVALID, "parameter %s: an entry index (non-negative integer)", names[6])
		}
	}
	if q.Limit, err = IntParam(r, "limit", 50, 1, 500); err != nil {
		return q, err
	}
	return q, nil
}

// timeParam reads an RFC 3339 time or a date (AAAA-MM-JJ, a day in Paris).
// A date as an upper bound includes the whole day.
func timeParam(s, name string, upper bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation("2006-01-02", s, JournalZone)
	if err != nil {
		return time.Time{}, socle.Errorf(socle.EINVALID, "parameter %s: a date (2006-01-02) or an RFC 3339 time", name)
	}
	if upper {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

// IntParam reads an optional integer query parameter within [min, max].
func IntParam(r *http.Request, name string, def, min, max int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		return 0, socle.Errorf(socle.EINVALID, "parameter %s: an integer between %d and %d", name, min, max)
	}
	return n, nil
}

// JournalZone is the time zone in which the pages show and read dates.
var JournalZone = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.UTC
}()

// CaseMetricsSince is the period of the charts and metrics.
const CaseMetricsSince = 365 * 24 * time.Hour

// MatchingIndex answers 503 while the index of the mise en relation is missing.
func MatchingIndex(idx *matching.Index) error {
	if idx == nil {
		return socle.Errorf(socle.EUNAVAILABLE, "the matching index is not available")
	}
	return nil
}
