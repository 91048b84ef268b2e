package httpx

import (
	"net/http"

	"socle"
)

// statusOf maps domain error codes to HTTP statuses: the only place where
// that mapping is made.
var statusOf = map[string]int{
	socle.EINVALID:         http.StatusBadRequest,
	socle.ENOTFOUND:        http.StatusNotFound,
	socle.EFORBIDDEN:       http.StatusForbidden,
	socle.EUNAUTHENTICATED: http.StatusUnauthorized,
	socle.ECONFLICT:        http.StatusConflict,
	socle.ETOOLARGE:        http.StatusRequestEntityTooLarge,
	socle.ETOOMANY:         http.StatusTooManyRequests,
	socle.EUNAVAILABLE:     http.StatusServiceUnavailable,
	socle.EINTERNAL:        http.StatusInternalServerError,
	socle.ESTEPUP:          http.StatusForbidden,
	socle.EUNSUPPORTED:     http.StatusUnsupportedMediaType,
	socle.EPRECONDITION:    http.StatusPreconditionFailed,
}

// retryAfterSeconds is how long a client waits before retrying when the
// service is unavailable for now (the database or the audit log is down, a
// disk is full, the server is draining).
const retryAfterSeconds = "5"

// statusHeaders sets the headers a status calls for; the JSON and page
// writers call it, so that every 503 tells when to retry.
func StatusHeaders(w http.ResponseWriter, status int) {
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfterSeconds)
	}
}

// errorStatus returns the HTTP status of err.
func ErrorStatus(err error) int {
	if s, ok := statusOf[socle.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON error envelope: {"error":{"code","message","request_id"}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of the envelope.
type ErrorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"request_id,omitempty"`
}

// writeError writes the JSON error envelope. Internal errors are logged with
// their detail and shown only as a generic message with the request id.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	code := socle.ErrorCode(err)
	if code == socle.EINTERNAL || code == socle.EUNAVAILABLE {
		LoggerFrom(r.Context()).Error("request failed", "request_id", RequestID(r.Context()), "err", err)
	}
	if code == socle.EUNAUTHENTICATED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="socle"`)
	}
	Encode(w, ErrorStatus(err), ErrorBody{Error: ErrorDetail{
		Code: code, Message: socle.ErrorMessage(err), RequestID: RequestID(r.Context()),
	}})
}
