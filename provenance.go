package socle

import (
	"context"
	"time"
)

// Provenance says which organisation supplied a section of a person's
// file, and when: the person sees who told the network what
// ("dites-le nous une fois").
type Provenance struct {
	PersonID       string    `json:"person_id"`
	Category       Category  `json:"category"`
	OrganisationID string    `json:"organisation_id,omitempty"`
	AgentID        string    `json:"agent_id,omitempty"`
	ClientID       string    `json:"client_id,omitempty"`
	At             time.Time `json:"at"`
}

// ProvenanceStore records and reads the provenance of persons' sections.
type ProvenanceStore interface {
	// AddProvenance records that each of ps was supplied.
	AddProvenance(ctx context.Context, ps []Provenance) error
	// LatestProvenance returns, for each category of the person's file,
	// its latest supply.
	LatestProvenance(ctx context.Context, personID string) ([]Provenance, error)
}
