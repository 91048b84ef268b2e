package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"socle"
)

// Relations answers the policy engine: the facts that may let organisation
// orgID access person personID on day: the person, her follow-ups,
// proposals, appointments and orientation, each an indexed query; the
// engine caches the answer.
func (s *DB) Relations(ctx context.Context, orgID, personID string, day socle.Date) (socle.Relations, error) {
	var rel socle.Relations
	var dep sql.NullString
	var parcours []byte
	err := s.read.QueryRowContext(ctx, s.q(`SELECT departement, parcours FROM persons WHERE id = ?`), personID).Scan(&dep, &parcours)
	if errors.Is(err, sql.ErrNoRows) {
		return rel, nil
	} else if err != nil {
		return rel, fmt.Errorf("reading person facts: %w", err)
	}
	rel.Departement = dep.String
	if parcours != nil {
		var p struct {
			Situation socle.Situation `json:"situation"`
		}
		if err := json.Unmarshal(parcours, &p); err != nil {
			return rel, fmt.Errorf("decoding parcours: %w", err)
		}
		rel.Situation = p.Situation
	}
	followups, err := queryAll(ctx, s, func(sc rowScanner) (socle.RelationFollowup, error) {
		var f socle.RelationFollowup
		var agent sql.NullString
		err := sc.Scan(&f.ID, &f.OrganisationID, &f.OrganisationName, &agent, &f.Start, &f.End)
		f.AgentID = agent.String
		return f, err
	}, "follow-ups facts", `
		SELECT f.id, f.organisation_id, o.name, f.agent_id, f.start_date, f.end_date
		FROM followups f JOIN organisations o ON o.id = f.organisation_id
		WHERE f.person_id = ? AND f.organisation_id = ?
		ORDER BY f.start_date`, personID, orgID)
	if err != nil {
		return rel, err
	}
	rel.Followups = append(rel.Followups, followups...)
	if rel.Proposals, err = s.proposals(ctx, orgID, personID); err != nil {
		return rel, err
	}
	if err := s.parcoursFacts(ctx, orgID, personID, day, &rel); err != nil {
		return rel, err
	}
	if err := s.orientationRequestFacts(ctx, orgID, personID, &rel); err != nil {
		return rel, err
	}
	return rel, nil
}
