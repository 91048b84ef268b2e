package httpx

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"time"

	"socle"
)

// Cursor pagination, the API's one way of listing (docs/api.md): a list
// takes "limit" and "cursor" query parameters and answers a Page, whose
// next_cursor, when not empty, is the cursor of the following page. Items
// come in a stable order (each list documents it), so that a page never
// repeats nor skips an item of the previous ones even when items are
// added meanwhile.

// PageRequest is what a list was asked: at most Limit items following the
// item whose sort key is After ("" from the start).
type PageRequest struct {
	Limit int
	After string
}

// Page is a page of a list as the API answers it.
type Page[T any] struct {
	Items []T `json:"items"`
	Limit int `json:"limit"`
	// NextCursor is the cursor of the next page; empty on the last one.
	NextCursor string `json:"next_cursor"`
	HasMore    bool   `json:"has_more"`
}

// cursorPrefix marks the cursors this API issues, so that a value made up
// by a client is refused rather than read as a sort key.
const cursorPrefix = "c1:"

// EncodeCursor returns the opaque cursor of the page following key.
func EncodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + key))
}

// DecodeCursor returns the sort key of a cursor EncodeCursor made.
func DecodeCursor(cursor string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	key, ok := strings.CutPrefix(string(b), cursorPrefix)
	if err != nil || !ok {
		return "", socle.Errorf(socle.EINVALID, "parameter cursor: not a cursor this API returned (use the next_cursor of a previous page)")
	}
	return key, nil
}

// PageParams reads "limit" (def when absent, 1 to max) and "cursor".
func PageParams(r *http.Request, def, max int) (PageRequest, error) {
	limit, err := IntParam(r, "limit", def, 1, max)
	if err != nil {
		return PageRequest{}, err
	}
	p := PageRequest{Limit: limit}
	if c := r.URL.Query().Get("cursor"); c != "" {
		if p.After, err = DecodeCursor(c); err != nil {
			return PageRequest{}, err
		}
	}
	return p, nil
}

// Paginate returns the page p asks of items ordered by key, which must
// be unique per item (end it with the item's id). items is not modified.
func Paginate[T any](items []T, key func(T) string, p PageRequest) Page[T] {
	type keyed struct {
		k string
		v T
	}
	all := make([]keyed, 0, len(items))
	for _, it := range items {
		if k := key(it); p.After == "" || k > p.After {
			all = append(all, keyed{k, it})
		}
	}
	slices.SortFunc(all, func(a, b keyed) int { return strings.Compare(a.k, b.k) })
	out := Page[T]{Items: make([]T, 0, min(len(all), p.Limit)), Limit: p.Limit}
	for _, kv := range all[:min(len(all), p.Limit)] {
		out.Items = append(out.Items, kv.v)
	}
	if len(all) > p.Limit {
		out.HasMore = true
		out.NextCursor = EncodeCursor(all[p.Limit-1].k)
	}
	return out
}

// TimeKey is a sort key ordering by time, then id: fixed-width UTC, so
// that the keys compare as the times do.
func TimeKey(t time.Time, id string) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z") + "|" + id
}

// NewestFirst turns a sort key into one that orders the other way (each
// byte complemented: the keys of a list have one fixed-width layout), for
// the lists that show their newest items first.
func NewestFirst(key string) string {
	b := []byte(key)
	for i := range b {
		b[i] = ^b[i]
	}
	return string(b)
}

// WritePage answers a page of items ordered by key, or err.
func WritePage[T any](w http.ResponseWriter, r *http.Request, items []T, key func(T) string, p PageRequest, err error) {
	if err != nil {
		WriteError(w, r, err)
		return
	}
	Encode(w, http.StatusOK, Paginate(items, key, p))
}
