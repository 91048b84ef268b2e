package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"socle"
	"socle/gate"
	"socle/http/httpx"
	"socle/matching"
)

// matchingRequest is the gate request of a company page.
func matchingRequest(r *http.Request) gate.Request {
	return pageRequest(r, gate.PurposeMatching, "")
}

func handlePortfolioPage(s *companyPages) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		req := matchingRequest(r)
		d := &portfolioView{SIRET: r.URL.Query().Get("siret")}
		status := http.StatusOK
		if siret := strings.TrimSpace(r.URL.Query().Get("siret")); siret != "" {
			f, _, err := s.gate.CompanyBySIRET(r.Context(), req, siret)
			if err == nil {
				http.Redirect(w, r, "/entreprises/"+url.PathEscape(f.Company.ID), http.StatusSeeOther)
				return
			}
			if httpx.ErrorStatus(err) >= 500 {
				s.renderError(w, r, err)
				return
			}
			status = httpx.ErrorStatus(err)
			d.Error = message(err)
			if socle.ErrorCode(err) == socle.ENOTFOUND {
				d.Error = msgNoCompanyWithSIRET
			}
		}
		cs, err := s.gate.Portfolio(r.Context(), req)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		for _, c := range cs {
			d.Companies = append(d.Companies, s.words.companyRow(r.Context(), c))
		}
		staffPage(s.renderer, w, r, status, "portefeuille", "Portefeuille d'entreprises", "entreprises", d)
	})
}

type kindOption struct{ Code, Label string }

func actionKinds() []kindOption {
	var out []kindOption
	for _, k := range socle.CompanyActionKinds {
		out = append(out, kindOption{k, actionKindLabels[k]})
	}
	return out
}

func companyFilePage(s *companyPages, w http.ResponseWriter, r *http.Request, status int, d *companyFileView) {
	f, dec, err := s.gate.CompanyFile(r.Context(), matchingRequest(r), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if !d.posted {
		d.Form = newOfferForm()
	}
	d.File, d.Explanation, d.Kinds, d.KindLabels = f, dec.Explanation(), actionKinds(), actionKindLabels
	d.Company, d.Offers = s.words.companyRow(r.Context(), f.Company), s.words.offerRows(r.Context(), f.Offers)
	d.Done = r.URL.Query().Get("fait")
	staffPage(s.renderer, w, r, status, "entreprise", f.Company.Name, "entreprises", d)
}

func handleCompanyPage(s *companyPages) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		companyFilePage(s, w, r, http.StatusOK, &companyFileView{})
	})
}

// companyWrite runs a POST of the company file and redirects back to it.
func companyWrite(s *companyPages, do func(w http.ResponseWriter, r *http.Request) (string, error)) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		done, err := do(w, r)
		var fe *companyFormError
		if errors.As(err, &fe) {
			companyFilePage(s, w, r, httpx.ErrorStatus(err), fe.view)
			return
		}
		if err != nil {
			if code := socle.ErrorCode(err); code == socle.EINVALID || code == socle.ECONFLICT || code == socle.EFORBIDDEN {
				companyFilePage(s, w, r, httpx.ErrorStatus(err), &companyFileView{Error: message(err)})
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/entreprises/"+url.PathEscape(r.PathValue("id"))+"?fait="+url.QueryEscape(done), http.StatusSeeOther)
	})
}

func handleCompanyFollowPage(s *companyPages) http.Handler {
	return companyWrite(s, func(w http.ResponseWriter, r *http.Request) (string, error) {
		if r.PostFormValue("suivi") == "arreter" {
			return "Votre structure ne suit plus cette entreprise.", s.gate.UnfollowCompany(r.Context(), matchingRequest(r), r.PathValue("id"))
		}
		_, err := s.gate.FollowCompany(r.Context(), matchingRequest(r), r.PathValue("id"))
		return "L'entreprise est ajoutée au portefeuille de votre structure.", err
	})
}

func handleCompanyActionPage(s *companyPages) http.Handler {
	return companyWrite(s, func(w http.ResponseWriter, r *http.Request) (string, error) {
		kind, note := r.PostFormValue("type"), r.PostFormValue("note")
		_, err := s.gate.RecordCompanyAction(r.Context(), matchingRequest(r), r.PathValue("id"), kind, note)
		if socle.ErrorCode(err) == socle.EINVALID {
			if fe := companyActionError(err, kind, note); fe != nil {
				err = fe
			} else {
				err = userErrorf(socle.EINVALID, msgCompanyActionInvalid)
			}
		}
		return "L'action de prospection est enregistrée.", err
	})
}

func handleCompanyOfferCreatePage(s *companyPages) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		o := &socle.Offer{CompanyID: r.PathValue("id")}
		if !saveOfferForm(s, w, r, o, func(status int, f offerFields) { companyFilePage(s, w, r, status, &companyFileView{offerFields: f}) }) {
			return
		}
		http.Redirect(w, r, "/offres/"+url.PathEscape(o.ID), http.StatusSeeOther)
	})
}

// saveOfferForm saves the posted offer o through the gate and indexes it
// for the matching. It reports false when it has answered: with the form
// again (page) and its errors, or with the error page.
func saveOfferForm(s *companyPages, w http.ResponseWriter, r *http.Request, o *socle.Offer, page func(status int, f offerFields)) bool {
	form, errs := parseOfferForm(r, s.words, o, s.rome)
	if len(errs) == 0 {
		if err := s.gate.SaveOffer(r.Context(), matchingRequest(r), o); err != nil && (httpx.ErrorStatus(err) >= 500 || socle.ErrorCode(err) == socle.ENOTFOUND) {
			s.renderError(w, r, err)
			return false
		} else if err != nil {
			errs["offre"] = message(err)
		}
	}
	if len(errs) > 0 {
		page(http.StatusUnprocessableEntity, offerFields{Form: form, Errors: errs, posted: true})
		return false
	}
	return true
}

// proposedView is a person proposed on an offer as the adviser reads her.
type proposedView struct {
	gate.Proposed
	StatusLabel string
}

func offerPage(s *companyPages, w http.ResponseWriter, r *http.Request, status int, d *offerView) {
	req := matchingRequest(r)
	o, err := s.gate.Offer(r.Context(), req, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	props, err := s.gate.OfferMatches(r.Context(), req, o.ID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var views []proposedView
	for _, p := range props {
		views = append(views, proposedView{Proposed: p, StatusLabel: matchStatusLabels[p.Match.Status]})
	}
	if !d.posted {
		d.Form = formOf(r.Context(), s.words, o, s.rome)
	}
	d.Offer, d.Proposed = o, views
	d.Job, d.Commune, d.ContractLabel = s.words.job(o.ROMECode), s.words.commune(r.Context(), o.CommuneCode), labelOf(contractLabels, o.Contract)
	staffPage(s.renderer, w, r, status, "offre", "Offre : "+o.Title, "entreprises", d)
}

func handleOfferPage(s *companyPages) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		offerPage(s, w, r, http.StatusOK, &offerView{Saved: r.URL.Query().Get("enregistree") != ""})
	})
}

func handleOfferUpdatePage(s *companyPages) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		o := &socle.Offer{ID: r.PathValue("id")}
		if !saveOfferForm(s, w, r, o, func(status int, f offerFields) { offerPage(s, w, r, status, &offerView{offerFields: f}) }) {
			return
		}
		http.Redirect(w, r, "/offres/"+url.PathEscape(o.ID)+"?enregistree=1", http.StatusSeeOther)
	})
}

// candidateRow is a ranked candidate as the matching page shows her.
type candidateRow struct {
	gate.Candidate
	Name string
}

func matchingPage(s *companyPages, w http.ResponseWriter, r *http.Request, status int, d *matchingView) {
	req := matchingRequest(r)
	o, err := s.gate.Offer(r.Context(), req, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	cands, err := s.gate.MatchCandidates(r.Context(), req, o.ID, 20)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var rows []candidateRow
	for _, c := range cands {
		row := candidateRow{Candidate: c}
		if id := c.Person.Identity; id != nil {
			row.Name = id.GivenName + " " + id.FamilyName
		}
		rows = append(rows, row)
	}
	d.Offer, d.Candidates, d.Max = o, rows, matching.MaxScore
	if d.ConsentError != "" && !slices.ContainsFunc(rows, func(c candidateRow) bool { return c.Person.ID == d.ConsentFor }) {
		d.Error = d.ConsentError // no box of hers on the page to stand beside
	}
	staffPage(s.renderer, w, r, status, "appariement", "Candidats pour « "+o.Title+" »", "entreprises", d)
}

func handleMatchingPage(s *companyPages) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		matchingPage(s, w, r, http.StatusOK, &matchingView{Proposed: r.URL.Query().Get("proposee") != ""})
	})
}

func handleProposePage(s *companyPages) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		_, _, err := s.gate.Propose(r.Context(), matchingRequest(r), r.PathValue("id"), r.PostFormValue("personne"), r.PostFormValue("consentement") != "")
		if err != nil {
			if code := socle.ErrorCode(err); code == socle.EFORBIDDEN || code == socle.ECONFLICT || code == socle.EINVALID {
				d := &matchingView{Error: message(err)}
				if code == socle.EFORBIDDEN {
					// The missing agreement stands beside that candidate's
					// agreement box.
					d.Error, d.ConsentFor, d.ConsentError = "", r.PostFormValue("personne"), msgNoConsentToPropose
				} else if code == socle.ECONFLICT {
					d.Error = msgAlreadyProposed
				}
				matchingPage(s, w, r, httpx.ErrorStatus(err), d)
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/offres/"+url.PathEscape(r.PathValue("id"))+"/appariement?proposee=1", http.StatusSeeOther)
	})
}

// offerFields are the fields of the offer form (partials.html), filled from
// the offer or, when posted is set, as the agent sent them with errors.
type offerFields struct {
	Form   offerForm
	Errors map[string]string
	posted bool
}

// portfolioView is the organisation's portfolio of companies.
type portfolioView struct {
	form
	SIRET, Error string
	Companies    []companyRow
}

// companyFileView is a company's file: followups, actions, offers.
type companyFileView struct {
	form
	offerFields
	File              *gate.CompanyFile
	Company           companyRow
	Offers            []offerRow
	Explanation, Done string
	Error             string
	Kinds             []kindOption
	KindLabels        map[string]string
	// Action is the refused prospection form's answers and errors.
	Action companyActionAnswers
}

// offerView is an offer with the persons proposed on it.
type offerView struct {
	form
	offerFields
	Offer                       *socle.Offer
	Job, Commune, ContractLabel string
	Proposed                    []proposedView
	Saved                       bool
}

// matchingView is the ranked candidates of an offer.
type matchingView struct {
	form
	Offer      *socle.Offer
	Candidates []candidateRow
	Max        int
	Proposed   bool
	Error      string
	// ConsentError stands beside the agreement box of the candidate
	// ConsentFor (a person's id) when she was proposed without it.
	ConsentFor, ConsentError string
}
