package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"socle"
	"socle/appointment"
	"socle/gate"
	"socle/http/httpx"
	"socle/space"
)

// appointmentPages are the pages of appointments: the slots an adviser
// publishes, a person's appointments and rights and duties for her
// advisers, and "Mes rendez-vous" in the person's space.
type appointmentPages struct {
	*renderer
	parcours *gate.Parcours
}

// slotsHorizon is how far ahead the slots pages look.
const slotsHorizon = 31 * 24 * time.Hour

var attendanceLabels = map[string]string{
	socle.AttendanceHonoured:  "Honoré",
	socle.AttendanceExcused:   "Excusé",
	socle.AttendanceUnexcused: "Absent non excusé",
}

// slotRow is an open slot as a page shows it.
type slotRow struct {
	ID, When, With, Modalite, Location string
}

func slotRows(slots []*socle.Slot, names map[string]string) []slotRow {
	out := make([]slotRow, 0, len(slots))
	for _, s := range slots {
		with := names[s.OrganisationID]
		if s.AgentID != "" {
			with = names[s.AgentID]
		}
		if with == "" {
			with = "la structure"
		}
		out = append(out, slotRow{ID: s.ID, When: appointment.FrenchDay(s.Start) + ", " + frenchClock(s.Start) + "–" + frenchClock(s.End),
			With: with, Modalite: appointment.ModaliteLabels[s.Modalite], Location: s.Location})
	}
	return out
}

// appointmentRow is an appointment as a page shows it, with the person's
// explanations about it.
type appointmentRow struct {
	ID, When, With, Modalite, Location, Status, Attendance string
	Cancelled, Upcoming, Past, Unexcused                   bool
	CancelReason                                           string
	Explanations                                           []string
	// Notices say what was sent to the person, and how it went.
	Notices []string
}

var (
	noticeLabels  = map[string]string{socle.NoticeInvitation: "Invitation", socle.NoticeReminder48h: "Rappel à 48 heures", socle.NoticeReminder24h: "Rappel à 24 heures", socle.NoticeCancellation: "Annulation"}
	channelLabels = map[string]string{socle.ChannelEmail: "courriel", socle.ChannelSMS: "SMS"}
	resultLabels  = map[string]string{socle.NoticePending: "en cours d'envoi", socle.NoticeSent: "envoyé", socle.NoticeFailed: "échec de l'envoi", socle.NoticeNoContact: "pas de coordonnée donnée"}
)

// noticeLines writes each notice of an appointment: "Invitation par
// courriel : envoyé le 03/12/2026 à 14:05".
func noticeLines(ns []*socle.NoticeDelivery) map[string][]string {
	out := map[string][]string{}
	for _, n := range ns {
		out[n.EventID] = append(out[n.EventID], noticeLabels[n.Notice]+" par "+channelLabels[n.Channel]+" : "+resultLabels[n.Result]+" le "+frenchTime(n.At))
	}
	return out
}

func appointmentRows(d *gate.Duties, now time.Time) []appointmentRow {
	explained := map[string][]string{}
	for _, e := range d.Explanations {
		explained[e.SubjectID] = append(explained[e.SubjectID], frenchTime(e.CreatedAt)+" : « "+e.Text+" »")
	}
	notices := noticeLines(d.Notices)
	out := make([]appointmentRow, 0, len(d.Appointments))
	for _, a := range d.Appointments {
		with := d.Names[a.OrganisationID]
		if name := d.Names[a.AgentID]; name != "" {
			with = name + ", " + with
		}
		row := appointmentRow{ID: a.ID, When: appointment.FrenchDay(a.Start) + ", " + frenchClock(a.Start) + "–" + frenchClock(a.End),
			With: with, Modalite: appointment.ModaliteLabels[a.Modalite], Location: a.Location, Attendance: attendanceLabels[a.Attendance],
			Cancelled: a.Status == socle.AppointmentCancelled, CancelReason: a.CancelReason, Explanations: explained[a.ID],
			Unexcused: a.Attendance == socle.AttendanceUnexcused, Notices: notices[a.ID]}
		row.Upcoming = !row.Cancelled && a.Attendance == "" && a.Start.After(now)
		row.Past = !row.Cancelled && !a.Start.After(now)
		switch {
		case row.Cancelled && a.CancelledBy == socle.CancelledByPerson:
			row.Status = "Annulé par la personne le " + frenchTime(a.CancelledAt)
		case row.Cancelled:
			row.Status = "Annulé par la structure le " + frenchTime(a.CancelledAt)
		case row.Attendance != "":
			row.Status = row.Attendance
		case row.Upcoming:
			row.Status = "Prévu"
		default:
			row.Status = "Présence à renseigner"
		}
		out = append(out, row)
	}
	return out
}

// commitmentRow is a contract's commitments as a page shows them.
type commitmentRow struct {
	ID, Title, Status string
	Actions           []string
	Explanations      []string
}

func commitmentRows(d *gate.Duties) []commitmentRow {
	explained := map[string][]string{}
	for _, e := range d.Explanations {
		explained[e.SubjectID] = append(explained[e.SubjectID], frenchTime(e.CreatedAt)+" : « "+e.Text+" »")
	}
	status := map[string]string{socle.CommitmentToSign: "à signer", socle.CommitmentSigned: "signé", socle.CommitmentSuperseded: "remplacé par un avenant"}
	var out []commitmentRow
	for _, c := range d.Commitments {
		if c.Status == socle.CommitmentSuperseded {
			continue
		}
		out = append(out, commitmentRow{ID: c.ID, Title: "Contrat d'engagement, version " + strconv.Itoa(c.Version) + " du " + frenchDay(c.CreatedAt),
			Status: status[c.Status], Actions: c.Actions, Explanations: explained[c.ID]})
	}
	return out
}

// slotsView is the adviser's page of open slots.
type slotsView struct {
	form
	Error, Notice string
	Slots         []slotRow
	Modalites     []option
	// Fields are the form's text inputs; Errors its errors by field
	// (sent keeps the answers); ForStructure the audience chosen.
	Fields       map[string]inputField
	Errors       map[string]string
	sent         url.Values
	ForStructure bool
}

func modaliteOptions(selected string) []option {
	var out []option
	for _, m := range socle.AppointmentModalites {
		out = append(out, option{Value: m, Label: appointment.ModaliteLabels[m], Selected: m == selected})
	}
	return out
}

func (s *appointmentPages) slotsPage(w http.ResponseWriter, r *http.Request, status int, d *slotsView) {
	now := time.Now()
	slots, names, err := s.parcours.Slots(r.Context(), pageRequest(r, purposeAccompagnement, ""), now, now.Add(slotsHorizon))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	names[httpx.ActorFrom(r.Context()).OrganisationID] = "la structure"
	d.Slots, d.Modalites = slotRows(slots, names), modaliteOptions(r.PostFormValue("modalite"))
	d.Fields = slotInputs(d.sent, now.In(paris).AddDate(0, 0, 1).Format("2006-01-02"), d.Errors)
	staffPage(s.renderer, w, r, status, "creneaux", "Créneaux ouverts", "agenda", d)
}

func handleSlotsPage(s *appointmentPages) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		d := &slotsView{}
		if r.URL.Query().Get("publie") != "" {
			d.Notice = msgSlotPublished
		}
		s.slotsPage(w, r, http.StatusOK, d)
	})
}

func handleSlotPublish(s *appointmentPages) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		forStructure := r.PostFormValue("pour") == "structure"
		sf, errs := readSlotForm(r.PostForm)
		if len(errs) > 0 {
			s.slotsPage(w, r, http.StatusBadRequest, &slotsView{Error: msgFormErrors, Errors: errs, sent: r.PostForm, ForStructure: forStructure})
			return
		}
		// Consecutive slots of the same length, one after the other.
		for i := range sf.count {
			from := sf.start.Add(time.Duration(i*sf.minutes) * time.Minute)
			sl := &socle.Slot{Start: from, End: from.Add(time.Duration(sf.minutes) * time.Minute), Modalite: r.PostFormValue("modalite"),
				Location: strings.TrimSpace(r.PostFormValue("lieu"))}
			if err := s.parcours.PublishSlot(r.Context(), pageRequest(r, purposeAccompagnement, ""), sl, forStructure); err != nil {
				if soft(err) {
					s.slotsPage(w, r, httpx.ErrorStatus(err), &slotsView{Error: msgSlotFailedPrefix + message(err), sent: r.PostForm, ForStructure: forStructure})
					return
				}
				s.renderError(w, r, err)
				return
			}
		}
		http.Redirect(w, r, "/creneaux?publie=1", http.StatusSeeOther)
	})
}

// dutiesView is a person's appointments and rights and duties, for her
// advisers.
type dutiesView struct {
	form
	ID, Error, Notice, Person string
	Appointments              []appointmentRow
	Commitments               []commitmentRow
	Unexcused                 int
	Attendances               []option
	// ItemErrors and ItemAnswers are the error and answer of one
	// appointment's cancellation form, by field id; FailedItem that
	// appointment.
	ItemErrors, ItemAnswers map[string]string
	FailedItem              string
}

func (s *appointmentPages) dutiesPage(w http.ResponseWriter, r *http.Request, status int, d *dutiesView) {
	id := r.PathValue("id")
	duties, err := s.parcours.RightsAndDuties(r.Context(), pageRequest(r, purposeAccompagnement, ""), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.ID, d.Person, d.Appointments, d.Commitments, d.Unexcused = id, duties.PersonName, appointmentRows(duties, time.Now()), commitmentRows(duties), duties.Unexcused
	for _, a := range socle.Attendances {
		d.Attendances = append(d.Attendances, option{Value: a, Label: attendanceLabels[a]})
	}
	staffPage(s.renderer, w, r, status, "rendez-vous", "Rendez-vous et engagements", "usagers", d)
}

func handleDutiesPage(s *appointmentPages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := staffOnly(w, r); !ok {
			return
		}
		s.dutiesPage(w, r, http.StatusOK, &dutiesView{})
	})
}

func handleAttendance(s *appointmentPages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s.renderer, w, r) {
			return
		}
		eid, choice := r.PathValue("eid"), r.PostFormValue("presence")
		key := "presence-" + eid
		// The choice is checked early, with the gate's list, so that its
		// error stands beside the choices of that appointment.
		if !slices.Contains(socle.Attendances, choice) {
			s.dutiesPage(w, r, http.StatusBadRequest, &dutiesView{FailedItem: eid,
				ItemErrors: map[string]string{key: msgAttendanceChoice}, ItemAnswers: map[string]string{key: choice}})
			return
		}
		_, err := s.parcours.RecordAttendance(r.Context(), pageRequest(r, purposeAccompagnement, ""), eid, choice)
		if err != nil {
			if soft(err) {
				// A refusal of the appointment's state, not of the answer:
				// said above the page, the choice kept.
				s.dutiesPage(w, r, httpx.ErrorStatus(err), &dutiesView{Error: msgAttendanceFailedPrefix + message(err), FailedItem: eid,
					ItemAnswers: map[string]string{key: choice}})
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(r.PathValue("id"))+"/rendez-vous", http.StatusSeeOther)
	})
}

func handleAdviserCancel(s *appointmentPages) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !staffPost(s.renderer, w, r) {
			return
		}
		if msg := cancelReasonError(r.PostFormValue("motif")); msg != "" {
			key := "motif-" + r.PathValue("eid")
			s.dutiesPage(w, r, http.StatusBadRequest, &dutiesView{FailedItem: r.PathValue("eid"),
				ItemErrors: map[string]string{key: msg}, ItemAnswers: map[string]string{key: r.PostFormValue("motif")}})
			return
		}
		_, err := s.parcours.CancelAppointment(r.Context(), pageRequest(r, purposeAccompagnement, ""), r.PathValue("eid"), r.PostFormValue("motif"))
		if err != nil {
			if soft(err) {
				s.dutiesPage(w, r, httpx.ErrorStatus(err), &dutiesView{Error: msgCancelFailedPrefix + message(err)})
				return
			}
			s.renderError(w, r, err)
			return
		}
		http.Redirect(w, r, "/usagers/"+url.PathEscape(r.PathValue("id"))+"/rendez-vous", http.StatusSeeOther)
	})
}

// myAppointmentsView is "Mes rendez-vous" in the person's space.
type myAppointmentsView struct {
	form
	Error, Notice string
	Upcoming      []appointmentRow
	Recorded      []appointmentRow
	Commitments   []commitmentRow
	Slots         []slotRow
	Unexcused     int
	// SlotError is the booking form's error, beside its list of slots;
	// ItemErrors and ItemAnswers the error and answer of one of the
	// per-item forms, by field id; FailedItem that item.
	SlotError               string
	ItemErrors, ItemAnswers map[string]string
	FailedItem              string
}

func (s *appointmentPages) myAppointmentsPage(svc *space.Service, w http.ResponseWriter, r *http.Request, req gate.Request, status int, d *myAppointmentsView) {
	duties, err := s.parcours.MyAppointments(r.Context(), req, slotsHorizon)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, a := range appointmentRows(duties, time.Now()) {
		if a.Upcoming {
			d.Upcoming = append(d.Upcoming, a)
		} else {
			d.Recorded = append(d.Recorded, a)
		}
	}
	d.Commitments, d.Slots, d.Unexcused = commitmentRows(duties), slotRows(duties.Slots, duties.Names), duties.Unexcused
	spacePage(s.renderer, svc, w, r, status, "usager-rendez-vous", "Mes rendez-vous", d)
}

func handleMyAppointments(s *appointmentPages, svc *space.Service) http.Handler {
	return spaceHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		d := &myAppointmentsView{Notice: spaceNotices[r.URL.Query().Get("fait")]}
		s.myAppointmentsPage(svc, w, r, req, http.StatusOK, d)
	})
}

// spaceNotices are the confirmations of "Mes rendez-vous", by the query
// parameter its forms redirect with.
var spaceNotices = map[string]string{"reserve": msgBooked, "annule": msgCancelledByPerson, "explique": msgExplanationSaved}

// spaceAnswer redirects after a post of "Mes rendez-vous", or shows the
// page again with the reason it failed.
func (s *appointmentPages) spaceAnswer(svc *space.Service, w http.ResponseWriter, r *http.Request, req gate.Request, err error, prefix, done string) {
	switch {
	case err == nil:
		http.Redirect(w, r, appointment.SpacePath+"?fait="+done, http.StatusSeeOther)
	case soft(err):
		s.myAppointmentsPage(svc, w, r, req, httpx.ErrorStatus(err), &myAppointmentsView{Error: prefix + message(err)})
	default:
		s.renderError(w, r, err)
	}
}

func handleBook(s *appointmentPages, svc *space.Service) http.Handler {
	return spacePostHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		slot := r.PostFormValue("creneau")
		if slot == "" {
			s.myAppointmentsPage(svc, w, r, req, http.StatusBadRequest, &myAppointmentsView{Error: msgFormErrors, SlotError: msgSlotRequired})
			return
		}
		_, err := s.parcours.BookSlot(r.Context(), req, slot)
		s.spaceAnswer(svc, w, r, req, err, msgBookingFailedPrefix, "reserve")
	})
}

func handleMyCancel(s *appointmentPages, svc *space.Service) http.Handler {
	return spacePostHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		if msg := cancelReasonError(r.PostFormValue("motif")); msg != "" {
			s.myAppointmentsPage(svc, w, r, req, http.StatusBadRequest, new(myAppointmentsView).itemFieldError(r.PathValue("eid"), "motif", msg, r.PostFormValue("motif")))
			return
		}
		_, err := s.parcours.CancelAppointment(r.Context(), req, r.PathValue("eid"), r.PostFormValue("motif"))
		s.spaceAnswer(svc, w, r, req, err, msgCancelFailedPrefix, "annule")
	})
}

func handleExplain(s *appointmentPages, svc *space.Service) http.Handler {
	return spacePostHandler(s.renderer, svc, func(w http.ResponseWriter, r *http.Request, req gate.Request) {
		if msg := explanationError(r.PostFormValue("explication")); msg != "" {
			s.myAppointmentsPage(svc, w, r, req, http.StatusBadRequest, new(myAppointmentsView).itemFieldError(r.PostFormValue("id"), "explication", msg, r.PostFormValue("explication")))
			return
		}
		_, err := s.parcours.Explain(r.Context(), req, r.PostFormValue("sujet"), r.PostFormValue("id"), r.PostFormValue("explication"))
		s.spaceAnswer(svc, w, r, req, err, msgExplanationFailedPrefix, "explique")
	})
}
