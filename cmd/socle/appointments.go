package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/url"
	"time"

	"socle/appointment"
	"socle/identity"
)

// smsFlags configure the SMS of the appointments' notices.
type smsFlags struct {
	url string
}

func (sf *smsFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&sf.url, "sms-url", getenv("SOCLE_SMS_URL"), "HTTPS endpoint of the SMS provider for the appointments' invitations and reminders (a POST of {\"to\",\"text\"} as JSON, bearer token from SOCLE_SMS_TOKEN); no SMS when empty, and the demo prints them (env SOCLE_SMS_URL)")
}

// sender returns the SMS sender: the provider when set; the demo's
// printer in the demo; none otherwise.
func (sf *smsFlags) sender(getenv func(string) string, demo bool, stdout io.Writer, logger *slog.Logger) (appointment.SMSSender, error) {
	switch {
	case sf.url != "":
		u, err := url.Parse(sf.url)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, usagef("serve: --sms-url %q is not an https URL", sf.url)
		}
		return appointment.HTTPSMS{URL: sf.url, Token: getenv("SOCLE_SMS_TOKEN")}, nil
	case demo:
		return appointment.DemoSMS{Out: stdout, Logger: logger}, nil
	}
	return nil, nil
}

// reminderInterval is how often the appointments' reminders are looked for.
const reminderInterval = time.Minute

// startAppointments sends the appointments' notices with mailer and sms
// and runs their reminders until ctx ends. Every server may run it: each
// notice is claimed once in the store.
func (a *app) startAppointments(ctx context.Context, mailer identity.Mailer, sms appointment.SMSSender, baseURL string) {
	n := appointment.New(a.parcours, mailer, sms, baseURL, a.logger)
	a.parcours.SetNotices(n)
	go n.Run(ctx, reminderInterval)
}
