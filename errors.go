package socle

import (
	"errors"
	"fmt"
	"sync"
)

// Error codes of the domain. The HTTP layer maps each to a status in one
// place; the stores and services return them wrapped in *Error.
const (
	EINVALID         = "invalid"
	ENOTFOUND        = "not_found"
	EFORBIDDEN       = "forbidden"
	EUNAUTHENTICATED = "unauthenticated"
	ECONFLICT        = "conflict"
	ETOOLARGE        = "too_large"
	ETOOMANY         = "too_many_requests"
	EUNAVAILABLE     = "unavailable"
	EINTERNAL        = "internal"
	// EUNSUPPORTED refuses a request body of a media type the endpoint
	// does not read (a JSON endpoint sent text/plain).
	EUNSUPPORTED = "unsupported_media_type"
	// ESTEPUP asks the caller to authenticate again with a second factor
	// before reading more personal data (an unusual volume of reads).
	ESTEPUP = "step_up_required"
	// EPRECONDITION refuses an update whose If-Match names a version of
	// the resource that is no longer the current one.
	EPRECONDITION = "precondition_failed"
)

// Error is a domain error: a machine-readable code and a message a person
// can read. Messages must never contain personal data.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("socle error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain,
// EUNAVAILABLE for an error a registered check recognises as a dependency
// that cannot answer for now (RegisterUnavailable), EINTERNAL for any other
// non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	} else if Unavailable(err) {
		return EUNAVAILABLE
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message so that internal details never leak to a caller.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	} else if Unavailable(err) {
		return "The service is unavailable for now; retry later."
	}
	return "Internal error."
}

// unavailableChecks recognise the errors of a dependency that cannot answer
// for now: a database that is down or restarting, a disk that is full.
var unavailableChecks struct {
	sync.RWMutex
	checks []func(error) bool
}

// RegisterUnavailable adds a check recognising the errors of a dependency
// (a database driver) that mean "unavailable, retry later" rather than a
// bug. The stores register theirs when their package is loaded, so that
// such an error is EUNAVAILABLE everywhere without each call site
// classifying it.
func RegisterUnavailable(check func(error) bool) {
	unavailableChecks.Lock()
	defer unavailableChecks.Unlock()
	unavailableChecks.checks = append(unavailableChecks.checks, check)
}

// Unavailable reports whether a registered check recognises err.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	unavailableChecks.RLock()
	defer unavailableChecks.RUnlock()
	for _, check := range unavailableChecks.checks {
		if check(err) {
			return true
		}
	}
	return false
}
