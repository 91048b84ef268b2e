package identity_test

import (
	"io"
	"net/http"
	"net/http/httptest"
)

func newRequest(method, target string, body io.Reader) (*http.Request, error) {
	return httptest.NewRequest(method, target, body), nil
}
