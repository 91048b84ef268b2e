package space

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"socle"
	"socle/identity"
	"socle/magiclink"
)

// AuthenticatedAt returns when the person of r's session last proved
// possession of her mailbox: the session is opened by consuming a link,
// so its creation is that time. The zero time without a live session.
// Signing a contract asks for a recent one (re-authentication).
func (s *Service) AuthenticatedAt(r *http.Request) (time.Time, error) {
	sess, err := s.CurrentSession(r)
	if err != nil || sess == nil {
		return time.Time{}, err
	}
	return sess.CreatedAt, nil
}

// SafeNext returns next when it is a path of the space, "" otherwise: the
// landing page of a link is never another site.
func SafeNext(next string) string {
	if !strings.HasPrefix(next, "/usager/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return ""
	}
	return next
}

// Reauthenticate mails the person a fresh one-time link to email, the
// address of her file, that opens a new session and lands on next (a
// space path): consuming it is her re-authentication, for example before
// she signs her contract.
func (s *Service) Reauthenticate(ctx context.Context, personID, email, next string, c identity.Client) error {
	key := EmailKey(email)
	if !socle.ValidEmail(key) {
		return socle.Errorf(socle.EINVALID, "Votre dossier ne comporte pas d'adresse électronique : demandez à votre conseiller de vous faire signer le contrat.")
	}
	n, err := s.store.SpaceHit(ctx, "reauth:"+personID, s.Now().UTC(), s.cfg.Window)
	if err != nil {
		return fmt.Errorf("counting link requests: %w", err)
	}
	if n > s.cfg.MaxPerEmail {
		return magiclink.ErrTooMany
	}
	link, err := s.IssueLink(ctx, personID)
	if err != nil {
		return err
	}
	if next = SafeNext(next); next != "" {
		link += "&suite=" + url.QueryEscape(next)
	}
	m := identity.Mail{To: key, Subject: "[Socle] Confirmez votre identité pour signer", Body: "Bonjour,\n\n" +
		"Vous avez demandé à signer un document dans votre espace Socle. Pour confirmer qu'il s'agit bien de vous,\n" +
		"ouvrez ce lien dans les " + magiclink.Minutes(s.cfg.LinkTTL) + " ; il ne sert qu'une fois :\n\n" + link + "\n\n" +
		"Vous aurez ensuite 5 minutes pour signer. Si vous n'avez rien demandé, ignorez ce message.\n"}
	if err := s.mailer.Get().Send(ctx, m); err != nil {
		return fmt.Errorf("sending the confirmation link: %w", err)
	}
	return s.audit(ctx, personID, "space_reauth", c.RemoteAddr, "Demande d'un lien de confirmation d'identité avant une signature.")
}
