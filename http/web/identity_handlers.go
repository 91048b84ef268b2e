package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"socle"
	"socle/http/httpx"
	"socle/identity"
)

// page renders an identity page with a fresh CSRF token.
func identityPage(s *renderer, svc *identity.Service, w http.ResponseWriter, r *http.Request, status int, name, title string, d formView) {
	tok, err := svc.FormToken(w, r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, status, name, view{Title: title, Nav: name, Data: withCSRF(d, tok)})
}

// checkCSRF answers 403 and reports false when the form's token is wrong.
func checkCSRF(s *renderer, svc *identity.Service, w http.ResponseWriter, r *http.Request) bool {
	if err := svc.VerifyCSRF(r); err != nil {
		s.renderError(w, r, err)
		return false
	}
	return true
}

func setSession(w http.ResponseWriter, svc *identity.Service, token string) {
	http.SetCookie(w, svc.SessionCookie(token))
}

func sessionCookie(r *http.Request, svc *identity.Service) string {
	c, err := r.Cookie(svc.CookieName())
	if err != nil {
		return ""
	}
	return c.Value
}

func handleLoginPage(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		identityPage(s.renderer, svc, w, r, http.StatusOK, "connexion", "Connexion", &loginView{})
	})
}

func handleLogin(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !checkCSRF(s.renderer, svc, w, r) {
			return
		}
		email := strings.TrimSpace(r.PostFormValue("email"))
		res, err := svc.Login(r.Context(), email, r.PostFormValue("password"), identity.ClientOf(r), sessionCookie(r, svc))
		if err != nil {
			identityPage(s.renderer, svc, w, r, httpx.ErrorStatus(err), "connexion", "Connexion", &loginView{Error: message(err), Email: email})
			return
		}
		setSession(w, svc, res.Token)
		http.Redirect(w, r, "/second-facteur", http.StatusSeeOther)
	})
}

func handleSecondFactorPage(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if httpx.ActorFrom(r.Context()).Strength != socle.AuthPassword {
			http.Redirect(w, r, "/connexion", http.StatusSeeOther)
			return
		}
		hasKey, err := svc.HasSecurityKey(r.Context(), httpx.ActorFrom(r.Context()).AgentID)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		identityPage(s.renderer, svc, w, r, http.StatusOK, "second-facteur", "Second facteur", &secondFactorView{HasKey: hasKey})
	})
}

func handleSecondFactor(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !checkCSRF(s.renderer, svc, w, r) {
			return
		}
		tok, err := svc.VerifyTOTP(r.Context(), sessionCookie(r, svc), r.PostFormValue("code"), identity.ClientOf(r))
		if err != nil {
			if act := httpx.ActorFrom(r.Context()); socle.ErrorCode(err) == socle.EUNAUTHENTICATED && !act.Authenticated() {
				http.Redirect(w, r, "/connexion", http.StatusSeeOther)
				return
			}
			d := &secondFactorView{}
			if socle.ErrorCode(err) == socle.EUNAUTHENTICATED {
				d.CodeError = message(err)
			} else {
				d.Error = message(err)
			}
			identityPage(s.renderer, svc, w, r, httpx.ErrorStatus(err), "second-facteur", "Second facteur", d)
			return
		}
		setSession(w, svc, tok)
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
}

func handleEnrolmentPage(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := r.URL.Query().Get("jeton")
		e, err := svc.BeginEnrolment(r.Context(), token)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		identityPage(s.renderer, svc, w, r, http.StatusOK, "enrolement", "Activation du compte", enrolmentData(e, token, ""))
	})
}

func handleEnrolment(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !checkCSRF(s.renderer, svc, w, r) {
			return
		}
		token := r.PostFormValue("jeton")
		c, err := svc.EnrolmentClient(r)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		tok, err := svc.CompleteEnrolment(r.Context(), token, r.PostFormValue("code"), r.PostFormValue("password"), c)
		if err != nil {
			if socle.ErrorCode(err) != socle.EINVALID {
				s.renderError(w, r, err)
				return
			}
			// The same secret again, kept by the server: the agent may
			// have scanned it already.
			e, berr := svc.BeginEnrolment(r.Context(), token)
			if berr != nil {
				s.renderError(w, r, berr)
				return
			}
			d := enrolmentData(e, token, "")
			// The error stands beside its field: the password when the
			// policy refuses it, else the code (or its secret) is wrong.
			if perr := svc.CheckPassword(r.Context(), r.PostFormValue("password"), e.Agent); socle.ErrorCode(perr) == socle.EINVALID {
				d.PasswordError = message(perr)
			} else if perr != nil {
				s.renderError(w, r, perr)
				return
			} else {
				d.CodeError = message(err)
			}
			identityPage(s.renderer, svc, w, r, http.StatusBadRequest, "enrolement", "Activation du compte", d)
			return
		}
		setSession(w, svc, tok)
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
}

// enrolmentData is the enrolment page's data; the QR code is a data URI
// made here, which the template must not escape.
func enrolmentData(e *identity.Enrolment, token, errMsg string) *enrolmentView {
	return &enrolmentView{Enrolment: e, QR: template.URL(e.QR), Token: token, Error: errMsg, Recovery: e.Purpose == socle.TokenRecovery}
}

// afterLogout is where a staff logout leads: the login page, or the
// federation's end of session when the federation opened the session, so
// that it ends there too.
func (s *accountPages) afterLogout(w http.ResponseWriter, r *http.Request) string {
	if s.sso != nil {
		if end, ok := s.sso.LogoutURL(w, r); ok {
			return end
		}
	}
	return "/connexion"
}

func handleLogout(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !checkCSRF(s.renderer, svc, w, r) {
			return
		}
		if err := svc.Logout(r.Context(), sessionCookie(r, svc)); err != nil {
			s.renderError(w, r, err)
			return
		}
		setSession(w, svc, "")
		http.Redirect(w, r, s.afterLogout(w, r), http.StatusSeeOther)
	})
}

// recoveryRow is a pending recovery with the name of its agent.
type recoveryRow struct {
	*socle.RecoveryRequest
	AgentName string
}

// recoveryRows names the agents of reqs among the agents of the
// administrator's organisation.
func recoveryRows(ctx context.Context, svc *identity.Service, actor socle.Actor, reqs []*socle.RecoveryRequest) ([]recoveryRow, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	agents, err := svc.Agents(ctx, actor)
	if err != nil {
		return nil, fmt.Errorf("naming the agents of the recoveries: %w", err)
	}
	names := map[string]string{}
	for _, a := range agents {
		names[a.ID] = a.FullName()
	}
	out := make([]recoveryRow, len(reqs))
	for i, q := range reqs {
		out[i] = recoveryRow{RecoveryRequest: q, AgentName: orDefault(names[q.AgentID], labelUnknownAgent)}
	}
	return out, nil
}

// recoveryView is the recovery page: the anonymous forms, and for an
// administrator the requests to approve.
func recoveryPage(s *accountPages, svc *identity.Service, w http.ResponseWriter, r *http.Request, status int, d *recoveryView) {
	if d == nil {
		d = &recoveryView{}
	}
	actor := httpx.ActorFrom(r.Context())
	if actor.Strength >= socle.AuthMFA {
		reqs, err := svc.PendingRecoveries(r.Context(), actor)
		if err == nil {
			d.Admin = true
			d.Requests, err = recoveryRows(r.Context(), svc, actor, reqs)
		}
		if err != nil && socle.ErrorCode(err) != socle.EFORBIDDEN {
			s.renderError(w, r, err)
			return
		}
	}
	identityPage(s.renderer, svc, w, r, status, "recuperation", "Récupération du compte", d)
}

func handleRecoveryPage(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		recoveryPage(s, svc, w, r, http.StatusOK, nil)
	})
}

func handleResetPassword(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !checkCSRF(s.renderer, svc, w, r) {
			return
		}
		email := strings.TrimSpace(r.PostFormValue("email"))
		err := svc.ResetPassword(r.Context(), email, r.PostFormValue("code"), r.PostFormValue("password"), identity.ClientOf(r))
		if err != nil {
			// A password the policy refuses stands beside its field; a
			// wrong address or code stays one message, never saying which.
			d := &recoveryView{ResetEmail: email}
			if socle.ErrorCode(err) == socle.EINVALID {
				d.PasswordError = message(err)
			} else {
				d.ResetError = message(err)
			}
			recoveryPage(s, svc, w, r, httpx.ErrorStatus(err), d)
			return
		}
		identityPage(s.renderer, svc, w, r, http.StatusOK, "connexion", "Connexion", &loginView{Notice: msgPasswordChanged})
	})
}

func handleRequestRecovery(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !checkCSRF(s.renderer, svc, w, r) {
			return
		}
		email := strings.TrimSpace(r.PostFormValue("email"))
		if err := svc.RequestRecovery(r.Context(), email, identity.ClientOf(r)); err != nil {
			recoveryPage(s, svc, w, r, httpx.ErrorStatus(err), &recoveryView{RequestError: message(err), RequestEmail: email})
			return
		}
		recoveryPage(s, svc, w, r, http.StatusOK, &recoveryView{RequestNotice: msgRecoveryRequested})
	})
}

func handleApproveRecovery(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !checkCSRF(s.renderer, svc, w, r) {
			return
		}
		if _, err := svc.ApproveRecovery(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"), identity.ClientOf(r)); err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/recuperation", http.StatusSeeOther)
	})
}

func handleSessionsPage(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor := httpx.ActorFrom(r.Context())
		sessions, err := svc.Sessions(r.Context(), actor)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		notes, err := svc.Notifications(r.Context(), actor)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		keys, err := svc.SecurityKeys(r.Context(), actor)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		identityPage(s.renderer, svc, w, r, http.StatusOK, "sessions", "Mes sessions", &sessionsView{Sessions: sessions, Current: actor.SessionID, Notifications: notes, Keys: keys})
	})
}

func handleRevokeSession(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !checkCSRF(s.renderer, svc, w, r) {
			return
		}
		if err := svc.RevokeSession(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id")); err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/sessions", http.StatusSeeOther)
	})
}

func handleLogoutEverywhere(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !checkCSRF(s.renderer, svc, w, r) {
			return
		}
		if err := svc.LogoutEverywhere(r.Context(), httpx.ActorFrom(r.Context())); err != nil {
			s.renderError(w, r, err)
			return
		}
		setSession(w, svc, "")
		http.Redirect(w, r, s.afterLogout(w, r), http.StatusSeeOther)
	})
}

type roleOption struct {
	Role  socle.Role
	Label string
}

func agentsPage(s *accountPages, svc *identity.Service, w http.ResponseWriter, r *http.Request, status int, d *agentsView) {
	agents, err := svc.Agents(r.Context(), httpx.ActorFrom(r.Context()))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if d == nil {
		d = &agentsView{}
	}
	var roles []roleOption
	for _, ro := range socle.Roles {
		if ro != socle.RolePlatformAdmin {
			roles = append(roles, roleOption{ro, ro.Label()})
		}
	}
	d.Agents, d.Roles, d.Self = agents, roles, httpx.ActorFrom(r.Context()).AgentID
	identityPage(s.renderer, svc, w, r, status, "agents", "Agents de la structure", d)
}

func handleAgentsPage(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agentsPage(s, svc, w, r, http.StatusOK, nil)
	})
}

func formRoles(r *http.Request) []socle.Role {
	var roles []socle.Role
	for _, v := range r.PostForm["roles"] {
		roles = append(roles, socle.Role(v))
	}
	return roles
}

func handleCreateAgent(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !checkCSRF(s.renderer, svc, w, r) {
			return
		}
		actor := httpx.ActorFrom(r.Context())
		a := &socle.Agent{OrganisationID: actor.OrganisationID, Email: strings.TrimSpace(r.PostFormValue("email")),
			GivenName: strings.TrimSpace(r.PostFormValue("given_name")), FamilyName: strings.TrimSpace(r.PostFormValue("family_name")), Roles: formRoles(r)}
		// The answers come back with each error beside its field.
		if errs := newAgentErrors(a); len(errs) > 0 {
			agentsPage(s, svc, w, r, http.StatusBadRequest, newAgentForm(errs, a))
			return
		}
		err := svc.CreateAgent(r.Context(), actor, a, identity.ClientOf(r))
		if err != nil {
			if c := socle.ErrorCode(err); c != socle.EINVALID && c != socle.ECONFLICT && c != socle.EFORBIDDEN {
				s.renderError(w, r, err)
				return
			}
			agentsPage(s, svc, w, r, httpx.ErrorStatus(err), newAgentForm(agentServiceErrors(err), a))
			return
		}
		agentsPage(s, svc, w, r, http.StatusCreated, &agentsView{Notice: msgAgentCreated})
	})
}

func handleAgentRoles(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !checkCSRF(s.renderer, svc, w, r) {
			return
		}
		actor := httpx.ActorFrom(r.Context())
		change, err := svc.SetRoles(r.Context(), actor, r.PathValue("id"), formRoles(r), identity.ClientOf(r))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		if change != nil {
			http.Redirect(w, r, "/demandes", http.StatusSeeOther)
			return
		}
		if sess, _, err := svc.CurrentSession(r); err == nil && sess == nil {
			// Her own roles changed: her session ended with the others.
			setSession(w, svc, "")
			http.Redirect(w, r, "/connexion", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/agents", http.StatusSeeOther)
	})
}

func handleAgentDisabled(s *accountPages, svc *identity.Service, disabled bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !checkCSRF(s.renderer, svc, w, r) {
			return
		}
		if err := svc.SetDisabled(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"), disabled, identity.ClientOf(r)); err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/agents", http.StatusSeeOther)
	})
}

func handleOpenRecovery(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !checkCSRF(s.renderer, svc, w, r) {
			return
		}
		if _, err := svc.OpenRecovery(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"), identity.ClientOf(r)); err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/recuperation", http.StatusSeeOther)
	})
}

func handleWebAuthn(svc *identity.Service, step func(r *http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := svc.VerifyCSRF(r); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		v, err := step(r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		httpx.Encode(w, http.StatusOK, v)
	})
}

// handleChangesPage lists the changes waiting for the actor's approval:
// the role grants of her organisation (administrators) and the register
// edits (platform administrators).
func handleChangesPage(s *accountPages, svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor := httpx.ActorFrom(r.Context())
		d := &changesView{}
		allowed := false
		roles, err := svc.PendingChanges(r.Context(), actor)
		switch {
		case err == nil:
			allowed, d.Roles = true, roles
		case socle.ErrorCode(err) != socle.EFORBIDDEN:
			s.renderError(w, r, err)
			return
		}
		if s.register != nil {
			regs, err := s.register.Pending(r.Context(), actor)
			switch {
			case err == nil:
				allowed, d.Register = true, regs
			case socle.ErrorCode(err) != socle.EFORBIDDEN:
				s.renderError(w, r, err)
				return
			}
		}
		if !allowed {
			s.renderError(w, r, err)
			return
		}
		identityPage(s.renderer, svc, w, r, http.StatusOK, "demandes", "Demandes à approuver", d)
	})
}

// handleDecideChange approves or refuses a pending change: a role grant,
// or else a register edit.
func handleDecideChange(s *accountPages, svc *identity.Service, approve bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !checkCSRF(s.renderer, svc, w, r) {
			return
		}
		ctx, actor, id, c := r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"), identity.ClientOf(r)
		var err error
		if approve {
			_, err = svc.ApproveChange(ctx, actor, id, c)
		} else {
			err = svc.RejectChange(ctx, actor, id, c)
		}
		if socle.ErrorCode(err) == socle.ENOTFOUND && s.register != nil {
			if approve {
				_, err = s.register.Approve(ctx, actor, httpx.RequestID(ctx), id)
			} else {
				err = s.register.Reject(ctx, actor, httpx.RequestID(ctx), id)
			}
		}
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/demandes", http.StatusSeeOther)
	})
}

// handleWebAuthnLogin ends a passkey sign-in: it opens the session and
// tells the script where to go.
func handleWebAuthnLogin(svc *identity.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := svc.VerifyCSRF(r); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		tok, err := svc.FinishWebAuthnLogin(r.Context(), r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		setSession(w, svc, tok)
		httpx.Encode(w, http.StatusOK, map[string]string{"redirect": "/"})
	})
}

// The views of the sign-in and account pages.
type (
	loginView struct {
		form
		Email, Error, Notice string
	}
	secondFactorView struct {
		form
		// Error is a page-level refusal; CodeError a wrong code, shown
		// beside the code field.
		Error, CodeError string
		HasKey           bool
	}
	enrolmentView struct {
		form
		Enrolment    *identity.Enrolment
		QR           template.URL // a data URI made here, not to escape
		Token, Error string
		// PasswordError and CodeError stand beside their fields.
		PasswordError, CodeError string
		Recovery                 bool
	}
	recoveryView struct {
		form
		Admin                                   bool
		Requests                                []recoveryRow
		ResetError, RequestError, RequestNotice string
		// The addresses sent back into their forms, and the refused new
		// password's error beside its field.
		ResetEmail, RequestEmail, PasswordError string
	}
	sessionsView struct {
		form
		Sessions      []*socle.AgentSession
		Current       string
		Notifications []*socle.Notification
		Keys          []*socle.WebAuthnCredential
	}
	agentsView struct {
		form
		Agents        []*socle.Agent
		Roles         []roleOption
		Self          string
		Error, Notice string
		// Errors are the creation form's errors by field (prenom, nom,
		// courriel, roles, and "" for the form), New its answers.
		Errors   map[string]string
		New      *socle.Agent
		NewRoles map[socle.Role]bool
	}
	changesView struct {
		form
		Roles, Register []*socle.Change
	}
)
