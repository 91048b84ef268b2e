package main

import (
	"context"
	"fmt"
	"time"

	"socle/matching"
	"socle/rome"
)

// startMatching builds the mise en relation index from the store (with the
// imported ROME referential, the built-in one when none was imported),
// hands it to the gate, which alone holds it, and refreshes it with the
// persons updated since, every ten seconds, until ctx is done.
func (a *app) startMatching(ctx context.Context) error {
	romeCodes, appellations, err := a.store.ROMEReferential(ctx)
	if err != nil {
		return err
	}
	ref := rome.Referential{Codes: romeCodes, Appellations: appellations}
	if len(ref.Codes) == 0 {
		ref = rome.Builtin()
	}
	idx := matching.New(ref)
	start := time.Now()
	if err := idx.Load(ctx, a.store); err != nil {
		return fmt.Errorf("matching index: %w", err)
	}
	a.logger.Info("matching index loaded", "persons", idx.Persons(), "offers", idx.Offers(), "duration", time.Since(start).String())
	a.rome = &ref
	a.gate.SetMatching(idx)
	go idx.Run(ctx, a.store, 10*time.Second, func(err error) { a.logger.Error("matching index refresh", "err", err) })
	return nil
}
