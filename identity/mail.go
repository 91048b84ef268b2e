package identity

import (
	"context"
	"slices"

	"socle"
)

// Mail is one message to an agent or a person.
type Mail struct {
	To      string
	Subject string
	Body    string
	// Attachments travel after the body (an appointment's .ics).
	Attachments []Attachment
}

// Attachment is a file attached to a mail.
type Attachment struct {
	Name        string // file name, ASCII without quotes
	ContentType string // "text/calendar; charset=utf-8; method=REQUEST"
	Data        []byte
}

// Mailer sends mail.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// notify stores a notification for a and mails it. A failure is logged:
// the stored notification remains.
func (s *Service) notify(ctx context.Context, a *socle.Agent, subject, body string) {
	s.deliver(ctx, a, subject, body, body)
}

// LinkWithheld replaces a one-time link in the stored copy of a
// notification: the link travels only in the mail.
const LinkWithheld = "[lien envoyé par courriel ; il n'est pas conservé ici]"

// notifyLink notifies a of a one-time link: the mail carries it, the
// stored notification does not, so that a copy of the table opens nothing.
func (s *Service) notifyLink(ctx context.Context, a *socle.Agent, subject, body, link string) {
	s.deliver(ctx, a, subject, body+"\n\n"+LinkWithheld, body+"\n\n"+link)
}

func (s *Service) deliver(ctx context.Context, a *socle.Agent, subject, stored, mailed string) {
	n := &socle.Notification{ID: socle.NewID("ntf"), AgentID: a.ID, Subject: subject, Body: stored, CreatedAt: s.Now().UTC()}
	if err := s.store.AddNotification(ctx, n); err != nil {
		s.logger.ErrorContext(ctx, "storing notification", "agent_id", a.ID, "err", err)
	}
	if err := s.mailer.Send(ctx, Mail{To: a.Email, Subject: "[Socle] " + subject, Body: mailed}); err != nil {
		s.logger.ErrorContext(ctx, "sending mail", "agent_id", a.ID, "err", err)
	}
}

// notifyAdmins notifies the enabled administrators of a's organisation,
// other than a and the agents of except.
func (s *Service) notifyAdmins(ctx context.Context, a *socle.Agent, subject, body string, except ...string) {
	agents, err := s.store.AgentsOf(ctx, a.OrganisationID)
	if err != nil {
		s.logger.ErrorContext(ctx, "listing administrators", "organisation_id", a.OrganisationID, "err", err)
		return
	}
	for _, ad := range agents {
		if ad.ID != a.ID && !slices.Contains(except, ad.ID) && !ad.Disabled && ad.HasRole(socle.RoleOrgAdmin) {
			s.notify(ctx, ad, subject, body)
		}
	}
}

// Notifications returns the actor's latest notifications.
func (s *Service) Notifications(ctx context.Context, actor socle.Actor) ([]*socle.Notification, error) {
	a, err := s.requireMFA(ctx, actor)
	if err != nil {
		return nil, err
	}
	return s.store.Notifications(ctx, a.ID, 50)
}
