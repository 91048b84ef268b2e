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
	LeaseNotices(ctx context.Context, lease time.Duration, limit int) ([]gate.Notice, error)
	RecordNotice(ctx context.Context, d *socle.NoticeDelivery) error
}

// Notifier sends the appointments' notices and runs their reminders. The
// notices' queue is the store's (gate.Parcours.LeaseNotices): a notice
// recorded before the process stopped is sent after it starts, a failed
// one is retried after each of Retries in turn, and in a cluster each
// server leases its own. Its fields are set before Run; Mailer is never
// nil.
type Notifier struct {
	gate   Gate
	mailer identity.Mailer
	// sms sends the SMS; nil: no SMS is sent (nor claimed).
	sms SMSSender
	// baseURL is the public URL of the platform, for the person's space.
	baseURL string
	logger  *slog.Logger
	// Now is the clock of the reminders, replaceable in tests.
	Now func() time.Time
	// Lease is how long a notice leased is the notifier's to send: past
	// it (the process stopped while sending), another may send it.
	Lease time.Duration
	// Poll is how often Run looks for notices due (retries, those of
	// another server that stopped), besides being woken by Notify.
	Poll time.Duration
	// Retries are the waits before each new attempt of a failed notice;
	// after the last one the failure is final.
	Retries []time.Duration
	// wake tells Run that notices were claimed; never blocks (one slot).
	wake chan struct{}
}

// DefaultRetries retry a failed notice after 1 minute, 5, 30, 2 hours and
// 6 hours: about 9 hours before it is recorded as failed.
var DefaultRetries = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

// leaseBatch bounds the notices leased at once.
const leaseBatch = 32

// New returns a notifier that records its results through g, mails with
// mailer and, when sms is not nil, sends SMS with it.
func New(g Gate, mailer identity.Mailer, sms SMSSender, baseURL string, logger *slog.Logger) *Notifier {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Notifier{gate: g, mailer: mailer, sms: sms, baseURL: baseURL, logger: logger, Now: time.Now,
		Lease: 2 * time.Minute, Poll: 10 * time.Second, Retries: DefaultRetries, wake: make(chan struct{}, 1)}
}

// Channels are the channels the notifier sends by.
func (n *Notifier) Channels() []string {
	if n.sms == nil {
		return []string{socle.ChannelEmail}
	}
	return []string{socle.ChannelEmail, socle.ChannelSMS}
}

// Notify wakes Run to send the notices claimed; it never blocks. The
// notice itself is in the store: Run leases it from there.
func (n *Notifier) Notify(context.Context, gate.Notice) {
	select {
	case n.wake <- struct{}{}:
	default: // already woken
	}
}

// Run sends the notices due (at start, when woken, every Poll) and, every
// interval, hands the reminders due to the gate, until ctx ends.
func (n *Notifier) Run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	poll := time.NewTicker(n.Poll)
	defer poll.Stop()
	n.remind(ctx)
	n.SendDue(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-n.wake:
		case <-poll.C:
		case <-tick.C:
			n.remind(ctx)
		}
		n.SendDue(ctx)
	}
}

// SendDue leases the notices due and sends them, until none is left, and
// returns how many it sent or tried.
func (n *Notifier) SendDue(ctx context.Context) int {
	total := 0
	for ctx.Err() == nil {
		due, err := n.gate.LeaseNotices(ctx, n.Lease, leaseBatch)
		if err != nil {
			if ctx.Err() == nil {
				n.logger.ErrorContext(ctx, "leasing appointment notices", "err", err)
			}
			return total
		}
		for _, notice := range due {
			n.Send(ctx, notice)
		}
		total += len(due)
		if len(due) < leaseBatch {
			return total
		}
	}
	return total
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
// the message nor the address. A failed attempt is retried after the wait
// of Retries for its number, while there is one.
func (n *Notifier) record(ctx context.Context, notice gate.Notice, channel string, sendErr error) {
	d := &socle.NoticeDelivery{EventID: notice.Appointment.ID, Notice: notice.Kind, Channel: channel, Result: socle.NoticeSent}
	if sendErr != nil {
		d.Result = socle.NoticeFailed
		retry := notice.Attempt >= 1 && notice.Attempt <= len(n.Retries)
		if retry {
			d.NextAt = n.Now().Add(n.Retries[notice.Attempt-1])
		}
		n.logger.ErrorContext(ctx, "appointment notice not sent", "event_id", d.EventID, "notice", d.Notice, "channel", channel,
			"attempt", notice.Attempt, "retried", retry, "err", sendErr)
	} else {
		n.logger.InfoContext(ctx, "appointment notice sent", "event_id", d.EventID, "notice", d.Notice, "channel", channel)
	}
	if err := n.gate.RecordNotice(ctx, d); err != nil {
		n.logger.ErrorContext(ctx, "recording an appointment notice", "event_id", d.EventID, "notice", d.Notice, "channel", channel, "err", err)
	}
}
