package identity_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"socle/identity"
	"socle/internal/smtptest"
)

func TestSMTPMailerSpeaksToARealRelay(t *testing.T) {
	cert, pool := smtptest.Cert(t)
	mail := identity.Mail{To: "camille@ml-lyon.fr", Subject: "[Socle] Récupération approuvée", Body: "Bonjour,\n\nvotre lien : https://socle.test/enrolement?jeton=abc\n"}
	for _, tt := range []struct {
		name    string
		relay   smtptest.Config
		mailer  identity.SMTPMailer
		mail    identity.Mail
		wantErr string
		wantTLS bool
	}{
		{name: "STARTTLS then AUTH PLAIN", relay: smtptest.Config{Cert: &cert, User: "socle", Pass: "s3cret"},
			mailer: identity.SMTPMailer{Username: "socle", Password: "s3cret", TLS: &tls.Config{RootCAs: pool}}, mail: mail, wantTLS: true},
		{name: "a relay without STARTTLS is refused", relay: smtptest.Config{},
			mailer: identity.SMTPMailer{}, mail: mail, wantErr: "does not offer STARTTLS"},
		{name: "a loopback relay without STARTTLS when allowed", relay: smtptest.Config{},
			mailer: identity.SMTPMailer{AllowPlainLocalhost: true}, mail: mail},
		{name: "a wrong password", relay: smtptest.Config{Cert: &cert, User: "socle", Pass: "s3cret"},
			mailer: identity.SMTPMailer{Username: "socle", Password: "wrong", TLS: &tls.Config{RootCAs: pool}}, mail: mail, wantErr: "AUTH"},
		{name: "an untrusted certificate", relay: smtptest.Config{Cert: &cert},
			mailer: identity.SMTPMailer{}, mail: mail, wantErr: "certificate"},
		{name: "header injection", relay: smtptest.Config{Cert: &cert},
			mailer: identity.SMTPMailer{TLS: &tls.Config{RootCAs: pool}}, mail: identity.Mail{To: "a@b.fr\r\nBcc: x@y.fr", Subject: "s", Body: "b"}, wantErr: "header injection"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			relay := smtptest.Start(t, tt.relay)
			m := tt.mailer
			m.Addr, m.From, m.Timeout = relay.Addr, "socle@ml-lyon.fr", 5*time.Second
			err := m.Send(context.Background(), tt.mail)
			got := relay.Deliveries()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if len(got) != 0 {
					t.Fatalf("the relay got %d messages after a refusal", len(got))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("the relay got %d messages", len(got))
			}
			d := got[0]
			if d.TLS != tt.wantTLS || d.From != "socle@ml-lyon.fr" || d.To != tt.mail.To || d.Authed != (m.Username != "") {
				t.Fatalf("delivery = %+v", d)
			}
			if !strings.Contains(d.Data, "Subject: =?utf-8?q?[Socle]_R=C3=A9cup=C3=A9ration_approuv=C3=A9e?=") ||
				!strings.Contains(d.Data, "\nvotre lien : https://socle.test/enrolement?jeton=abc\n") {
				t.Fatalf("message = %q", d.Data)
			}
		})
	}
}

// TestMailWithAttachmentIsMultipart sends a mail with an attachment to the
// relay and reads it back as a MIME message: the body first, then the
// attachment with its name, type and bytes.
func TestMailWithAttachmentIsMultipart(t *testing.T) {
	relay := smtptest.Start(t, smtptest.Config{})
	m := identity.SMTPMailer{Addr: relay.Addr, From: "socle@ml-lyon.fr", AllowPlainLocalhost: true, Timeout: 5 * time.Second}
	ics := []byte("BEGIN:VCALENDAR\r\nSUMMARY:Rendez-vous à l'antenne\r\nEND:VCALENDAR\r\n")
	err := m.Send(context.Background(), identity.Mail{To: "camille@exemple.fr", Subject: "Votre rendez-vous", Body: "Bonjour,\nà mardi.",
		Attachments: []identity.Attachment{{Name: "rendez-vous.ics", ContentType: "text/calendar; charset=utf-8; method=REQUEST", Data: ics}}})
	if err != nil {
		t.Fatal(err)
	}
	got := relay.Deliveries()
	if len(got) != 1 {
		t.Fatalf("the relay got %d messages", len(got))
	}
	msg, err := mail.ReadMessage(strings.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	body, err := r.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(body); !strings.Contains(string(b), "Bonjour,\nà mardi.") {
		t.Errorf("body = %q", b)
	}
	att, err := r.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(att) // multipart decodes quoted-printable only: base64 stays encoded
	if att.FileName() != "rendez-vous.ics" || !strings.HasPrefix(att.Header.Get("Content-Type"), "text/calendar") {
		t.Errorf("attachment %q of type %q", att.FileName(), att.Header.Get("Content-Type"))
	}
	if dec, err := decodeBase64Lines(data); err != nil || string(dec) != string(ics) {
		t.Errorf("attachment = %q, %v; want %q", dec, err, ics)
	}
}

func decodeBase64Lines(b []byte) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(b)))
}
