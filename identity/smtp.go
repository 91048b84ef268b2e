package identity

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// SMTPMailer sends mail through an SMTP relay (RFC 5321): EHLO, STARTTLS,
// AUTH PLAIN when a user is set, then MAIL, RCPT and DATA. STARTTLS is
// required: a relay that does not offer it is refused, unless it listens
// on the loopback interface and AllowPlainLocalhost says so (a local MTA).
type SMTPMailer struct {
	Addr string // host:port of the relay
	From string // sender address
	// Username and Password authenticate with AUTH PLAIN, only over TLS
	// (or to a loopback relay); no authentication when Username is "".
	Username, Password string
	// AllowPlainLocalhost accepts a loopback relay without STARTTLS.
	AllowPlainLocalhost bool
	// TLS configures STARTTLS; nil verifies the relay's certificate for
	// its host name against the system's roots.
	TLS *tls.Config
	// LocalName is the name said in EHLO ("localhost" when empty).
	LocalName string
	// Timeout bounds one whole exchange (30 s when zero).
	Timeout time.Duration
}

// Validate checks the configuration: an address host:port and a sender.
func (sm SMTPMailer) Validate() error {
	host, port, err := net.SplitHostPort(sm.Addr)
	if err != nil || host == "" || port == "" {
		return fmt.Errorf("smtp: the relay address %q is not host:port", sm.Addr)
	}
	if sm.From == "" || strings.ContainsAny(sm.From, "\r\n<> ") || !strings.Contains(sm.From, "@") {
		return fmt.Errorf("smtp: the sender address %q is not valid", sm.From)
	}
	if sm.AllowPlainLocalhost && !isLoopback(host) {
		return fmt.Errorf("smtp: mail without STARTTLS is allowed only to a relay on the loopback interface, not %s", host)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// errHeaderInjection refuses a recipient or subject that would add headers.
var errHeaderInjection = errors.New("smtp: header injection refused")

// Send sends m through the relay.
func (sm SMTPMailer) Send(ctx context.Context, m Mail) error {
	if strings.ContainsAny(m.To+m.Subject, "\r\n") || strings.ContainsAny(m.To, "<>") {
		return errHeaderInjection
	}
	if err := sm.Validate(); err != nil {
		return err
	}
	timeout := sm.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", sm.Addr)
	if err != nil {
		return fmt.Errorf("smtp: connecting to %s: %w", sm.Addr, err)
	}
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return fmt.Errorf("smtp: %w", err)
	}
	host, _, _ := net.SplitHostPort(sm.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp: greeting of %s: %w", sm.Addr, err)
	}
	defer c.Close()
	if err := sm.exchange(c, host, m); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	return nil
}

func (sm SMTPMailer) exchange(c *smtp.Client, host string, m Mail) error {
	local := sm.LocalName
	if local == "" {
		local = "localhost"
	}
	if err := c.Hello(local); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := sm.TLS
		if cfg == nil {
			cfg = &tls.Config{}
		}
		cfg = cfg.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		if cfg.MinVersion == 0 {
			cfg.MinVersion = tls.VersionTLS12
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	} else if !(sm.AllowPlainLocalhost && isLoopback(host)) {
		return fmt.Errorf("the relay %s does not offer STARTTLS: mail is not sent in clear", sm.Addr)
	}
	if sm.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("the relay %s does not offer AUTH", sm.Addr)
		}
		if err := c.Auth(smtp.PlainAuth("", sm.Username, sm.Password, host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(sm.From); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := io.WriteString(w, message(sm.From, m)); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	return c.Quit()
}

// message is m as an RFC 5322 message in UTF-8, lines ending in CRLF; with
// attachments, a multipart/mixed message (RFC 2046) whose first part is the
// body and whose attachments are base64-encoded.
func message(from string, m Mail) string {
	head := "From: " + from + "\r\n" +
		"To: " + m.To + "\r\n" +
		"Subject: " + mime.QEncoding.Encode("utf-8", m.Subject) + "\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
		"MIME-Version: 1.0\r\n"
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n") + "\r\n"
	const textPart = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
	if len(m.Attachments) == 0 {
		return head + textPart + "\r\n" + body
	}
	var b strings.Builder
	mw := multipart.NewWriter(&b)
	b.WriteString(head + "Content-Type: multipart/mixed; boundary=" + mw.Boundary() + "\r\n\r\n")
	w, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}, "Content-Transfer-Encoding": {"8bit"}})
	io.WriteString(w, body)
	for _, a := range m.Attachments {
		w, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {a.ContentType}, "Content-Transfer-Encoding": {"base64"},
			"Content-Disposition": {mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})}})
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			io.WriteString(w, enc[:76]+"\r\n")
			enc = enc[76:]
		}
		io.WriteString(w, enc+"\r\n")
	}
	mw.Close()
	return b.String()
}

// DemoMailer is the mail of `socle serve --demo` only: the demo has no
// mail server and its mailboxes are invented, so each mail is printed on
// Out (the demo's terminal) and never sent. The server log gets one line
// that says so, without the body: links never reach the log.
type DemoMailer struct {
	Out    io.Writer
	Logger *slog.Logger // nil: no log line
}

// Send prints m on Out.
func (d DemoMailer) Send(ctx context.Context, m Mail) error {
	if d.Logger != nil {
		d.Logger.InfoContext(ctx, "demo mailer (--demo): mail printed on the terminal, not sent", "subject", m.Subject)
	}
	_, err := fmt.Fprintf(d.Out, "Courriel (démonstration) à %s — %s\n%s\n", m.To, m.Subject, m.Body)
	return err
}

// noMailer is the mailer of a service given none: every mail fails, so
// that a missing transport shows as an error in the log, not as silence.
type noMailer struct{}

func (noMailer) Send(context.Context, Mail) error {
	return errors.New("no mail transport is configured")
}
