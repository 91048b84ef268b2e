// Package appointment makes appointments reach people. The gate hands it
// the notices of the appointments it records (invitations, cancellations)
// and of those near (reminders); it writes them in French, with the date
// and time in Europe/Paris, sends them by e-mail (with an .ics file) and
// by SMS to the contact the person gave, and records each result through
// the gate: when, which channel, what result, never the message. It never
// decides anything about a person: attendance is recorded by advisers.
package appointment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"socle"
	"socle/gate"
	"socle/identity"
)

// Gate is what the notifier asks of the gate.
type Gate interface {
	SendReminders(ctx context.Context, notice string, from, to time.Time) (int, error)
	RecordNotice(ctx context.Context, d *socle.NoticeDelivery) error
}

// Notifier sends the appointments' notices and runs their reminders. Its
// fields are set before Run; Mailer is never nil.
type Notifier struct {
	gate   Gate
	mailer identity.Mailer
	// sms sends the SMS; nil: no SMS is sent (nor claimed).
	sms SMSSender
	// baseURL is the public URL of the platform, for the person's space.
	baseURL string
	logger  *slog.Logger
	// Now is the clock of the reminders, replaceable in tests.
	Now   func() time.Time
	queue chan gate.Notice
}

// queueSize bounds the notices waiting to be sent.
const queueSize = 4096

// New returns a notifier that records its results through g, mails with
// mailer and, when sms is not nil, sends SMS with it.
func New(g Gate, mailer identity.Mailer, sms SMSSender, baseURL string, logger *slog.Logger) *Notifier {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Notifier{gate: g, mailer: mailer, sms: sms, baseURL: baseURL, logger: logger, Now: time.Now, queue: make(chan gate.Notice, queueSize)}
}

// Channels are the channels the notifier sends by.
func (n *Notifier) Channels() []string {
	if n.sms == nil {
		return []string{socle.ChannelEmail}
	}
	return []string{socle.ChannelEmail, socle.ChannelSMS}
}

// Notify queues a notice for Run; it never blocks. A notice that finds the
// queue full is recorded as failed, so that it shows.
func (n *Notifier) Notify(ctx context.Context, notice gate.Notice) {
	select {
	case n.queue <- notice:
	default:
		n.logger.ErrorContext(ctx, "appointment notice dropped: the queue is full", "event_id", notice.Appointment.ID, "notice", notice.Kind)
		for _, ch := range notice.Channels {
			n.record(ctx, notice, ch, errors.New("queue full"))
		}
	}
}

// Run sends the queued notices and, every interval, the reminders due,
// until ctx ends.
func (n *Notifier) Run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	n.remind(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case notice := <-n.queue:
			n.Send(ctx, notice)
		case <-tick.C:
			n.remind(ctx)
		}
	}
}

// Reminder windows: the 48-hour reminder goes out between 48 and 24
// hours before, the 24-hour one in the last 24 hours; each once.
const (
	reminderEarly = 48 * time.Hour
	reminderLate  = 24 * time.Hour
)

// Remind hands the gate's reminders of the appointments near now (its
// clock) to the queue, and returns how many.
func (n *Notifier) Remind(ctx context.Context) (int, error) {
	now := n.Now()
	early, err := n.gate.SendReminders(ctx, socle.NoticeReminder48h, now.Add(reminderLate), now.Add(reminderEarly))
	if err != nil {
		return 0, fmt.Errorf("48-hour reminders: %w", err)
	}
	late, err := n.gate.SendReminders(ctx, socle.NoticeReminder24h, now, now.Add(reminderLate))
	if err != nil {
		return early, fmt.Errorf("24-hour reminders: %w", err)
	}
	return early + late, nil
}

func (n *Notifier) remind(ctx context.Context) {
	if _, err := n.Remind(ctx); err != nil && ctx.Err() == nil {
		n.logger.ErrorContext(ctx, "appointment reminders", "err", err)
	}
}

// Send sends a notice on each of its channels and records each result.
func (n *Notifier) Send(ctx context.Context, notice gate.Notice) {
	msg := Compose(notice, n.baseURL)
	for _, ch := range notice.Channels {
		var err error
		switch ch {
		case socle.ChannelEmail:
			err = n.mailer.Send(ctx, identity.Mail{To: notice.Email, Subject: msg.Subject, Body: msg.Body, Attachments: msg.Attachments})
		case socle.ChannelSMS:
			if n.sms == nil {
				err = errors.New("no SMS provider")
			} else {
				err = n.sms.SendSMS(ctx, notice.Phone, msg.SMS)
			}
		default:
			err = fmt.Errorf("unknown channel %q", ch)
		}
		n.record(ctx, notice, ch, err)
	}
}

// record records the result of a notice on a channel, and logs it without
// the message nor the address.
func (n *Notifier) record(ctx context.Context, notice gate.Notice, channel string, sendErr error) {
	d := &socle.NoticeDelivery{EventID: notice.Appointment.ID, Notice: notice.Kind, Channel: channel, Result: socle.NoticeSent}
	if sendErr != nil {
		d.Result = socle.NoticeFailed
		n.logger.ErrorContext(ctx, "appointment notice not sent", "event_id", d.EventID, "notice", d.Notice, "channel", channel, "err", sendErr)
	} else {
		n.logger.InfoContext(ctx, "appointment notice sent", "event_id", d.EventID, "notice", d.Notice, "channel", channel)
	}
	if err := n.gate.RecordNotice(ctx, d); err != nil {
		n.logger.ErrorContext(ctx, "recording an appointment notice", "event_id", d.EventID, "notice", d.Notice, "channel", channel, "err", err)
	}
}
