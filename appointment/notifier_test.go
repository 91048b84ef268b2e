package appointment_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"socle"
	"socle/appointment"
	"socle/commitment"
	"socle/gate"
	"socle/identity"
	"socle/internal/smtptest"
	"socle/internal/stacktest"
	"socle/store/storetest"
)

// world is the real stack with a mission locale, its adviser, a person it
// follows, a relay and an SMS provider in the test.
type world struct {
	stack    *stacktest.Stack
	parcours *gate.Parcours
	notifier *appointment.Notifier
	relay    *smtptest.Relay
	sms      *smsProvider
	person   *socle.Person
	adviser  socle.Actor
	self     gate.Request
	logs     *bytes.Buffer
}

// smsProvider is an SMS provider's HTTP API in the test.
type smsProvider struct {
	mu  sync.Mutex
	got []map[string]string
}

func (p *smsProvider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m map[string]string
	if r.Header.Get("Authorization") != "Bearer jeton-sms" || json.NewDecoder(r.Body).Decode(&m) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	p.got = append(p.got, m)
	p.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func (p *smsProvider) messages() []map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]map[string]string(nil), p.got...)
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	s := stacktest.New(t, stacktest.Options{})
	key, err := commitment.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := commitment.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{stack: s, parcours: gate.NewParcours(s.Gate, s.DB, signer), relay: smtptest.Start(t, smtptest.Config{}), sms: &smsProvider{}, logs: &bytes.Buffer{}}
	provider := httptest.NewServer(w.sms)
	t.Cleanup(provider.Close)
	mailer := identity.SMTPMailer{Addr: w.relay.Addr, From: "rendez-vous@socle.example.fr", AllowPlainLocalhost: true, Timeout: 5 * time.Second}
	w.notifier = appointment.New(w.parcours, mailer, appointment.HTTPSMS{URL: provider.URL, Token: "jeton-sms"}, "https://socle.example.fr",
		slog.New(slog.NewTextHandler(w.logs, nil)))
	w.parcours.SetNotices(w.notifier)

	org := storetest.NewOrganisation("Mission Locale de Lyon", socle.KindYouth, "69")
	must(t, s.DB.CreateOrganisation(ctx, org))
	agent := storetest.NewAgent(org.ID, "claire@ml-lyon.fr")
	must(t, s.DB.CreateAgent(ctx, agent))
	w.person = storetest.NewPerson(3)
	w.person.Health, w.person.Justice, w.person.Bank = nil, nil, nil
	must(t, s.DB.CreatePerson(ctx, w.person))
	must(t, s.DB.CreateFollowup(ctx, &socle.Followup{PersonID: w.person.ID, OrganisationID: org.ID, AgentID: agent.ID, Start: socle.NewDate(2025, 1, 6)}))
	w.adviser = socle.Actor{AgentID: agent.ID, OrganisationID: org.ID, OrgKind: org.Kind, OrgName: org.Name, Roles: agent.Roles,
		Departements: org.Departements, Strength: socle.AuthMFA}
	w.self = gate.Request{Actor: socle.Actor{PersonID: w.person.ID, Strength: socle.AuthClient}, RequestID: "self"}
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// book publishes a slot of the adviser at start and books it as the person.
func (w *world) book(t *testing.T, start time.Time) *socle.Appointment {
	t.Helper()
	ctx := context.Background()
	sl := &socle.Slot{Start: start, End: start.Add(45 * time.Minute), Location: "Antenne Lyon 8e, 12 avenue Mermoz", Modalite: socle.ModaliteOnSite}
	must(t, w.parcours.PublishSlot(ctx, gate.Request{Actor: w.adviser, Purpose: "accompagnement"}, sl, false))
	a, err := w.parcours.BookSlot(ctx, w.self, sl.ID)
	must(t, err)
	return a
}

// waitMails waits until the relay holds n messages.
func (w *world) waitMails(t *testing.T, n int) []smtptest.Delivery {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if got := w.relay.Deliveries(); len(got) >= n {
			return got
		}
	}
	t.Fatalf("the relay got %d messages, want %d", len(w.relay.Deliveries()), n)
	return nil
}

// TestInvitationReachesThePerson books a slot from the person's space and
// runs the notifier: the relay receives a French invitation at her
// address with the date in Paris, the modalité, the place, how to cancel
// and an .ics; the SMS provider receives the text at her number; both
// results are recorded, and the log holds neither address nor text.
func TestInvitationReachesThePerson(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.notifier.Run(ctx, time.Hour)
	paris, _ := time.LoadLocation("Europe/Paris")
	// 09:30 in Paris, a week ahead: no reminder is due yet.
	day := time.Now().In(paris).AddDate(0, 0, 7)
	start := time.Date(day.Year(), day.Month(), day.Day(), 9, 30, 0, 0, paris)
	a := w.book(t, start)

	d := w.waitMails(t, 1)[0]
	if d.To != w.person.Contact.Email {
		t.Fatalf("mailed to %q, want the person's address", d.To)
	}
	msg, err := mail.ReadMessage(strings.NewReader(d.Data))
	must(t, err)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	must(t, err)
	if want := "Votre rendez-vous du " + appointment.FrenchDay(start) + " à 09:30"; subject != want {
		t.Errorf("subject = %q, want %q", subject, want)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	must(t, err)
	parts := multipart.NewReader(msg.Body, params["boundary"])
	text, err := parts.NextPart()
	must(t, err)
	body, _ := io.ReadAll(text)
	for _, want := range []string{"Bonjour " + w.person.Identity.GivenName + ",", "Claire Fontaine, Mission Locale de Lyon",
		"de 09:30 à 10:15 (heure de Paris)", "Modalité : sur place", "Lieu : Antenne Lyon 8e, 12 avenue Mermoz",
		"https://socle.example.fr/usager/rendez-vous"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the invitation lacks %q:\n%s", want, body)
		}
	}
	ics, err := parts.NextPart()
	must(t, err)
	raw, _ := io.ReadAll(ics)
	cal, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
	must(t, err)
	if ics.FileName() != "rendez-vous.ics" || !strings.Contains(string(cal), "DTSTART:"+start.UTC().Format("20060102T150405Z")) {
		t.Errorf("attachment %q:\n%s", ics.FileName(), cal)
	}

	var sms []map[string]string
	for deadline := time.Now().Add(5 * time.Second); len(sms) == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		sms = w.sms.messages()
	}
	if len(sms) != 1 || sms[0]["to"] != w.person.Contact.Phone || !strings.Contains(sms[0]["text"], "09:30") {
		t.Fatalf("SMS = %v", sms)
	}
	var ds []*socle.NoticeDelivery
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		ds, err = w.stack.DB.NoticeDeliveries(context.Background(), a.ID)
		must(t, err)
		if len(ds) == 2 && ds[0].Result != socle.NoticePending && ds[1].Result != socle.NoticePending {
			break
		}
	}
	for _, d := range ds {
		if d.Notice != socle.NoticeInvitation || d.Result != socle.NoticeSent {
			t.Errorf("delivery %+v, want the invitation sent", d)
		}
	}
	if len(ds) != 2 {
		t.Errorf("%d deliveries recorded, want e-mail and SMS", len(ds))
	}
	if l := w.logs.String(); strings.Contains(l, w.person.Contact.Email) || strings.Contains(l, "Mermoz") || strings.Contains(l, w.person.Contact.Phone) {
		t.Errorf("the log holds the address or the message:\n%s", l)
	}
}

// TestRemindersFollowTheClock moves the notifier's clock toward an
// appointment: nothing 50 hours before, the 48-hour reminder between 48
// and 24 hours, the 24-hour one in the last day, each once; an
// appointment booked less than 48 hours ahead gets no 48-hour reminder,
// and a cancelled one none.
func TestRemindersFollowTheClock(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	start := time.Now().Add(50 * time.Hour).Truncate(time.Minute)
	a := w.book(t, start)
	cancelled := w.book(t, start.Add(time.Hour))
	// Booked 30 hours ahead: the invitation is recent, no 48-hour reminder,
	// but the 24-hour one.
	late := w.book(t, time.Now().Add(30*time.Hour).Truncate(time.Minute))
	_, err := w.parcours.CancelAppointment(ctx, w.self, cancelled.ID, "")
	must(t, err)

	for _, tt := range []struct {
		name   string
		before time.Duration
		want   int
	}{
		{"50 hours before", 50*time.Hour + time.Minute, 0},
		{"47 hours before", 47 * time.Hour, 1},
		{"the 48-hour reminder again", 46 * time.Hour, 0},
		{"23 hours before (and 7 before the late booking)", 23 * time.Hour, 2},
		{"the 24-hour reminder again", 2 * time.Hour, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w.notifier.Now = func() time.Time { return start.Add(-tt.before) }
			n, err := w.notifier.Remind(ctx)
			if err != nil || n != tt.want {
				t.Fatalf("Remind = %d, %v; want %d", n, err, tt.want)
			}
		})
	}
	ds, err := w.stack.DB.NoticeDeliveries(ctx, a.ID)
	must(t, err)
	kinds := map[string]int{}
	for _, d := range ds {
		kinds[d.Notice]++
	}
	if kinds[socle.NoticeInvitation] != 2 || kinds[socle.NoticeReminder48h] != 2 || kinds[socle.NoticeReminder24h] != 2 {
		t.Errorf("notices of the appointment per kind (e-mail and SMS each) = %v", kinds)
	}
	ds, err = w.stack.DB.NoticeDeliveries(ctx, late.ID)
	must(t, err)
	kinds = map[string]int{}
	for _, d := range ds {
		kinds[d.Notice]++
	}
	if kinds[socle.NoticeInvitation] != 2 || kinds[socle.NoticeReminder48h] != 0 || kinds[socle.NoticeReminder24h] != 2 {
		t.Errorf("notices of the appointment booked 30 hours ahead = %v, want its invitation and the 24-hour reminder", kinds)
	}
	if ds, _ := w.stack.DB.NoticeDeliveries(ctx, cancelled.ID); len(ds) != 4 {
		t.Errorf("the cancelled appointment had %d notices, want its invitation and cancellation on 2 channels", len(ds))
	}
}

// TestFailedSendIsRecorded: a provider that refuses the SMS and a relay
// that is down leave each channel's notice recorded as failed, not sent,
// once its retry was refused too.
func TestFailedSendIsRecorded(t *testing.T) {
	w := newWorld(t)
	var smsTries atomic.Int32
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		smsTries.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	}))
	t.Cleanup(refusing.Close)
	down := identity.SMTPMailer{Addr: "127.0.0.1:1", From: "rendez-vous@socle.example.fr", AllowPlainLocalhost: true, Timeout: time.Second}
	n := appointment.New(w.parcours, down, appointment.HTTPSMS{URL: refusing.URL}, "https://socle.example.fr", nil)
	n.Retries, n.Poll = []time.Duration{10 * time.Millisecond}, 20*time.Millisecond
	w.parcours.SetNotices(n)
	a := w.book(t, time.Now().Add(7*24*time.Hour).Truncate(time.Minute))
	go n.Run(ctxWithCancel(t), time.Hour)
	ds := w.waitDone(t, a.ID)
	if len(ds) != 2 {
		t.Fatalf("deliveries = %d, want e-mail and SMS", len(ds))
	}
	for _, d := range ds {
		if d.Result != socle.NoticeFailed {
			t.Errorf("%s: %s, want %s", d.Channel, d.Result, socle.NoticeFailed)
		}
	}
	if got := smsTries.Load(); got != 2 {
		t.Errorf("the SMS provider was tried %d times, want 2 (the first attempt and its one retry)", got)
	}
}

// TestNoticesPendingAtStopAreSentAfterStart: notices recorded while no
// sender runs (the process stopped before sending), and one leased by a
// sender that stopped while sending it, are all sent by the sender of the
// next start, each once.
func TestNoticesPendingAtStopAreSentAfterStart(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	// No notifier runs: the bookings' notices stay in the store.
	first := w.book(t, time.Now().Add(7*24*time.Hour).Truncate(time.Minute))
	second := w.book(t, time.Now().Add(8*24*time.Hour).Truncate(time.Minute))
	// A sender leases one notice and stops before sending it.
	if leased, err := w.parcours.LeaseNotices(ctx, 200*time.Millisecond, 1); err != nil || len(leased) != 1 {
		t.Fatalf("the stopped sender's lease: %v, %v", leased, err)
	}
	if got := w.relay.Deliveries(); len(got) != 0 {
		t.Fatalf("mails sent with no sender running: %d", len(got))
	}

	// The next start.
	mailer := identity.SMTPMailer{Addr: w.relay.Addr, From: "rendez-vous@socle.example.fr", AllowPlainLocalhost: true, Timeout: 5 * time.Second}
	provider := httptest.NewServer(w.sms)
	t.Cleanup(provider.Close)
	n := appointment.New(w.parcours, mailer, appointment.HTTPSMS{URL: provider.URL, Token: "jeton-sms"}, "https://socle.example.fr", nil)
	n.Poll = 20 * time.Millisecond
	w.parcours.SetNotices(n)
	go n.Run(ctxWithCancel(t), time.Hour)

	w.waitMails(t, 2)
	for _, a := range []*socle.Appointment{first, second} {
		for _, d := range w.waitDone(t, a.ID) {
			if d.Result != socle.NoticeSent {
				t.Errorf("%s %s: %s, want %s", a.ID, d.Channel, d.Result, socle.NoticeSent)
			}
		}
	}
	time.Sleep(100 * time.Millisecond) // a second sending would show by now
	if got, sms := len(w.relay.Deliveries()), len(w.sms.messages()); got != 2 || sms != 2 {
		t.Errorf("%d mails and %d SMS, want each notice once: 2 and 2", got, sms)
	}
}

// waitDone waits until the appointment's two notices (e-mail and SMS) are
// no longer pending, and returns them.
func (w *world) waitDone(t *testing.T, appointmentID string) []*socle.NoticeDelivery {
	t.Helper()
	var ds []*socle.NoticeDelivery
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var err error
		ds, err = w.stack.DB.NoticeDeliveries(context.Background(), appointmentID)
		must(t, err)
		if len(ds) == 2 && ds[0].Result != socle.NoticePending && ds[1].Result != socle.NoticePending {
			break
		}
	}
	return ds
}

// ctxWithCancel is a context that ends with the test.
func ctxWithCancel(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx
}
