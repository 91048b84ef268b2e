package main

import (
	"context"
	"fmt"
	"time"

	"socle/matching"
	"socle/rome"
)

// newMatching builds the empty index of the mise en relation over the
// imported ROME referential (the built-in one when none was imported), for
// the gate, which alone holds it from its construction.
func (a *app) newMatching(ctx context.Context) error {
	romeCodes, appellations, err := a.store.ROMEReferential(ctx)
	if err != nil {
		return fmt.Errorf("matching index: %w", err)
	}
	ref := rome.Referential{Codes: romeCodes, Appellations: appellations}
	if len(ref.Codes) == 0 {
		ref = rome.Builtin()
	}
	a.rome = &ref
	a.matching = matching.New(ref)
	return nil
}

// startMatching loads the gate's index of the mise en relation from the
// store and refreshes it with the persons updated since, every ten
// seconds, until ctx is done. The server takes no request before it is
// loaded.
func (a *app) startMatching(ctx context.Context) error {
	idx := a.matching
	start := time.Now()
	if err := idx.Load(ctx, a.store); err != nil {
		return fmt.Errorf("matching index: %w", err)
	}
	a.logger.Info("matching index loaded", "persons", idx.Persons(), "offers", idx.Offers(), "duration", time.Since(start).String())
	go idx.Run(ctx, a.store, 10*time.Second, func(err error) { a.logger.Error("matching index refresh", "err", err) })
	return nil
}
