package http

import (
	"encoding/json"
	"testing"

	"socle/http/httpx"
)

// errorOf decodes the JSON error envelope of body and checks that it has a
// code and a message.
func errorOf(t *testing.T, body []byte) httpx.ErrorDetail {
	t.Helper()
	var e httpx.ErrorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error envelope: %v in %s", err, body)
	}
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("error envelope without code or message: %s", body)
	}
	return e.Error
}
