package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"socle"
	"socle/gate"
	"socle/http/httpx"
	"socle/policy"
	"socle/register"
)

// staffOnly redirects to the login page an anonymous visitor, and to the
// second factor an agent signed in with a password only. It reports
// whether the page may go on.
func staffOnly(w http.ResponseWriter, r *http.Request) (socle.Actor, bool) {
	actor := httpx.ActorFrom(r.Context())
	switch {
	case !actor.Authenticated() || actor.AgentID == "":
		http.Redirect(w, r, "/connexion", http.StatusSeeOther)
		return actor, false
	case actor.Strength < socle.AuthMFA:
		http.Redirect(w, r, "/second-facteur", http.StatusSeeOther)
		return actor, false
	}
	return actor, true
}

// staffPost checks the session (MFA) and the form's CSRF token of a POST.
func staffPost(s *renderer, w http.ResponseWriter, r *http.Request) bool {
	if _, ok := staffOnly(w, r); !ok {
		return false
	}
	return checkCSRF(s, s.identity, w, r)
}

// staffHandler serves f only to an agent signed in with a second factor;
// staffOnly sends anyone else to sign in.
func staffHandler(f http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := staffOnly(w, r); !ok {
			return
		}
		f(w, r)
	})
}

// staffPostHandler serves f only to a POST that staffPost lets through:
// an agent signed in with a second factor, with the form's CSRF token.
func staffPostHandler(s *renderer, f http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s, w, r) {
			return
		}
		f(w, r)
	})
}

// staffPage renders an agent's page with a fresh CSRF token.
func staffPage(s *renderer, w http.ResponseWriter, r *http.Request, status int, name, title, nav string, d formView) {
	tok, err := s.identity.FormToken(w, r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, status, name, view{Title: title, Nav: nav, Data: withCSRF(d, tok)})
}

// pageRequest is the gate request of a page: the purpose comes from the
// "finalite" form field, chosen by the agent, never defaulted.
func pageRequest(r *http.Request, purpose, breakGlass string) gate.Request {
	return gate.Request{
		Actor: httpx.ActorFrom(r.Context()), Purpose: strings.TrimSpace(purpose), BreakGlass: strings.TrimSpace(breakGlass),
		RequestID: httpx.RequestID(r.Context()), RemoteAddr: httpx.RemoteAddr(r),
	}
}

type purposeOption struct {
	socle.Purpose
	Selected bool
}

// purposeLabel names a purpose of the register; an unknown code is left
// as typed (the page says it is unknown).
func purposeLabel(g *gate.Gate, code string) string {
	for _, p := range g.Purposes() {
		if p.Code == code {
			return p.Label
		}
	}
	return code
}

// purposeRefused says in French that purpose is not open to the actor's
// role and names the purposes she may declare instead.
func purposeRefused(g *gate.Gate, actor socle.Actor, purpose string) string {
	label := purposeLabel(g, purpose)
	var open []string
	for _, p := range g.PurposesFor(actor) {
		open = append(open, "« "+p.Label+" »")
	}
	if len(open) == 0 {
		return fmt.Sprintf(msgPurposeClosedNoneOpen, label)
	}
	return fmt.Sprintf(msgPurposeClosed, label, strings.Join(open, ", "))
}

func purposeOptions(g *gate.Gate, selected string) []purposeOption {
	var out []purposeOption
	for _, p := range g.Purposes() {
		out = append(out, purposeOption{Purpose: p, Selected: p.Code == selected})
	}
	return out
}

func handlePersonsPage(s *personPages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, ok := staffOnly(w, r)
		if !ok {
			return
		}
		q := r.URL.Query()
		form := map[string]string{
			"nom": q.Get("nom"), "prenom": q.Get("prenom"), "naissance": q.Get("naissance"),
			"nir": q.Get("nir"), "commune": q.Get("commune"), "finalite": q.Get("finalite"), "motif": q.Get("motif"),
		}
		data := &searchView{Form: form, Purposes: purposeOptions(s.gate, form["finalite"])}
		status := http.StatusOK
		searched := form["nom"] != "" || form["prenom"] != "" || form["naissance"] != "" || form["nir"] != "" || form["commune"] != ""
		if searched {
			pq, errs := searchQuery(r.Context(), s.words, form)
			if len(errs) == 0 {
				found, d, err := s.gate.SearchPersons(r.Context(), pageRequest(r, form["finalite"], form["motif"]), pq)
				switch {
				case err == nil:
					data.Results, data.Searched, data.Explanation = found, true, d.Explanation()
				case httpx.ErrorStatus(err) >= 500:
					s.renderError(w, r, err)
					return
				case !s.gate.PurposeOpenTo(actor, form["finalite"]):
					// The purpose, not the criteria, is what she must change.
					status, errs = httpx.ErrorStatus(err), map[string]string{"finalite": purposeRefused(s.gate, actor, form["finalite"])}
				default:
					status, data.Error = httpx.ErrorStatus(err), message(err)
				}
			} else {
				status = http.StatusBadRequest
			}
			data.Errors, data.Summary = errs, errorSummary(searchFields, errs)
		}
		data.Fields = inputFields(searchInputs, form, data.Errors)
		s.render(w, r, status, "recherche", view{Title: "Rechercher un usager", Nav: "usagers", Data: data})
	})
}

// fileField is one labelled value of a section of a file.
type fileField struct{ Label, Value string }

// fileSection is one data category of a person's file as the page shows it.
type fileSection struct {
	Code        socle.Category
	Label       string
	Granted     bool
	Fields      []fileField
	Explanation []string
	// Slug is the address of the section's form; Source says who supplied
	// it and when (file_edit.go).
	Slug, Source string
}

func ouiNon(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

// sectionFields lists the fields of a granted section. Only sections the
// store returned (granted) are non-nil: a masked one yields nothing.
func sectionFields(ctx context.Context, w *words, p *socle.Person, c socle.Category) []fileField {
	var fs []fileField
	add := func(label, value string) {
		if value != "" {
			fs = append(fs, fileField{label, value})
		}
	}
	switch c {
	case socle.CatIdentity:
		if v := p.Identity; v != nil {
			add("Nom", v.FamilyName)
			add("Prénom", v.GivenName)
			add("Nom de naissance", v.BirthName)
			add("Date de naissance", frenchDate(v.BirthDate))
			add("Sexe", labelOf(sexLabels, v.Sex))
			add("NIR", formatNIR(v.NIR))
		}
	case socle.CatContact:
		if v := p.Contact; v != nil {
			add("Courriel", v.Email)
			add("Téléphone", formatPhone(v.Phone))
			add("Adresse", v.Address)
			add("Code postal", v.PostalCode)
			add("Commune", w.commune(ctx, v.CommuneCode))
		}
	case socle.CatParcours:
		if v := p.Parcours; v != nil {
			add("Situation", v.Situation.Label())
			add("Inscrit depuis le", frenchDate(v.RegisteredOn))
			add("Niveau de formation", labelOf(educationLabels, v.EducationLevel))
			add("Freins périphériques", labelsOf(constraintLabels, v.Constraints))
		}
	case socle.CatSkills:
		if v := p.Skills; v != nil {
			add("Métiers recherchés", w.jobList(v.ROMECodes))
			add("Compétences", strings.Join(v.Skills, ", "))
			add("Langues", labelsOf(languageLabels, v.Languages))
			add("Permis de conduire", ouiNon(v.DrivingLicence))
			add("Contrat souhaité", labelOf(contractLabels, v.ContractWanted))
		}
	case socle.CatHealth:
		if v := p.Health; v != nil {
			add("RQTH", ouiNon(v.RQTH))
			add("RQTH valable jusqu'au", frenchDate(v.RQTHUntil))
			add("Observations santé", v.Notes)
		}
	case socle.CatJustice:
		if v := p.Justice; v != nil {
			add("Mesure de justice", v.Measure)
			add("Jusqu'au", frenchDate(v.Until))
		}
	case socle.CatBank:
		if v := p.Bank; v != nil {
			add("IBAN", v.IBAN)
			add("BIC", v.BIC)
		}
	}
	return fs
}

// sectionsOf lays out the file: each category granted with its fields and
// the facts that explain it (the relations, then the agreements that grant
// that category), the others only named as not visible.
func sectionsOf(ctx context.Context, w *words, p *socle.Person, d socle.Decision) []fileSection {
	var relations []string
	for _, f := range d.Facts {
		switch f.Kind {
		case policy.FactAgreement, policy.FactMasked, policy.FactScope:
		default:
			relations = append(relations, f.Text)
		}
	}
	var out []fileSection
	for _, c := range socle.Categories {
		sec := fileSection{Code: c, Label: c.Label(), Granted: d.Categories.Has(c)}
		if sec.Granted {
			sec.Fields = sectionFields(ctx, w, p, c)
			sec.Explanation = append(sec.Explanation, relations...)
			for _, f := range d.Facts {
				if f.Kind != policy.FactAgreement {
					continue
				}
				if cats, err := socle.ParseCategories(f.Detail["read"]); err == nil && cats.Has(c) {
					sec.Explanation = append(sec.Explanation, f.Text)
				}
			}
		}
		out = append(out, sec)
	}
	return out
}

func handlePersonPage(s *personPages) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		purpose := r.URL.Query().Get("finalite")
		data := &fileView{ID: id, Purpose: purpose, PurposeLabel: purposeLabel(s.gate, purpose), Purposes: purposeOptions(s.gate, purpose)}
		if purpose == "" {
			// A purpose is required: the agent chooses it, never a default.
			s.render(w, r, http.StatusOK, "dossier", view{Title: "Dossier d'un usager", Nav: "usagers", Data: data})
			return
		}
		p, d, err := s.gate.ReadPerson(r.Context(), pageRequest(r, purpose, ""), id, 0)
		var hint string
		if socle.ErrorCode(err) == socle.ENOTFOUND && s.gate.PurposeOpenTo(httpx.ActorFrom(r.Context()), purpose) {
			hint = followedPurposeHint(r.Context(), s.gate, s.parcours, pageRequest(r, purpose, ""), id)
		}
		switch {
		case socle.ErrorCode(err) == socle.ENOTFOUND && !s.gate.PurposeOpenTo(httpx.ActorFrom(r.Context()), purpose):
			// The purpose is closed to her role whatever the file: saying
			// so, with the purposes she may use, reveals nothing about it.
			data.Error = purposeRefused(s.gate, httpx.ActorFrom(r.Context()), purpose)
			s.render(w, r, http.StatusForbidden, "dossier", view{Title: "Finalité non ouverte à votre rôle", Nav: "usagers", Data: data})
			return
		case hint != "":
			// A person her structure follows, refused for this purpose: the
			// purpose that opens the file is named and chosen in the form.
			data.Error, data.Purposes = hint, purposeOptions(s.gate, purposeAccompagnement)
			s.render(w, r, http.StatusForbidden, "dossier", view{Title: "Finalité à changer", Nav: "usagers", Data: data})
			return
		case socle.ErrorCode(err) == socle.ENOTFOUND:
			// Absent and forbidden look alike; breaking the glass is offered.
			data.NotFound = true
			s.render(w, r, http.StatusNotFound, "dossier", view{Title: "Dossier introuvable", Nav: "usagers", Data: data})
			return
		case socle.ErrorCode(err) == socle.EINVALID:
			data.Error = message(err)
			s.render(w, r, http.StatusBadRequest, "dossier", view{Title: "Dossier d'un usager", Nav: "usagers", Data: data})
			return
		case err != nil:
			s.renderError(w, r, err)
			return
		}
		data.Person, data.Sections, data.BreakGlass = p, sectionsOf(r.Context(), s.words, p, d), d.BreakGlass
		if err := fileWork(r, s, data); err != nil {
			s.renderError(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, "dossier", view{Title: "Dossier d'un usager", Nav: "usagers", Data: data})
	})
}

func breakGlassForm(s *personPages, w http.ResponseWriter, r *http.Request, status int, data *breakGlassView) {
	data.Min = policy.MinJustification
	staffPage(s.renderer, w, r, status, "bris-de-glace", "Accès exceptionnel", "usagers", data)
}

func handleBreakGlassPage(s *personPages) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		purpose := r.URL.Query().Get("finalite")
		breakGlassForm(s, w, r, http.StatusOK, &breakGlassView{ID: r.PathValue("id"), Purposes: purposeOptions(s.gate, purpose)})
	})
}

func handleBreakGlass(s *personPages) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		purpose := r.PostFormValue("finalite")
		justification := strings.TrimSpace(r.PostFormValue("justification"))
		data := &breakGlassView{ID: id, Purposes: purposeOptions(s.gate, purpose), Justification: justification, Errors: map[string]string{}}
		// Both fields are checked at once, each error next to its field.
		if purpose == "" {
			data.Errors["finalite"] = msgBreakGlassPurposeRequired
		}
		if utf8.RuneCountInString(justification) < policy.MinJustification {
			data.Errors["justification"] = msgJustificationTooShort
		}
		if len(data.Errors) > 0 {
			breakGlassForm(s, w, r, http.StatusBadRequest, data)
			return
		}
		_, _, err := s.gate.ReadPerson(r.Context(), pageRequest(r, purpose, justification), id, 0)
		if err != nil {
			if httpx.ErrorStatus(err) >= 500 {
				s.renderError(w, r, err)
				return
			}
			data.Error = msgBreakGlassRefused
			breakGlassForm(s, w, r, httpx.ErrorStatus(err), data)
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(id)+"?finalite="+url.QueryEscape(purpose), http.StatusSeeOther)
	})
}

// registerPage renders the administration of the register with a fresh
// CSRF token, the rules in force, the history and the edit form.
func registerPage(s *personPages, w http.ResponseWriter, r *http.Request, status int, data *registerView) {
	actor := httpx.ActorFrom(r.Context())
	reg, err := s.register.Current(actor)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	versions, err := s.register.Versions(r.Context(), actor, 50)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if !data.edited {
		var b strings.Builder
		if err := reg.WriteJSON(&b); err != nil {
			s.renderError(w, r, err)
			return
		}
		data.JSON = b.String()
	}
	data.Register, data.Versions = reg, versions
	data.AuthorNames = map[string]string{}
	if s.parcours != nil {
		authors := make([]string, len(versions))
		for i, v := range versions {
			authors[i] = v.Author
		}
		if names, err := s.parcours.AgentNames(r.Context(), authors...); err == nil {
			data.AuthorNames = names
		}
	}
	data.OrgNames = map[string]string{}
	for _, a := range reg.Agreements {
		if a.OrganisationID != "" {
			data.OrgNames[a.OrganisationID] = s.words.organisation(r.Context(), a.OrganisationID)
		}
	}
	staffPage(s.renderer, w, r, status, "conventions", "Finalités et conventions", "conventions", data)
}

func handleRegisterPage(s *personPages) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		if s.register == nil {
			s.renderError(w, r, userErrorf(socle.EUNAVAILABLE, msgNoRegister))
			return
		}
		registerPage(s, w, r, http.StatusOK, &registerView{})
	})
}

func handleRegisterEdit(s *personPages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, ok := staffOnly(w, r)
		if !ok {
			return
		}
		if !checkCSRF(s.renderer, s.identity, w, r) {
			return
		}
		if s.register == nil {
			s.renderError(w, r, userErrorf(socle.EUNAVAILABLE, msgNoRegister))
			return
		}
		if err := register.CheckAdmin(actor); err != nil {
			s.renderError(w, r, err)
			return
		}
		text := r.PostFormValue("register")
		reg, err := register.Decode([]byte(text))
		var change *socle.Change
		if err == nil {
			_, change, err = s.register.Update(r.Context(), actor, httpx.RequestID(r.Context()), reg, r.PostFormValue("reason"))
		}
		if err != nil {
			if httpx.ErrorStatus(err) >= 500 {
				s.renderError(w, r, err)
				return
			}
			registerPage(s, w, r, httpx.ErrorStatus(err), &registerView{Error: message(err), JSON: text, edited: true, Reason: r.PostFormValue("reason")})
			return
		}
		if change != nil {
			registerPage(s, w, r, http.StatusAccepted, &registerView{Notice: msgRegisterChangePending})
			return
		}
		registerPage(s, w, r, http.StatusOK, &registerView{Notice: msgRegisterSaved})
	})
}

// searchView is the search for a person: the form, the purposes and what
// the search found, with why.
type searchView struct {
	Form               map[string]string
	Purposes           []purposeOption
	Results            []*socle.Person
	Searched           bool
	Explanation, Error string
	// Errors are the errors of the criteria by field name, shown beside
	// their fields; Summary lists them at the top when there are several.
	Errors  map[string]string
	Summary []fieldError
	// Fields are the text criteria with their answers and errors.
	Fields map[string]inputField
}

// fileView is a person's file (dossier) as the decision lets the agent see
// it, or the choice of a purpose, or the offer to break the glass.
type fileView struct {
	ID, Purpose, Error   string
	PurposeLabel         string
	Purposes             []purposeOption
	NotFound, BreakGlass bool
	Person               *socle.Person
	Sections             []fileSection
	// Work is the part of the file worked on through the gate
	// (file_edit.go): sources per section, notice of a save.
	Work fileWorkView
}

// breakGlassView is the form of an exceptional access (bris de glace).
type breakGlassView struct {
	form
	ID, Justification, Error string
	Purposes                 []purposeOption
	Min                      int
	// Errors are the fields' errors: finalite, justification.
	Errors map[string]string
}

// registerView is the administration of the register of purposes and
// agreements: the rules in force, their history and the edit form.
type registerView struct {
	form
	Register policy.Register
	Versions []socle.RegisterVersion
	// OrgNames names the structures an agreement is made with, and
	// AuthorNames the administrators who wrote each version.
	OrgNames, AuthorNames       map[string]string
	JSON, Reason, Error, Notice string
	// edited says JSON is the text the administrator sent, kept as is.
	edited bool
}
