package httpx

import (
	"context"

	"socle"
)

// Directory is the non-personal data the server shows without the gate:
// reference geography, organisations of the network and open offers.
type Directory interface {
	Departements(ctx context.Context) ([]socle.Departement, error)
	Commune(ctx context.Context, code string) (*socle.Commune, error)
	Communes(ctx context.Context, dep string, limit int) ([]socle.Commune, error)
	Organisation(ctx context.Context, id string) (*socle.Organisation, error)
	Organisations(ctx context.Context, f socle.OrganisationFilter) ([]*socle.Organisation, error)
	Offers(ctx context.Context, f socle.OfferFilter) ([]*socle.Offer, error)
	Ping(ctx context.Context) error
}
