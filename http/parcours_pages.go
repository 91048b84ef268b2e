package http

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"socle"
	"socle/commitment"
	"socle/gate"
	"socle/identity"
	"socle/indicators"
	"socle/orientation"
	"socle/space"
)

// parcoursPages registers the French pages of the parcours: for advisers
// (orientation, contract, agenda, rectification requests) and for
// statisticians (indicators), and in the person's space (her parcours, her
// contract and its signature, rectification requests, her data export).
func parcoursPages(s *Server) {
	p := s.parcours
	if p == nil {
		return
	}
	if s.identity != nil {
		s.handle("GET /usagers/{id}/orientation", handleOrientationPage(s, p))
		s.handle("POST /usagers/{id}/orientation", handleOrientationPropose(s, p))
		s.handle("POST /usagers/{id}/orientation/{oid}", handleOrientationConfirm(s, p))
		s.handle("GET /usagers/{id}/contrat", handleContractPage(s, p))
		s.handle("POST /usagers/{id}/contrat", handleContractCreate(s, p))
		s.handle("POST /usagers/{id}/contrat/{cid}/signature", handleContractSign(s, p))
		s.handle("POST /usagers/{id}/contrat/{cid}/lien", handleContractLink(s, p))
		s.handle("POST /usagers/{id}/rendez-vous", handleAppointmentCreate(s, p))
		s.handle("GET /usagers/{id}/rectifications", handleRectificationsPage(s, p))
		s.handle("POST /usagers/{id}/rectifications/{rid}", handleRectificationAnswer(s, p))
		s.handle("GET /rectifications", handleRectificationQueue(s, p))
		s.handle("GET /agenda", handleAgendaPage(s, p))
		s.handle("GET /indicateurs", handleIndicatorsPage(s, p))
	}
	if s.space != nil {
		svc := s.space
		s.handle("GET /usager/parcours", handleSpaceParcours(s, p, svc))
		s.handle("GET /usager/contrats/{id}", handleSpaceContract(s, p, svc))
		s.handle("POST /usager/contrats/{id}/confirmation", handleSpaceReauth(s, p, svc))
		s.handle("POST /usager/contrats/{id}/signature", handleSpaceSign(s, p, svc))
		s.handle("POST /usager/rectifications", handleSpaceRectify(s, p, svc))
		s.handle("GET /usager/export.json", handleSpaceExport(s, p, svc))
	}
}

const (
	purposeOrientation    = "orientation"
	purposeAccompagnement = "accompagnement"
	purposeStatistique    = "statistique"
)

// soft reports whether err is one a form shows above itself (a 4xx);
// others get the error page.
func soft(err error) bool { s := errorStatus(err); return s >= 400 && s < 500 }

var parcoursLabels = map[string]string{
	socle.ParcoursProfessional: "Professionnel", socle.ParcoursSocioProfessional: "Socio-professionnel", socle.ParcoursSocial: "Social",
	socle.ModaliteSuivi: "Suivi", socle.ModaliteGuide: "Guidé", socle.ModaliteRenforce: "Renforcé", socle.ModaliteGlobal: "Global",
}

type option struct {
	Value, Label string
	Selected     bool
}

// choiceOptions are the select options of the confirmation form.
func choiceOptions(o *socle.Orientation, form url.Values) map[string][]option {
	pick := func(name, def string) string {
		if v := form.Get(name); v != "" {
			return v
		}
		return def
	}
	out := map[string][]option{}
	for _, k := range orientation.Operators() {
		out["operator_kind"] = append(out["operator_kind"], option{string(k), k.Label(), string(k) == pick("operator_kind", string(o.ProposedOperatorKind))})
	}
	for _, v := range orientation.ParcoursValues() {
		out["parcours"] = append(out["parcours"], option{v, parcoursLabels[v], v == pick("parcours", o.ProposedParcours)})
	}
	for _, v := range orientation.ModaliteValues() {
		out["modalite"] = append(out["modalite"], option{v, parcoursLabels[v], v == pick("modalite", o.ProposedModalite)})
	}
	return out
}

type orgGroup struct {
	Label   string
	Options []option
}

// operatorOrganisations lists the organisations of every operator kind in
// the département, for the choice of the one that will follow the person.
func (s *Server) operatorOrganisations(r *http.Request, dep, selected string) ([]orgGroup, error) {
	var out []orgGroup
	for _, k := range orientation.Operators() {
		orgs, err := s.dir.Organisations(r.Context(), socle.OrganisationFilter{Kind: k, Departement: dep, Limit: 200})
		if err != nil {
			return nil, err
		}
		g := orgGroup{Label: k.Label()}
		for _, o := range orgs {
			g.Options = append(g.Options, option{o.ID, o.Name, o.ID == selected})
		}
		if len(g.Options) > 0 {
			out = append(out, g)
		}
	}
	return out, nil
}

// orientationPage shows the questionnaire, or the latest proposal with the
// confirmation form, and the orientations already decided.
func orientationPage(s *Server, p *gate.Parcours, w http.ResponseWriter, r *http.Request, status int, d map[string]any) {
	id := r.PathValue("id")
	d["ID"] = id
	os, err := p.Orientations(r.Context(), pageRequest(r, purposeOrientation, ""), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d["Orientations"] = os
	if _, ok := d["Proposal"]; !ok && r.URL.Query().Get("nouveau") == "" {
		if i := slices.IndexFunc(os, func(o *socle.Orientation) bool { return o.Status == socle.OrientationStatusProposed }); i >= 0 {
			d["Proposal"] = os[i]
		}
	}
	if o, ok := d["Proposal"].(*socle.Orientation); ok {
		form, _ := d["Form"].(url.Values)
		d["Choices"] = choiceOptions(o, form)
		orgs, err := s.operatorOrganisations(r, o.Departement, form.Get("organisation_id"))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		d["Organisations"] = orgs
	} else {
		d["Questionnaire"] = p.Questionnaire()
	}
	staffPage(s, w, r, status, "orientation", "Orientation", "usagers", d)
}

func handleOrientationPage(s *Server, p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := staffOnly(w, r); !ok {
			return
		}
		orientationPage(s, p, w, r, http.StatusOK, map[string]any{})
	})
}

func handleOrientationPropose(s *Server, p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s, w, r) {
			return
		}
		answers := orientation.Answers{}
		for _, q := range p.Questionnaire().Questions {
			if vs := r.PostForm[q.ID]; len(vs) > 0 {
				answers[q.ID] = vs
			}
		}
		for _, q := range p.Questionnaire().Questions {
			if q.Required && answers.Get(q.ID) == "" {
				orientationPage(s, p, w, r, http.StatusBadRequest, map[string]any{
					"Error": "Répondez à la question « " + q.Label + " » : elle est obligatoire."})
				return
			}
		}
		o, _, err := p.ProposeOrientation(r.Context(), pageRequest(r, purposeOrientation, ""), r.PathValue("id"), answers)
		if err != nil {
			if soft(err) {
				orientationPage(s, p, w, r, errorStatus(err), map[string]any{"Error": "La proposition n'a pas pu être établie : " + socle.ErrorMessage(err)})
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(o.PersonID)+"/orientation", http.StatusSeeOther)
	})
}

func handleOrientationConfirm(s *Server, p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s, w, r) {
			return
		}
		id, oid := r.PathValue("id"), r.PathValue("oid")
		os, err := p.Orientations(r.Context(), pageRequest(r, purposeOrientation, ""), id)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		i := slices.IndexFunc(os, func(o *socle.Orientation) bool { return o.ID == oid })
		if i < 0 {
			s.renderError(w, r, socle.Errorf(socle.ENOTFOUND, "Cette orientation n'existe pas."))
			return
		}
		o := os[i]
		ch := gate.Choice{OperatorKind: socle.OrgKind(r.PostFormValue("operator_kind")), Parcours: r.PostFormValue("parcours"),
			Modalite: r.PostFormValue("modalite"), OrganisationID: r.PostFormValue("organisation_id"),
			OverrideReason: strings.TrimSpace(r.PostFormValue("override_reason"))}
		fail := func(status int, msg string) {
			orientationPage(s, p, w, r, status, map[string]any{"Error": msg, "Proposal": o, "Form": r.PostForm, "Reason": ch.OverrideReason})
		}
		// Checked early for a kinder message, with the rule's constant.
		if orientation.Overrides(o, ch.OperatorKind, ch.Parcours, ch.Modalite) && utf8.RuneCountInString(ch.OverrideReason) < orientation.MinOverrideReason {
			fail(http.StatusBadRequest, "Vous vous écartez de la proposition : indiquez-en le motif (au moins 10 caractères). Il est conservé avec la décision.")
			return
		}
		if ch.OrganisationID == "" {
			fail(http.StatusBadRequest, "Choisissez la structure qui accompagnera la personne.")
			return
		}
		org, err := s.dir.Organisation(r.Context(), ch.OrganisationID)
		if err != nil || org.Kind != ch.OperatorKind {
			fail(http.StatusBadRequest, "La structure choisie n'est pas un opérateur du type retenu ("+ch.OperatorKind.Label()+").")
			return
		}
		if _, err := p.ConfirmOrientation(r.Context(), pageRequest(r, purposeOrientation, ""), oid, ch); err != nil {
			if soft(err) {
				fail(errorStatus(err), "L'orientation n'a pas pu être confirmée : "+socle.ErrorMessage(err))
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(id)+"/contrat", http.StatusSeeOther)
	})
}

// contractRow is a contract as the pages list it.
type contractRow struct {
	*socle.Commitment
	Article      template.HTML
	Verification []string
	Verified     bool
	Adviser      bool // signed by the adviser
	Person       bool // signed by the person
}

func contractRowOf(p *gate.Parcours, c *socle.Commitment) (contractRow, error) {
	v, err := viewCommitment(p, c)
	if err != nil {
		return contractRow{}, err
	}
	art, err := commitment.HTML(commitment.View{Document: v.Document, Hash: c.DocumentHash, Status: c.Status, Signatures: c.Signatures, PublicKey: p.PublicKey()})
	if err != nil {
		return contractRow{}, err
	}
	return contractRow{Commitment: c, Article: art, Verification: v.Verification, Verified: v.Verified,
		Adviser: c.SignedBy(socle.SignerAdviser) != nil, Person: c.SignedBy(socle.SignerPerson) != nil}, nil
}

type eventRow struct {
	Kind, Title, When, Location string
	Network                     bool
}

var eventKindLabels = map[string]string{socle.EventAppointment: "Rendez-vous", socle.EventTraining: "Formation", socle.EventImmersion: "Immersion", socle.EventNote: "Note"}

func eventRows(evs []*socle.Event) []eventRow {
	out := make([]eventRow, 0, len(evs))
	for _, e := range evs {
		out = append(out, eventRow{Kind: eventKindLabels[e.Kind], Title: e.Title, When: frenchTime(e.Start), Location: e.Location, Network: e.NetworkVisible})
	}
	return out
}

func contractPage(s *Server, p *gate.Parcours, w http.ResponseWriter, r *http.Request, status int, d map[string]any) {
	id := r.PathValue("id")
	req := pageRequest(r, purposeAccompagnement, "")
	d["ID"] = id
	cs, err := p.Commitments(r.Context(), req, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var rows []contractRow
	for _, c := range cs {
		row, err := contractRowOf(p, c)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		rows = append(rows, row)
	}
	d["Contracts"] = rows
	evs, err := p.Events(r.Context(), req, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d["Events"] = eventRows(evs)
	if _, ok := d["Actions"]; !ok && len(cs) > 0 {
		d["Actions"] = strings.Join(cs[0].Actions, "\n")
	}
	staffPage(s, w, r, status, "contrat", "Contrat d'engagement", "usagers", d)
}

func handleContractPage(s *Server, p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := staffOnly(w, r); !ok {
			return
		}
		contractPage(s, p, w, r, http.StatusOK, map[string]any{})
	})
}

func handleContractCreate(s *Server, p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s, w, r) {
			return
		}
		text := r.PostFormValue("actions")
		var actions []string
		for _, l := range strings.Split(text, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				actions = append(actions, l)
			}
		}
		if len(actions) == 0 {
			contractPage(s, p, w, r, http.StatusBadRequest, map[string]any{"Error": "Indiquez au moins une action convenue avec la personne (une par ligne).", "Actions": text})
			return
		}
		_, err := p.CreateCommitment(r.Context(), pageRequest(r, purposeAccompagnement, ""), r.PathValue("id"), actions)
		if err != nil {
			if soft(err) {
				msg := socle.ErrorMessage(err)
				if socle.ErrorCode(err) == socle.ECONFLICT {
					msg = "Confirmez d'abord l'orientation de la personne : le contrat en découle."
				}
				contractPage(s, p, w, r, errorStatus(err), map[string]any{"Error": msg, "Actions": text})
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(r.PathValue("id"))+"/contrat", http.StatusSeeOther)
	})
}

func handleContractSign(s *Server, p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s, w, r) {
			return
		}
		if _, err := p.SignAsAdviser(r.Context(), pageRequest(r, purposeAccompagnement, ""), r.PathValue("cid")); err != nil {
			if soft(err) {
				msg := socle.ErrorMessage(err)
				if socle.ErrorCode(err) == socle.ECONFLICT {
					msg = "Ce contrat porte déjà votre signature."
				}
				contractPage(s, p, w, r, errorStatus(err), map[string]any{"Error": msg})
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(r.PathValue("id"))+"/contrat", http.StatusSeeOther)
	})
}

// handleContractLink shows where the person signs: in her space, after a
// fresh authentication by a link mailed to the address of her file.
func handleContractLink(s *Server, p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s, w, r) {
			return
		}
		c, err := p.Commitment(r.Context(), pageRequest(r, purposeAccompagnement, ""), r.PathValue("cid"))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		d := map[string]any{}
		if c.SignedBy(socle.SignerPerson) != nil || c.Status != socle.CommitmentToSign {
			d["Error"] = "La personne ne peut plus signer ce contrat."
		} else {
			d["SignLink"] = requestOrigin(r) + "/usager/contrats/" + url.PathEscape(c.ID)
		}
		contractPage(s, p, w, r, http.StatusOK, d)
	})
}

// requestOrigin is the scheme and host the page was asked on.
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func handleAppointmentCreate(s *Server, p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s, w, r) {
			return
		}
		start, err := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("debut"), paris)
		minutes, _ := strconv.Atoi(r.PostFormValue("duree"))
		if err != nil || minutes < 5 || minutes > 480 {
			contractPage(s, p, w, r, http.StatusBadRequest, map[string]any{"Error": "Indiquez la date, l'heure et une durée de 5 à 480 minutes du rendez-vous."})
			return
		}
		e := &socle.Event{PersonID: r.PathValue("id"), Kind: socle.EventAppointment, Title: strings.TrimSpace(r.PostFormValue("titre")),
			Location: strings.TrimSpace(r.PostFormValue("lieu")), Start: start, End: start.Add(time.Duration(minutes) * time.Minute)}
		if e.Title == "" {
			e.Title = "Rendez-vous"
		}
		if err := p.CreateEvent(r.Context(), pageRequest(r, purposeAccompagnement, ""), e); err != nil {
			if soft(err) {
				contractPage(s, p, w, r, errorStatus(err), map[string]any{"Error": "Le rendez-vous n'a pas pu être enregistré : " + socle.ErrorMessage(err)})
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(e.PersonID)+"/contrat", http.StatusSeeOther)
	})
}

type rectificationRow struct {
	*socle.RectificationRequest
	Section, Status, Created, Answered string
	Open                               bool
}

var rectificationStatus = map[string]string{socle.RectificationOpen: "En attente", socle.RectificationAccepted: "Acceptée", socle.RectificationRefused: "Refusée"}

func rectificationRows(rs []*socle.RectificationRequest) []rectificationRow {
	out := make([]rectificationRow, 0, len(rs))
	for _, x := range rs {
		out = append(out, rectificationRow{RectificationRequest: x, Section: socle.Category(x.Field).Label(), Status: rectificationStatus[x.Status],
			Created: frenchTime(x.CreatedAt), Answered: frenchTime(x.AnsweredAt), Open: x.Status == socle.RectificationOpen})
	}
	return out
}

func rectificationsPage(s *Server, p *gate.Parcours, w http.ResponseWriter, r *http.Request, status int, d map[string]any) {
	id := r.PathValue("id")
	rs, err := p.Rectifications(r.Context(), pageRequest(r, purposeAccompagnement, ""), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d["ID"], d["Requests"] = id, rectificationRows(rs)
	staffPage(s, w, r, status, "rectifications", "Demandes de rectification", "usagers", d)
}

func handleRectificationsPage(s *Server, p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := staffOnly(w, r); !ok {
			return
		}
		rectificationsPage(s, p, w, r, http.StatusOK, map[string]any{})
	})
}

func handleRectificationAnswer(s *Server, p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s, w, r) {
			return
		}
		decision := r.PostFormValue("decision")
		if decision != "accepter" && decision != "refuser" {
			rectificationsPage(s, p, w, r, http.StatusBadRequest, map[string]any{"Error": "Choisissez d'accepter ou de refuser la demande."})
			return
		}
		_, err := p.AnswerRectification(r.Context(), pageRequest(r, purposeAccompagnement, ""), r.PathValue("id"), r.PathValue("rid"),
			decision == "accepter", r.PostFormValue("motif"))
		if err != nil {
			if soft(err) {
				rectificationsPage(s, p, w, r, errorStatus(err), map[string]any{"Error": socle.ErrorMessage(err)})
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(r.PathValue("id"))+"/rectifications", http.StatusSeeOther)
	})
}

type agendaDay struct {
	Label  string
	Events []agendaEvent
}

type agendaEvent struct {
	Time, Title, Kind, Location, PersonID string
}

func handleAgendaPage(s *Server, p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := staffOnly(w, r); !ok {
			return
		}
		now := time.Now().In(paris)
		day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, paris)
		if v := r.URL.Query().Get("du"); v != "" {
			d, err := time.ParseInLocation("2006-01-02", v, paris)
			if err != nil {
				s.renderError(w, r, socle.Errorf(socle.EINVALID, "La date doit être au format AAAA-MM-JJ."))
				return
			}
			day = d
		}
		// The week starts on Monday.
		monday := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
		evs, err := p.Agenda(r.Context(), pageRequest(r, purposeAccompagnement, ""), monday, monday.AddDate(0, 0, 7))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		names := []string{"Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"}
		days := make([]agendaDay, 7)
		for i := range days {
			days[i].Label = names[i] + " " + monday.AddDate(0, 0, i).Format("02/01")
		}
		for _, e := range evs {
			i := int(e.Start.In(paris).Sub(monday).Hours() / 24)
			if i < 0 || i > 6 {
				continue
			}
			days[i].Events = append(days[i].Events, agendaEvent{Time: e.Start.In(paris).Format("15:04") + "–" + e.End.In(paris).Format("15:04"),
				Title: e.Title, Kind: eventKindLabels[e.Kind], Location: e.Location, PersonID: e.PersonID})
		}
		d := map[string]any{"Days": days, "Count": len(evs), "Week": monday.Format("02/01/2006"),
			"Prev": monday.AddDate(0, 0, -7).Format("2006-01-02"), "Next": monday.AddDate(0, 0, 7).Format("2006-01-02"),
			"ICS": "/api/v1/agenda?purpose=accompagnement&format=ics&from=" + monday.Format("2006-01-02")}
		s.render(w, r, http.StatusOK, "agenda", view{Title: "Mon agenda", Nav: "agenda", Data: d})
	})
}

func handleIndicatorsPage(s *Server, p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := staffOnly(w, r); !ok {
			return
		}
		g, err := indicators.ParseGrouping(r.URL.Query().Get("groupe"))
		if err != nil {
			s.renderError(w, r, socle.Errorf(socle.EINVALID, "Regroupement inconnu : departement, mois ou departement_mois."))
			return
		}
		rep, err := p.Indicators(r.Context(), pageRequest(r, purposeStatistique, ""), g)
		if err != nil {
			if socle.ErrorCode(err) == socle.EFORBIDDEN {
				err = socle.Errorf(socle.EFORBIDDEN, "Les indicateurs sont réservés aux statisticiens et aux administrateurs.")
			}
			s.renderError(w, r, err)
			return
		}
		type chart struct {
			Table indicators.Table
			SVG   template.HTML
		}
		var charts []chart
		for _, t := range rep.Tables {
			charts = append(charts, chart{t, t.Chart()})
		}
		type shareRow struct{ Key, Contracts, Signed, Unsigned, Share string }
		var shares []shareRow
		for _, x := range rep.SignedContracts {
			sh := "secret"
			if x.Share != nil {
				sh = strconv.FormatFloat(*x.Share*100, 'f', 0, 64) + " %"
			}
			shares = append(shares, shareRow{x.Key, x.Contracts.String(), x.Signed.String(), x.Unsigned.String(), sh})
		}
		api := "/api/v1/indicators?purpose=statistique&group=" + url.QueryEscape(string(g))
		groupings := []option{{string(indicators.ByDepartementMonth), "Département et mois", g == indicators.ByDepartementMonth},
			{string(indicators.ByDepartement), "Département", g == indicators.ByDepartement}, {string(indicators.ByMonth), "Mois", g == indicators.ByMonth}}
		s.render(w, r, http.StatusOK, "indicateurs", view{Title: "Indicateurs", Nav: "indicateurs", Data: map[string]any{
			"Report": rep, "Charts": charts, "Shares": shares, "Max": indicators.Threshold - 1, "CSV": api + "&format=csv", "JSON": api, "Groupings": groupings,
			"Generated": frenchTime(rep.Generated),
		}})
	})
}

// provenanceLines says, for each section title of the person's file, which
// organisation supplied it and when.
func provenanceLines(r *http.Request, s *Server, req gate.Request) map[string]string {
	out := map[string]string{}
	ps, err := s.gate.MyProvenance(r.Context(), req)
	if err != nil {
		loggerFrom(r.Context()).Error("reading provenance", "err", err, "request_id", RequestID(r.Context()))
		return out
	}
	titles := map[socle.Category]string{socle.CatIdentity: "Identité", socle.CatContact: "Coordonnées", socle.CatParcours: "Situation et parcours",
		socle.CatSkills: "Compétences et projet", socle.CatHealth: "Santé et handicap", socle.CatJustice: "Justice", socle.CatBank: "Coordonnées bancaires"}
	for _, p := range ps {
		who := "un système partenaire"
		if p.OrganisationID != "" {
			who = "la structure " + p.OrganisationID
			if o, err := s.dir.Organisation(r.Context(), p.OrganisationID); err == nil {
				who = o.Name
			}
		}
		out[titles[p.Category]] = "Fournies par " + who + " le " + p.At.In(paris).Format("02/01/2006") + "."
	}
	return out
}

// spaceContracts names the organisation of each contract for the person.
func handleSpaceParcours(s *Server, p *gate.Parcours, svc *space.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := spaceRequest(s, svc, w, r)
		if !ok {
			return
		}
		m, err := p.MyParcours(r.Context(), req)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		type contractLine struct {
			ID, Status, Created string
			Version             int
			Person, Adviser     bool
		}
		var cs []contractLine
		for _, c := range m.Commitments {
			st := map[string]string{socle.CommitmentToSign: "À signer", socle.CommitmentSigned: "Signé", socle.CommitmentSuperseded: "Remplacé par un avenant"}[c.Status]
			cs = append(cs, contractLine{ID: c.ID, Status: st, Created: frenchTime(c.CreatedAt), Version: c.Version,
				Person: c.SignedBy(socle.SignerPerson) != nil, Adviser: c.SignedBy(socle.SignerAdviser) != nil})
		}
		var evs []*socle.Event
		for _, e := range m.Events {
			if e.Kind != socle.EventNote {
				evs = append(evs, e)
			}
		}
		var sections []option
		for _, c := range socle.Categories {
			sections = append(sections, option{Value: string(c), Label: c.Label()})
		}
		d := map[string]any{"Contracts": cs, "Events": eventRows(evs), "Requests": rectificationRows(m.Rectifications), "Sections": sections}
		if r.URL.Query().Get("demande") == "envoyee" {
			d["Notice"] = "Votre demande de rectification a été transmise aux structures qui vous accompagnent."
		}
		spacePage(s, svc, w, r, http.StatusOK, "usager-parcours", "Mon parcours", d)
	})
}

// spaceContract shows a contract to the person, with the signature form
// when her last authentication is recent enough, else the form that mails
// her a confirmation link.
func spaceContract(s *Server, p *gate.Parcours, svc *space.Service, w http.ResponseWriter, r *http.Request, req gate.Request, status int, d map[string]any) {
	c, err := p.Commitment(r.Context(), req, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	row, err := contractRowOf(p, c)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	at, err := svc.AuthenticatedAt(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d["Contract"] = row
	d["CanSign"] = !row.Person && c.Status == socle.CommitmentToSign
	if fresh := time.Since(at) < gate.ReauthWindow; fresh {
		d["Fresh"] = true
		d["Until"] = at.Add(gate.ReauthWindow).In(paris).Format("15:04")
	}
	spacePage(s, svc, w, r, status, "usager-contrat", "Mon contrat d'engagement", d)
}

func handleSpaceContract(s *Server, p *gate.Parcours, svc *space.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := spaceRequest(s, svc, w, r)
		if !ok {
			return
		}
		spaceContract(s, p, svc, w, r, req, http.StatusOK, map[string]any{})
	})
}

func handleSpaceReauth(s *Server, p *gate.Parcours, svc *space.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := svc.VerifyCSRF(r); err != nil {
			s.renderError(w, r, err)
			return
		}
		req, ok := spaceRequest(s, svc, w, r)
		if !ok {
			return
		}
		person, _, err := s.gate.MyFile(r.Context(), req)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		email := ""
		if person.Contact != nil {
			email = person.Contact.Email
		}
		d := map[string]any{}
		if err := svc.Reauthenticate(r.Context(), req.Actor.PersonID, email, "/usager/contrats/"+r.PathValue("id"), identity.ClientOf(r)); err != nil {
			if !soft(err) {
				s.renderError(w, r, err)
				return
			}
			d["Error"] = socle.ErrorMessage(err)
		} else {
			d["Notice"] = "Un lien de confirmation vient de vous être envoyé par courriel. Ouvrez-le, puis signez dans les 5 minutes."
		}
		spaceContract(s, p, svc, w, r, req, http.StatusOK, d)
	})
}

func handleSpaceSign(s *Server, p *gate.Parcours, svc *space.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := svc.VerifyCSRF(r); err != nil {
			s.renderError(w, r, err)
			return
		}
		req, ok := spaceRequest(s, svc, w, r)
		if !ok {
			return
		}
		at, err := svc.AuthenticatedAt(r)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		if r.PostFormValue("accord") != "oui" {
			spaceContract(s, p, svc, w, r, req, http.StatusBadRequest, map[string]any{"Error": "Cochez la case indiquant que vous avez lu le contrat et l'acceptez."})
			return
		}
		if _, err := p.SignAsPerson(r.Context(), req, r.PathValue("id"), at); err != nil {
			if !soft(err) {
				s.renderError(w, r, err)
				return
			}
			msg := socle.ErrorMessage(err)
			switch socle.ErrorCode(err) {
			case socle.EUNAUTHENTICATED:
				msg = "Votre connexion date de plus de 5 minutes : confirmez votre identité avec un nouveau lien, puis signez."
			case socle.ECONFLICT:
				msg = "Vous avez déjà signé ce contrat."
			}
			spaceContract(s, p, svc, w, r, req, errorStatus(err), map[string]any{"Error": msg})
			return
		}
		spaceContract(s, p, svc, w, r, req, http.StatusOK, map[string]any{"Notice": "Vous avez signé votre contrat d'engagement."})
	})
}

func handleSpaceRectify(s *Server, p *gate.Parcours, svc *space.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := svc.VerifyCSRF(r); err != nil {
			s.renderError(w, r, err)
			return
		}
		req, ok := spaceRequest(s, svc, w, r)
		if !ok {
			return
		}
		_, err := p.RequestRectification(r.Context(), req, socle.Category(r.PostFormValue("rubrique")), r.PostFormValue("correction"))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/usager/parcours?demande=envoyee", http.StatusSeeOther)
	})
}

func handleSpaceExport(s *Server, p *gate.Parcours, svc *space.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, ok := spaceRequest(s, svc, w, r)
		if !ok {
			return
		}
		e, err := p.MyExport(r.Context(), req)
		if err != nil {
			writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Disposition", `attachment; filename="mes-donnees.json"`)
		w.Header().Set("Cache-Control", "no-store")
		encode(w, http.StatusOK, e)
	})
}
