package gate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"socle"
)

// Notice is a notice about an appointment that the gate hands to its
// Notices once the access that gives rise to it is recorded: the
// appointment, the contact the person gave (only to send the notice: it
// never goes back to the caller) and the channels claimed for it.
type Notice struct {
	Kind        string
	Appointment *socle.Appointment
	// GivenName, Email and Phone are the person's, as she gave them.
	GivenName, Email, Phone string
	// OrganisationName and AdviserName say who expects her.
	OrganisationName, AdviserName string
	// Channels are the channels claimed for this notice: each goes out
	// once, and its result is recorded with RecordNotice.
	Channels []string
	// Attempt counts the leases of a notice from LeaseNotices (1 at the
	// first); 0 for a notice handed to Notify.
	Attempt int
}

// Notices sends the notices of appointments (appointment.Notifier); Notify
// must not block on the network.
type Notices interface {
	// Channels are the channels it sends by (socle.ChannelEmail,
	// socle.ChannelSMS): the gate claims no other.
	Channels() []string
	// Notify tells the sender that n was claimed. The claimed notices are
	// rows of the store, their durable queue: the sender sends those it
	// leases (LeaseNotices), so that a notice claimed before the process
	// stopped goes out after it starts again.
	Notify(ctx context.Context, n Notice)
}

// SetNotices wires the sender of the appointments' notices; without one,
// no notice is claimed nor sent.
func (p *Parcours) SetNotices(n Notices) { p.notices = n }

// notify claims the channels of a notice about a and hands it to the
// notices' sender: a channel without a contact is recorded as such. It
// runs after the access is recorded; a failure is the sender's to report,
// the appointment stands.
func (p *Parcours) notify(ctx context.Context, kind string, a *socle.Appointment) error {
	if p.notices == nil {
		return nil
	}
	n, err := p.noticeOf(ctx, kind, a)
	if err != nil {
		return err
	}
	contacts := map[string]string{socle.ChannelEmail: n.Email, socle.ChannelSMS: n.Phone}
	for _, channel := range p.notices.Channels() {
		contact, known := contacts[channel]
		if !known {
			continue
		}
		d := &socle.NoticeDelivery{EventID: a.ID, Notice: kind, Channel: channel, At: p.g.Now()}
		if contact == "" {
			d.Result = socle.NoticeNoContact
		}
		claimed, err := p.store.ClaimNotice(ctx, d)
		if err != nil {
			return fmt.Errorf("claiming the notice: %w", err)
		}
		if claimed && contact != "" {
			n.Channels = append(n.Channels, channel)
		}
	}
	if len(n.Channels) > 0 {
		p.notices.Notify(ctx, n)
	}
	return nil
}

// noticeOf is the notice of kind about a, with the contact the person gave
// and who expects her; no channel yet.
func (p *Parcours) noticeOf(ctx context.Context, kind string, a *socle.Appointment) (Notice, error) {
	person, err := p.g.store.Person(ctx, a.PersonID, socle.SetOf(socle.CatIdentity, socle.CatContact))
	if err != nil {
		return Notice{}, fmt.Errorf("reading the person's contact: %w", err)
	}
	n := Notice{Kind: kind, Appointment: a}
	if person.Identity != nil {
		n.GivenName = person.Identity.GivenName
	}
	if person.Contact != nil {
		n.Email, n.Phone = person.Contact.Email, person.Contact.Phone
	}
	if org, err := p.store.Organisation(ctx, a.OrganisationID); err == nil {
		n.OrganisationName = org.Name
	}
	if a.AgentID != "" {
		if ag, err := p.store.Agent(ctx, a.AgentID); err == nil {
			n.AdviserName = ag.FullName()
		}
	}
	return n, nil
}

// RecordNotice records the result of a notice sent on a channel the gate
// claimed: when, which channel, what result, never the message. A failure
// with NextAt stays pending, to be leased again from then.
func (p *Parcours) RecordNotice(ctx context.Context, d *socle.NoticeDelivery) error {
	if !slices.Contains([]string{socle.NoticeSent, socle.NoticeFailed}, d.Result) {
		return socle.Errorf(socle.EINVALID, "notice result: %s or %s", socle.NoticeSent, socle.NoticeFailed)
	}
	if d.Result == socle.NoticeSent {
		d.NextAt = time.Time{}
	}
	d.At = p.g.Now()
	return p.store.SetNoticeResult(ctx, d)
}

// LeaseNotices leases up to limit pending notices due now for lease, each
// on its channel with the contact the person gave, for the sender to send
// and record (RecordNotice). A notice leased is not leased again until its
// lease ends: in a cluster one server sends it, and a server that stopped
// while sending leaves it to the next. It is the platform's own work: the
// accesses that gave rise to the notices were recorded when they were
// claimed. A notice of an appointment that no longer exists, or an
// invitation or reminder of one already begun, is recorded as failed.
func (p *Parcours) LeaseNotices(ctx context.Context, lease time.Duration, limit int) ([]Notice, error) {
	if lease <= 0 || limit <= 0 {
		return nil, socle.Errorf(socle.EINVALID, "leasing notices: a positive lease and limit")
	}
	ds, err := p.store.LeaseNotices(ctx, p.g.Now(), lease, limit)
	if err != nil {
		return nil, fmt.Errorf("leasing notices: %w", err)
	}
	var out []Notice
	for _, d := range ds {
		a, err := p.store.Appointment(ctx, d.EventID)
		if err == nil && (d.Notice == socle.NoticeCancellation || a.Start.After(p.g.Now())) {
			var n Notice
			if n, err = p.noticeOf(ctx, d.Notice, a); err == nil {
				n.Channels, n.Attempt = []string{d.Channel}, d.Attempts
				out = append(out, n)
				continue
			}
		}
		if err != nil && socle.ErrorCode(err) != socle.ENOTFOUND {
			return out, fmt.Errorf("reading a notice's appointment: %w", err)
		}
		// Too late or gone: nothing to send.
		d.Result, d.NextAt = socle.NoticeFailed, time.Time{}
		if err := p.RecordNotice(ctx, d); err != nil {
			return out, fmt.Errorf("recording a notice too late to send: %w", err)
		}
	}
	return out, nil
}

// slotSpec is an adviser's access to her organisation's slots: not a
// person's data, but recorded like any access.
func slotSpec(req Request, action socle.Action, valid func() error) spec {
	return spec{action: action, res: socle.Resource{Kind: socle.ResourceSlot}, purposes: []string{purposeAccompagnement}, valid: valid,
		grounds: func(context.Context, Request, *socle.Resource) (socle.Decision, error) {
			if err := byOrganisation(req, "slots are published by an organisation's advisers"); err != nil {
				return socle.Decision{}, err
			}
			return socle.Decision{Allow: true, Facts: []socle.Fact{{Kind: "organisation", Text: "Les créneaux de la structure de l'agent.",
				Detail: map[string]string{"organisation_id": req.Actor.OrganisationID}}}}, nil
		}}
}

// PublishSlot publishes an open slot of the acting adviser (or, with
// structure, of her organisation) that the persons it follows may book.
func (p *Parcours) PublishSlot(ctx context.Context, req Request, sl *socle.Slot, structure bool) error {
	if sl == nil {
		return socle.Errorf(socle.EINVALID, "slot: nothing to publish")
	}
	// What a retry with the same Idempotency-Key must repeat: the request,
	// before the gate names and dates the slot.
	asked := struct {
		Start, End         time.Time
		Location, Modalite string
		Structure          bool
	}{sl.Start, sl.End, sl.Location, sl.Modalite, structure}
	s := slotSpec(req, socle.ActionCreate, func() error {
		sl.ID, sl.EventID, sl.OrganisationID, sl.AgentID, sl.CreatedAt = "", "", req.Actor.OrganisationID, req.Actor.AgentID, p.g.Now()
		if structure {
			sl.AgentID = ""
		}
		if err := sl.Validate(); err != nil {
			return err
		}
		if !sl.Start.After(p.g.Now()) {
			return socle.Errorf(socle.EINVALID, "invalid slot: start: in the future")
		}
		return nil
	})
	_, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (struct{}, outcome, error) {
		idem, replayed, err := createOnce(ctx, p.g, req, "create_slot", asked, p.store.Slot, sl)
		if err != nil {
			return struct{}{}, outcome{}, err
		}
		if replayed {
			return struct{}{}, outcome{resID: sl.ID}, nil
		}
		sl.ID = socle.NewID(socle.PrefixSlot)
		return struct{}{}, outcome{records: 1, resID: sl.ID, write: storing("publishing the slot", func(ctx context.Context) error {
			return p.store.CreateSlot(ctx, sl, idem)
		})}, nil
	})
	return err
}

// Slots returns the open slots of the actor's organisation in [from, to),
// its advisers' and its own, and the names of its advisers by id.
func (p *Parcours) Slots(ctx context.Context, req Request, from, to time.Time) ([]*socle.Slot, map[string]string, error) {
	type slots struct {
		list  []*socle.Slot
		names map[string]string
	}
	s := slotSpec(req, socle.ActionRead, windowCheck(from, to))
	out, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (slots, outcome, error) {
		agents, err := p.store.AgentsOf(ctx, req.Actor.OrganisationID)
		if err != nil {
			return slots{}, outcome{}, fmt.Errorf("listing the advisers: %w", err)
		}
		out := slots{names: map[string]string{}}
		ids := make([]string, len(agents))
		for i, a := range agents {
			ids[i], out.names[a.ID] = a.ID, a.FullName()
		}
		out.list, err = p.store.OpenSlots(ctx, socle.SlotQuery{OrganisationID: req.Actor.OrganisationID, AgentIDs: ids, Structure: true, From: from, To: to})
		return out, outcome{records: len(out.list)}, err
	})
	return out.list, out.names, err
}

func windowCheck(from, to time.Time) func() error {
	return func() error {
		if !to.After(from) || to.Sub(from) > 93*24*time.Hour {
			return socle.Errorf(socle.EINVALID, "the window covers from 1 day to 3 months")
		}
		return nil
	}
}

// ScheduleAppointment sets an appointment for a followed person, on an
// open slot of the adviser's organisation when a.SlotID names one, and
// sends her the invitation.
func (p *Parcours) ScheduleAppointment(ctx context.Context, req Request, a *socle.Appointment) error {
	if a == nil {
		return socle.Errorf(socle.EINVALID, "appointment: nothing to schedule")
	}
	s := parcoursSpec(socle.ActionUpdate, a.PersonID, socle.SetOf(socle.CatParcours), purposeAccompagnement)
	s.logged = socle.ActionCreate
	s.alsoValid(func() error {
		if err := byOrganisation(req, "appointments are set by an organisation"); err != nil {
			return err
		}
		if a.SlotID == "" {
			return checkAppointment(a)
		}
		return nil
	})
	_, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (struct{}, outcome, error) {
		idem, replayed, err := createOnce(ctx, p.g, req, "create_appointment", a, p.store.Appointment, a)
		if err != nil {
			return struct{}{}, outcome{}, err
		}
		if replayed {
			return struct{}{}, outcome{resID: a.ID}, nil
		}
		a.Event = socle.Event{PersonID: a.PersonID, OrganisationID: req.Actor.OrganisationID, AgentID: req.Actor.AgentID, Kind: socle.EventAppointment,
			Title: a.Title, Start: a.Start, End: a.End, Location: a.Location, Description: a.Description, CreatedAt: p.g.Now()}
		if a.SlotID != "" {
			sl, err := p.store.Slot(ctx, a.SlotID)
			if err != nil || sl.OrganisationID != req.Actor.OrganisationID {
				return struct{}{}, outcome{}, socle.Errorf(socle.ENOTFOUND, "slot not found")
			}
			fromSlot(a, sl)
		}
		if a.Title == "" {
			a.Title = "Rendez-vous"
		}
		a.ID, a.Status = socle.NewID(socle.PrefixEvent), socle.AppointmentPlanned
		return struct{}{}, outcome{records: 1, write: func(ctx context.Context) error {
			if err := p.store.CreateAppointment(ctx, a, idem); err != nil {
				return fmt.Errorf("recording the appointment: %w", err)
			}
			p.g.invalidate(a.PersonID)
			return p.notify(ctx, socle.NoticeInvitation, a)
		}}, nil
	})
	return err
}

// checkAppointment checks an appointment set without a slot.
func checkAppointment(a *socle.Appointment) error {
	var pr socle.Problems
	if a.Start.IsZero() {
		pr.Add("start", "required")
	}
	if d := a.End.Sub(a.Start); d < 5*time.Minute || d > 8*time.Hour {
		pr.Add("end", "from 5 minutes to 8 hours after start")
	}
	if !slices.Contains(socle.AppointmentModalites, a.Modalite) {
		pr.Add("modalite", "one of %s", strings.Join(socle.AppointmentModalites, ", "))
	}
	if utf8.RuneCountInString(a.Title) > 200 || utf8.RuneCountInString(a.Location) > 300 {
		pr.Add("title", "at most 200 characters, and the location 300")
	}
	return pr.Err("appointment")
}

// fromSlot makes a the appointment booked on sl.
func fromSlot(a *socle.Appointment, sl *socle.Slot) {
	a.OrganisationID, a.AgentID, a.Start, a.End, a.Location, a.Modalite = sl.OrganisationID, sl.AgentID, sl.Start, sl.End, sl.Location, sl.Modalite
}

// bookable reports whether the person may book sl: its organisation
// follows her today, and the slot is the structure's or her référent's.
func (p *Parcours) bookable(ctx context.Context, personID string, sl *socle.Slot) (bool, error) {
	fs, err := p.g.store.Followups(ctx, personID)
	if err != nil {
		return false, fmt.Errorf("reading follow-ups: %w", err)
	}
	today := socle.DateOf(p.g.Now())
	return slices.ContainsFunc(fs, func(f *socle.Followup) bool {
		return f.ActiveOn(today) && f.OrganisationID == sl.OrganisationID && (sl.AgentID == "" || sl.AgentID == f.AgentID)
	}), nil
}

// bookingFact is why a person books a slot from her space.
var bookingFact = socle.Fact{Kind: "self", Text: "La personne réserve un créneau de son référent ou de la structure qui l'accompagne."}

// BookSlot books, in the person's own space, an open slot of her référent
// or of a structure that follows her (no other: it is not found), and
// sends her the invitation. A slot booked meanwhile is ECONFLICT.
func (p *Parcours) BookSlot(ctx context.Context, req Request, slotID string) (*socle.Appointment, error) {
	d := socle.Decision{Allow: true, Categories: socle.SetOf(socle.CatParcours), Facts: []socle.Fact{bookingFact}}
	s := selfSpec(req, socle.ActionCreate, d)
	s.valid = func() error {
		if !socle.ValidID(socle.PrefixSlot, slotID) {
			return socle.Errorf(socle.ENOTFOUND, "slot not found")
		}
		return nil
	}
	a, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (*socle.Appointment, outcome, error) {
		sl, err := p.store.Slot(ctx, slotID)
		if err != nil {
			return nil, outcome{}, err
		}
		ok, err := p.bookable(ctx, req.Actor.PersonID, sl)
		if err != nil {
			return nil, outcome{}, err
		}
		if !ok {
			return nil, outcome{}, socle.Errorf(socle.ENOTFOUND, "slot not found")
		}
		if sl.EventID != "" || !sl.Start.After(p.g.Now()) {
			return nil, outcome{}, socle.Errorf(socle.ECONFLICT, "this slot is no longer available")
		}
		a := &socle.Appointment{Event: socle.Event{ID: socle.NewID(socle.PrefixEvent), PersonID: req.Actor.PersonID, Kind: socle.EventAppointment,
			Title: "Rendez-vous", CreatedAt: p.g.Now()}, SlotID: sl.ID, Status: socle.AppointmentPlanned}
		fromSlot(a, sl)
		return a, outcome{records: 1, resID: req.Actor.PersonID, write: func(ctx context.Context) error {
			if err := p.store.CreateAppointment(ctx, a, nil); err != nil {
				return fmt.Errorf("booking the slot: %w", err)
			}
			p.g.invalidate(a.PersonID)
			return p.notify(ctx, socle.NoticeInvitation, a)
		}}, nil
	})
	return a, err
}

// locateAppointment finds an appointment and names its person as the
// resource.
func (p *Parcours) locateAppointment(id string, a **socle.Appointment) func(context.Context) (socle.Resource, error) {
	return locatePersonRecord(socle.PrefixEvent, id, "appointment not found", p.store.Appointment, func(a *socle.Appointment) string { return a.PersonID }, a)
}

// appointmentSpec is the access to one appointment: an adviser of the
// organisation that set it, under the policy; or, in her own space, the
// person herself (anyone else's is not found).
func (p *Parcours) appointmentSpec(req Request, action socle.Action, id string, a **socle.Appointment, selfText string) spec {
	if req.Actor.PersonID != "" {
		d := socle.Decision{Allow: true, Categories: socle.SetOf(socle.CatParcours), Facts: []socle.Fact{{Kind: "self", Text: selfText}}}
		return spec{caller: selfCaller, action: action, locate: p.locateAppointment(id, a),
			grounds: func(context.Context, Request, *socle.Resource) (socle.Decision, error) {
				if (*a).PersonID != req.Actor.PersonID {
					return socle.Decision{}, socle.Errorf(socle.ENOTFOUND, "appointment not found")
				}
				return d, nil
			},
			recordAs: func(r Request) Request { r.Purpose, r.BreakGlass = selfPurpose, ""; return r }}
	}
	return p.adviserAppointmentSpec(action, id, a)
}

// adviserAppointmentSpec is an adviser's access to an appointment, under
// the policy over its person.
func (p *Parcours) adviserAppointmentSpec(action socle.Action, id string, a **socle.Appointment) spec {
	parcours := socle.SetOf(socle.CatParcours)
	return spec{action: action, want: parcours, need: parcours, purposes: []string{purposeAccompagnement}, locate: p.locateAppointment(id, a)}
}

// sameOrganisation refuses an adviser of another organisation than the
// one that set the appointment: she may read it, not change it.
func sameOrganisation(req Request, a *socle.Appointment) error {
	if req.Actor.PersonID == "" && a.OrganisationID != req.Actor.OrganisationID {
		return socle.Errorf(socle.EFORBIDDEN, "only the organisation that set the appointment changes it")
	}
	return nil
}

// CancelAppointment cancels a planned appointment, by the person in her
// space or by an adviser of its organisation, with a reason; the slot is
// free again and the person is notified.
func (p *Parcours) CancelAppointment(ctx context.Context, req Request, id, reason string) (*socle.Appointment, error) {
	reason = strings.TrimSpace(reason)
	var a *socle.Appointment
	s := p.appointmentSpec(req, socle.ActionUpdate, id, &a, "La personne annule son propre rendez-vous.")
	s.valid = func() error {
		if utf8.RuneCountInString(reason) > 500 {
			return socle.Errorf(socle.EINVALID, "cancellation reason: at most 500 characters")
		}
		return nil
	}
	out, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (*socle.Appointment, outcome, error) {
		if err := sameOrganisation(req, a); err != nil {
			return nil, outcome{}, err
		}
		if a.Status != socle.AppointmentPlanned || a.Attendance != "" {
			return nil, outcome{}, socle.Errorf(socle.ECONFLICT, "this appointment is no longer planned")
		}
		by := socle.CancelledByAdviser
		if req.Actor.PersonID != "" {
			by = socle.CancelledByPerson
		}
		now := p.g.Now()
		return a, outcome{records: 1, write: func(ctx context.Context) error {
			if err := p.store.CancelAppointment(ctx, a.ID, by, reason, now); err != nil {
				return fmt.Errorf("cancelling the appointment: %w", err)
			}
			a.Status, a.CancelledBy, a.CancelReason, a.CancelledAt = socle.AppointmentCancelled, by, reason, now
			p.g.invalidate(a.PersonID)
			return p.notify(ctx, socle.NoticeCancellation, a)
		}}, nil
	})
	return out, err
}

// RecordAttendance records, for an adviser of the organisation that set
// it, whether the person came: honoré, excusé or absent non excusé, once
// the appointment has begun. It is a record for a human decision, never a
// sanction.
func (p *Parcours) RecordAttendance(ctx context.Context, req Request, id, attendance string) (*socle.Appointment, error) {
	var a *socle.Appointment
	s := p.adviserAppointmentSpec(socle.ActionUpdate, id, &a)
	s.valid = func() error {
		if err := byOrganisation(req, "attendance is recorded by an adviser"); err != nil {
			return err
		}
		if !slices.Contains(socle.Attendances, attendance) {
			return socle.Errorf(socle.EINVALID, "attendance: one of %s", strings.Join(socle.Attendances, ", "))
		}
		return nil
	}
	out, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (*socle.Appointment, outcome, error) {
		if err := sameOrganisation(req, a); err != nil {
			return nil, outcome{}, err
		}
		if a.Status != socle.AppointmentPlanned {
			return nil, outcome{}, socle.Errorf(socle.ECONFLICT, "a cancelled appointment has no attendance")
		}
		if a.Start.After(p.g.Now()) {
			return nil, outcome{}, socle.Errorf(socle.ECONFLICT, "attendance is recorded once the appointment has begun")
		}
		now := p.g.Now()
		return a, outcome{records: 1, write: func(ctx context.Context) error {
			if err := p.store.RecordAttendance(ctx, a.ID, attendance, req.Actor.AgentID, now); err != nil {
				return fmt.Errorf("recording attendance: %w", err)
			}
			a.Attendance, a.AttendanceAt, a.AttendanceBy = attendance, now, req.Actor.AgentID
			p.g.invalidate(a.PersonID)
			return nil
		}}, nil
	})
	return out, err
}

// Duties is what is recorded of a person's rights and duties: her
// appointments with their attendance, her contracts' commitments and her
// explanations. It informs a human decision; nothing is decided here.
type Duties struct {
	Appointments []*socle.Appointment       `json:"appointments"`
	Commitments  []*socle.Commitment        `json:"commitments"`
	Explanations []*socle.PersonExplanation `json:"explanations"`
	// Notices are the notices of the appointments: when, which channel,
	// what result.
	Notices []*socle.NoticeDelivery `json:"notices"`
	// Unexcused counts the appointments missed without excuse.
	Unexcused int `json:"unexcused"`
	// Slots are the open slots she may book (her own space only).
	Slots []*socle.Slot `json:"slots,omitempty"`
	// Names name the organisations and advisers of the records.
	Names map[string]string `json:"names"`
	// PersonName is the person's name, for her advisers when the policy
	// grants her identity.
	PersonName string `json:"person_name,omitempty"`
}

func (d *Duties) size() int {
	return len(d.Appointments) + len(d.Commitments) + len(d.Explanations) + len(d.Slots)
}

// readDuties reads what is recorded of personID's rights and duties.
func (p *Parcours) readDuties(ctx context.Context, personID string) (*Duties, error) {
	d := &Duties{Names: map[string]string{}}
	var err error
	if d.Appointments, err = p.store.Appointments(ctx, personID); err != nil {
		return nil, err
	}
	if d.Commitments, err = p.store.Commitments(ctx, personID); err != nil {
		return nil, err
	}
	if d.Explanations, err = p.store.Explanations(ctx, personID); err != nil {
		return nil, err
	}
	if d.Explanations == nil { // an empty list, never null, as the other lists
		d.Explanations = []*socle.PersonExplanation{}
	}
	for _, a := range d.Appointments {
		if a.Attendance == socle.AttendanceUnexcused {
			d.Unexcused++
		}
		ns, err := p.store.NoticeDeliveries(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		d.Notices = append(d.Notices, ns...)
	}
	return d, nil
}

// nameDuties fills d.Names with the names of the organisations and advisers of
// its appointments and slots.
func (p *Parcours) nameDuties(ctx context.Context, d *Duties) {
	add := func(orgID, agentID string) {
		if _, ok := d.Names[orgID]; !ok && orgID != "" {
			if o, err := p.store.Organisation(ctx, orgID); err == nil {
				d.Names[orgID] = o.Name
			}
		}
		if _, ok := d.Names[agentID]; !ok && agentID != "" {
			if a, err := p.store.Agent(ctx, agentID); err == nil {
				d.Names[agentID] = a.FullName()
			}
		}
	}
	for _, a := range d.Appointments {
		add(a.OrganisationID, a.AgentID)
	}
	for _, s := range d.Slots {
		add(s.OrganisationID, s.AgentID)
	}
}

// RightsAndDuties returns to an adviser what is recorded of a followed
// person's rights and duties, with her explanations.
func (p *Parcours) RightsAndDuties(ctx context.Context, req Request, personID string) (*Duties, error) {
	s := parcoursSpec(socle.ActionRead, personID, socle.SetOf(socle.CatParcours), purposeAccompagnement)
	s.want = socle.SetOf(socle.CatParcours, socle.CatIdentity)
	d, _, err := access(ctx, p.g, req, s, func(ctx context.Context, dec socle.Decision) (*Duties, outcome, error) {
		d, err := p.readDuties(ctx, personID)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading rights and duties: %w", err)
		}
		p.nameDuties(ctx, d)
		if dec.Categories.Has(socle.CatIdentity) {
			if person, err := p.g.store.Person(ctx, personID, socle.SetOf(socle.CatIdentity)); err == nil && person.Identity != nil {
				d.PersonName = person.Identity.GivenName + " " + person.Identity.FamilyName
			}
		}
		return d, outcome{records: d.size()}, nil
	})
	return d, err
}

// MyAppointments returns, in the person's own space, her appointments,
// what is recorded of her rights and duties, and the open slots of her
// référents and structures in [now, now+horizon) she may book.
func (p *Parcours) MyAppointments(ctx context.Context, req Request, horizon time.Duration) (*Duties, error) {
	d, _, err := access(ctx, p.g, req, selfSpec(req, "self_read", selfDecision), func(ctx context.Context, _ socle.Decision) (*Duties, outcome, error) {
		id := req.Actor.PersonID
		d, err := p.readDuties(ctx, id)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading own appointments: %w", err)
		}
		if d.Slots, err = p.bookableSlots(ctx, id, horizon); err != nil {
			return nil, outcome{}, err
		}
		p.nameDuties(ctx, d)
		return d, outcome{records: d.size()}, nil
	})
	return d, err
}

// bookableSlots lists the open slots the person may book: those of the
// organisations that follow her today, their own and her référents'.
func (p *Parcours) bookableSlots(ctx context.Context, personID string, horizon time.Duration) ([]*socle.Slot, error) {
	if horizon <= 0 || horizon > 93*24*time.Hour {
		horizon = 31 * 24 * time.Hour
	}
	fs, err := p.g.store.Followups(ctx, personID)
	if err != nil {
		return nil, fmt.Errorf("reading follow-ups: %w", err)
	}
	now, today := p.g.Now(), socle.DateOf(p.g.Now())
	agents := map[string][]string{}
	for _, f := range fs {
		if f.ActiveOn(today) {
			agents[f.OrganisationID] = append(agents[f.OrganisationID], f.AgentID)
		}
	}
	var out []*socle.Slot
	for org, ids := range agents {
		ids = slices.DeleteFunc(ids, func(s string) bool { return s == "" })
		sl, err := p.store.OpenSlots(ctx, socle.SlotQuery{OrganisationID: org, AgentIDs: ids, Structure: true, From: now, To: now.Add(horizon)})
		if err != nil {
			return nil, fmt.Errorf("listing open slots: %w", err)
		}
		out = append(out, sl...)
	}
	slices.SortFunc(out, func(a, b *socle.Slot) int { return a.Start.Compare(b.Start) })
	return out, nil
}

// Explain records, in her own space, the person's explanation about one
// of her appointments or contracts; her advisers read it beside the
// record.
func (p *Parcours) Explain(ctx context.Context, req Request, subjectKind, subjectID, text string) (*socle.PersonExplanation, error) {
	text = strings.TrimSpace(text)
	d := socle.Decision{Allow: true, Categories: socle.SetOf(socle.CatParcours), Facts: []socle.Fact{{Kind: "self",
		Text: "La personne ajoute son explication à ce qui est consigné de ses droits et devoirs."}}}
	s := selfSpec(req, "self_explain", d)
	s.valid = func() error {
		if n := utf8.RuneCountInString(text); n < 5 || n > 2000 {
			return socle.Errorf(socle.EINVALID, "explanation: from 5 to 2000 characters")
		}
		return nil
	}
	e, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (*socle.PersonExplanation, outcome, error) {
		mine := false
		switch subjectKind {
		case socle.ExplainAppointment:
			a, err := p.store.Appointment(ctx, subjectID)
			mine = err == nil && a.PersonID == req.Actor.PersonID
		case socle.ExplainCommitment:
			c, err := p.store.Commitment(ctx, subjectID)
			mine = err == nil && c.PersonID == req.Actor.PersonID
		default:
			return nil, outcome{}, socle.Errorf(socle.EINVALID, "explanation: the subject is %s or %s", socle.ExplainAppointment, socle.ExplainCommitment)
		}
		if !mine {
			return nil, outcome{}, socle.Errorf(socle.ENOTFOUND, "%s not found", subjectKind)
		}
		e := &socle.PersonExplanation{ID: socle.NewID(socle.PrefixExplanation), PersonID: req.Actor.PersonID, SubjectKind: subjectKind,
			SubjectID: subjectID, Text: text, CreatedAt: p.g.Now()}
		return e, outcome{records: 1, write: storing("recording the explanation", func(ctx context.Context) error {
			return p.store.CreateExplanation(ctx, e)
		})}, nil
	})
	return e, err
}

// NextAppointments returns the planned appointments of the persons the
// actor's organisation follows that she set, in [from, to), with the
// person's name when the policy grants her identity: the adviser's day.
func (p *Parcours) NextAppointments(ctx context.Context, req Request, from, to time.Time) ([]AgendaEntry, error) {
	s := listingSpec(func() error {
		if req.Actor.AgentID == "" {
			return socle.Errorf(socle.EFORBIDDEN, "the agenda is an adviser's")
		}
		return windowCheck(from, to)()
	})
	s.want = socle.SetOf(socle.CatParcours, socle.CatIdentity)
	out, _, err := access(ctx, p.g, req, s, func(ctx context.Context, d socle.Decision) ([]AgendaEntry, outcome, error) {
		evs, err := p.store.Events(ctx, socle.EventQuery{AgentID: req.Actor.AgentID, Kind: socle.EventAppointment, From: from, To: to})
		if err != nil {
			return nil, outcome{}, err
		}
		var out []AgendaEntry
		var ids []string
		for _, e := range evs {
			a, err := p.store.Appointment(ctx, e.ID)
			if socle.ErrorCode(err) == socle.ENOTFOUND {
				// An appointment written as a plain event, before appointments had a state.
				a, err = &socle.Appointment{Event: *e, Status: socle.AppointmentPlanned}, nil
			}
			if err != nil {
				return nil, outcome{}, err
			}
			entry := AgendaEntry{Appointment: a}
			if d.Categories.Has(socle.CatIdentity) {
				if person, err := p.g.store.Person(ctx, e.PersonID, socle.SetOf(socle.CatIdentity)); err == nil && person.Identity != nil {
					entry.PersonName = person.Identity.GivenName + " " + person.Identity.FamilyName
				}
			}
			out = append(out, entry)
			ids = append(ids, e.PersonID)
		}
		return out, outcome{records: len(out), persons: ids, refs: true}, nil
	})
	return out, err
}

// AgendaEntry is an appointment of the adviser's agenda with the
// person's name.
type AgendaEntry struct {
	Appointment *socle.Appointment `json:"appointment"`
	PersonName  string             `json:"person_name,omitempty"`
}

// reminderLeads is how long before its appointment each reminder is due.
var reminderLeads = map[string]time.Duration{socle.NoticeReminder48h: 48 * time.Hour, socle.NoticeReminder24h: 24 * time.Hour}

// reminderFact is why the platform reads the contact of a person whose
// appointment is near.
var reminderFact = socle.Fact{Kind: "reminder", Text: "Rappel automatique d'un rendez-vous fixé par la structure qui accompagne la personne, à l'adresse qu'elle a donnée."}

// SendReminders hands the notices' sender a reminder (notice) of every
// planned appointment starting in [from, to) not yet reminded: the
// platform's own access, with no caller, recorded as one access over the
// persons reminded. It returns how many were handed over.
func (p *Parcours) SendReminders(ctx context.Context, notice string, from, to time.Time) (int, error) {
	req := Request{Purpose: purposeAccompagnement, RequestID: "rappels"}
	s := spec{caller: platformCaller, action: socle.ActionRead, res: socle.Resource{Kind: socle.ResourcePerson},
		grounds: on(socle.Decision{Allow: true, Categories: socle.SetOf(socle.CatContact), Facts: []socle.Fact{reminderFact}}),
		valid: func() error {
			if notice != socle.NoticeReminder48h && notice != socle.NoticeReminder24h {
				return socle.Errorf(socle.EINVALID, "reminder: %s or %s", socle.NoticeReminder48h, socle.NoticeReminder24h)
			}
			return nil
		}}
	n, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (int, outcome, error) {
		if p.notices == nil {
			return 0, outcome{none: true}, nil
		}
		due, err := p.store.DueAppointments(ctx, notice, from, to)
		if err != nil {
			return 0, outcome{}, err
		}
		// A reminder recalls an invitation sent earlier than it: an
		// appointment set less than 48 hours ahead gets no 48-hour reminder.
		lead := reminderLeads[notice]
		due = slices.DeleteFunc(due, func(a *socle.Appointment) bool { return a.CreatedAt.After(a.Start.Add(-lead)) })
		if len(due) == 0 {
			return 0, outcome{none: true}, nil
		}
		ids := make([]string, len(due))
		for i, a := range due {
			ids[i] = a.PersonID
		}
		return len(due), outcome{records: len(due), persons: ids, refs: true, refsOnly: true, write: func(ctx context.Context) error {
			for _, a := range due {
				if err := p.notify(ctx, notice, a); err != nil {
					return err
				}
			}
			return nil
		}}, nil
	})
	return n, err
}
