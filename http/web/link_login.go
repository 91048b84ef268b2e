package web

import (
	"context"
	"net/http"
	"strings"

	"socle"
	"socle/gate"
	"socle/http/httpx"
	"socle/identity"
)

// linkService is what the login by e-mailed link of a space offers its
// pages: space.Service and employer.Service implement it.
type linkService interface {
	FormToken(w http.ResponseWriter, r *http.Request) (string, error)
	VerifyCSRF(r *http.Request) error
	RequestLink(ctx context.Context, email string, c identity.Client) error
	ConsumeLink(ctx context.Context, token string, c identity.Client) (string, error)
	SessionCookie(token string) *http.Cookie
	Authenticate(r *http.Request) (socle.Actor, error)
}

// linkLogin is the page flow of a login by link, the same in the person's
// space and the employer space: the form that asks a link, the page that
// answers the same words whether or not the address is known, the link
// consumed into a session cookie and the redirect that takes the token out
// of the address bar.
type linkLogin struct {
	svc   linkService
	nav   string // the layout's Nav of the space's pages
	page  string // template of the link form
	title string
	sent  string // the answer to every well-formed request
	home  string // path of the link form
	// landing is where a consumed link leads.
	landing func(r *http.Request) string
	// signedIn tells the space's own actors from the others.
	signedIn func(socle.Actor) bool
	// franceConnect offers FranceConnect on the link form too.
	franceConnect bool
}

// request returns the gate request of r's actor in the space, and false
// after redirecting to the link form when she has no live session.
func (l linkLogin) request(s *renderer, w http.ResponseWriter, r *http.Request) (gate.Request, bool) {
	actor, err := l.svc.Authenticate(r)
	if err != nil {
		s.renderError(w, r, err)
		return gate.Request{}, false
	}
	if !l.signedIn(actor) {
		http.Redirect(w, r, l.home, http.StatusSeeOther)
		return gate.Request{}, false
	}
	return gate.Request{Actor: actor, RequestID: httpx.RequestID(r.Context()), RemoteAddr: httpx.RemoteAddr(r)}, true
}

// handler serves f with the request of the signed-in actor; request
// answers anyone else.
func (l linkLogin) handler(s *renderer, f func(http.ResponseWriter, *http.Request, gate.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := l.request(s, w, r)
		if !ok {
			return
		}
		f(w, r, req)
	})
}

// homePage shows the link form, or leads a signed-in actor to the landing.
func (l linkLogin) homePage(s *renderer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, err := l.svc.Authenticate(r); err == nil && l.signedIn(a) {
			http.Redirect(w, r, l.landing(r), http.StatusSeeOther)
			return
		}
		l.form(s, w, r, http.StatusOK, &linkLoginView{})
	})
}

// render renders a page of the space with a fresh CSRF token.
func (l linkLogin) render(s *renderer, w http.ResponseWriter, r *http.Request, status int, name, title string, d formView) {
	tok, err := l.svc.FormToken(w, r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := view{Title: title, Nav: l.nav, Data: withCSRF(d, tok)}
	// The employer's session is not the request's actor (she is no
	// Authenticated actor for the policy): the header and menu ask the
	// space itself who is signed in.
	if a, err := l.svc.Authenticate(r); err == nil && l.signedIn(a) {
		v.actor = &a
		if s.spaceUser != nil {
			v.who = s.spaceUser(r.Context(), a)
		}
	}
	s.render(w, r, status, name, v)
}

// form renders the link form.
func (l linkLogin) form(s *renderer, w http.ResponseWriter, r *http.Request, status int, d *linkLoginView) {
	d.FranceConnect = l.franceConnect
	l.render(s, w, r, status, l.page, l.title, d)
}

func (l linkLogin) requestLink(s *renderer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := l.svc.VerifyCSRF(r); err != nil {
			s.renderError(w, r, err)
			return
		}
		email := strings.TrimSpace(r.PostFormValue("email"))
		if err := l.svc.RequestLink(r.Context(), email, identity.ClientOf(r)); err != nil {
			if code := socle.ErrorCode(err); code != socle.EINVALID && code != socle.ETOOMANY {
				s.renderError(w, r, err)
				return
			}
			l.form(s, w, r, httpx.ErrorStatus(err), &linkLoginView{Error: message(err), Email: email})
			return
		}
		l.form(s, w, r, http.StatusOK, &linkLoginView{Notice: l.sent})
	})
}

func (l linkLogin) consume(s *renderer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, err := l.svc.ConsumeLink(r.Context(), r.URL.Query().Get("jeton"), identity.ClientOf(r))
		if err != nil {
			if socle.ErrorCode(err) != socle.ENOTFOUND {
				s.renderError(w, r, err)
				return
			}
			l.form(s, w, r, http.StatusNotFound, &linkLoginView{Error: message(err)})
			return
		}
		http.SetCookie(w, l.svc.SessionCookie(tok))
		// The token leaves the address bar (and the history) at once.
		http.Redirect(w, r, l.landing(r), http.StatusSeeOther)
	})
}

// linkLoginView is the form that sends a sign-in link (espace usager,
// espace employeur).
type linkLoginView struct {
	form
	Email, Error, Notice string
	// FranceConnect offers the sign-in with FranceConnect (espace usager).
	FranceConnect bool
}
