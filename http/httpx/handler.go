package httpx

import "net/http"

// Handler constructors for the shape most API routes share: read what the
// request names, call the gate or a service, answer JSON or the error. A
// route states only its own call; the order (the body and the list
// parameters checked before the call, so that bad input costs no audited
// access) is kept here, once.

// Answer answers status with what do returns as JSON, or its error.
func Answer[T any](status int, do func(r *http.Request) (T, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := do(r)
		Respond(w, r, status, v, err)
	})
}

// Read answers 200 with what read returns as JSON, or its error.
func Read[T any](read func(r *http.Request) (T, error)) http.Handler {
	return Answer(http.StatusOK, read)
}

// Command decodes the body as a B (Decode: unknown fields and trailing
// data are errors) and only then calls do, answering status with what it
// returns as JSON, or its error.
func Command[B, T any](status int, do func(r *http.Request, body B) (T, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := Decode[B](r)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		v, err := do(r, body)
		Respond(w, r, status, v, err)
	})
}

// NoContent answers 204 without a body once do succeeds, or its error.
func NoContent(do func(r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := do(r); err != nil {
			WriteError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// CommandNoContent decodes the body as a B (as Command does) and only
// then calls do, answering 204 without a body once it succeeds.
func CommandNoContent[B any](do func(r *http.Request, body B) error) http.Handler {
	return NoContent(func(r *http.Request) error {
		body, err := Decode[B](r)
		if err != nil {
			return err
		}
		return do(r, body)
	})
}

// List answers the page of a list the request asks (WriteList).
func List[T any](def, max int, key func(T) string, list func(r *http.Request) ([]T, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteList(w, r, def, max, key, func() ([]T, error) { return list(r) })
	})
}

// WriteList answers the page of a list the request asks (limit from 1 to
// max, def when absent; cursor), its items ordered by key. The parameters
// are checked before list runs, so that a bad one costs no audited read.
func WriteList[T any](w http.ResponseWriter, r *http.Request, def, max int, key func(T) string, list func() ([]T, error)) {
	pg, err := PageParams(r, def, max)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	items, err := list()
	WritePage(w, r, items, key, pg, err)
}

// NonNil returns items, or an empty list for nil: a list answers [], as
// the OpenAPI document says, never null.
func NonNil[T any](items []T) []T {
	if items == nil {
		return []T{}
	}
	return items
}

// Items is the envelope of a list answered whole, without pages.
type Items[T any] struct {
	Items []T `json:"items"`
}

// ItemsOf wraps items in their envelope, [] for nil.
func ItemsOf[T any](items []T) Items[T] {
	return Items[T]{Items: NonNil(items)}
}
