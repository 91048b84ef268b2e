package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"socle"
)

// MaxTaskLength is the longest window of a bulk task.
const MaxTaskLength = 31 * 24 * time.Hour

// DeclareTask records a bulk task declared by an agent for herself, or by
// an administrator of her organisation for one of its agents. It exempts
// nothing until approved.
func (s *Service) DeclareTask(ctx context.Context, actor socle.Actor, t *socle.BulkTask) error {
	if actor.AgentID == "" || actor.Strength < socle.AuthMFA {
		return socle.Errorf(socle.EFORBIDDEN, "declaring a bulk task needs an agent signed in with a second factor")
	}
	if t.AgentID == "" {
		t.AgentID = actor.AgentID
	}
	if t.AgentID != actor.AgentID && !slices.Contains(actor.Roles, socle.RoleOrgAdmin) {
		return socle.Errorf(socle.EFORBIDDEN, "only an administrator declares a bulk task for another agent")
	}
	agent, err := s.store.Agent(ctx, t.AgentID)
	if err != nil {
		return err
	}
	if agent.OrganisationID != actor.OrganisationID {
		return socle.Errorf(socle.EFORBIDDEN, "a bulk task is declared within one's own organisation")
	}
	var p socle.Problems
	t.Purpose, t.Population = strings.TrimSpace(t.Purpose), strings.TrimSpace(t.Population)
	if t.Purpose == "" {
		p.Add("purpose", "required")
	}
	if t.Population == "" && len(t.Persons) == 0 {
		p.Add("population", "describe the population or list the persons")
	}
	if len(t.Population) > 1000 {
		p.Add("population", "at most 1000 characters")
	}
	if len(t.Persons) > 100000 {
		p.Add("persons", "at most 100000 persons")
	}
	for _, id := range t.Persons {
		if !socle.ValidID(socle.PrefixPerson, id) {
			p.Add("persons", "malformed person identifier")
			break
		}
	}
	if t.End.Before(t.Start) || t.End.Sub(t.Start) > MaxTaskLength || t.Start.IsZero() {
		p.Add("end", "the window ends after it starts and lasts at most 31 days")
	}
	if err := p.Err("bulk task"); err != nil {
		return err
	}
	t.ID, t.OrganisationID, t.DeclaredBy = socle.NewID("tdm"), agent.OrganisationID, actor.AgentID
	t.ApprovedBy, t.ApprovedAt, t.CreatedAt = "", time.Time{}, s.Now().UTC()
	if t.Persons == nil {
		t.Persons = []string{}
	}
	if err := s.audit(ctx, actor, AuditTaskDeclared, "bulk_task", t.ID, fmt.Sprintf("bulk task of agent %s for %s, %d persons listed", t.AgentID, t.Purpose, len(t.Persons))); err != nil {
		return err
	}
	return s.store.CreateBulkTask(ctx, t)
}

// ApproveTask approves a bulk task: an administrator of the task's
// organisation, other than the agent who will read and the declarer.
func (s *Service) ApproveTask(ctx context.Context, actor socle.Actor, id string) (*socle.BulkTask, error) {
	if actor.AgentID == "" || actor.Strength < socle.AuthMFA || !slices.Contains(actor.Roles, socle.RoleOrgAdmin) {
		return nil, socle.Errorf(socle.EFORBIDDEN, "approving a bulk task needs an administrator (role %s) signed in with a second factor", socle.RoleOrgAdmin)
	}
	t, err := s.store.BulkTask(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.OrganisationID != actor.OrganisationID {
		return nil, socle.Errorf(socle.ENOTFOUND, "bulk task not found")
	}
	if actor.AgentID == t.AgentID || actor.AgentID == t.DeclaredBy {
		return nil, socle.Errorf(socle.EFORBIDDEN, "a bulk task is approved by another administrator than its agent and its declarer")
	}
	now := s.Now().UTC()
	if err := s.audit(ctx, actor, AuditTaskApproved, "bulk_task", t.ID, "bulk task of agent "+t.AgentID+" approved"); err != nil {
		return nil, err
	}
	if err := s.store.ApproveBulkTask(ctx, id, actor.AgentID, now); err != nil {
		return nil, err
	}
	t.ApprovedBy, t.ApprovedAt = actor.AgentID, now
	s.mu.Lock()
	s.tasks[t.AgentID] = append(s.tasks[t.AgentID], t)
	s.mu.Unlock()
	return t, nil
}

// Tasks lists the bulk tasks of the actor's organisation not yet ended.
func (s *Service) Tasks(ctx context.Context, actor socle.Actor) ([]*socle.BulkTask, error) {
	if actor.AgentID == "" || actor.Strength < socle.AuthMFA {
		return nil, socle.Errorf(socle.EFORBIDDEN, "bulk tasks are listed to agents signed in with a second factor")
	}
	return s.store.BulkTasks(ctx, actor.OrganisationID, s.Now())
}

// LoadTasks reads the approved bulk tasks in force into memory, for
// Exempt. Run it at start and now and then (other instances approve too).
func (s *Service) LoadTasks(ctx context.Context) error {
	ts, err := s.store.BulkTasks(ctx, "", s.Now())
	if err != nil {
		return fmt.Errorf("loading bulk tasks: %w", err)
	}
	m := map[string][]*socle.BulkTask{}
	for _, t := range ts {
		if t.Approved() {
			m[t.AgentID] = append(m[t.AgentID], t)
		}
	}
	s.mu.Lock()
	s.tasks = m
	s.mu.Unlock()
	return nil
}

// ActiveTask returns the approved bulk task of the agent for purpose in
// force at a time, or nil. It reads memory only: the gate calls it inline.
func (s *Service) ActiveTask(agentID, purpose string, at time.Time) *socle.BulkTask {
	if agentID == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tasks[agentID] {
		if t.Purpose == purpose && t.Active(at) {
			return t
		}
	}
	return nil
}

// Exempt is the gate throttle's exemption: an approved bulk task for the
// agent and purpose in force now.
func (s *Service) Exempt(actor socle.Actor, purpose string, now time.Time) bool {
	return s.ActiveTask(actor.AgentID, purpose, now) != nil
}
