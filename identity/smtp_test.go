package identity_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"socle/identity"
)

// testCert returns a self-signed certificate for 127.0.0.1 and localhost,
// and a pool that trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "relay.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// delivery is one message a relay accepted.
type delivery struct {
	from, to, data string
	tls, authed    bool
}

// smtpRelay is an SMTP server in the test, speaking the protocol (RFC
// 5321 with STARTTLS, RFC 3207, and AUTH PLAIN, RFC 4954) over TCP.
type smtpRelay struct {
	relayConfig
	addr string
	mu   sync.Mutex
	got  []delivery
}

// relayConfig is what a test relay offers.
type relayConfig struct {
	cert       *tls.Certificate // nil: no STARTTLS offered
	user, pass string           // "": no authentication required
}

func startRelay(t *testing.T, cfg relayConfig) *smtpRelay {
	t.Helper()
	r := &smtpRelay{relayConfig: cfg}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	r.addr = ln.Addr().String()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go r.serve(conn)
		}
	}()
	return r
}

func (r *smtpRelay) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

func (r *smtpRelay) serve(conn net.Conn) {
	defer func() { conn.Close() }()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	var d delivery
	reply := func(format string, args ...any) { tp.PrintfLine(format, args...) }
	reply("220 relay.test ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			var ext []string
			if r.cert != nil && !d.tls {
				ext = append(ext, "STARTTLS")
			}
			if r.user != "" && (d.tls || r.cert == nil) {
				ext = append(ext, "AUTH PLAIN")
			}
			ext = append(ext, "8BITMIME")
			reply("250-relay.test greets %s", arg)
			for i, e := range ext {
				if i == len(ext)-1 {
					reply("250 %s", e)
				} else {
					reply("250-%s", e)
				}
			}
		case "STARTTLS":
			if r.cert == nil || d.tls {
				reply("502 no")
				continue
			}
			reply("220 go ahead")
			tc := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{*r.cert}})
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, tp, d = tc, textproto.NewConn(tc), delivery{tls: true}
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			b, err := base64.StdEncoding.DecodeString(resp)
			if strings.ToUpper(mech) != "PLAIN" || err != nil || string(b) != "\x00"+r.user+"\x00"+r.pass {
				reply("535 5.7.8 authentication failed")
				continue
			}
			d.authed = true
			reply("235 2.7.0 authenticated")
		case "MAIL":
			if r.user != "" && !d.authed {
				reply("530 5.7.0 authentication required")
				continue
			}
			d.from = pathOf(arg, "FROM:")
			reply("250 ok")
		case "RCPT":
			d.to = pathOf(arg, "TO:")
			reply("250 ok")
		case "DATA":
			reply("354 end with .")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			d.data = string(data)
			r.mu.Lock()
			r.got = append(r.got, d)
			r.mu.Unlock()
			reply("250 queued")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 unknown command")
		}
	}
}

// pathOf returns the address of a MAIL or RCPT argument
// ("FROM:<a@b.fr> BODY=8BITMIME").
func pathOf(arg, prefix string) string {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return ""
	}
	path, _, _ := strings.Cut(arg[len(prefix):], " ")
	return strings.Trim(path, "<>")
}

func TestSMTPMailerSpeaksToARealRelay(t *testing.T) {
	cert, pool := testCert(t)
	mail := identity.Mail{To: "camille@ml-lyon.fr", Subject: "[Socle] Récupération approuvée", Body: "Bonjour,\n\nvotre lien : https://socle.test/enrolement?jeton=abc\n"}
	for _, tt := range []struct {
		name    string
		relay   relayConfig
		mailer  identity.SMTPMailer
		mail    identity.Mail
		wantErr string
		wantTLS bool
	}{
		{name: "STARTTLS then AUTH PLAIN", relay: relayConfig{cert: &cert, user: "socle", pass: "s3cret"},
			mailer: identity.SMTPMailer{Username: "socle", Password: "s3cret", TLS: &tls.Config{RootCAs: pool}}, mail: mail, wantTLS: true},
		{name: "a relay without STARTTLS is refused", relay: relayConfig{},
			mailer: identity.SMTPMailer{}, mail: mail, wantErr: "does not offer STARTTLS"},
		{name: "a loopback relay without STARTTLS when allowed", relay: relayConfig{},
			mailer: identity.SMTPMailer{AllowPlainLocalhost: true}, mail: mail},
		{name: "a wrong password", relay: relayConfig{cert: &cert, user: "socle", pass: "s3cret"},
			mailer: identity.SMTPMailer{Username: "socle", Password: "wrong", TLS: &tls.Config{RootCAs: pool}}, mail: mail, wantErr: "AUTH"},
		{name: "an untrusted certificate", relay: relayConfig{cert: &cert},
			mailer: identity.SMTPMailer{}, mail: mail, wantErr: "certificate"},
		{name: "header injection", relay: relayConfig{cert: &cert},
			mailer: identity.SMTPMailer{TLS: &tls.Config{RootCAs: pool}}, mail: identity.Mail{To: "a@b.fr\r\nBcc: x@y.fr", Subject: "s", Body: "b"}, wantErr: "header injection"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			relay := startRelay(t, tt.relay)
			m := tt.mailer
			m.Addr, m.From, m.Timeout = relay.addr, "socle@ml-lyon.fr", 5*time.Second
			err := m.Send(context.Background(), tt.mail)
			got := relay.deliveries()
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
			if d.tls != tt.wantTLS || d.from != "socle@ml-lyon.fr" || d.to != tt.mail.To || d.authed != (m.Username != "") {
				t.Fatalf("delivery = %+v", d)
			}
			if !strings.Contains(d.data, "Subject: =?utf-8?q?[Socle]_R=C3=A9cup=C3=A9ration_approuv=C3=A9e?=") ||
				!strings.Contains(d.data, "\nvotre lien : https://socle.test/enrolement?jeton=abc\n") {
				t.Fatalf("message = %q", d.data)
			}
		})
	}
}
