package httpx

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"socle"
)

// encode writes v as JSON with the status.
func Encode(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	StatusHeaders(w, status)
	w.WriteHeader(status)
	// Compact: indenting cost the API a tenth of its CPU, for readers
	// that are programs (`| jq` indents for people).
	_ = json.NewEncoder(w).Encode(v)
}

// respond answers err with writeError, or else v as JSON with the status.
func Respond(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		WriteError(w, r, err)
		return
	}
	Encode(w, status, v)
}

// decode reads exactly one JSON value of type T from the body, rejecting
// unknown fields and trailing data, and names what is wrong.
func Decode[T any](r *http.Request) (T, error) {
	var v T
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return v, socle.Errorf(socle.EINVALID, "request body: unexpected data after the JSON value")
	}
	return v, nil
}

func decodeError(err error) error {
	var (
		syntax    *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		maxBytes  *http.MaxBytesError
		domainErr *socle.Error
	)
	switch {
	case errors.As(err, &maxBytes):
		return socle.Errorf(socle.ETOOLARGE, "request body larger than %d bytes", maxBytes.Limit)
	case errors.As(err, &domainErr):
		return err
	case errors.As(err, &syntax):
		return socle.Errorf(socle.EINVALID, "request body: malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typeErr):
		return socle.Errorf(socle.EINVALID, "request body: field %q must be %s", typeErr.Field, typeErr.Type)
	case errors.Is(err, io.EOF):
		return socle.Errorf(socle.EINVALID, "request body: empty, a JSON object is expected")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return socle.Errorf(socle.EINVALID, "request body: truncated JSON")
	}
	// DisallowUnknownFields reports `json: unknown field "x"`.
	return socle.Errorf(socle.EINVALID, "request body: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// Attachment sets the headers of a file to download, name: its content
// type, and no-store, as for every answer that may carry personal data.
func Attachment(w http.ResponseWriter, contentType, name string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
}
