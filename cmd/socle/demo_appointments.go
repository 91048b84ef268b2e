package main

import (
	"context"
	"fmt"
	"time"

	"socle"
	"socle/demo"
)

// demoSlots publishes, for each demo adviser's organisation, open slots of
// the adviser and of the structure over the next days, so that "Mes
// rendez-vous" has something to book: in the afternoon, the morning being
// left to the slots an adviser publishes by hand.
func (a *app) demoSlots(ctx context.Context, sum demo.Summary) error {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return fmt.Errorf("demo slots: %w", err)
	}
	advisers, err := a.demoAdvisers(ctx, sum)
	if err != nil {
		return fmt.Errorf("demo slots: %w", err)
	}
	today := time.Now().In(paris)
	for _, adv := range advisers {
		for day := 1; day <= 3; day++ {
			d := today.AddDate(0, 0, day)
			for i, clock := range []int{14*60 + 0, 14*60 + 45, 15*60 + 30} {
				start := time.Date(d.Year(), d.Month(), d.Day(), clock/60, clock%60, 0, 0, paris)
				sl := &socle.Slot{OrganisationID: adv.org.ID, AgentID: adv.agent.ID, Start: start, End: start.Add(30 * time.Minute),
					Modalite: socle.ModaliteOnSite, Location: "Accueil de " + adv.org.Name}
				if i == 2 {
					// The last of the day is the structure's, by telephone.
					sl.AgentID, sl.Modalite, sl.Location = "", socle.ModalitePhone, ""
				}
				if err := a.store.CreateSlot(ctx, sl, nil); err != nil {
					return fmt.Errorf("demo slots: %w", err)
				}
			}
		}
	}
	return nil
}
