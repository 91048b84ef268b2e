package sqlstore

import (
	"context"
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

func scanAgent(sc rowScanner) (*socle.Agent, error) {
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

// Agent returns the agent with that id, ENOTFOUND if none.
func (s *DB) Agent(ctx context.Context, id string) (*socle.Agent, error) {
	return queryOne(ctx, s, scanAgent, "agent", agentSelect+` WHERE id = ?`, id)
}

// AgentByEmail returns the agent with that e-mail address, in any case.
func (s *DB) AgentByEmail(ctx context.Context, email string) (*socle.Agent, error) {
	return queryOne(ctx, s, scanAgent, "agent", agentSelect+` WHERE email_key = ?`, strings.ToLower(email))
}

// AgentsOf returns the agents of an organisation, by name.
func (s *DB) AgentsOf(ctx context.Context, organisationID string) ([]*socle.Agent, error) {
	return queryAll(ctx, s, scanAgent, "agents", agentSelect+` WHERE organisation_id = ? ORDER BY family_name, given_name, id`, organisationID)
}
