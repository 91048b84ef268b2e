package socle

import "time"

// Notification is a message to an agent, kept and also sent by mail.
type Notification struct {
	ID        string
	AgentID   string
	Subject   string
	Body      string
	CreatedAt time.Time
}
