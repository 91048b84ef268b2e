package http

import (
	"net/http"
	"net/url"
	"strings"

	"socle"
	"socle/gate"
	"socle/matching"
)

// companyPageRoutes registers the advisers' pages of the companies: the
// portfolio of their organisation, the company file (who follows it,
// prospection history, offers), the offer page and the matching results.
// They need an agent's session with a second factor. The purpose of every
// access from these pages is the mise en relation, which they declare.
func companyPageRoutes(s *Server) {
	if s.identity == nil {
		return
	}
	s.handle("GET /entreprises", handlePortfolioPage(s))
	s.handle("GET /entreprises/{id}", handleCompanyPage(s))
	s.handle("POST /entreprises/{id}/suivi", handleCompanyFollowPage(s))
	s.handle("POST /entreprises/{id}/actions", handleCompanyActionPage(s))
	s.handle("POST /entreprises/{id}/offres", handleCompanyOfferCreatePage(s))
	s.handle("GET /offres/{id}", handleOfferPage(s))
	s.handle("POST /offres/{id}", handleOfferUpdatePage(s))
	s.handle("GET /offres/{id}/appariement", handleMatchingPage(s))
	s.handle("POST /offres/{id}/propositions", handleProposePage(s))
}

// matchingRequest is the gate request of a company page.
func matchingRequest(r *http.Request) gate.Request {
	return pageRequest(r, gate.PurposeMatching, "")
}

func handlePortfolioPage(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := staffOnly(w, r); !ok {
			return
		}
		req := matchingRequest(r)
		d := map[string]any{"SIRET": r.URL.Query().Get("siret")}
		status := http.StatusOK
		if siret := strings.TrimSpace(r.URL.Query().Get("siret")); siret != "" {
			f, _, err := s.gate.CompanyBySIRET(r.Context(), req, siret)
			if err == nil {
				http.Redirect(w, r, "/entreprises/"+url.PathEscape(f.Company.ID), http.StatusSeeOther)
				return
			}
			if errorStatus(err) >= 500 {
				s.renderError(w, r, err)
				return
			}
			status = errorStatus(err)
			d["Error"] = socle.ErrorMessage(err)
			if socle.ErrorCode(err) == socle.ENOTFOUND {
				d["Error"] = "Aucune entreprise du réseau n'a ce SIRET."
			}
		}
		cs, err := s.gate.Portfolio(r.Context(), req)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		d["Companies"] = cs
		staffPage(s, w, r, status, "portefeuille", "Portefeuille d'entreprises", "entreprises", d)
	})
}

// actionKindLabels are the prospection actions in French.
var actionKindLabels = map[string]string{
	"appel": "Appel", "visite": "Visite", "courriel": "Courriel", "rendez_vous": "Rendez-vous",
	"besoin_recrutement": "Besoin de recrutement", "note": "Note",
}

type kindOption struct{ Code, Label string }

func actionKinds() []kindOption {
	var out []kindOption
	for _, k := range socle.CompanyActionKinds {
		out = append(out, kindOption{k, actionKindLabels[k]})
	}
	return out
}

func companyFilePage(s *Server, w http.ResponseWriter, r *http.Request, status int, d map[string]any) {
	f, dec, err := s.gate.CompanyFile(r.Context(), matchingRequest(r), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if _, ok := d["Form"]; !ok {
		d["Form"] = newOfferForm()
	}
	d["File"], d["Explanation"], d["Kinds"], d["KindLabels"] = f, dec.Explanation(), actionKinds(), actionKindLabels
	d["Done"] = r.URL.Query().Get("fait")
	staffPage(s, w, r, status, "entreprise", f.Company.Name, "entreprises", d)
}

func handleCompanyPage(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := staffOnly(w, r); !ok {
			return
		}
		companyFilePage(s, w, r, http.StatusOK, map[string]any{})
	})
}

// companyWrite runs a POST of the company file and redirects back to it.
func companyWrite(s *Server, do func(w http.ResponseWriter, r *http.Request) (string, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s, w, r) {
			return
		}
		done, err := do(w, r)
		if err != nil {
			if code := socle.ErrorCode(err); code == socle.EINVALID || code == socle.ECONFLICT || code == socle.EFORBIDDEN {
				companyFilePage(s, w, r, errorStatus(err), map[string]any{"Error": socle.ErrorMessage(err)})
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/entreprises/"+url.PathEscape(r.PathValue("id"))+"?fait="+url.QueryEscape(done), http.StatusSeeOther)
	})
}

func handleCompanyFollowPage(s *Server) http.Handler {
	return companyWrite(s, func(w http.ResponseWriter, r *http.Request) (string, error) {
		if r.PostFormValue("suivi") == "arreter" {
			return "Votre structure ne suit plus cette entreprise.", s.gate.UnfollowCompany(r.Context(), matchingRequest(r), r.PathValue("id"))
		}
		_, err := s.gate.FollowCompany(r.Context(), matchingRequest(r), r.PathValue("id"))
		return "L'entreprise est ajoutée au portefeuille de votre structure.", err
	})
}

func handleCompanyActionPage(s *Server) http.Handler {
	return companyWrite(s, func(w http.ResponseWriter, r *http.Request) (string, error) {
		_, err := s.gate.RecordCompanyAction(r.Context(), matchingRequest(r), r.PathValue("id"), r.PostFormValue("type"), r.PostFormValue("note"))
		if socle.ErrorCode(err) == socle.EINVALID {
			err = socle.Errorf(socle.EINVALID, "Choisissez le type d'action ; la note compte au plus 2 000 caractères.")
		}
		return "L'action de prospection est enregistrée.", err
	})
}

func handleCompanyOfferCreatePage(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s, w, r) {
			return
		}
		o := &socle.Offer{CompanyID: r.PathValue("id")}
		if !saveOfferForm(s, w, r, o, companyFilePage) {
			return
		}
		http.Redirect(w, r, "/offres/"+url.PathEscape(o.ID), http.StatusSeeOther)
	})
}

// saveOfferForm saves the posted offer o through the gate and indexes it
// for the matching. It reports false when it has answered: with the form
// again (page) and its errors, or with the error page.
func saveOfferForm(s *Server, w http.ResponseWriter, r *http.Request, o *socle.Offer, page func(*Server, http.ResponseWriter, *http.Request, int, map[string]any)) bool {
	form, errs := parseOfferForm(r, o, s.offerReferential())
	if len(errs) == 0 {
		if err := s.gate.SaveOffer(r.Context(), matchingRequest(r), o); err != nil && (errorStatus(err) >= 500 || socle.ErrorCode(err) == socle.ENOTFOUND) {
			s.renderError(w, r, err)
			return false
		} else if err != nil {
			errs["offre"] = socle.ErrorMessage(err)
		}
	}
	if len(errs) > 0 {
		page(s, w, r, http.StatusUnprocessableEntity, map[string]any{"Form": form, "Errors": errs})
		return false
	}
	return true
}

// proposedView is a person proposed on an offer as the adviser reads her.
type proposedView struct {
	gate.Proposed
	StatusLabel string
}

func offerPage(s *Server, w http.ResponseWriter, r *http.Request, status int, d map[string]any) {
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
	if _, ok := d["Form"]; !ok {
		d["Form"] = formOf(o, s.offerReferential())
	}
	d["Offer"], d["Proposed"] = o, views
	staffPage(s, w, r, status, "offre", "Offre : "+o.Title, "entreprises", d)
}

func handleOfferPage(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := staffOnly(w, r); !ok {
			return
		}
		offerPage(s, w, r, http.StatusOK, map[string]any{"Saved": r.URL.Query().Get("enregistree") != ""})
	})
}

func handleOfferUpdatePage(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s, w, r) {
			return
		}
		o := &socle.Offer{ID: r.PathValue("id")}
		if !saveOfferForm(s, w, r, o, offerPage) {
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

func matchingPage(s *Server, w http.ResponseWriter, r *http.Request, status int, d map[string]any) {
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
	d["Offer"], d["Candidates"], d["Max"] = o, rows, matching.MaxScore
	staffPage(s, w, r, status, "appariement", "Candidats pour « "+o.Title+" »", "entreprises", d)
}

func handleMatchingPage(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := staffOnly(w, r); !ok {
			return
		}
		matchingPage(s, w, r, http.StatusOK, map[string]any{"Proposed": r.URL.Query().Get("proposee") != ""})
	})
}

func handleProposePage(s *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s, w, r) {
			return
		}
		_, _, err := s.gate.Propose(r.Context(), matchingRequest(r), r.PathValue("id"), r.PostFormValue("personne"), r.PostFormValue("consentement") != "")
		if err != nil {
			if code := socle.ErrorCode(err); code == socle.EFORBIDDEN || code == socle.ECONFLICT || code == socle.EINVALID {
				msg := socle.ErrorMessage(err)
				if code == socle.EFORBIDDEN {
					msg = "Cette personne n'a pas donné son accord pour être proposée et vous n'êtes pas son référent : recueillez son accord et cochez la case."
				} else if code == socle.ECONFLICT {
					msg = "Cette personne est déjà proposée sur cette offre."
				}
				matchingPage(s, w, r, errorStatus(err), map[string]any{"Error": msg})
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/offres/"+url.PathEscape(r.PathValue("id"))+"/appariement?proposee=1", http.StatusSeeOther)
	})
}
