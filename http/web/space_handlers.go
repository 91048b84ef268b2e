package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"socle"
	"socle/gate"
	"socle/http/httpx"
	"socle/space"
)

// handleFranceConnectReturn completes a FranceConnect login: the session
// cookie and her file, or the link form with a French reason (an identity
// check is queued when no single record matched).
func handleFranceConnectReturn(s *spacePages, svc *space.Service, fc *space.FranceConnect) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, err := fc.Callback(w, r)
		if err != nil {
			switch socle.ErrorCode(err) {
			case socle.EUNAUTHENTICATED, socle.EFORBIDDEN, socle.EUNAVAILABLE:
				l := spaceLogin(svc)
				l.franceConnect = true
				l.form(s.renderer, w, r, httpx.ErrorStatus(err), &linkLoginView{Error: space.FranceConnectMessage(err)})
			default:
				s.renderError(w, r, err)
			}
			return
		}
		http.SetCookie(w, svc.SessionCookie(tok))
		http.Redirect(w, r, "/usager/dossier", http.StatusSeeOther)
	})
}

// spaceLogin is the login by link of the person's space; a consumed link
// leads to the file, or to the space page the re-authentication asked.
func spaceLogin(svc *space.Service) linkLogin {
	return linkLogin{svc: svc, nav: "usager", page: "usager-connexion", title: "Espace usager", sent: space.LinkSent, home: "/usager",
		signedIn: func(a socle.Actor) bool { return a.PersonID != "" },
		landing: func(r *http.Request) string {
			if next := space.SafeNext(r.URL.Query().Get("suite")); next != "" {
				return next
			}
			return "/usager/dossier"
		}}
}

// spacePage renders a page of the space with a fresh CSRF token.
func spacePage(s *renderer, svc *space.Service, w http.ResponseWriter, r *http.Request, status int, name, title string, d formView) {
	spaceLogin(svc).render(s, w, r, status, name, title, d)
}

// spaceRequest returns the gate request of the person in her space, and
// false after redirecting to the link form when she has no live session.
// The person's id comes from her session only.
func spaceRequest(s *renderer, svc *space.Service, w http.ResponseWriter, r *http.Request) (gate.Request, bool) {
	return spaceLogin(svc).request(s, w, r)
}

// spaceHandler serves f with the gate request of the person in her space,
// or redirects to the link form when she has no live session.
func spaceHandler(s *renderer, svc *space.Service, f func(http.ResponseWriter, *http.Request, gate.Request)) http.Handler {
	return spaceLogin(svc).handler(s, f)
}

// spacePostHandler serves f with the person's request once the form of a
// post in her space passed its CSRF check.
func spacePostHandler(s *renderer, svc *space.Service, f func(http.ResponseWriter, *http.Request, gate.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := svc.VerifyCSRF(r); err != nil {
			s.renderError(w, r, err)
			return
		}
		if req, ok := spaceRequest(s, svc, w, r); ok {
			f(w, r, req)
		}
	})
}

// field is one line of a section of the file.
type field struct{ Label, Value string }

// section is one category of the file as the person reads it.
type section struct {
	Title  string
	Fields []field
}

func yesNo(b bool) string {
	if b {
		return "Oui"
	}
	return "Non"
}

// fileSections lays out the sections of the person's file, in French.
func fileSections(ctx context.Context, w *words, p *socle.Person) []section {
	var out []section
	add := func(title string, fs ...field) {
		var kept []field
		for _, f := range fs {
			if strings.TrimSpace(f.Value) != "" {
				kept = append(kept, f)
			}
		}
		out = append(out, section{Title: title, Fields: kept})
	}
	if id := p.Identity; id != nil {
		add("Identité", field{"Nom", id.FamilyName}, field{"Nom de naissance", id.BirthName}, field{"Prénom", id.GivenName},
			field{"Date de naissance", frenchDate(id.BirthDate)}, field{"Sexe", labelOf(sexLabels, id.Sex)}, field{"Numéro de sécurité sociale", formatNIR(id.NIR)})
	}
	if c := p.Contact; c != nil {
		add("Coordonnées", field{"Adresse électronique", c.Email}, field{"Téléphone", formatPhone(c.Phone)}, field{"Adresse", c.Address},
			field{"Code postal", c.PostalCode}, field{"Commune", w.commune(ctx, c.CommuneCode)})
	}
	if pa := p.Parcours; pa != nil {
		add("Situation et parcours", field{"Situation", pa.Situation.Label()}, field{"Inscrit depuis le", frenchDate(pa.RegisteredOn)},
			field{"Niveau de formation", labelOf(educationLabels, pa.EducationLevel)}, field{"Freins identifiés", labelsOf(constraintLabels, pa.Constraints)})
	}
	if sk := p.Skills; sk != nil {
		hours := ""
		if sk.HoursWanted > 0 {
			hours = strconv.Itoa(sk.HoursWanted) + " h par semaine"
		}
		add("Compétences et projet", field{"Métiers recherchés", w.jobList(sk.ROMECodes)}, field{"Compétences", strings.Join(sk.Skills, ", ")},
			field{"Langues", labelsOf(languageLabels, sk.Languages)}, field{"Permis de conduire", yesNo(sk.DrivingLicence)},
			field{"Contrat souhaité", labelOf(contractLabels, sk.ContractWanted)}, field{"Temps de travail souhaité", hours})
	}
	if h := p.Health; h != nil {
		add("Santé et handicap", field{"Reconnaissance de la qualité de travailleur handicapé", yesNo(h.RQTH)},
			field{"Valable jusqu'au", frenchDate(h.RQTHUntil)}, field{"Notes", h.Notes})
	}
	if j := p.Justice; j != nil {
		add("Justice", field{"Mesure", j.Measure}, field{"Jusqu'au", frenchDate(j.Until)})
	}
	if b := p.Bank; b != nil {
		add("Coordonnées bancaires", field{"IBAN", b.IBAN}, field{"BIC", b.BIC})
	}
	return out
}

func handleSpaceFile(s *spacePages, svc *space.Service) http.Handler {
	return spaceHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		p, fs, err := s.gate.MyFile(r.Context(), req)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		refs, err := svc.Referents(r.Context(), fs)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		var rows []followupRow
		for _, f := range refs {
			rows = append(rows, followupRow{Organisation: f.Organisation, Kind: f.Kind, Adviser: f.Adviser,
				Start: frenchDate(f.Start), End: frenchDate(f.End), Active: f.Active})
		}
		name := ""
		if p.Identity != nil {
			name = p.Identity.GivenName + " " + p.Identity.FamilyName
		}
		v := &spaceFileView{
			Name: name, Sections: fileSections(r.Context(), s.words, p), Followups: rows,
			Created: frenchTime(p.CreatedAt), Updated: frenchTime(p.UpdatedAt),
			Provenance: provenanceLines(r, s.gate, s.dir, req),
		}
		if s.parcours != nil {
			if v.Asked, err = askedOf(r.Context(), s.parcours, req, time.Now()); err != nil {
				s.renderError(w, r, err)
				return
			}
		}
		spacePage(s.renderer, svc, w, r, http.StatusOK, "usager-dossier", "Mon dossier", v)
	})
}

// accessRow is one line of the accesses table.
type accessRow struct {
	Index                                          uint64
	Time, Organisation, Role, Action, Purpose, Why string
	Allowed, BreakGlass, Self                      bool
}

// Priority says the access is one to check first: a refusal or a
// break-the-glass access.
func (a accessRow) Priority() bool { return !a.Allowed || a.BreakGlass }

const accessesPerPage = 50

// accessFilters are the filters of the accesses page, by their value in
// the query.
var accessFilters = map[string]func(accessRow) bool{
	"":              func(accessRow) bool { return true },
	"refus":         func(a accessRow) bool { return !a.Allowed },
	"bris-de-glace": func(a accessRow) bool { return a.BreakGlass },
	"structures":    func(a accessRow) bool { return !a.Self },
}

func handleSpaceAccesses(s *spacePages, svc *space.Service) http.Handler {
	return spaceHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		q := r.URL.Query()
		d := &spaceAccessesView{Filter: q.Get("filtre"), Organisation: q.Get("structure")}
		keep, known := accessFilters[d.Filter]
		if !known {
			s.renderError(w, r, userErrorf(socle.EINVALID, msgUnknownFilter))
			return
		}
		var before uint64
		if v := q.Get("avant"); v != "" {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				s.renderError(w, r, userErrorf(socle.EINVALID, msgBeforeNotANumber))
				return
			}
			before = n
		}
		// Unfiltered, a page is the next accessesPerPage entries; filtered,
		// the entries are read by batches until a page is full or
		// maxDownload entries were looked at.
		batch, scanned := accessesPerPage+1, 0
		if d.Filter != "" || d.Organisation != "" {
			batch = 200
		}
		orgs := map[string]bool{}
		var rows []accessRow
		for scanned < maxDownload {
			hits, err := s.gate.MyAccessHistory(r.Context(), req, before, batch)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			acc, err := svc.Accesses(r.Context(), hits, s.gate.Purposes())
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			for _, a := range acc {
				row := accessRow{Index: a.Index, Time: frenchTime(a.Time), Organisation: a.Organisation, Role: a.Role,
					Action: a.Action, Purpose: a.Purpose, Why: a.Explanation, Allowed: a.Allowed, BreakGlass: a.BreakGlass, Self: a.Self}
				if row.Organisation != "" {
					orgs[row.Organisation] = true
				}
				if keep(row) && (d.Organisation == "" || row.Organisation == d.Organisation) && len(rows) <= accessesPerPage {
					rows = append(rows, row)
				}
			}
			scanned += len(hits)
			if len(hits) < batch || len(rows) > accessesPerPage {
				break
			}
			before = hits[len(hits)-1].Index
		}
		if len(rows) > accessesPerPage {
			rows = rows[:accessesPerPage]
			d.Next = rows[len(rows)-1].Index
		}
		// Refusals and break-the-glass accesses come first, each group
		// newest first.
		for _, a := range rows {
			if a.Priority() {
				d.Priority = append(d.Priority, a)
			} else {
				d.Rows = append(d.Rows, a)
			}
		}
		for o := range orgs {
			d.Organisations = append(d.Organisations, o)
		}
		slices.Sort(d.Organisations)
		if d.Organisation != "" && !orgs[d.Organisation] {
			d.Organisations = append(d.Organisations, d.Organisation)
		}
		d.NextQuery = accessesQuery(d.Filter, d.Organisation, d.Next)
		spacePage(s.renderer, svc, w, r, http.StatusOK, "usager-acces", "Accès à mon dossier", d)
	})
}

// accessesQuery is the query of the next page of the accesses with the
// same filters; "" when there is none.
func accessesQuery(filter, organisation string, next uint64) string {
	if next == 0 {
		return ""
	}
	v := url.Values{"avant": {strconv.FormatUint(next, 10)}}
	if filter != "" {
		v.Set("filtre", filter)
	}
	if organisation != "" {
		v.Set("structure", organisation)
	}
	return v.Encode()
}

// maxDownload bounds the entries of one download; the newest come first.
const maxDownload = 2000

func handleSpaceDownload(s *spacePages, svc *space.Service) http.Handler {
	return spaceHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		var all []socle.AuditHit
		var before uint64
		for len(all) < maxDownload {
			hits, err := s.gate.MyAccessHistory(r.Context(), req, before, 200)
			if err != nil {
				httpx.WriteError(w, r, err)
				return
			}
			all = append(all, hits...)
			if len(hits) < 200 {
				break
			}
			before = hits[len(hits)-1].Index
		}
		d, err := svc.Proofs(r.Context(), all)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.Header().Set("Content-Disposition", `attachment; filename="acces-a-mon-dossier.json"`)
		httpx.Encode(w, http.StatusOK, d)
	})
}

func handleSpaceLogout(s *spacePages, svc *space.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := svc.VerifyCSRF(r); err != nil {
			s.renderError(w, r, err)
			return
		}
		if err := svc.Logout(r.Context(), svc.SessionToken(r)); err != nil {
			s.renderError(w, r, err)
			return
		}
		http.SetCookie(w, svc.SessionCookie(""))
		http.Redirect(w, r, "/usager", http.StatusSeeOther)
	})
}

// followupRow is one organisation that follows the person, as her space
// shows it.
type followupRow struct {
	Organisation, Kind, Adviser, Start, End string
	Active                                  bool
}

// spaceFileView is the person's own file in her space.
type spaceFileView struct {
	form
	Name, Created, Updated string
	Sections               []section
	Followups              []followupRow
	Provenance             map[string]string
	// Asked is what is asked of her, shown first; nil without the
	// parcours.
	Asked *askedView
}

// spaceAccessesView lists the accesses to the person's file: refusals
// and break-the-glass accesses (Priority) first, then the others; Next,
// when set, is the index below which older accesses are.
type spaceAccessesView struct {
	form
	Priority, Rows []accessRow
	Next           uint64
	NextQuery      string
	// Filter and Organisation are the filters chosen; Organisations those
	// the accesses read name.
	Filter, Organisation string
	Organisations        []string
}
