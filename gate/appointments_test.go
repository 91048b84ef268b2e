package gate_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"socle"
	"socle/gate"
	"socle/store/storetest"
)

// noticeSink keeps the notices the gate hands over.
type noticeSink struct {
	mu  sync.Mutex
	got []gate.Notice
}

func (s *noticeSink) Channels() []string { return []string{socle.ChannelEmail, socle.ChannelSMS} }

func (s *noticeSink) Notify(_ context.Context, n gate.Notice) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, n)
}

func (s *noticeSink) notices() []gate.Notice {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]gate.Notice(nil), s.got...)
}

// appointmentEnv is the gate's network with a second adviser of the same
// mission locale (not the person's référent) and another structure.
type appointmentEnv struct {
	*env
	p           *gate.Parcours
	sink        *noticeSink
	colleague   socle.Actor
	elsewhere   socle.Actor
	tomorrow    time.Time
	selfFollow  gate.Request
	selfStrange gate.Request
}

func newAppointmentEnv(t *testing.T) *appointmentEnv {
	t.Helper()
	ctx := context.Background()
	e := newEnv(t)
	a := &appointmentEnv{env: e, p: newParcours(t, e), sink: &noticeSink{}}
	a.p.SetNotices(a.sink)
	colleague := storetest.NewAgent(e.adviser.OrganisationID, "paul@ml-lyon.fr")
	if err := e.db.CreateAgent(ctx, colleague); err != nil {
		t.Fatal(err)
	}
	a.colleague = e.adviser
	a.colleague.AgentID = colleague.ID
	a.elsewhere = newAdviser(t, e.db, storetest.NewOrganisation("Cap emploi du Rhône", socle.KindDisability, "69"), "lea@capemploi69.fr")
	a.tomorrow = time.Now().Add(26 * time.Hour).Truncate(time.Minute)
	a.selfFollow = e.self(e.followed)
	a.selfStrange = gate.Request{Actor: socle.Actor{PersonID: e.stranger.ID, Strength: socle.AuthClient}, RequestID: "self"}
	return a
}

func (a *appointmentEnv) publish(t *testing.T, by socle.Actor, offset time.Duration, structure bool) *socle.Slot {
	t.Helper()
	sl := &socle.Slot{Start: a.tomorrow.Add(offset), End: a.tomorrow.Add(offset + 30*time.Minute), Location: "Antenne de Vénissieux", Modalite: socle.ModaliteOnSite}
	if err := a.p.PublishSlot(context.Background(), gate.Request{Actor: by, Purpose: "accompagnement", RequestID: "t"}, sl, structure); err != nil {
		t.Fatal(err)
	}
	return sl
}

// TestPersonBooksOnlyHerReferentsOrStructuresSlots publishes slots of the
// référent, of a colleague, of the structure and of another structure:
// the person sees and books only the référent's and the structure's, a
// person nobody there follows books none, and every access is audited.
func TestPersonBooksOnlyHerReferentsOrStructuresSlots(t *testing.T) {
	ctx := context.Background()
	a := newAppointmentEnv(t)
	referent := a.publish(t, a.adviser, 0, false)
	colleague := a.publish(t, a.colleague, time.Hour, false)
	structure := a.publish(t, a.adviser, 2*time.Hour, true)
	elsewhere := a.publish(t, a.elsewhere, 3*time.Hour, false)

	before := a.log.Size()
	mine, err := a.p.MyAppointments(ctx, a.selfFollow, 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.log.Size() != before+1 {
		t.Errorf("MyAppointments appended %d audit entries, want 1", a.log.Size()-before)
	}
	var offered []string
	for _, s := range mine.Slots {
		offered = append(offered, s.ID)
	}
	if len(offered) != 2 || offered[0] != referent.ID || offered[1] != structure.ID {
		t.Fatalf("slots offered = %v, want the référent's %s and the structure's %s", offered, referent.ID, structure.ID)
	}
	if mine.Names[referent.AgentID] == "" || mine.Names[referent.OrganisationID] != "Mission Locale de Lyon" {
		t.Errorf("names = %v", mine.Names)
	}

	for _, tt := range []struct {
		name string
		req  gate.Request
		slot *socle.Slot
		code string
	}{
		{"a colleague's slot", a.selfFollow, colleague, socle.ENOTFOUND},
		{"another structure's slot", a.selfFollow, elsewhere, socle.ENOTFOUND},
		{"a person the structure does not follow", a.selfStrange, structure, socle.ENOTFOUND},
		{"an adviser in the person's space", gate.Request{Actor: a.adviser}, referent, socle.EUNAUTHENTICATED},
		{"her référent's slot", a.selfFollow, referent, ""},
		{"the structure's slot", a.selfFollow, structure, ""},
		{"a slot booked already", a.selfFollow, referent, socle.ECONFLICT},
	} {
		t.Run(tt.name, func(t *testing.T) {
			appt, err := a.p.BookSlot(ctx, tt.req, tt.slot.ID)
			if socle.ErrorCode(err) != tt.code {
				t.Fatalf("BookSlot: %v, want %q", err, tt.code)
			}
			if tt.code != "" {
				if appt != nil {
					t.Errorf("a refused booking returned %+v", appt)
				}
				return
			}
			if appt.PersonID != tt.req.Actor.PersonID || appt.SlotID != tt.slot.ID || !appt.Start.Equal(tt.slot.Start) {
				t.Errorf("booked = %+v", appt)
			}
		})
	}
	notices := a.sink.notices()
	if len(notices) != 2 {
		t.Fatalf("%d notices, want the 2 invitations", len(notices))
	}
	n := notices[0]
	if n.Kind != socle.NoticeInvitation || n.Email != a.followed.Contact.Email || n.GivenName != a.followed.Identity.GivenName ||
		n.OrganisationName != "Mission Locale de Lyon" || n.AdviserName == "" || len(n.Channels) == 0 {
		t.Errorf("invitation = %+v", n)
	}
}

// TestCancellationAndAttendance: the person cancels her own appointment
// (not another's), the adviser is notified through the notice, a
// colleague of another structure cannot record attendance, and the
// rights-and-duties view counts what was missed without excuse, with the
// person's explanation.
func TestCancellationAndAttendance(t *testing.T) {
	ctx := context.Background()
	a := newAppointmentEnv(t)
	accomp := a.req("accompagnement")
	booked, err := a.p.BookSlot(ctx, a.selfFollow, a.publish(t, a.adviser, 0, false).ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.p.CancelAppointment(ctx, a.selfStrange, booked.ID, "pas moi"); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("another person cancels: %v, want ENOTFOUND", err)
	}
	cancelled, err := a.p.CancelAppointment(ctx, a.selfFollow, booked.ID, "Je commence une formation ce jour-là.")
	if err != nil {
		t.Fatal(err)
	}
	if cancelled.Status != socle.AppointmentCancelled || cancelled.CancelledBy != socle.CancelledByPerson {
		t.Errorf("cancelled = %+v", cancelled)
	}
	if ns := a.sink.notices(); len(ns) != 2 || ns[1].Kind != socle.NoticeCancellation {
		t.Errorf("notices = %+v, want an invitation then a cancellation", ns)
	}

	// An appointment the adviser set yesterday, which the person missed.
	past := &socle.Appointment{Event: socle.Event{PersonID: a.followed.ID, Title: "Point mensuel", Start: time.Now().Add(-26 * time.Hour),
		End: time.Now().Add(-25 * time.Hour)}, Modalite: socle.ModalitePhone}
	if err := a.p.ScheduleAppointment(ctx, accomp, past); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name       string
		req        gate.Request
		attendance string
		code       string
	}{
		{"unknown attendance", accomp, "venu", socle.EINVALID},
		{"another structure", gate.Request{Actor: a.elsewhere, Purpose: "accompagnement"}, socle.AttendanceHonoured, socle.ENOTFOUND},
		{"the person herself", gate.Request{Actor: a.selfFollow.Actor, Purpose: "accompagnement"}, socle.AttendanceHonoured, socle.EFORBIDDEN},
		{"the adviser", accomp, socle.AttendanceUnexcused, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.p.RecordAttendance(ctx, tt.req, past.ID, tt.attendance)
			if socle.ErrorCode(err) != tt.code {
				t.Fatalf("RecordAttendance: %v, want %q", err, tt.code)
			}
		})
	}
	if _, err := a.p.RecordAttendance(ctx, accomp, booked.ID, socle.AttendanceHonoured); socle.ErrorCode(err) != socle.ECONFLICT {
		t.Errorf("attendance of a cancelled appointment: %v, want ECONFLICT", err)
	}
	if _, err := a.p.Explain(ctx, a.selfStrange, socle.ExplainAppointment, past.ID, "Ce n'est pas mon rendez-vous."); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("another person explains: %v, want ENOTFOUND", err)
	}
	if _, err := a.p.Explain(ctx, a.selfFollow, socle.ExplainAppointment, past.ID, "Mon téléphone était en panne ce jour-là."); err != nil {
		t.Fatal(err)
	}
	before := a.log.Size()
	d, err := a.p.RightsAndDuties(ctx, accomp, a.followed.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.log.Size() != before+1 {
		t.Errorf("RightsAndDuties appended %d audit entries, want 1", a.log.Size()-before)
	}
	if d.Unexcused != 1 || len(d.Explanations) != 1 || len(d.Appointments) != 2 {
		t.Errorf("rights and duties: %d unexcused, %d explanations, %d appointments; want 1, 1, 2", d.Unexcused, len(d.Explanations), len(d.Appointments))
	}
	if _, err := a.p.RightsAndDuties(ctx, a.req("accompagnement"), a.stranger.ID); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Errorf("rights and duties of a person not followed: %v, want ENOTFOUND", err)
	}
}

// TestRemindersGoOutOnce: the platform's reminder hands each due
// appointment over once, audited, and never a cancelled one.
func TestRemindersGoOutOnce(t *testing.T) {
	ctx := context.Background()
	a := newAppointmentEnv(t)
	booked, err := a.p.BookSlot(ctx, a.selfFollow, a.publish(t, a.adviser, 0, false).ID)
	if err != nil {
		t.Fatal(err)
	}
	other, err := a.p.BookSlot(ctx, a.selfFollow, a.publish(t, a.adviser, time.Hour, true).ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.p.CancelAppointment(ctx, a.req("accompagnement"), other.ID, ""); err != nil {
		t.Fatal(err)
	}
	from, to := time.Now(), time.Now().Add(48*time.Hour)
	before := a.log.Size()
	n, err := a.p.SendReminders(ctx, socle.NoticeReminder24h, from, to)
	if err != nil || n != 1 {
		t.Fatalf("SendReminders = %d, %v; want 1", n, err)
	}
	if a.log.Size() != before+1 {
		t.Errorf("reminders appended %d audit entries, want 1", a.log.Size()-before)
	}
	if n, err := a.p.SendReminders(ctx, socle.NoticeReminder24h, from, to); err != nil || n != 0 {
		t.Fatalf("second SendReminders = %d, %v; want 0", n, err)
	}
	ns := a.sink.notices()
	last := ns[len(ns)-1]
	if last.Kind != socle.NoticeReminder24h || last.Appointment.ID != booked.ID {
		t.Errorf("last notice = %s of %s, want the reminder of %s", last.Kind, last.Appointment.ID, booked.ID)
	}
}

// failClosedAppointments prepares what the fail-closed test's calls of
// the appointments' entry points find: an open slot, a planned
// appointment due for its reminder, a past one to record attendance of,
// and the notices' sender.
func failClosedAppointments(t *testing.T, e *env, p *gate.Parcours) (slot *socle.Slot, planned, past *socle.Appointment) {
	t.Helper()
	ctx := context.Background()
	p.SetNotices(&noticeSink{})
	accomp := e.req("accompagnement")
	soon := time.Now().Add(20 * time.Hour).Truncate(time.Minute)
	slot = &socle.Slot{Start: soon.Add(time.Hour), End: soon.Add(90 * time.Minute), Modalite: socle.ModaliteOnSite}
	if err := p.PublishSlot(ctx, accomp, slot, true); err != nil {
		t.Fatal(err)
	}
	planned = &socle.Appointment{Event: socle.Event{PersonID: e.followed.ID, Start: soon, End: soon.Add(30 * time.Minute)}, Modalite: socle.ModalitePhone}
	past = &socle.Appointment{Event: socle.Event{PersonID: e.followed.ID, Start: soon.Add(-48 * time.Hour), End: soon.Add(-47 * time.Hour)}, Modalite: socle.ModalitePhone}
	// Set two days ago, so that its reminder recalls an earlier invitation.
	clock := e.gate.Now
	e.gate.Now = func() time.Time { return clock().Add(-48 * time.Hour) }
	for _, a := range []*socle.Appointment{planned, past} {
		if err := p.ScheduleAppointment(ctx, accomp, a); err != nil {
			t.Fatal(err)
		}
	}
	e.gate.Now = clock
	return slot, planned, past
}

// TestAppointmentReadsAreAudited: every read of slots, appointments and
// rights and duties appends one entry to the audit log, allowed or not.
func TestAppointmentReadsAreAudited(t *testing.T) {
	ctx := context.Background()
	a := newAppointmentEnv(t)
	a.publish(t, a.adviser, 0, true)
	accomp := a.req("accompagnement")
	now := time.Now()
	for _, tt := range []struct {
		name string
		read func() error
	}{
		{"the organisation's slots", func() error { _, _, err := a.p.Slots(ctx, accomp, now, now.Add(72*time.Hour)); return err }},
		{"her own appointments", func() error { _, err := a.p.MyAppointments(ctx, a.selfFollow, 0); return err }},
		{"a followed person's rights and duties", func() error { _, err := a.p.RightsAndDuties(ctx, accomp, a.followed.ID); return err }},
		{"a stranger's rights and duties, refused", func() error {
			if _, err := a.p.RightsAndDuties(ctx, accomp, a.stranger.ID); socle.ErrorCode(err) != socle.ENOTFOUND {
				return err
			}
			return nil
		}},
		{"the adviser's next appointments", func() error {
			_, err := a.p.NextAppointments(ctx, accomp, now, now.Add(72*time.Hour))
			return err
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := a.log.Size()
			if err := tt.read(); err != nil {
				t.Fatal(err)
			}
			if got := a.log.Size() - before; got != 1 {
				t.Errorf("%d audit entries, want 1", got)
			}
		})
	}
}
