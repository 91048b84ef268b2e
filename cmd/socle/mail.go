package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"socle/identity"
)

// mailFlags configure the SMTP relay of `socle serve`.
type mailFlags struct {
	addr, from, user, ca string
	plainLocalhost       bool
}

func (mf *mailFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&mf.addr, "smtp-addr", getenv("SOCLE_SMTP_ADDR"), "SMTP relay host:port for the mails (activation, recovery and sign-in links, notifications); STARTTLS required (env SOCLE_SMTP_ADDR)")
	fs.StringVar(&mf.from, "smtp-from", getenv("SOCLE_SMTP_FROM"), "sender address of the mails (env SOCLE_SMTP_FROM)")
	fs.StringVar(&mf.user, "smtp-user", getenv("SOCLE_SMTP_USER"), "user for AUTH PLAIN at the relay; the password comes from SOCLE_SMTP_PASSWORD (env SOCLE_SMTP_USER)")
	fs.StringVar(&mf.ca, "smtp-ca", getenv("SOCLE_SMTP_CA"), "PEM file of the certificate authorities that sign the relay's certificate; the system's when empty (env SOCLE_SMTP_CA)")
	fs.BoolVar(&mf.plainLocalhost, "smtp-plain-localhost", getenv("SOCLE_SMTP_PLAIN_LOCALHOST") == "1", "accept a relay on the loopback interface without STARTTLS (a local MTA); never elsewhere (env SOCLE_SMTP_PLAIN_LOCALHOST=1)")
}

// mailer returns the mailer of serve: the SMTP relay when one is set; in
// the demo without one, the demo mailer that prints mails on stdout and
// sends none. A real deployment without a relay refuses to start: its
// activation, recovery and sign-in links would have nowhere to go.
func (mf *mailFlags) mailer(getenv func(string) string, demo bool, stdout io.Writer, logger *slog.Logger) (identity.Mailer, error) {
	if mf.addr == "" {
		if !demo {
			return nil, usagef("serve: no mail transport: set --smtp-addr and --smtp-from (SOCLE_SMTP_ADDR, SOCLE_SMTP_FROM), or run the demo with --demo")
		}
		logger.Info("demo mailer: no SMTP relay; mails are printed on the terminal and never sent")
		return identity.DemoMailer{Out: stdout, Logger: logger}, nil
	}
	m := identity.SMTPMailer{Addr: mf.addr, From: mf.from, Username: mf.user, Password: getenv("SOCLE_SMTP_PASSWORD"), AllowPlainLocalhost: mf.plainLocalhost}
	if err := m.Validate(); err != nil {
		return nil, usagef("serve: %v", err)
	}
	if mf.ca != "" {
		pem, err := os.ReadFile(mf.ca)
		if err != nil {
			return nil, fmt.Errorf("reading --smtp-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, usagef("serve: --smtp-ca %s holds no PEM certificate", mf.ca)
		}
		m.TLS = &tls.Config{RootCAs: pool}
	}
	logger.Info("mail through an SMTP relay", "addr", mf.addr, "from", mf.from, "auth", mf.user != "")
	return m, nil
}
