package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"socle"
)

var agentColumns = []string{"id", "organisation_id", "email", "email_key", "given_name", "family_name", "roles", "disabled", "created_at"}

const agentSelect = `SELECT id, organisation_id, email, given_name, family_name, roles, disabled, created_at FROM agents`

func prepareAgent(a *socle.Agent) {
	if a.ID == "" {
		a.ID = socle.NewID(socle.PrefixAgent)
	}
	a.CreatedAt = stamp(a.CreatedAt)
}

func agentRow(a *socle.Agent) []any {
	return []any{a.ID, a.OrganisationID, a.Email, strings.ToLower(a.Email), a.GivenName, a.FamilyName, listJSON(a.Roles), a.Disabled, a.CreatedAt}
}

func scanAgent(sc interface{ Scan(...any) error }) (*socle.Agent, error) {
	var a socle.Agent
	var roles []byte
	if err := sc.Scan(&a.ID, &a.OrganisationID, &a.Email, &a.GivenName, &a.FamilyName, &roles, &a.Disabled, scanTime(&a.CreatedAt)); err != nil {
		return nil, err
	}
	var err error
	a.Roles, err = decodeList[socle.Role](roles)
	return &a, err
}

// CreateAgent validates and stores a new agent; an e-mail address already
// used (in any case) is ECONFLICT, an unknown organisation EINVALID.
func (s *DB) CreateAgent(ctx context.Context, a *socle.Agent) error {
	if err := a.Validate(); err != nil {
		return err
	}
	prepareAgent(a)
	_, err := s.write.ExecContext(ctx, s.insertSQL(Table{Name: "agents", Columns: agentColumns}, 1), agentRow(a)...)
	return s.fail(err, "agent")
}

func (s *DB) agentWhere(ctx context.Context, where string, arg any) (*socle.Agent, error) {
	a, err := scanAgent(s.read.QueryRowContext(ctx, s.q(agentSelect+where), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("agent")
	} else if err != nil {
		return nil, fmt.Errorf("reading agent: %w", err)
	}
	return a, nil
}

// Agent returns the agent with that id, ENOTFOUND if none.
func (s *DB) Agent(ctx context.Context, id string) (*socle.Agent, error) {
	return s.agentWhere(ctx, ` WHERE id = ?`, id)
}

// AgentByEmail returns the agent with that e-mail address, in any case.
func (s *DB) AgentByEmail(ctx context.Context, email string) (*socle.Agent, error) {
	return s.agentWhere(ctx, ` WHERE email_key = ?`, strings.ToLower(email))
}

// AgentsOf returns the agents of an organisation, by name.
func (s *DB) AgentsOf(ctx context.Context, organisationID string) ([]*socle.Agent, error) {
	rows, err := s.read.QueryContext(ctx, s.q(agentSelect+` WHERE organisation_id = ? ORDER BY family_name, given_name, id`), organisationID)
	if err != nil {
		return nil, fmt.Errorf("listing agents: %w", err)
	}
	defer rows.Close()
	var out []*socle.Agent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, fmt.Errorf("listing agents: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing agents: %w", err)
	}
	return out, nil
}
