package identity

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image/png"
	"net/url"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"socle"
)

// tokenLifetime is how long an activation or recovery link stays valid.
const tokenLifetime = 72 * time.Hour

// issueToken creates a one-time link of purpose for a and returns it.
func (s *Service) issueToken(ctx context.Context, a *socle.Agent, purpose string) (string, error) {
	token, _ := newToken()
	now := s.Now().UTC()
	if err := s.store.CreateToken(ctx, &Token{Hash: s.linkHash(token), AgentID: a.ID, Purpose: purpose, CreatedAt: now, ExpiresAt: now.Add(tokenLifetime)}); err != nil {
		return "", err
	}
	return s.cfg.BaseURL + "/enrolement?jeton=" + url.QueryEscape(token), nil
}

// errEnrolBeside refuses an activation from a browser where another agent
// is signed in: whoever holds the link there is not its owner.
var errEnrolBeside = socle.Errorf(socle.EFORBIDDEN, "Ce lien d'activation s'ouvre sur votre propre poste : un autre agent est connecté dans ce navigateur. Déconnectez-le, ou ouvrez le lien depuis votre poste.")

// linkHash is the stored form of a one-time link's token: an HMAC under
// the platform's link key, so that a copy of the database (or of a
// backup) alone can neither use a link nor test a guess of one.
func (s *Service) linkHash(token string) string {
	m := hmac.New(sha256.New, s.cfg.LinkKey)
	m.Write([]byte("socle-agent-link:" + token))
	return hex.EncodeToString(m.Sum(nil))
}

var errBadToken = socle.Errorf(socle.ENOTFOUND, "Ce lien n'est pas valide ou a expiré. Demandez-en un nouveau à l'administrateur de votre structure.")

// liveToken returns the unexpired token and its agent.
func (s *Service) liveToken(ctx context.Context, token string) (*Token, *socle.Agent, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, errBadToken
	}
	t, err := s.store.Token(ctx, s.linkHash(token))
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil, nil, errBadToken
	} else if err != nil {
		return nil, nil, err
	}
	if !s.Now().Before(t.ExpiresAt) {
		return nil, nil, errBadToken
	}
	a, err := s.store.Agent(ctx, t.AgentID)
	if err != nil {
		return nil, nil, err
	}
	if a.Disabled {
		return nil, nil, errBadToken
	}
	return t, a, nil
}

// Enrolment is a TOTP secret proposed to an agent, with its QR code.
type Enrolment struct {
	Agent   *socle.Agent
	Purpose string
	Secret  string // base32, for manual entry
	URL     string // otpauth:// URL
	QR      string // PNG data URI of the URL
}

// NewTOTP returns a fresh TOTP secret for a, with its QR code.
func (s *Service) NewTOTP(a *socle.Agent) (*Enrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.cfg.Issuer, AccountName: a.Email, Period: totpPeriod, SecretSize: 20})
	if err != nil {
		return nil, err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return &Enrolment{Agent: a, Secret: key.Secret(), URL: key.URL(), QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// BeginEnrolment opens the page of a one-time link: a new TOTP secret to
// scan. Nothing is stored until CompleteEnrolment.
func (s *Service) BeginEnrolment(ctx context.Context, token string) (*Enrolment, error) {
	t, a, err := s.liveToken(ctx, token)
	if err != nil {
		return nil, err
	}
	e, err := s.NewTOTP(a)
	if err != nil {
		return nil, err
	}
	e.Purpose = t.Purpose
	return e, nil
}

// CompleteEnrolment uses a one-time link: it sets the password, enrols the
// TOTP secret once a code from it is shown, consumes the link and opens a
// full session (the factor has just been used), whose token it returns.
func (s *Service) CompleteEnrolment(ctx context.Context, token, secret, code, password string, c Client) (string, error) {
	_, a, err := s.liveToken(ctx, token)
	if err != nil {
		return "", err
	}
	if c.SignedIn != "" && c.SignedIn != a.ID {
		if err := s.audit(ctx, socle.AuditEvent{Action: "enrolment_refused", AgentID: c.SignedIn, ResourceKind: "agent", ResourceID: a.ID, RemoteAddr: c.RemoteAddr, Explanation: "activation link opened in a browser where another agent is signed in"}); err != nil {
			return "", err
		}
		return "", errEnrolBeside
	}
	if err := s.CheckPassword(password, a); err != nil {
		return "", err
	}
	st := matchTOTP(secret, code, s.Now())
	if len(secret) < 16 || st < 0 {
		return "", socle.Errorf(socle.EINVALID, "Le code ne correspond pas : vérifiez l'heure de votre téléphone et saisissez le code affiché.")
	}
	t, err := s.store.ConsumeToken(ctx, s.linkHash(token), s.Now().UTC())
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return "", errBadToken
	} else if err != nil {
		return "", err
	}
	hash, err := HashPassword(password, s.cfg.Password)
	if err != nil {
		return "", err
	}
	if err := s.store.SetPassword(ctx, a.ID, hash); err != nil {
		return "", err
	}
	if err := s.store.SetTOTP(ctx, a.ID, secret); err != nil {
		return "", err
	}
	if _, err := s.store.UseTOTPStep(ctx, a.ID, st); err != nil {
		return "", err
	}
	if err := s.store.DeleteSessionsOf(ctx, a.ID); err != nil {
		return "", err
	}
	if err := s.store.RecordEnrolment(ctx, a.ID, c.RemoteAddr, c.UserAgent, c.SignedIn); err != nil {
		return "", fmt.Errorf("recording the activation: %w", err)
	}
	if err := s.audit(ctx, socle.AuditEvent{Action: "mfa_enrolled", AgentID: a.ID, OrganisationID: a.OrganisationID, RemoteAddr: c.RemoteAddr, Allowed: true, Explanation: "totp, " + t.Purpose}); err != nil {
		return "", err
	}
	s.notify(ctx, a, "Second facteur enregistré", "Un mot de passe et une application d'authentification viennent d'être enregistrés sur votre compte Socle. Si ce n'était pas vous, prévenez immédiatement l'administrateur de votre structure.")
	if err := s.store.ResetFailures(ctx, accountKey(a.Email)); err != nil {
		return "", err
	}
	tok, _, err := s.newSession(ctx, a.ID, socle.AuthMFA, "totp", c)
	if err != nil {
		return "", err
	}
	if err := s.audit(ctx, socle.AuditEvent{Action: "login", AgentID: a.ID, OrganisationID: a.OrganisationID, RemoteAddr: c.RemoteAddr, Allowed: true, Explanation: "second factor: totp (enrolment)"}); err != nil {
		return "", err
	}
	return tok, nil
}

// SetupDemoAgent gives a demo agent a password and an enrolled TOTP
// secret, which it returns so that the demo can print it.
func (s *Service) SetupDemoAgent(ctx context.Context, agentID, password string) (string, error) {
	a, err := s.store.Agent(ctx, agentID)
	if err != nil {
		return "", err
	}
	if err := s.CheckPassword(password, a); err != nil {
		return "", err
	}
	e, err := s.NewTOTP(a)
	if err != nil {
		return "", err
	}
	hash, err := HashPassword(password, s.cfg.Password)
	if err != nil {
		return "", err
	}
	if err := s.store.SetPassword(ctx, a.ID, hash); err != nil {
		return "", err
	}
	if err := s.store.SetTOTP(ctx, a.ID, e.Secret); err != nil {
		return "", err
	}
	return e.Secret, nil
}

// EnrolmentFor rebuilds the enrolment page of a secret already shown, so
// that a mistyped code does not force the agent to scan again.
func (s *Service) EnrolmentFor(a *socle.Agent, secret string) (*Enrolment, error) {
	key, err := otp.NewKeyFromURL((&url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + s.cfg.Issuer + ":" + a.Email,
		RawQuery: url.Values{"secret": {secret}, "issuer": {s.cfg.Issuer}, "period": {"30"}, "digits": {"6"}, "algorithm": {"SHA1"}}.Encode()}).String())
	if err != nil {
		return nil, err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return &Enrolment{Agent: a, Secret: secret, URL: key.URL(), QR: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}
