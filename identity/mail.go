package identity

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net/smtp"
	"slices"
	"strings"
	"time"

	"socle"
)

// Mail is one message to an agent.
type Mail struct {
	To      string
	Subject string
	Body    string
}

// Mailer sends mail.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// LogMailer writes mails to the log instead of sending them (the demo).
type LogMailer struct{ Logger *slog.Logger }

// Send logs m.
func (l LogMailer) Send(ctx context.Context, m Mail) error {
	l.Logger.InfoContext(ctx, "mail", "to", m.To, "subject", m.Subject, "body", m.Body)
	return nil
}

// SMTPMailer sends mail through an SMTP relay.
type SMTPMailer struct {
	Addr string    // host:port of the relay
	From string    // sender address
	Auth smtp.Auth // nil for an unauthenticated relay
}

// Send sends m through the relay. net/smtp upgrades to STARTTLS when the
// relay offers it.
func (sm SMTPMailer) Send(ctx context.Context, m Mail) error {
	if strings.ContainsAny(m.To+m.Subject, "\r\n") {
		return fmt.Errorf("smtp: header injection refused")
	}
	msg := "From: " + sm.From + "\r\n" +
		"To: " + m.To + "\r\n" +
		"Subject: " + mime.QEncoding.Encode("utf-8", m.Subject) + "\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n\r\n" +
		strings.ReplaceAll(m.Body, "\n", "\r\n") + "\r\n"
	done := make(chan error, 1)
	go func() { done <- smtp.SendMail(sm.Addr, sm.Auth, sm.From, []string{m.To}, []byte(msg)) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("smtp: %w", err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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
	n := &Notification{ID: socle.NewID("ntf"), AgentID: a.ID, Subject: subject, Body: stored, CreatedAt: s.Now().UTC()}
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
func (s *Service) Notifications(ctx context.Context, actor socle.Actor) ([]*Notification, error) {
	a, err := s.requireMFA(ctx, actor)
	if err != nil {
		return nil, err
	}
	return s.store.Notifications(ctx, a.ID, 50)
}
