package socle

import "context"

// RectificationApplier applies an accepted rectification request: the
// correction of the file (as PersonWriter.UpdatePersonSupplied, versioned),
// who supplied it and the answer to the request, in one transaction, so
// that a request is never answered "accepted" without its correction, nor
// the file corrected with the request left open.
type RectificationApplier interface {
	// ApplyRectification replaces the sections of p in granted, records
	// prov and answers r (open, of p's person): all or nothing. A request
	// no longer open is ECONFLICT; p stale is ESTALE.
	ApplyRectification(ctx context.Context, p *Person, granted CategorySet, prov []Provenance, r *RectificationRequest) error
}
