// Package smtptest runs an SMTP relay inside a test: it speaks the protocol
// (RFC 5321, STARTTLS as in RFC 3207, AUTH PLAIN as in RFC 4954) over TCP
// on a loopback port and keeps what it accepts, so that a test checks a
// real client's mail as a relay received it.
package smtptest

import (
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
)

// Cert returns a self-signed certificate for 127.0.0.1 and localhost,
// and a pool that trusts it.
func Cert(t testing.TB) (tls.Certificate, *x509.CertPool) {
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

// Delivery is one message a relay accepted: the envelope's sender and
// recipient, the message as sent (DATA, dot-unstuffed), and whether it came
// over STARTTLS and after AUTH.
type Delivery struct {
	From, To, Data string
	TLS, Authed    bool
}

// Relay is an SMTP server in the test, speaking the protocol (RFC
// 5321 with STARTTLS, RFC 3207, and AUTH PLAIN, RFC 4954) over TCP.
type Relay struct {
	Config
	// Addr is where it listens, 127.0.0.1:port.
	Addr string
	mu   sync.Mutex
	got  []Delivery
}

// Config is what a test relay offers.
type Config struct {
	Cert       *tls.Certificate // nil: no STARTTLS offered
	User, Pass string           // "": no authentication required
}

// Start starts a relay offering cfg on a loopback port, stopped when the
// test ends.
func Start(t testing.TB, cfg Config) *Relay {
	t.Helper()
	r := &Relay{Config: cfg}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	r.Addr = ln.Addr().String()
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

// Deliveries returns the messages accepted so far.
func (r *Relay) Deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.got...)
}

func (r *Relay) serve(conn net.Conn) {
	defer func() { conn.Close() }()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	var d Delivery
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
			if r.Cert != nil && !d.TLS {
				ext = append(ext, "STARTTLS")
			}
			if r.User != "" && (d.TLS || r.Cert == nil) {
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
			if r.Cert == nil || d.TLS {
				reply("502 no")
				continue
			}
			reply("220 go ahead")
			tc := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{*r.Cert}})
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, tp, d = tc, textproto.NewConn(tc), Delivery{TLS: true}
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			b, err := base64.StdEncoding.DecodeString(resp)
			if strings.ToUpper(mech) != "PLAIN" || err != nil || string(b) != "\x00"+r.User+"\x00"+r.Pass {
				reply("535 5.7.8 authentication failed")
				continue
			}
			d.Authed = true
			reply("235 2.7.0 authenticated")
		case "MAIL":
			if r.User != "" && !d.Authed {
				reply("530 5.7.0 authentication required")
				continue
			}
			d.From = pathOf(arg, "FROM:")
			reply("250 ok")
		case "RCPT":
			d.To = pathOf(arg, "TO:")
			reply("250 ok")
		case "DATA":
			reply("354 end with .")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			d.Data = string(data)
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
