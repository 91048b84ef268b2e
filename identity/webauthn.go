package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"socle/audit"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"socle"
)

// waUser adapts an agent and her keys to go-webauthn.
type waUser struct {
	a     *socle.Agent
	creds []webauthn.Credential
}

func (u waUser) WebAuthnID() []byte                         { return []byte(u.a.ID) }
func (u waUser) WebAuthnName() string                       { return u.a.Email }
func (u waUser) WebAuthnDisplayName() string                { return u.a.FullName() }
func (u waUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

func (s *Service) waUser(ctx context.Context, a *socle.Agent) (waUser, []*socle.WebAuthnCredential, error) {
	stored, err := s.store.WebAuthnCredentials(ctx, a.ID)
	if err != nil {
		return waUser{}, nil, err
	}
	u := waUser{a: a}
	for _, c := range stored {
		var wc webauthn.Credential
		if err := json.Unmarshal(c.Data, &wc); err != nil {
			return waUser{}, nil, fmt.Errorf("webauthn credential: %w", err)
		}
		u.creds = append(u.creds, wc)
	}
	return u, stored, nil
}

// BeginWebAuthnRegistration starts adding a security key or passkey for an
// agent in a full (MFA) session; it returns the options for
// navigator.credentials.create and keeps the ceremony in the session.
func (s *Service) BeginWebAuthnRegistration(ctx context.Context, r *http.Request) (*protocol.CredentialCreation, error) {
	sess, a, err := s.CurrentSession(r)
	if err != nil {
		return nil, err
	}
	if sess == nil || sess.Strength < socle.AuthMFA {
		return nil, socle.Errorf(socle.EFORBIDDEN, "Validez d'abord votre second facteur.")
	}
	u, _, err := s.waUser(ctx, a)
	if err != nil {
		return nil, err
	}
	var exclude []protocol.CredentialDescriptor
	for _, c := range u.creds {
		exclude = append(exclude, c.Descriptor())
	}
	opts, data, err := s.webauthn.BeginRegistration(u, webauthn.WithExclusions(exclude))
	if err != nil {
		return nil, fmt.Errorf("webauthn registration: %w", err)
	}
	return opts, s.keepCeremony(ctx, sess, data)
}

// FinishWebAuthnRegistration verifies the authenticator's answer (the body
// of r) and stores the new key.
func (s *Service) FinishWebAuthnRegistration(ctx context.Context, r *http.Request, name string) error {
	sess, a, err := s.CurrentSession(r)
	if err != nil {
		return err
	}
	if sess == nil || sess.Strength < socle.AuthMFA {
		return socle.Errorf(socle.EFORBIDDEN, "Validez d'abord votre second facteur.")
	}
	data, err := s.ceremony(ctx, sess)
	if err != nil {
		return err
	}
	u, _, err := s.waUser(ctx, a)
	if err != nil {
		return err
	}
	cred, err := s.webauthn.FinishRegistration(u, *data, r)
	if err != nil {
		return socle.Errorf(socle.EINVALID, "La clé de sécurité n'a pas pu être enregistrée.")
	}
	b, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	if err := s.store.AddWebAuthnCredential(ctx, &socle.WebAuthnCredential{ID: cred.ID, AgentID: a.ID, Name: name, Data: b, CreatedAt: s.Now().UTC()}); err != nil {
		return err
	}
	if err := s.audit(ctx, audit.Act{Action: "mfa_enrolled", AgentID: a.ID, OrganisationID: a.OrganisationID, Allowed: true, Explanation: "webauthn"}); err != nil {
		return err
	}
	s.notify(ctx, a, "Clé de sécurité ajoutée", "Une clé de sécurité (ou passkey) vient d'être ajoutée à votre compte Socle. Si ce n'était pas vous, prévenez immédiatement l'administrateur de votre structure.")
	return nil
}

// BeginWebAuthnLogin starts the second factor of a password-only session
// with a registered key; it returns the options for navigator.credentials.get.
func (s *Service) BeginWebAuthnLogin(ctx context.Context, r *http.Request) (*protocol.CredentialAssertion, error) {
	sess, a, err := s.pending(ctx, s.sessionToken(r))
	if err != nil {
		return nil, err
	}
	u, _, err := s.waUser(ctx, a)
	if err != nil {
		return nil, err
	}
	if len(u.creds) == 0 {
		return nil, socle.Errorf(socle.ENOTFOUND, "Aucune clé de sécurité n'est enregistrée sur ce compte.")
	}
	opts, data, err := s.webauthn.BeginLogin(u)
	if err != nil {
		return nil, fmt.Errorf("webauthn login: %w", err)
	}
	return opts, s.keepCeremony(ctx, sess, data)
}

// FinishWebAuthnLogin verifies the assertion (the body of r) and, like
// VerifyTOTP, replaces the password-only session by a full one.
func (s *Service) FinishWebAuthnLogin(ctx context.Context, r *http.Request) (string, error) {
	c := ClientOf(r)
	sess, a, err := s.pending(ctx, s.sessionToken(r))
	if err != nil {
		return "", err
	}
	t, err := s.store.Throttle(ctx, accountKey(a.Email))
	if err != nil {
		return "", err
	}
	if s.Now().Before(s.lockedUntil(t)) {
		return "", errBadCode
	}
	data, err := s.ceremony(ctx, sess)
	if err != nil {
		return "", err
	}
	u, stored, err := s.waUser(ctx, a)
	if err != nil {
		return "", err
	}
	cred, err := s.webauthn.FinishLogin(u, *data, r)
	if err != nil || cred.Authenticator.CloneWarning {
		if ferr := s.fail(ctx, a.Email, a, c, "login_failed", "webauthn assertion refused"); ferr != nil {
			return "", ferr
		}
		return "", socle.Errorf(socle.EUNAUTHENTICATED, "La clé de sécurité n'a pas été reconnue.")
	}
	for _, st := range stored {
		if string(st.ID) == string(cred.ID) {
			if st.Data, err = json.Marshal(cred); err != nil {
				return "", err
			}
			st.LastUsed = s.Now().UTC()
			if err := s.store.UpdateWebAuthnCredential(ctx, st); err != nil {
				return "", err
			}
		}
	}
	return s.promote(ctx, sess, a, "webauthn", c)
}

func (s *Service) keepCeremony(ctx context.Context, sess *socle.AgentSession, data *webauthn.SessionData) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	return s.store.SetSessionPending(ctx, sess.ID, b)
}

// ceremony takes the ceremony kept in the session: it serves once.
func (s *Service) ceremony(ctx context.Context, sess *socle.AgentSession) (*webauthn.SessionData, error) {
	if len(sess.Pending) == 0 {
		return nil, socle.Errorf(socle.EINVALID, "Aucune opération de clé de sécurité en cours : recommencez.")
	}
	var data webauthn.SessionData
	if err := json.Unmarshal(sess.Pending, &data); err != nil {
		return nil, fmt.Errorf("webauthn ceremony: %w", err)
	}
	if err := s.store.SetSessionPending(ctx, sess.ID, nil); err != nil {
		return nil, err
	}
	return &data, nil
}

// HasSecurityKey reports whether an agent has registered a security key or
// passkey, for the second-factor page to offer it.
func (s *Service) HasSecurityKey(ctx context.Context, agentID string) (bool, error) {
	stored, err := s.store.WebAuthnCredentials(ctx, agentID)
	if err != nil {
		return false, err
	}
	return len(stored) > 0, nil
}

// SecurityKeys lists the security keys and passkeys of the actor, who must
// have passed her second factor.
func (s *Service) SecurityKeys(ctx context.Context, actor socle.Actor) ([]*socle.WebAuthnCredential, error) {
	a, err := s.requireMFA(ctx, actor)
	if err != nil {
		return nil, err
	}
	return s.store.WebAuthnCredentials(ctx, a.ID)
}
