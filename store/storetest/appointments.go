package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"socle"
)

// AppointmentStore is what RunAppointments tests.
type AppointmentStore interface {
	ParcoursStore
	socle.AppointmentStore
}

// RunAppointments runs the suite of open slots, bookings, cancellations,
// attendance, notices and explanations. open returns a new, empty,
// migrated store.
func RunAppointments(t *testing.T, open func(t *testing.T) socle.Store) {
	runTests(t, open, "appointment store", []storeTest[AppointmentStore]{
		{"SlotsAndBooking", testSlotsAndBooking},
		{"ConcurrentBookingOfOneSlot", testConcurrentBooking},
		{"CancellationAndAttendance", testCancellationAndAttendance},
		{"NoticesGoOutOnce", testNoticesOnce},
		{"NoticeQueueIsDurable", testNoticeQueue},
		{"Explanations", testExplanations},
	})
}

type appointmentFixture struct {
	parcoursFixture
	start time.Time
}

func newAppointmentFixture(t *testing.T, s AppointmentStore) appointmentFixture {
	t.Helper()
	return appointmentFixture{parcoursFixture: newParcoursFixture(t, s), start: time.Date(2026, 3, 10, 8, 30, 0, 0, time.UTC)}
}

// slot publishes a slot of the fixture's adviser (structure: of the
// organisation) starting at f.start plus offset.
func (f appointmentFixture) slot(t *testing.T, s AppointmentStore, offset time.Duration, structure bool) *socle.Slot {
	t.Helper()
	sl := &socle.Slot{OrganisationID: f.org.ID, AgentID: f.agent.ID, Start: f.start.Add(offset), End: f.start.Add(offset + 30*time.Minute),
		Location: "12 rue de la République, Lyon", Modalite: socle.ModaliteOnSite}
	if structure {
		sl.AgentID = ""
	}
	must(t, sl.Validate())
	must(t, s.CreateSlot(context.Background(), sl, nil))
	return sl
}

func (f appointmentFixture) booking(sl *socle.Slot) *socle.Appointment {
	return &socle.Appointment{Event: socle.Event{PersonID: f.person.ID, OrganisationID: sl.OrganisationID, AgentID: sl.AgentID,
		Title: "Rendez-vous", Start: sl.Start, End: sl.End, Location: sl.Location}, SlotID: sl.ID, Modalite: sl.Modalite}
}

func testSlotsAndBooking(t *testing.T, s AppointmentStore) {
	ctx := context.Background()
	f := newAppointmentFixture(t, s)
	mine := f.slot(t, s, 0, false)
	structure := f.slot(t, s, time.Hour, true)
	f.slot(t, s, 30*24*time.Hour, false) // outside the window
	window := socle.SlotQuery{OrganisationID: f.org.ID, From: f.start, To: f.start.Add(7 * 24 * time.Hour)}

	for _, tt := range []struct {
		name      string
		agents    []string
		structure bool
		want      []string
	}{
		{"the adviser's", []string{f.agent.ID}, false, []string{mine.ID}},
		{"the structure's", nil, true, []string{structure.ID}},
		{"both", []string{f.agent.ID}, true, []string{mine.ID, structure.ID}},
		{"nobody's", nil, false, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := window
			q.AgentIDs, q.Structure = tt.agents, tt.structure
			got, err := s.OpenSlots(ctx, q)
			must(t, err)
			if len(got) != len(tt.want) {
				t.Fatalf("OpenSlots = %d slots, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i].ID != tt.want[i] {
					t.Errorf("slot %d = %s, want %s", i, got[i].ID, tt.want[i])
				}
			}
		})
	}

	a := f.booking(mine)
	must(t, s.CreateAppointment(ctx, a, nil))
	got, err := s.Appointment(ctx, a.ID)
	must(t, err)
	if got.Status != socle.AppointmentPlanned || got.SlotID != mine.ID || got.Kind != socle.EventAppointment || !got.Start.Equal(mine.Start) {
		t.Fatalf("booked appointment = %+v", got)
	}
	sl, err := s.Slot(ctx, mine.ID)
	must(t, err)
	if sl.EventID != a.ID {
		t.Errorf("the booked slot names %q, want the appointment %s", sl.EventID, a.ID)
	}
	open, err := s.OpenSlots(ctx, socle.SlotQuery{OrganisationID: f.org.ID, AgentIDs: []string{f.agent.ID}, From: window.From, To: window.To})
	must(t, err)
	if len(open) != 0 {
		t.Errorf("a booked slot is still open: %d", len(open))
	}
	wantCode(t, s.CreateAppointment(ctx, f.booking(mine), nil), socle.ECONFLICT)
	evs, err := s.Events(ctx, socle.EventQuery{PersonID: f.person.ID})
	must(t, err)
	if len(evs) != 1 {
		t.Errorf("a refused booking left an event: %d events", len(evs))
	}
	list, err := s.Appointments(ctx, f.person.ID)
	must(t, err)
	if len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("Appointments = %v", list)
	}
	// An appointment without a slot (set by the adviser).
	direct := &socle.Appointment{Event: socle.Event{PersonID: f.person.ID, OrganisationID: f.org.ID, AgentID: f.agent.ID, Title: "Entretien",
		Start: f.start.Add(48 * time.Hour), End: f.start.Add(49 * time.Hour)}, Modalite: socle.ModalitePhone}
	must(t, s.CreateAppointment(ctx, direct, nil))
	_, err = s.Slot(ctx, socle.NewID(socle.PrefixSlot))
	wantCode(t, err, socle.ENOTFOUND)
}

// testConcurrentBooking books one slot from many goroutines at once: one
// booking wins, every other is ECONFLICT, and one event is stored.
func testConcurrentBooking(t *testing.T, s AppointmentStore) {
	ctx := context.Background()
	f := newAppointmentFixture(t, s)
	sl := f.slot(t, s, 0, false)
	const n = 12
	results := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { results <- s.CreateAppointment(ctx, f.booking(sl), nil) })
	}
	wg.Wait()
	close(results)
	won := 0
	for err := range results {
		switch socle.ErrorCode(err) {
		case "":
			won++
		case socle.ECONFLICT:
		default:
			t.Errorf("booking: %v, want success or ECONFLICT", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d bookings of one slot succeeded, want 1", won)
	}
	evs, err := s.Events(ctx, socle.EventQuery{PersonID: f.person.ID})
	must(t, err)
	if len(evs) != 1 {
		t.Errorf("%d events stored, want 1", len(evs))
	}
}

func testCancellationAndAttendance(t *testing.T, s AppointmentStore) {
	ctx := context.Background()
	f := newAppointmentFixture(t, s)
	sl := f.slot(t, s, 0, false)
	a := f.booking(sl)
	must(t, s.CreateAppointment(ctx, a, nil))
	at := f.start.Add(-time.Hour)
	must(t, s.CancelAppointment(ctx, a.ID, socle.CancelledByPerson, "Je suis malade.", at))
	got, err := s.Appointment(ctx, a.ID)
	must(t, err)
	if got.Status != socle.AppointmentCancelled || got.CancelledBy != socle.CancelledByPerson || got.CancelReason != "Je suis malade." || !got.CancelledAt.Equal(at) {
		t.Errorf("cancelled appointment = %+v", got)
	}
	wantCode(t, s.CancelAppointment(ctx, a.ID, socle.CancelledByAdviser, "", at), socle.ECONFLICT)
	wantCode(t, s.RecordAttendance(ctx, a.ID, socle.AttendanceHonoured, f.agent.ID, at), socle.ECONFLICT)
	// The slot is free again, and can be booked anew.
	again := f.booking(sl)
	must(t, s.CreateAppointment(ctx, again, nil))

	must(t, s.RecordAttendance(ctx, again.ID, socle.AttendanceUnexcused, f.agent.ID, f.start.Add(time.Hour)))
	must(t, s.RecordAttendance(ctx, again.ID, socle.AttendanceExcused, f.agent.ID, f.start.Add(2*time.Hour)))
	got, err = s.Appointment(ctx, again.ID)
	must(t, err)
	if got.Attendance != socle.AttendanceExcused || got.AttendanceBy != f.agent.ID || !got.AttendanceAt.Equal(f.start.Add(2*time.Hour)) {
		t.Errorf("attendance = %q by %q at %v", got.Attendance, got.AttendanceBy, got.AttendanceAt)
	}
	wantCode(t, s.CancelAppointment(ctx, again.ID, socle.CancelledByAdviser, "", at), socle.ECONFLICT)
}

func testNoticesOnce(t *testing.T, s AppointmentStore) {
	ctx := context.Background()
	f := newAppointmentFixture(t, s)
	a := f.booking(f.slot(t, s, 0, false))
	must(t, s.CreateAppointment(ctx, a, nil))
	window := func() []*socle.Appointment {
		due, err := s.DueAppointments(ctx, socle.NoticeReminder24h, f.start.Add(-time.Hour), f.start.Add(time.Hour))
		must(t, err)
		return due
	}
	if due := window(); len(due) != 1 || due[0].ID != a.ID {
		t.Fatalf("DueAppointments = %v, want the appointment", due)
	}
	d := &socle.NoticeDelivery{EventID: a.ID, Notice: socle.NoticeReminder24h, Channel: socle.ChannelEmail}
	ok, err := s.ClaimNotice(ctx, d)
	must(t, err)
	if !ok {
		t.Fatal("the first claim failed")
	}
	ok, err = s.ClaimNotice(ctx, &socle.NoticeDelivery{EventID: a.ID, Notice: socle.NoticeReminder24h, Channel: socle.ChannelEmail})
	must(t, err)
	if ok {
		t.Fatal("a notice was claimed twice on one channel")
	}
	if due := window(); len(due) != 0 {
		t.Errorf("an appointment already reminded is still due: %v", due)
	}
	d.Result = socle.NoticeSent
	must(t, s.SetNoticeResult(ctx, d))
	ds, err := s.NoticeDeliveries(ctx, a.ID)
	must(t, err)
	if len(ds) != 1 || ds[0].Result != socle.NoticeSent || ds[0].Channel != socle.ChannelEmail {
		t.Errorf("deliveries = %+v", ds)
	}
	wantCode(t, s.SetNoticeResult(ctx, &socle.NoticeDelivery{EventID: a.ID, Notice: socle.NoticeInvitation, Channel: socle.ChannelSMS, Result: socle.NoticeSent}), socle.ENOTFOUND)
}

func testExplanations(t *testing.T, s AppointmentStore) {
	ctx := context.Background()
	f := newAppointmentFixture(t, s)
	e := &socle.PersonExplanation{PersonID: f.person.ID, SubjectKind: socle.ExplainAppointment, SubjectID: socle.NewID(socle.PrefixEvent),
		Text: "J'étais à un entretien d'embauche ce jour-là."}
	must(t, s.CreateExplanation(ctx, e))
	got, err := s.Explanations(ctx, f.person.ID)
	must(t, err)
	if len(got) != 1 {
		t.Fatalf("Explanations = %d, want 1", len(got))
	}
	sameJSON(t, "explanation", got[0], e)
	other, err := s.Explanations(ctx, createPerson(t, s, 2).ID)
	must(t, err)
	if len(other) != 0 {
		t.Errorf("another person's explanations: %v", other)
	}
}

// testNoticeQueue: pending notices are the queue. A notice claimed by a
// server that stopped before sending is leased by the next one; a leased
// notice is not leased again (another server of the cluster) until its
// lease ends; a failure with a retry time waits until then; a sent or
// finally failed notice is never leased again.
func testNoticeQueue(t *testing.T, s AppointmentStore) {
	ctx := context.Background()
	f := newAppointmentFixture(t, s)
	a := f.booking(f.slot(t, s, 0, false))
	must(t, s.CreateAppointment(ctx, a, nil))
	t0 := time.Now().UTC().Truncate(time.Second)
	for _, ch := range []string{socle.ChannelEmail, socle.ChannelSMS} {
		ok, err := s.ClaimNotice(ctx, &socle.NoticeDelivery{EventID: a.ID, Notice: socle.NoticeInvitation, Channel: ch, At: t0})
		must(t, err)
		if !ok {
			t.Fatal("claiming a notice failed")
		}
	}
	noContact := &socle.NoticeDelivery{EventID: a.ID, Notice: socle.NoticeCancellation, Channel: socle.ChannelSMS, Result: socle.NoticeNoContact, At: t0}
	_, err := s.ClaimNotice(ctx, noContact)
	must(t, err)
	lease := func(at time.Time) []*socle.NoticeDelivery {
		t.Helper()
		ds, err := s.LeaseNotices(ctx, at, time.Minute, 10)
		must(t, err)
		return ds
	}
	// The first server (after a restart: nothing of it in memory) leases
	// both; a second one at the same time gets none.
	first := lease(t0.Add(time.Second))
	if len(first) != 2 || first[0].Attempts != 1 || first[0].EventID != a.ID || first[0].Notice != socle.NoticeInvitation {
		t.Fatalf("first lease = %+v, want the two pending invitations, first attempt", first)
	}
	if again := lease(t0.Add(2 * time.Second)); len(again) != 0 {
		t.Fatalf("a leased notice was leased again within its lease: %+v", again)
	}
	// The first server stops without recording: after the lease, another
	// server takes them, as second attempts.
	taken := lease(t0.Add(2 * time.Minute))
	if len(taken) != 2 || taken[0].Attempts != 2 {
		t.Fatalf("lease after the first one ended = %+v, want both, second attempt", taken)
	}
	// The e-mail is sent; the SMS fails, retried in ten minutes.
	sent, failed := taken[0], taken[1]
	if sent.Channel != socle.ChannelEmail {
		sent, failed = failed, sent
	}
	sent.Result, sent.At = socle.NoticeSent, t0.Add(2*time.Minute)
	must(t, s.SetNoticeResult(ctx, sent))
	failed.Result, failed.At, failed.NextAt = socle.NoticeFailed, t0.Add(2*time.Minute), t0.Add(12*time.Minute)
	must(t, s.SetNoticeResult(ctx, failed))
	if ds := lease(t0.Add(5 * time.Minute)); len(ds) != 0 {
		t.Fatalf("leased before its retry time: %+v", ds)
	}
	retry := lease(t0.Add(13 * time.Minute))
	if len(retry) != 1 || retry[0].Channel != socle.ChannelSMS || retry[0].Attempts != 3 {
		t.Fatalf("lease at the retry time = %+v, want the SMS, third attempt", retry)
	}
	retry[0].Result, retry[0].At, retry[0].NextAt = socle.NoticeFailed, t0.Add(13*time.Minute), time.Time{}
	must(t, s.SetNoticeResult(ctx, retry[0]))
	if ds := lease(t0.Add(24 * time.Hour)); len(ds) != 0 {
		t.Fatalf("a sent or finally failed notice was leased: %+v", ds)
	}
	ds, err := s.NoticeDeliveries(ctx, a.ID)
	must(t, err)
	results := map[string]string{}
	for _, d := range ds {
		results[d.Notice+"/"+d.Channel] = d.Result
	}
	want := map[string]string{"invitation/courriel": socle.NoticeSent, "invitation/sms": socle.NoticeFailed, "annulation/sms": socle.NoticeNoContact}
	for k, v := range want {
		if results[k] != v {
			t.Errorf("%s: %q, want %q (all: %v)", k, results[k], v, results)
		}
	}

	// Servers of a cluster leasing at once: each notice goes to one.
	b := f.booking(f.slot(t, s, time.Hour, false))
	must(t, s.CreateAppointment(ctx, b, nil))
	kinds := []string{socle.NoticeInvitation, socle.NoticeReminder48h, socle.NoticeReminder24h, socle.NoticeCancellation}
	for _, kind := range kinds {
		for _, ch := range []string{socle.ChannelEmail, socle.ChannelSMS} {
			_, err := s.ClaimNotice(ctx, &socle.NoticeDelivery{EventID: b.ID, Notice: kind, Channel: ch, At: t0})
			must(t, err)
		}
	}
	const servers = 6
	leasedBy := make(chan []*socle.NoticeDelivery, servers)
	var wg sync.WaitGroup
	for range servers {
		wg.Go(func() {
			ds, err := s.LeaseNotices(ctx, t0.Add(time.Hour), time.Minute, 2*len(kinds))
			if err != nil {
				t.Error(err)
			}
			leasedBy <- ds
		})
	}
	wg.Wait()
	close(leasedBy)
	seen := map[string]int{}
	for ds := range leasedBy {
		for _, d := range ds {
			seen[d.EventID+"/"+d.Notice+"/"+d.Channel]++
		}
	}
	if len(seen) != 2*len(kinds) {
		t.Errorf("%d notices leased by the servers, want %d", len(seen), 2*len(kinds))
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s leased by %d servers, want 1", k, n)
		}
	}
}
