package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

// checkDecode decodes body as T the way a handler does, behind the body
// limit, and checks the contract of decode: a value only from exactly one
// well-formed JSON value, otherwise an EINVALID (or ETOOLARGE) error with a
// message, never a panic nor another code.
func checkDecode[T any](t *testing.T, body []byte) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 4096)
	_, err := httpx.Decode[T](r)
	if err == nil {
		if len(body) > 4096 || !json.Valid(body) {
			t.Fatalf("decode accepted %q", body)
		}
		return
	}
	code := socle.ErrorCode(err)
	if code != socle.EINVALID && code != socle.ETOOLARGE {
		t.Fatalf("decode of %q: error %v has code %q, want invalid or too large", body, err, code)
	}
	if strings.TrimSpace(socle.ErrorMessage(err)) == "" {
		t.Fatalf("decode of %q: error without a message", body)
	}
}

// FuzzDecode runs the request bodies of the API's JSON operations through
// decode: persons, offers, events, orientation choices, bulk tasks, the
// register of purposes and agreements.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"identity":{"last_name":"Martin","first_names":["Léa"],"birth_date":"1990-03-02"}}`,
		`{"rome":"K2204","commune":"69123","title":"Agent d'entretien","contract":"CDI"}`,
		`{"kind":"rendez_vous","at":"2025-03-02T10:00:00Z"}`,
		`{"operator_kind":"ml","parcours":"professionnel","modalite":"guide"}`,
		`{"purpose":"statistique","reason":"étude","until":"2025-03-02"}`,
		`{"register":{"version":1},"reason":"mise à jour"}`,
		`{} {}`, `{"x":1}`, `[`, `"\ud800"`, `{"identity":{"birth_date":"2025-02-30"}}`,
		`{"identity":{"birth_date":123}}`, ``, `null`, `{"a":` + strings.Repeat("[", 5000),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecode[socle.Person](t, body)
		checkDecode[socle.Offer](t, body)
		checkDecode[socle.Event](t, body)
		checkDecode[gate.Choice](t, body)
		checkDecode[socle.BulkTask](t, body)
		checkDecode[registerEdit](t, body)
	})
}
