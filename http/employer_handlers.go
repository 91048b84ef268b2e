package http

import (
	"net/http"

	"socle"
	"socle/employer"
	"socle/gate"
)

// employerRoutes registers the employer space (espace employeur): the link
// request, the login by link, the company's offers and the candidates
// proposed on them. Every POST checks the CSRF token first. The pages read
// the contact's session themselves, so that an agent's session in the same
// browser never stands in for it. It also registers the advisers' company
// pages (company_pages.go).
func employerRoutes(s *Server) {
	companyPageRoutes(s)
	if s.employer == nil {
		return
	}
	svc := s.employer
	s.handle("GET /employeur", employerLogin(svc).homePage(s))
	s.handle("POST /employeur/lien", employerLogin(svc).requestLink(s))
	s.handle("GET /employeur/connexion", employerLogin(svc).consume(s))
	s.handle("POST /employeur/deconnexion", handleEmployerLogout(s, svc))
	s.handle("GET /employeur/offres", handleEmployerOffers(s, svc))
	s.handle("POST /employeur/offres", handleEmployerSaveOffer(s, svc))
	s.handle("GET /employeur/offres/{id}", handleEmployerOffer(s, svc))
	s.handle("POST /employeur/offres/{id}", handleEmployerSaveOffer(s, svc))
	s.handle("GET /employeur/offres/{id}/candidats", handleEmployerCandidates(s, svc))
	s.handle("GET /employeur/offres/{id}/candidats.json", handleEmployerCandidatesJSON(s, svc))
	s.handle("POST /employeur/offres/{id}/candidats/{match}", handleEmployerAnswer(s, svc))
}

// employerLogin is the login by link of the employer space; a consumed
// link leads to the company's offers.
func employerLogin(svc *employer.Service) linkLogin {
	return linkLogin{svc: svc, nav: "employeur", page: "employeur-connexion", title: "Espace employeur", sent: employer.LinkSent, home: "/employeur",
		signedIn: func(a socle.Actor) bool { return a.ContactID != "" },
		landing:  func(*http.Request) string { return "/employeur/offres" }}
}

// employerPage renders a page of the employer space with a fresh CSRF token.
func employerPage(s *Server, svc *employer.Service, w http.ResponseWriter, r *http.Request, status int, name, title string, d map[string]any) {
	employerLogin(svc).render(s, w, r, status, name, title, d)
}

// employerRequest returns the gate request of the contact, and false after
// redirecting to the link form when she has no live session.
func employerRequest(s *Server, svc *employer.Service, w http.ResponseWriter, r *http.Request) (gate.Request, bool) {
	return employerLogin(svc).request(s, w, r)
}

func handleEmployerLogout(s *Server, svc *employer.Service) http.Handler {
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
func employerOffersPage(s *Server, svc *employer.Service, w http.ResponseWriter, r *http.Request, req gate.Request, status int, d map[string]any) {
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
		d = map[string]any{}
	}
	if _, ok := d["Form"]; !ok {
		d["Form"] = newOfferForm()
	}
	d["Contact"], d["Company"], d["Offers"] = ct, c, offers
	d["Saved"] = r.URL.Query().Get("enregistree") != ""
	employerPage(s, svc, w, r, status, "employeur-offres", "Les offres de mon entreprise", d)
}

func handleEmployerOffers(s *Server, svc *employer.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := employerRequest(s, svc, w, r)
		if !ok {
			return
		}
		employerOffersPage(s, svc, w, r, req, http.StatusOK, nil)
	})
}

func handleEmployerOffer(s *Server, svc *employer.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := employerRequest(s, svc, w, r)
		if !ok {
			return
		}
		o, err := s.gate.EmployerOffer(r.Context(), req, r.PathValue("id"))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		employerPage(s, svc, w, r, http.StatusOK, "employeur-offre", "Modifier une offre", map[string]any{"Offer": o, "Form": formOf(o, s.offerReferential())})
	})
}

// handleEmployerSaveOffer creates (POST /employeur/offres) or updates
// (POST /employeur/offres/{id}) an offer of the contact's company.
func handleEmployerSaveOffer(s *Server, svc *employer.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := employerRequest(s, svc, w, r)
		if !ok {
			return
		}
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
		form, errs := parseOfferForm(r, o, s.offerReferential())
		if len(errs) == 0 {
			err := s.gate.EmployerSaveOffer(r.Context(), req, o)
			if err != nil && (errorStatus(err) >= 500 || socle.ErrorCode(err) == socle.ENOTFOUND || socle.ErrorCode(err) == socle.EUNAUTHENTICATED) {
				s.renderError(w, r, err)
				return
			} else if err != nil {
				errs["offre"] = socle.ErrorMessage(err)
			}
		}
		if len(errs) > 0 {
			d := map[string]any{"Form": form, "Errors": errs}
			if id != "" {
				d["Offer"] = o
				employerPage(s, svc, w, r, http.StatusUnprocessableEntity, "employeur-offre", "Modifier une offre", d)
				return
			}
			employerOffersPage(s, svc, w, r, req, http.StatusUnprocessableEntity, d)
			return
		}
		http.Redirect(w, r, "/employeur/offres?enregistree=1", http.StatusSeeOther)
	})
}

// candidateView is a card as the employer page shows it.
type candidateView struct {
	gate.Card
	StatusLabel string
}

// matchStatusLabels are the statuses of a match in French.
var matchStatusLabels = map[string]string{
	socle.MatchProposed: "Proposée", socle.MatchInterview: "Entretien prévu",
	socle.MatchHired: "Embauchée", socle.MatchDeclined: "Candidature déclinée",
}

func handleEmployerCandidates(s *Server, svc *employer.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := employerRequest(s, svc, w, r)
		if !ok {
			return
		}
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
			views = append(views, candidateView{Card: c, StatusLabel: matchStatusLabels[c.Status]})
		}
		employerPage(s, svc, w, r, http.StatusOK, "employeur-candidats", "Candidats proposés", map[string]any{
			"Offer": o, "Candidates": views, "Answered": r.URL.Query().Get("reponse") != "",
		})
	})
}

func handleEmployerCandidatesJSON(s *Server, svc *employer.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, err := svc.Authenticate(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		req := gate.Request{Actor: actor, RequestID: RequestID(r.Context()), RemoteAddr: remoteAddr(r)}
		cards, err := s.gate.EmployerCandidates(r.Context(), req, r.PathValue("id"))
		if err != nil {
			writeError(w, r, err)
			return
		}
		if cards == nil {
			cards = []gate.Card{}
		}
		encode(w, http.StatusOK, struct {
			Items []gate.Card `json:"items"`
		}{cards})
	})
}

func handleEmployerAnswer(s *Server, svc *employer.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := employerRequest(s, svc, w, r)
		if !ok {
			return
		}
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
