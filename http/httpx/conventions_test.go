package httpx

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestPaginateFollowsAStableOrder(t *testing.T) {
	items := []string{"d", "b", "e", "a", "c"}
	key := func(s string) string { return s }
	tests := []struct {
		name     string
		limit    int
		after    string
		want     []string
		wantMore bool
	}{
		{"first page", 2, "", []string{"a", "b"}, true},
		{"a middle page", 2, "b", []string{"c", "d"}, true},
		{"the last page, full", 1, "d", []string{"e"}, false},
		{"exactly the rest", 5, "", []string{"a", "b", "c", "d", "e"}, false},
		{"after the end", 3, "z", []string{}, false},
		{"after a key no item has", 2, "bb", []string{"c", "d"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Paginate(items, key, PageRequest{Limit: tt.limit, After: tt.after})
			if !slices.Equal(p.Items, tt.want) || p.HasMore != tt.wantMore || (p.NextCursor != "") != tt.wantMore {
				t.Fatalf("page %+v, want %v more=%v", p, tt.want, tt.wantMore)
			}
			if tt.wantMore {
				if after, err := DecodeCursor(p.NextCursor); err != nil || after != tt.want[len(tt.want)-1] {
					t.Errorf("next cursor %q decodes to %q, %v", p.NextCursor, after, err)
				}
			}
		})
	}
	if !slices.Equal(items, []string{"d", "b", "e", "a", "c"}) {
		t.Error("Paginate reordered its argument")
	}
}

func TestPageParamsNameWhatIsWrong(t *testing.T) {
	tests := []struct {
		query   string
		wantErr string
	}{
		{"", ""},
		{"limit=10&cursor=" + EncodeCursor("k"), ""},
		{"limit=0", "limit"},
		{"limit=1000", "limit"},
		{"cursor=not-base64!", "cursor"},
		{"cursor=YWJj", "cursor"}, // base64 of "abc", not a cursor of ours
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/x?"+tt.query, nil)
		_, err := PageParams(r, 20, 100)
		if got := ""; err != nil {
			got = err.Error()
			if tt.wantErr == "" || !strings.Contains(got, "parameter "+tt.wantErr) {
				t.Errorf("%q: %v, want an error naming %q", tt.query, err, tt.wantErr)
			}
		} else if tt.wantErr != "" {
			t.Errorf("%q: no error, want one naming %q", tt.query, tt.wantErr)
		}
	}
}

// TestIfMatchChecksTheCurrentRepresentation: the update runs only when
// If-Match names the GET's current ETag (or is absent or *); a failed GET
// is the answer and the update does not run.
func TestIfMatchChecksTheCurrentRepresentation(t *testing.T) {
	status, body := http.StatusOK, "v1"
	current := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.Header.Get("If-Match") != "" {
			t.Errorf("current read as %s with If-Match %q", r.Method, r.Header.Get("If-Match"))
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	})
	updates := 0
	update := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { updates++; w.WriteHeader(http.StatusOK) })
	h := IfMatch(current, update)
	v1 := ETag([]byte("v1"))
	tests := []struct {
		name, ifMatch string
		status        int
		current       int
		wantUpdate    bool
	}{
		{"no If-Match", "", http.StatusOK, http.StatusOK, true},
		{"the current tag", v1, http.StatusOK, http.StatusOK, true},
		{"one of a list", `"x", ` + v1, http.StatusOK, http.StatusOK, true},
		{"any", "*", http.StatusOK, http.StatusOK, true},
		{"another tag", `"x"`, http.StatusPreconditionFailed, http.StatusOK, false},
		{"a missing resource", v1, http.StatusNotFound, http.StatusNotFound, false},
	}
	for i, tt := range tests {
		status, updates = tt.current, 0
		r := httptest.NewRequest(http.MethodPatch, "/r/"+strconv.Itoa(i), nil)
		if tt.ifMatch != "" {
			r.Header.Set("If-Match", tt.ifMatch)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if rec.Code != tt.status || (updates == 1) != tt.wantUpdate {
			t.Errorf("%s: %d, %d updates; want %d, update %v", tt.name, rec.Code, updates, tt.status, tt.wantUpdate)
		}
	}
}

func TestWithETagLeavesOtherAnswersAlone(t *testing.T) {
	h := WithETag(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte("body"))
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/missing", nil))
	if rec.Code != http.StatusNotFound || rec.Header().Get("ETag") != "" {
		t.Errorf("404: %d ETag %q", rec.Code, rec.Header().Get("ETag"))
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") != ETag([]byte("body")) || rec.Body.String() != "body" {
		t.Errorf("200: %d ETag %q body %q", rec.Code, rec.Header().Get("ETag"), rec.Body)
	}
}

// BenchmarkWithETag measures what the ETag costs a single-resource read:
// buffering and hashing a person-sized answer.
func BenchmarkWithETag(b *testing.B) {
	body := []byte(strings.Repeat(`{"identity":{"given_name":"Camille"}},`, 60)) // ~2.3 kB, a person's answer
	plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(body) })
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{{"plain", plain}, {"etag", WithETag(plain)}} {
		b.Run(bc.name, func(b *testing.B) {
			r := httptest.NewRequest(http.MethodGet, "/api/v1/persons/x", nil)
			b.ReportAllocs()
			for b.Loop() {
				bc.h.ServeHTTP(httptest.NewRecorder(), r)
			}
		})
	}
}
