package web

import (
	"net/http"

	"socle"
	"socle/employer"
	"socle/gate"
	"socle/http/httpx"
)

// employerLogin is the login by link of the employer space; a consumed
// link leads to the company's offers.
func employerLogin(svc *employer.Service) linkLogin {
	return linkLogin{svc: svc, nav: "employeur", page: "employeur-connexion", title: "Espace employeur", sent: employer.LinkSent, home: "/employeur",
		signedIn: func(a socle.Actor) bool { return a.ContactID != "" },
		landing:  func(*http.Request) string { return "/employeur/offres" }}
}

// employerPage renders a page of the employer space with a fresh CSRF token.
func employerPage(s *renderer, svc *employer.Service, w http.ResponseWriter, r *http.Request, status int, name, title string, d formView) {
	employerLogin(svc).render(s, w, r, status, name, title, d)
}

// employerHandler serves f with the gate request of the contact, or
// redirects to the link form when she has no live session.
func employerHandler(s *renderer, svc *employer.Service, f func(http.ResponseWriter, *http.Request, gate.Request)) http.Handler {
	return employerLogin(svc).handler(s, f)
}

func handleEmployerLogout(s *employerPages, svc *employer.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := svc.VerifyCSRF(r); err != nil {
			s.renderError(w, r, err)
			return
		}
		if err := svc.Logout(r); err != nil {
			s.renderError(w, r, err)
			return
		}
		http.SetCookie(w, svc.SessionCookie(""))
		http.Redirect(w, r, "/employeur", http.StatusSeeOther)
	})
}

// employerOffersPage renders the list of the company's offers with the form
// of a new one (form and errors when it came back invalid).
func employerOffersPage(s *employerPages, svc *employer.Service, w http.ResponseWriter, r *http.Request, req gate.Request, status int, d *employerOffersView) {
	ct, c, err := s.gate.Employer(r.Context(), req)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	offers, err := s.gate.EmployerOffers(r.Context(), req)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if d == nil {
		d = &employerOffersView{}
	}
	if !d.posted {
		d.Form = newOfferForm()
	}
	d.Contact, d.Company, d.Offers = ct, c, s.words.offerRows(r.Context(), offers)
	d.Saved = r.URL.Query().Get("enregistree") != ""
	employerPage(s.renderer, svc, w, r, status, "employeur-offres", "Les offres de mon entreprise", d)
}

func handleEmployerOffers(s *employerPages, svc *employer.Service) http.Handler {
	return employerHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		employerOffersPage(s, svc, w, r, req, http.StatusOK, nil)
	})
}

func handleEmployerOffer(s *employerPages, svc *employer.Service) http.Handler {
	return employerHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		o, err := s.gate.EmployerOffer(r.Context(), req, r.PathValue("id"))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		employerPage(s.renderer, svc, w, r, http.StatusOK, "employeur-offre", "Modifier une offre", &employerOfferView{Offer: o, offerFields: offerFields{Form: formOf(r.Context(), s.words, o, s.rome)}})
	})
}

// handleEmployerSaveOffer creates (POST /employeur/offres) or updates
// (POST /employeur/offres/{id}) an offer of the contact's company.
func handleEmployerSaveOffer(s *employerPages, svc *employer.Service) http.Handler {
	return employerHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		if err := svc.VerifyCSRF(r); err != nil {
			s.renderError(w, r, err)
			return
		}
		o := &socle.Offer{}
		id := r.PathValue("id")
		if id != "" {
			prev, err := s.gate.EmployerOffer(r.Context(), req, id)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			*o = *prev
		} else {
			ct, _, err := s.gate.Employer(r.Context(), req)
			if err != nil {
				s.renderError(w, r, err)
				return
			}
			o.CompanyID = ct.CompanyID
		}
		form, errs := parseOfferForm(r, s.words, o, s.rome)
		if len(errs) == 0 {
			err := s.gate.EmployerSaveOffer(r.Context(), req, o)
			if err != nil && (httpx.ErrorStatus(err) >= 500 || socle.ErrorCode(err) == socle.ENOTFOUND || socle.ErrorCode(err) == socle.EUNAUTHENTICATED) {
				s.renderError(w, r, err)
				return
			} else if err != nil {
				errs["offre"] = message(err)
			}
		}
		if len(errs) > 0 {
			f := offerFields{Form: form, Errors: errs, posted: true}
			if id != "" {
				employerPage(s.renderer, svc, w, r, http.StatusUnprocessableEntity, "employeur-offre", "Modifier une offre", &employerOfferView{Offer: o, offerFields: f})
				return
			}
			employerOffersPage(s, svc, w, r, req, http.StatusUnprocessableEntity, &employerOffersView{offerFields: f})
			return
		}
		http.Redirect(w, r, "/employeur/offres?enregistree=1", http.StatusSeeOther)
	})
}

// candidateView is a card as the employer page shows it.
type candidateView struct {
	gate.Card
	StatusLabel string
	// Jobs and Commune name the card's ROME codes and commune.
	Jobs, Commune string
}

func handleEmployerCandidates(s *employerPages, svc *employer.Service) http.Handler {
	return employerHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		o, err := s.gate.EmployerOffer(r.Context(), req, r.PathValue("id"))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		cards, err := s.gate.EmployerCandidates(r.Context(), req, o.ID)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		var views []candidateView
		for _, c := range cards {
			views = append(views, candidateView{Card: c, StatusLabel: matchStatusLabels[c.Status],
				Jobs: s.words.jobList(c.ROMECodes), Commune: s.words.commune(r.Context(), c.CommuneCode)})
		}
		employerPage(s.renderer, svc, w, r, http.StatusOK, "employeur-candidats", "Candidats proposés", &employerCandidatesView{
			Offer: o, Candidates: views, Answered: r.URL.Query().Get("reponse") != "",
		})
	})
}

func handleEmployerCandidatesJSON(s *employerPages, svc *employer.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, err := svc.Authenticate(r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		req := gate.Request{Actor: actor, RequestID: httpx.RequestID(r.Context()), RemoteAddr: httpx.RemoteAddr(r)}
		cards, err := s.gate.EmployerCandidates(r.Context(), req, r.PathValue("id"))
		httpx.Respond(w, r, http.StatusOK, httpx.ItemsOf(cards), err)
	})
}

func handleEmployerAnswer(s *employerPages, svc *employer.Service) http.Handler {
	return employerHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		if err := svc.VerifyCSRF(r); err != nil {
			s.renderError(w, r, err)
			return
		}
		if err := s.gate.EmployerAnswer(r.Context(), req, r.PathValue("match"), r.PostFormValue("reponse")); err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/employeur/offres/"+r.PathValue("id")+"/candidats?reponse=1", http.StatusSeeOther)
	})
}

// employerOffersView is the company's offers with the form of a new one.
type employerOffersView struct {
	form
	offerFields
	Contact *socle.CompanyContact
	Company *socle.Company
	Offers  []offerRow
	Saved   bool
}

// employerOfferView is the form of one of the company's offers.
type employerOfferView struct {
	form
	offerFields
	Offer *socle.Offer
}

// employerCandidatesView is the persons proposed on an offer.
type employerCandidatesView struct {
	form
	Offer      *socle.Offer
	Candidates []candidateView
	Answered   bool
}
