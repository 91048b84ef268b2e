package space

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"socle"
	"socle/audit"
	"socle/identity"
	"socle/magiclink"
	"socle/oauth"
)

// FranceConnectScopes are the scopes of the identity set Socle asks
// FranceConnect for.
var FranceConnectScopes = []string{"openid", "given_name", "family_name", "birthdate", "birthplace", "gender", "preferred_username"}

// FranceConnectConfig is Socle's registration at FranceConnect (or
// FranceConnect+).
type FranceConnectConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is Socle's GET /usager/franceconnect/retour.
	RedirectURL string
}

// FranceConnect signs a person in with the identity FranceConnect
// certifies, as an alternative to the e-mailed link. Her first login
// matches the identity set against the records: exactly one → she is signed
// in and her FranceConnect subject linked to that record, so that later
// logins match on the subject alone; none or several → nobody is signed
// in, and an identity check waits for a human. Every login and every match
// decision is audited.
type FranceConnect struct {
	space  *Service
	rp     *oauth.RelyingParty
	checks socle.IdentityCheckStore
}

// NewFranceConnect discovers the provider (ctx carries the HTTP client, see
// oidc.ClientContext).
func NewFranceConnect(ctx context.Context, space *Service, checks socle.IdentityCheckStore, cfg FranceConnectConfig) (*FranceConnect, error) {
	rp, err := oauth.NewRelyingParty(ctx, oauth.RelyingPartyConfig{Issuer: cfg.Issuer, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RedirectURL: cfg.RedirectURL, Scopes: FranceConnectScopes, Userinfo: true, Cookie: "__Host-socle_fc", Now: func() time.Time { return space.Now() }})
	if err != nil {
		return nil, fmt.Errorf("space: FranceConnect: %w", err)
	}
	return &FranceConnect{space: space, rp: rp, checks: checks}, nil
}

// Start redirects the browser to FranceConnect.
func (f *FranceConnect) Start(w http.ResponseWriter, r *http.Request) { f.rp.Start(w, r) }

// ErrIdentityCheck is a FranceConnect login that matched no record or
// several: nobody is signed in, and an identity check is queued.
var ErrIdentityCheck = socle.Errorf(socle.EFORBIDDEN, "the FranceConnect identity matches no single record; a human check is queued")

// franceConnectClaims is the identity set as FranceConnect's userinfo
// names it.
type franceConnectClaims struct {
	GivenName         string `json:"given_name"`
	FamilyName        string `json:"family_name"`
	PreferredUsername string `json:"preferred_username"`
	Birthdate         string `json:"birthdate"`
	Birthplace        string `json:"birthplace"`
	Gender            string `json:"gender"`
}

func (c franceConnectClaims) identitySet() (socle.IdentitySet, error) {
	d, err := socle.ParseDate(c.Birthdate)
	if err != nil {
		return socle.IdentitySet{}, socle.Errorf(socle.EUNAUTHENTICATED, "FranceConnect gave no valid birth date")
	}
	sex := map[string]string{"female": "F", "male": "M"}[c.Gender]
	if c.GivenName == "" || c.FamilyName == "" || sex == "" {
		return socle.IdentitySet{}, socle.Errorf(socle.EUNAUTHENTICATED, "FranceConnect gave an incomplete identity")
	}
	return socle.IdentitySet{GivenNames: c.GivenName, FamilyName: c.FamilyName, PreferredUsername: c.PreferredUsername,
		BirthDate: d, BirthPlace: strings.TrimSpace(c.Birthplace), Sex: sex}, nil
}

// Callback completes the login at GET /usager/franceconnect/retour and
// returns the person's session token for the cookie. ErrIdentityCheck when
// the identity matched no record or several; EUNAUTHENTICATED when the flow
// or the provider's answer is wrong.
func (f *FranceConnect) Callback(w http.ResponseWriter, r *http.Request) (string, error) {
	ctx := r.Context()
	c := identity.ClientOf(r)
	login, err := f.rp.Finish(w, r)
	if err != nil {
		return "", f.refused(ctx, c, "Connexion avec FranceConnect refusée : "+socle.ErrorMessage(err)+".", err)
	}
	subject := login.IDToken.Subject
	link, err := f.checks.FederationLink(ctx, f.rp.Issuer(), subject)
	switch {
	case err == nil && link.PersonID != "":
		return f.space.openSession(ctx, link.PersonID, c, "Connexion à votre espace avec FranceConnect (compte déjà rattaché à votre dossier).")
	case err == nil:
		return "", f.refused(ctx, c, "Connexion avec FranceConnect refusée : ce compte n'est rattaché à aucun dossier.", socle.Errorf(socle.EUNAUTHENTICATED, "linked to no person"))
	case socle.ErrorCode(err) != socle.ENOTFOUND:
		return "", fmt.Errorf("reading the FranceConnect link: %w", err)
	}
	var claims franceConnectClaims
	if err := f.rp.SignedUserinfo(ctx, login, &claims); err != nil {
		return "", f.refused(ctx, c, "Connexion avec FranceConnect refusée : "+socle.ErrorMessage(err)+".", err)
	}
	set, err := claims.identitySet()
	if err != nil {
		return "", f.refused(ctx, c, "Connexion avec FranceConnect refusée : "+socle.ErrorMessage(err)+".", err)
	}
	ids, err := f.checks.PersonsByIdentity(ctx, set, 2)
	if err != nil {
		return "", err
	}
	if len(ids) != 1 {
		return "", f.queueCheck(ctx, c, subject, set, len(ids))
	}
	// Linked before the session, so that a failure leaves no half state:
	// the next login matches on the subject either way.
	if err := f.checks.CreateFederationLink(ctx, &socle.FederationLink{Issuer: f.rp.Issuer(), Subject: subject, PersonID: ids[0], CreatedAt: f.space.Now()}); err != nil {
		return "", fmt.Errorf("linking the FranceConnect account: %w", err)
	}
	return f.space.openSession(ctx, ids[0], c, "Connexion à votre espace avec FranceConnect : l'identité certifiée (noms, date et lieu de naissance, sexe) correspond à votre seul dossier, qui lui est désormais rattaché.")
}

// queueCheck records a login that matched no record or several (n) and
// queues its identity check.
func (f *FranceConnect) queueCheck(ctx context.Context, c identity.Client, subject string, set socle.IdentitySet, n int) error {
	check := &socle.IdentityCheck{Issuer: f.rp.Issuer(), Subject: subject, Identity: set, Candidates: n, CreatedAt: f.space.Now()}
	if _, err := f.checks.CreateIdentityCheck(ctx, check); err != nil {
		return fmt.Errorf("queueing the identity check: %w", err)
	}
	why := "aucun dossier ne correspond"
	if n > 1 {
		why = "plusieurs dossiers correspondent"
	}
	return f.refused(ctx, c, "Connexion avec FranceConnect sans ouverture de session : "+why+" à l'identité certifiée ; vérification par un conseiller demandée.", ErrIdentityCheck)
}

// refused audits a login that opened no session and returns cause, or
// the audit's failure: a refusal that cannot be recorded is still a
// refusal, but says so.
func (f *FranceConnect) refused(ctx context.Context, c identity.Client, explanation string, cause error) error {
	ev := audit.Act{Action: "space_login_franceconnect", ResourceKind: string(socle.ResourcePerson),
		Explanation: explanation, RemoteAddr: c.RemoteAddr}
	if err := audit.Append(ctx, f.space.log, f.space.Now(), ev); err != nil {
		return magiclink.ErrUnrecorded
	}
	return cause
}

// OpenIdentityChecks lists the open identity checks for agent, who must be
// an administrator of her organisation or of the platform. The list shows
// identities, so reading it is audited (before it is returned).
func (f *FranceConnect) OpenIdentityChecks(ctx context.Context, agentID string) ([]*socle.IdentityCheck, error) {
	a, err := f.mayCheck(ctx, agentID)
	if err != nil {
		return nil, err
	}
	cs, err := f.checks.OpenIdentityChecks(ctx, 50)
	if err != nil {
		return nil, err
	}
	ev := audit.Act{Action: "identity_checks_read", AgentID: a.ID, OrganisationID: a.OrganisationID, Allowed: true,
		Explanation: fmt.Sprintf("Lecture des %d vérifications d'identité FranceConnect en attente.", len(cs))}
	if err := audit.Append(ctx, f.space.log, f.space.Now(), ev); err != nil {
		return nil, magiclink.ErrUnrecorded
	}
	return cs, nil
}

// ResolveIdentityCheck records agent's decision on a check: personID is
// the record she recognised (linked to the FranceConnect account), or
// empty when none is the person's. Audited under the person when one is
// linked.
func (f *FranceConnect) ResolveIdentityCheck(ctx context.Context, agentID, checkID, personID string) error {
	a, err := f.mayCheck(ctx, agentID)
	if err != nil {
		return err
	}
	explanation := "Vérification d'identité FranceConnect : aucun dossier retenu."
	ev := audit.Act{Action: "identity_check_resolve", AgentID: a.ID, OrganisationID: a.OrganisationID, Allowed: true}
	if personID != "" {
		explanation = "Vérification d'identité FranceConnect : le compte FranceConnect est rattaché à votre dossier par " + a.FullName() + "."
		ev.ResourceKind, ev.PersonRef = string(socle.ResourcePerson), f.space.cfg.PersonRef(personID)
	}
	ev.Explanation = explanation
	// Audited before the write: a decision that cannot be recorded is not
	// made.
	if err := audit.Append(ctx, f.space.log, f.space.Now(), ev); err != nil {
		return magiclink.ErrUnrecorded
	}
	return f.checks.ResolveIdentityCheck(ctx, checkID, a.ID, personID, f.space.Now())
}

// ErrNoRecordForNIR is a NIR that designates no record with the check's
// birth date, or several.
var ErrNoRecordForNIR = socle.Errorf(socle.EINVALID, "no single record has this NIR and the birth date FranceConnect certified")

// LinkIdentityCheckByNIR resolves a check by the NIR of the record the
// agent recognised (from the person's own documents): the record must also
// have the birth date FranceConnect certified.
func (f *FranceConnect) LinkIdentityCheckByNIR(ctx context.Context, agentID, checkID, nir string) error {
	if _, err := f.mayCheck(ctx, agentID); err != nil {
		return err
	}
	check, err := f.checks.IdentityCheck(ctx, checkID)
	if err != nil {
		return err
	}
	ids, err := f.checks.PersonsByNIR(ctx, nir, check.Identity.BirthDate, 2)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return ErrNoRecordForNIR
	}
	return f.ResolveIdentityCheck(ctx, agentID, checkID, ids[0])
}

// mayCheck returns the agent when she may see and resolve identity checks:
// an administrator of the platform only. A check shows the identity of
// someone whom no record matched, from anywhere in the network, so no
// organisation's staff may browse them (the one-account-reads-everyone
// path the network was breached through).
func (f *FranceConnect) mayCheck(ctx context.Context, agentID string) (*socle.Agent, error) {
	a, err := f.space.store.Agent(ctx, agentID)
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil, socle.Errorf(socle.EFORBIDDEN, "identity checks are for administrators")
	} else if err != nil {
		return nil, err
	}
	if a.Disabled || !a.HasRole(socle.RolePlatformAdmin) {
		return nil, socle.Errorf(socle.EFORBIDDEN, "identity checks are for the platform's administrators")
	}
	return a, nil
}

// FranceConnectMessage is the French sentence of a FranceConnect login's failure, for
// the sign-in page.
func FranceConnectMessage(err error) string {
	switch {
	case errors.Is(err, ErrIdentityCheck):
		return "FranceConnect a bien confirmé votre identité, mais nous ne pouvons pas rattacher cette identité à un seul dossier. Un conseiller va vérifier votre dossier ; en attendant, vous pouvez recevoir un lien de connexion à l'adresse électronique de votre dossier."
	case errors.Is(err, magiclink.ErrUnrecorded):
		return "La connexion n'a pas pu être enregistrée : réessayez dans quelques instants."
	case socle.ErrorCode(err) == socle.EUNAUTHENTICATED:
		return "La connexion avec FranceConnect n'a pas abouti. Recommencez, ou recevez un lien de connexion par courriel."
	}
	return "Une erreur est survenue. Réessayez dans quelques instants."
}
