package identity

import (
	"context"
	"fmt"
)

// Notify stores an in-app notification for the agent and mails it: the
// notifier of misuse cases (critical alerts, questions to the agent
// concerned).
func (s *Service) Notify(ctx context.Context, agentID, subject, body string) error {
	a, err := s.store.Agent(ctx, agentID)
	if err != nil {
		return fmt.Errorf("notifying an agent: %w", err)
	}
	s.notify(ctx, a, subject, body)
	return nil
}
