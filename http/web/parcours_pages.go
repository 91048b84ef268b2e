package web

import (
	"context"
	"fmt"
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
	"socle/http/httpx"
	"socle/identity"
	"socle/indicators"
	"socle/orientation"
	"socle/space"
)

const (
	purposeOrientation    = "orientation"
	purposeAccompagnement = "accompagnement"
	purposeStatistique    = "statistique"
)

// soft reports whether err is one a form shows above itself (a 4xx);
// others get the error page.
func soft(err error) bool { s := httpx.ErrorStatus(err); return s >= 400 && s < 500 }

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
func (s *parcoursPages) operatorOrganisations(r *http.Request, dep, selected string) ([]orgGroup, error) {
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
func orientationPage(s *parcoursPages, p *gate.Parcours, w http.ResponseWriter, r *http.Request, status int, d *orientationView) {
	id := r.PathValue("id")
	d.ID = id
	os, err := p.Orientations(r.Context(), pageRequest(r, purposeOrientation, ""), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, o := range os {
		d.Orientations = append(d.Orientations, orientationRow{Orientation: o, StatusLabel: labelOf(orientationStatusLabels, o.Status),
			ParcoursLabel: labelOf(parcoursLabels, o.Parcours), ModaliteLabel: labelOf(parcoursLabels, o.Modalite)})
	}
	if d.Proposal == nil && r.URL.Query().Get("nouveau") == "" {
		if i := slices.IndexFunc(os, func(o *socle.Orientation) bool { return o.Status == socle.OrientationStatusProposed }); i >= 0 {
			d.Proposal = os[i]
		}
	}
	if o := d.Proposal; o != nil {
		form := d.posted
		d.Choices = choiceOptions(o, form)
		orgs, err := s.operatorOrganisations(r, o.Departement, form.Get("organisation_id"))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		d.Organisations = orgs
	} else {
		q, _ := orientation.InForce()
		d.Questionnaire = &q
		d.Questions = questionViews(q, d.answers, d.Errors)
	}
	staffPage(s.renderer, w, r, status, "orientation", "Orientation", "usagers", d)
}

func handleOrientationPage(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		orientationPage(s, p, w, r, http.StatusOK, &orientationView{})
	})
}

func handleOrientationPropose(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		questionnaire, _ := orientation.InForce()
		answers := orientation.Answers{}
		for _, q := range questionnaire.Questions {
			if vs := r.PostForm[q.ID]; len(vs) > 0 {
				answers[q.ID] = vs
			}
		}
		// Every missing answer is named next to its question; the answers
		// given come back checked.
		errs := map[string]string{}
		for _, q := range questionnaire.Questions {
			if q.Required && answers.Get(q.ID) == "" {
				errs[q.ID] = msgAnswerRequired
			}
		}
		if len(errs) > 0 {
			orientationPage(s, p, w, r, http.StatusBadRequest, &orientationView{
				Error: fmt.Sprintf(msgAnswersMissing, len(errs)), Errors: errs, answers: answers})
			return
		}
		o, _, err := orientation.Propose(r.Context(), p, pageRequest(r, purposeOrientation, ""), r.PathValue("id"), answers)
		if err != nil {
			if soft(err) {
				orientationPage(s, p, w, r, httpx.ErrorStatus(err), &orientationView{Error: msgProposalFailedPrefix + message(err), answers: answers})
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(o.PersonID)+"/orientation", http.StatusSeeOther)
	})
}

func handleOrientationConfirm(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		id, oid := r.PathValue("id"), r.PathValue("oid")
		os, err := p.Orientations(r.Context(), pageRequest(r, purposeOrientation, ""), id)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		i := slices.IndexFunc(os, func(o *socle.Orientation) bool { return o.ID == oid })
		if i < 0 {
			s.renderError(w, r, userErrorf(socle.ENOTFOUND, msgNoOrientation))
			return
		}
		o := os[i]
		ch := gate.Choice{OperatorKind: socle.OrgKind(r.PostFormValue("operator_kind")), Parcours: r.PostFormValue("parcours"),
			Modalite: r.PostFormValue("modalite"), OrganisationID: r.PostFormValue("organisation_id"),
			OverrideReason: strings.TrimSpace(r.PostFormValue("override_reason"))}
		fail := func(status int, msg string) {
			orientationPage(s, p, w, r, status, &orientationView{Error: msg, Proposal: o, posted: r.PostForm, Reason: ch.OverrideReason})
		}
		// Checked early for a kinder message, with the rule's constant.
		if orientation.Overrides(o, ch.OperatorKind, ch.Parcours, ch.Modalite) && utf8.RuneCountInString(ch.OverrideReason) < orientation.MinOverrideReason {
			fail(http.StatusBadRequest, msgOverrideReasonRequired)
			return
		}
		if ch.OrganisationID == "" {
			fail(http.StatusBadRequest, msgOrganisationRequired)
			return
		}
		org, err := s.dir.Organisation(r.Context(), ch.OrganisationID)
		if err != nil || org.Kind != ch.OperatorKind {
			fail(http.StatusBadRequest, msgWrongOperatorPrefix+ch.OperatorKind.Label()+").")
			return
		}
		if _, err := orientation.Confirm(r.Context(), p, pageRequest(r, purposeOrientation, ""), oid, ch); err != nil {
			if soft(err) {
				fail(httpx.ErrorStatus(err), msgConfirmationFailedPrefix+message(err))
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

func contractRowOf(ctx context.Context, p *gate.Parcours, c *socle.Commitment) (contractRow, error) {
	doc, err := commitment.Parse(c.Document)
	if err != nil {
		return contractRow{}, err
	}
	advisers, err := signerNames(ctx, p, c)
	if err != nil {
		return contractRow{}, err
	}
	lines, verr := commitment.Check(p.PublicKey(), c, advisers)
	if verr != nil {
		// The gate's reason is English, for the API: the page says it in French.
		lines = append(lines, msgVerificationFailed)
	}
	art, err := commitment.HTML(commitment.View{Document: doc, Hash: c.DocumentHash, Status: c.Status, Signatures: c.Signatures, PublicKey: p.PublicKey(), Advisers: advisers})
	if err != nil {
		return contractRow{}, err
	}
	return contractRow{Commitment: c, Article: art, Verification: lines, Verified: verr == nil,
		Adviser: c.SignedBy(socle.SignerAdviser) != nil, Person: c.SignedBy(socle.SignerPerson) != nil}, nil
}

type eventRow struct {
	Kind, Title, When, Location string
	Network                     bool
}

func eventRows(evs []*socle.Event) []eventRow {
	out := make([]eventRow, 0, len(evs))
	for _, e := range evs {
		out = append(out, eventRow{Kind: eventKindLabels[e.Kind], Title: e.Title, When: frenchTime(e.Start), Location: e.Location, Network: e.NetworkVisible})
	}
	return out
}

func contractPage(s *parcoursPages, p *gate.Parcours, w http.ResponseWriter, r *http.Request, status int, d *contractView) {
	id := r.PathValue("id")
	req := pageRequest(r, purposeAccompagnement, "")
	d.ID = id
	cs, err := p.Commitments(r.Context(), req, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var rows []contractRow
	for _, c := range cs {
		row, err := contractRowOf(r.Context(), p, c)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		rows = append(rows, row)
	}
	d.Contracts = rows
	evs, err := p.Events(r.Context(), req, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.Events = eventRows(evs)
	if !d.actionsSent && len(cs) > 0 {
		d.Actions = strings.Join(cs[0].Actions, "\n")
	}
	d.Fields = appointmentInputs(d.appointmentSent, d.Errors)
	d.Modalites = modaliteOptions(orDefault(d.appointmentSent.Get("modalite"), socle.ModaliteOnSite))
	staffPage(s.renderer, w, r, status, "contrat", "Contrat d'engagement", "usagers", d)
}

func handleContractPage(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		contractPage(s, p, w, r, http.StatusOK, &contractView{})
	})
}

func handleContractCreate(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		text := r.PostFormValue("actions")
		var actions []string
		for _, l := range strings.Split(text, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				actions = append(actions, l)
			}
		}
		if len(actions) == 0 {
			contractPage(s, p, w, r, http.StatusBadRequest, &contractView{Errors: map[string]string{"actions": msgActionsRequired}, Actions: text, actionsSent: true})
			return
		}
		_, err := commitment.Draw(r.Context(), p, pageRequest(r, purposeAccompagnement, ""), r.PathValue("id"), actions)
		if err != nil {
			if soft(err) {
				msg := message(err)
				if socle.ErrorCode(err) == socle.ECONFLICT {
					msg = msgOrientationFirst
				}
				d := &contractView{Error: msg, Actions: text, actionsSent: true}
				if socle.ErrorCode(err) == socle.EINVALID {
					// The actions are at fault: the error stands beside them.
					d.Error, d.Errors = "", map[string]string{"actions": msg}
				}
				contractPage(s, p, w, r, httpx.ErrorStatus(err), d)
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(r.PathValue("id"))+"/contrat", http.StatusSeeOther)
	})
}

func handleContractSign(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		if _, err := p.SignAsAdviser(r.Context(), pageRequest(r, purposeAccompagnement, ""), r.PathValue("cid")); err != nil {
			if soft(err) {
				msg := message(err)
				if socle.ErrorCode(err) == socle.ECONFLICT {
					msg = msgAlreadySignedByAdviser
				}
				contractPage(s, p, w, r, httpx.ErrorStatus(err), &contractView{Error: msg})
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
func handleContractLink(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		c, err := p.Commitment(r.Context(), pageRequest(r, purposeAccompagnement, ""), r.PathValue("cid"))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		d := &contractView{}
		if c.SignedBy(socle.SignerPerson) != nil || c.Status != socle.CommitmentToSign {
			d.Error = msgPersonCannotSign
		} else {
			d.SignLink = requestOrigin(r) + "/usager/contrats/" + url.PathEscape(c.ID)
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

func handleAppointmentCreate(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		start, err := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("debut"), paris)
		minutes, _ := strconv.Atoi(r.PostFormValue("duree"))
		if errs := appointmentFormErrors(err, minutes); len(errs) > 0 {
			contractPage(s, p, w, r, http.StatusBadRequest, &contractView{Errors: errs, appointmentSent: r.PostForm})
			return
		}
		e := &socle.Event{PersonID: r.PathValue("id"), Kind: socle.EventAppointment, Title: strings.TrimSpace(r.PostFormValue("titre")),
			Location: strings.TrimSpace(r.PostFormValue("lieu")), Start: start, End: start.Add(time.Duration(minutes) * time.Minute)}
		if e.Title == "" {
			e.Title = "Rendez-vous"
		}
		// An appointment with its modalité: the person gets the invitation.
		a := &socle.Appointment{Event: *e, Modalite: r.PostFormValue("modalite")}
		if a.Modalite == "" {
			a.Modalite = socle.ModaliteOnSite
		}
		if err := p.ScheduleAppointment(r.Context(), pageRequest(r, purposeAccompagnement, ""), a); err != nil {
			if soft(err) {
				contractPage(s, p, w, r, httpx.ErrorStatus(err), &contractView{Error: msgAppointmentFailedPrefix + message(err), appointmentSent: r.PostForm})
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
	// Slug is the address of the section's form (file_edit.go).
	Slug string
}

func rectificationRows(rs []*socle.RectificationRequest) []rectificationRow {
	out := make([]rectificationRow, 0, len(rs))
	for _, x := range rs {
		out = append(out, rectificationRow{RectificationRequest: x, Section: socle.Category(x.Field).Label(), Status: rectificationStatus[x.Status],
			Created: frenchTime(x.CreatedAt), Answered: frenchTime(x.AnsweredAt), Open: x.Status == socle.RectificationOpen, Slug: slugOf(socle.Category(x.Field))})
	}
	return out
}

func rectificationsPage(s *parcoursPages, p *gate.Parcours, w http.ResponseWriter, r *http.Request, status int, d *rectificationsView) {
	id := r.PathValue("id")
	rs, err := p.Rectifications(r.Context(), pageRequest(r, purposeAccompagnement, ""), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.ID, d.Requests = id, rectificationRows(rs)
	staffPage(s.renderer, w, r, status, "rectifications", "Demandes de rectification", "usagers", d)
}

func handleRectificationsPage(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		rectificationsPage(s, p, w, r, http.StatusOK, &rectificationsView{})
	})
}

func handleRectificationAnswer(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		decision := r.PostFormValue("decision")
		if v := rectificationAnswerErrors(r.PathValue("rid"), decision, r.PostFormValue("motif")); v != nil {
			rectificationsPage(s, p, w, r, http.StatusBadRequest, v)
			return
		}
		_, err := p.AnswerRectification(r.Context(), pageRequest(r, purposeAccompagnement, ""), r.PathValue("id"), r.PathValue("rid"),
			decision == "accepter", r.PostFormValue("motif"))
		if err != nil {
			if soft(err) {
				rectificationsPage(s, p, w, r, httpx.ErrorStatus(err), &rectificationsView{Error: message(err)})
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
	PersonName                            string // "" when the policy does not grant it
	Cancelled                             bool
}

func handleAgendaPage(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().In(paris)
		day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, paris)
		if v := r.URL.Query().Get("du"); v != "" {
			d, err := time.ParseInLocation("2006-01-02", v, paris)
			if err != nil {
				s.renderError(w, r, userErrorf(socle.EINVALID, msgDateFormat))
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
		// The persons' names of the appointments, when the policy grants them.
		entries, err := p.NextAppointments(r.Context(), pageRequest(r, purposeAccompagnement, ""), monday, monday.AddDate(0, 0, 7))
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		who, cancelled := map[string]string{}, map[string]bool{}
		for _, e := range entries {
			who[e.Appointment.ID], cancelled[e.Appointment.ID] = e.PersonName, e.Appointment.Status == socle.AppointmentCancelled
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
			days[i].Events = append(days[i].Events, agendaEvent{Time: frenchClock(e.Start) + "–" + frenchClock(e.End),
				Title: e.Title, Kind: eventKindLabels[e.Kind], Location: e.Location, PersonID: e.PersonID, PersonName: who[e.ID], Cancelled: cancelled[e.ID]})
		}
		d := agendaView{Days: days, Count: len(evs), Week: monday.Format("02/01/2006"),
			Prev: monday.AddDate(0, 0, -7).Format("2006-01-02"), Next: monday.AddDate(0, 0, 7).Format("2006-01-02"),
			ICS: "/api/v1/agenda?purpose=accompagnement&format=ics&from=" + monday.Format("2006-01-02")}
		s.render(w, r, http.StatusOK, "agenda", view{Title: "Mon agenda", Nav: "agenda", Data: d})
	})
}

func handleIndicatorsPage(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		g, err := indicators.ParseGrouping(r.URL.Query().Get("groupe"))
		if err != nil {
			s.renderError(w, r, userErrorf(socle.EINVALID, msgUnknownGrouping))
			return
		}
		rep, err := indicators.Steering(r.Context(), p, pageRequest(r, purposeStatistique, ""), g)
		if err != nil {
			if socle.ErrorCode(err) == socle.EFORBIDDEN {
				err = userErrorf(socle.EFORBIDDEN, msgIndicatorsForbidden)
			}
			s.renderError(w, r, err)
			return
		}
		deps, err := s.dir.Departements(r.Context())
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, "indicateurs", view{Title: "Indicateurs", Nav: "indicateurs", Data: newIndicatorsView(rep, g, deps)})
	})
}

// newIndicatorsView lays out a report for the page: every figure as text
// (a suppressed one as "< 5" or "secret"), decimals with a comma.
//
// Rows are named by their group: "Rhône (69)", "mars 2026".
func newIndicatorsView(rep indicators.Report, g indicators.Grouping, deps []socle.Departement) indicatorsView {
	names := make(map[string]string, len(deps))
	for _, d := range deps {
		names[d.Code] = d.Name + " (" + d.Code + ")"
	}
	group := func(key string) string { return groupLabel(key, names) }
	tables := make([]indicators.Table, len(rep.Tables))
	for i, t := range rep.Tables {
		t.Rows = slices.Clone(t.Rows)
		for j := range t.Rows {
			t.Rows[j].Key = group(t.Rows[j].Key)
		}
		tables[i] = t
	}
	rep.Tables = tables
	var charts []chart
	for _, t := range rep.Tables {
		charts = append(charts, chart{t, t.Chart()})
	}
	var shares []shareRow
	for _, x := range rep.SignedContracts {
		sh := labelSecret
		if x.Share != nil {
			sh = strconv.FormatFloat(*x.Share*100, 'f', 0, 64) + " %"
		}
		shares = append(shares, shareRow{group(x.Key), x.Contracts.String(), x.Signed.String(), x.Unsigned.String(), sh})
	}
	var delays []delayRow
	for _, d := range rep.FirstAppointment {
		median := labelSecret
		if d.MedianDays != nil {
			median = strings.Replace(strconv.FormatFloat(*d.MedianDays, 'f', 1, 64), ".", ",", 1)
		}
		delays = append(delays, delayRow{group(d.Key), d.Persons.String(), median})
	}
	api := "/api/v1/indicators?purpose=statistique&group=" + url.QueryEscape(string(g))
	groupings := []option{{string(indicators.ByDepartementMonth), "Département et mois", g == indicators.ByDepartementMonth},
		{string(indicators.ByDepartement), "Département", g == indicators.ByDepartement}, {string(indicators.ByMonth), "Mois", g == indicators.ByMonth}}
	return indicatorsView{
		Report: rep, Charts: charts, Shares: shares, Delays: delays, Max: indicators.Threshold - 1, CSV: api + "&format=csv", JSON: api, Groupings: groupings,
		Generated: frenchTime(rep.Generated),
	}
}

// groupLabel names a group of the indicators: a département by its name,
// a month ("2026-03") in French, both for "69 2026-03", "Ensemble" for the
// total; a key it cannot read stays as is.
func groupLabel(key string, departements map[string]string) string {
	if key == "ensemble" {
		return "Ensemble"
	}
	var words []string
	for _, part := range strings.Fields(key) {
		if name, ok := departements[part]; ok {
			words = append(words, name)
		} else if m, err := time.Parse("2006-01", part); err == nil {
			words = append(words, frenchMonths[m.Month()-1]+" "+strconv.Itoa(m.Year()))
		} else {
			words = append(words, part)
		}
	}
	return strings.Join(words, ", ")
}

// provenanceLines says, for each section title of the person's file, which
// organisation supplied it and when.
func provenanceLines(r *http.Request, g *gate.Gate, dir httpx.Directory, req gate.Request) map[string]string {
	out := map[string]string{}
	ps, err := g.MyProvenance(r.Context(), req)
	if err != nil {
		httpx.LoggerFrom(r.Context()).Error("reading provenance", "err", err, "request_id", httpx.RequestID(r.Context()))
		return out
	}
	titles := map[socle.Category]string{socle.CatIdentity: "Identité", socle.CatContact: "Coordonnées", socle.CatParcours: "Situation et parcours",
		socle.CatSkills: "Compétences et projet", socle.CatHealth: "Santé et handicap", socle.CatJustice: "Justice", socle.CatBank: "Coordonnées bancaires"}
	for _, p := range ps {
		who := "un système partenaire"
		if p.OrganisationID != "" {
			who = labelUnknownOrganisation
			if o, err := dir.Organisation(r.Context(), p.OrganisationID); err == nil {
				who = o.Name
			}
		}
		out[titles[p.Category]] = "Fournies par " + who + " le " + frenchDay(p.At) + "."
	}
	return out
}

// spaceContracts names the organisation of each contract for the person.
func handleSpaceParcours(s *parcoursPages, p *gate.Parcours, svc *space.Service) http.Handler {
	return spaceHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		d := &spaceParcoursView{}
		if r.URL.Query().Get("demande") == "envoyee" {
			d.Notice = msgRectificationSent
		}
		spaceParcoursPage(s, p, svc, w, r, req, http.StatusOK, d)
	})
}

// spaceParcoursPage renders the person's parcours with d's notice and,
// after a refused rectification request, its answers and errors.
func spaceParcoursPage(s *parcoursPages, p *gate.Parcours, svc *space.Service, w http.ResponseWriter, r *http.Request, req gate.Request, status int, d *spaceParcoursView) {
	m, err := p.MyParcours(r.Context(), req)
	if err != nil {
		s.renderError(w, r, err)
		return
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
		sections = append(sections, option{Value: string(c), Label: c.Label(), Selected: string(c) == d.Section})
	}
	d.Contracts, d.Events, d.Requests, d.Sections = cs, eventRows(evs), rectificationRows(m.Rectifications), sections
	d.spaceFollowup = spaceFollowupOf(m)
	spacePage(s.renderer, svc, w, r, status, "usager-parcours", "Mon parcours", d)
}

// spaceContract shows a contract to the person, with the signature form
// when her last authentication is recent enough, else the form that mails
// her a confirmation link.
func spaceContract(s *parcoursPages, p *gate.Parcours, svc *space.Service, w http.ResponseWriter, r *http.Request, req gate.Request, status int, d *spaceContractView) {
	c, err := p.Commitment(r.Context(), req, r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	row, err := contractRowOf(r.Context(), p, c)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	at, err := svc.AuthenticatedAt(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.Contract = row
	d.CanSign = !row.Person && c.Status == socle.CommitmentToSign
	if fresh := time.Since(at) < gate.ReauthWindow; fresh {
		d.Fresh = true
		d.Until = frenchClock(at.Add(gate.ReauthWindow))
	}
	spacePage(s.renderer, svc, w, r, status, "usager-contrat", "Mon contrat d'engagement", d)
}

func handleSpaceContract(s *parcoursPages, p *gate.Parcours, svc *space.Service) http.Handler {
	return spaceHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		spaceContract(s, p, svc, w, r, req, http.StatusOK, &spaceContractView{})
	})
}

func handleSpaceReauth(s *parcoursPages, p *gate.Parcours, svc *space.Service) http.Handler {
	return spacePostHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		person, _, err := s.gate.MyFile(r.Context(), req)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		email := ""
		if person.Contact != nil {
			email = person.Contact.Email
		}
		d := &spaceContractView{}
		if err := svc.Reauthenticate(r.Context(), req.Actor.PersonID, email, "/usager/contrats/"+r.PathValue("id"), identity.ClientOf(r)); err != nil {
			if !soft(err) {
				s.renderError(w, r, err)
				return
			}
			d.Error = message(err)
		} else {
			d.Notice = msgReauthLinkSent
		}
		spaceContract(s, p, svc, w, r, req, http.StatusOK, d)
	})
}

func handleSpaceSign(s *parcoursPages, p *gate.Parcours, svc *space.Service) http.Handler {
	return spacePostHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		at, err := svc.AuthenticatedAt(r)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		if r.PostFormValue("accord") != "oui" {
			spaceContract(s, p, svc, w, r, req, http.StatusBadRequest, &spaceContractView{Error: msgFormErrors, ConsentError: msgConsentRequired})
			return
		}
		if _, err := p.SignAsPerson(r.Context(), req, r.PathValue("id"), at); err != nil {
			if !soft(err) {
				s.renderError(w, r, err)
				return
			}
			msg := message(err)
			switch socle.ErrorCode(err) {
			case socle.EUNAUTHENTICATED:
				msg = msgReauthRequired
			case socle.ECONFLICT:
				msg = msgAlreadySigned
			}
			spaceContract(s, p, svc, w, r, req, httpx.ErrorStatus(err), &spaceContractView{Error: msg})
			return
		}
		spaceContract(s, p, svc, w, r, req, http.StatusOK, &spaceContractView{Notice: msgContractSigned})
	})
}

func handleSpaceRectify(s *parcoursPages, p *gate.Parcours, svc *space.Service) http.Handler {
	return spacePostHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		section, correction := r.PostFormValue("rubrique"), r.PostFormValue("correction")
		_, err := p.RequestRectification(r.Context(), req, socle.Category(section), correction)
		if socle.ErrorCode(err) == socle.EINVALID {
			// The error next to its field, the request typed kept.
			d := &spaceParcoursView{Section: section, Correction: correction, Errors: map[string]string{}}
			if socle.Category(section).Valid() {
				d.Errors["correction"] = msgRectificationLength
			} else {
				d.Errors["rubrique"] = msgRectificationSection
			}
			spaceParcoursPage(s, p, svc, w, r, req, http.StatusBadRequest, d)
			return
		}
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/usager/parcours?demande=envoyee", http.StatusSeeOther)
	})
}

func handleSpaceExport(s *parcoursPages, p *gate.Parcours, svc *space.Service) http.Handler {
	return spaceHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		e, err := p.MyExport(r.Context(), req)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.Header().Set("Content-Disposition", `attachment; filename="mes-donnees.json"`)
		w.Header().Set("Cache-Control", "no-store")
		httpx.Encode(w, http.StatusOK, e)
	})
}

// orientationView is the orientation of a person: the questionnaire, or
// the latest proposal with the choice to confirm, and the decisions made.
type orientationView struct {
	form
	ID, Error, Reason string
	Orientations      []orientationRow
	Proposal          *socle.Orientation
	Choices           map[string][]option
	Organisations     []orgGroup
	Questionnaire     *orientation.Questionnaire
	// Questions are the questionnaire's questions with the answers given
	// and, after a refused submission, the error of each.
	Questions []questionView
	// Errors are the French errors by question id.
	Errors map[string]string
	// posted is the choice the agent posted, shown again with an error.
	posted url.Values
	// answers are the answers the agent posted, checked again with an error.
	answers orientation.Answers
}

// orientationRow is a decision of orientation with its status, parcours
// and modalité in French.
type orientationRow struct {
	*socle.Orientation
	StatusLabel, ParcoursLabel, ModaliteLabel string
}

// questionView is a question of the orientation questionnaire as the form
// shows it: its choices with those already given checked, and its error.
type questionView struct {
	orientation.Question
	Choices []answerChoice
	Error   string
}

// answerChoice is one possible answer to a question.
type answerChoice struct {
	Value, Label string
	Checked      bool
}

// questionViews lays out q with the answers given and the errors by id.
func questionViews(q orientation.Questionnaire, given orientation.Answers, errs map[string]string) []questionView {
	out := make([]questionView, len(q.Questions))
	for i, qu := range q.Questions {
		out[i] = questionView{Question: qu, Error: errs[qu.ID]}
		for _, o := range qu.Options {
			out[i].Choices = append(out[i].Choices, answerChoice{Value: o.Value, Label: o.Label, Checked: slices.Contains(given[qu.ID], o.Value)})
		}
	}
	return out
}

// contractView is a person's contracts and appointments.
type contractView struct {
	form
	ID, Error, Actions, SignLink string
	Contracts                    []contractRow
	Events                       []eventRow
	// actionsSent says Actions is what the agent posted, kept as is.
	actionsSent bool
	// Errors are the forms' errors by field (actions, debut, duree);
	// Fields the appointment form's inputs with the answers sent
	// (appointmentSent) or their defaults.
	Errors          map[string]string
	Fields          map[string]inputField
	Modalites       []option
	appointmentSent url.Values
}

// rectificationsView is a person's rectification requests to answer.
type rectificationsView struct {
	form
	ID, Error string
	Requests  []rectificationRow
	// ItemErrors and ItemAnswers are the errors and answers of one
	// request's form, by field id ("decision-<id>", "motif-<id>");
	// FailedItem that request.
	ItemErrors, ItemAnswers map[string]string
	FailedItem              string
}

// agendaView is the adviser's week.
type agendaView struct {
	Days                  []agendaDay
	Count                 int
	Week, Prev, Next, ICS string
}

// chart is one table of indicators with its SVG bar chart.
type chart struct {
	Table indicators.Table
	SVG   template.HTML
}

// delayRow is the median delay to a first appointment of one group, in
// days with a French decimal comma, or "secret".
type delayRow struct{ Key, Persons, Median string }

// shareRow is the share of signed contracts of one group.
type shareRow struct{ Key, Contracts, Signed, Unsigned, Share string }

// indicatorsView is the statistics of the parcours.
type indicatorsView struct {
	Report               indicators.Report
	Charts               []chart
	Shares               []shareRow
	Delays               []delayRow
	Max                  int
	CSV, JSON, Generated string
	Groupings            []option
}

// contractLine is a contract as the person's space lists it.
type contractLine struct {
	ID, Status, Created string
	Version             int
	Person, Adviser     bool
}

// spaceParcoursView is the person's parcours in her space.
type spaceParcoursView struct {
	form
	Contracts []contractLine
	Events    []eventRow
	Requests  []rectificationRow
	Sections  []option
	Notice    string
	// Section and Correction are the rectification request typed, kept
	// with Errors (rubrique, correction) when it is refused.
	Section, Correction string
	Errors              map[string]string
	// Her référents, the timeline of her parcours and the notes written
	// about her (space_timeline.go).
	spaceFollowup
}

// spaceContractView is a contract shown to the person, with the signature
// form when she authenticated recently enough.
type spaceContractView struct {
	form
	Contract             contractRow
	CanSign, Fresh       bool
	Until, Error, Notice string
	// ConsentError is the error beside the consent's checkbox.
	ConsentError string
}
