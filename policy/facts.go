package policy

import (
	"context"

	"socle"
)

// Facts is what the engine needs to know from storage about one person as
// seen by one organisation on one day. The integrator implements it over the
// stores; the engine caches its answers, so it is called once per
// (organisation, person, day) until Invalidate or the cache TTL.
//
// The answer must not depend on who in the organisation asks: the engine
// itself compares the référent of each follow-up with the acting agent.
type Facts interface {
	// Relations returns the relations of person personID with organisation
	// orgID relevant on day. A person unknown to the store is not an error:
	// return empty Relations, and the engine denies.
	Relations(ctx context.Context, orgID, personID string, day socle.Date) (socle.Relations, error)
}
