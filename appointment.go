package socle

import (
	"context"
	"slices"
	"time"
)

// PrefixSlot prefixes the ids of open slots.
const PrefixSlot = "crn"

// ResourceSlot is the resource of an access to an organisation's slots.
const ResourceSlot ResourceKind = "slot"

// Modalités of an appointment: where and how it takes place.
const (
	ModaliteOnSite = "sur_place"
	ModalitePhone  = "telephone"
	ModaliteVideo  = "visio"
)

// AppointmentModalites lists the modalités of an appointment.
var AppointmentModalites = []string{ModaliteOnSite, ModalitePhone, ModaliteVideo}

// Appointment statuses, who cancelled, and the attendance an adviser
// records once it took place.
const (
	AppointmentPlanned   = "prevu"
	AppointmentCancelled = "annule"

	CancelledByPerson  = "personne"
	CancelledByAdviser = "conseiller"

	AttendanceHonoured  = "honore"
	AttendanceExcused   = "excuse"
	AttendanceUnexcused = "absent_non_excuse"
)

// Attendances lists the attendances an adviser records.
var Attendances = []string{AttendanceHonoured, AttendanceExcused, AttendanceUnexcused}

// Slot is an open slot an adviser (AgentID set) or a structure (AgentID
// "") publishes; a person followed by it books it from her space. A
// booked slot names its appointment and is never booked again.
type Slot struct {
	ID             string    `json:"id"`
	OrganisationID string    `json:"organisation_id"`
	AgentID        string    `json:"agent_id,omitempty"`
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	Location       string    `json:"location,omitempty"`
	Modalite       string    `json:"modalite"`
	// EventID is the appointment booked on the slot, "" while it is open.
	EventID   string    `json:"event_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks a slot before it is published.
func (s *Slot) Validate() error {
	var p Problems
	p.ID("organisation_id", PrefixOrganisation, s.OrganisationID)
	p.OptionalID("agent_id", PrefixAgent, s.AgentID)
	if s.Start.IsZero() {
		p.Add("start", "required")
	}
	if d := s.End.Sub(s.Start); d < 5*time.Minute || d > 8*time.Hour {
		p.Add("end", "from 5 minutes to 8 hours after start")
	}
	if !slices.Contains(AppointmentModalites, s.Modalite) {
		p.Add("modalite", "one of sur_place, telephone, visio")
	}
	if len(s.Location) > 300 {
		p.Add("location", "at most 300 characters")
	}
	return p.Err("slot")
}

// Appointment is an event of kind rendez_vous with what happens to it:
// its modalité, the slot it was booked on, its cancellation and the
// attendance the adviser recorded.
type Appointment struct {
	Event
	SlotID       string    `json:"slot_id,omitempty"`
	Modalite     string    `json:"modalite"`
	Status       string    `json:"status"`
	CancelledAt  time.Time `json:"cancelled_at,omitzero"`
	CancelledBy  string    `json:"cancelled_by,omitempty"`
	CancelReason string    `json:"cancel_reason,omitempty"`
	Attendance   string    `json:"attendance,omitempty"`
	AttendanceAt time.Time `json:"attendance_at,omitzero"`
	// AttendanceBy is the agent who recorded the attendance.
	AttendanceBy string `json:"attendance_by,omitempty"`
}

// Notices an appointment gives rise to, and the channels they travel by.
const (
	NoticeInvitation   = "invitation"
	NoticeReminder48h  = "rappel_48h"
	NoticeReminder24h  = "rappel_24h"
	NoticeCancellation = "annulation"

	ChannelEmail = "courriel"
	ChannelSMS   = "sms"

	NoticePending   = "en_cours"
	NoticeSent      = "envoye"
	NoticeFailed    = "echec"
	NoticeNoContact = "sans_contact"
)

// NoticeDelivery records one notice sent (or not) on one channel: when and with
// what result, never the message.
type NoticeDelivery struct {
	EventID string    `json:"event_id"`
	Notice  string    `json:"notice"`
	Channel string    `json:"channel"`
	Result  string    `json:"result"`
	At      time.Time `json:"at"`
	// Attempts is how many times a sender leased the notice.
	Attempts int `json:"-"`
	// NextAt, on a failed attempt, is when to try again: the notice stays
	// pending until then (zero: the failure is final).
	NextAt time.Time `json:"-"`
}

// Explanation subjects: what a person explains herself about.
const (
	ExplainAppointment = "rendez_vous"
	ExplainCommitment  = "contrat"
)

// PrefixExplanation prefixes the ids of a person's explanations.
const PrefixExplanation = "exp"

// PersonExplanation is what a person wrote about a recorded fact of her
// rights and duties (a missed appointment, a commitment), shown to her
// advisers. A human decides; nothing is sanctioned automatically.
type PersonExplanation struct {
	ID          string    `json:"id"`
	PersonID    string    `json:"person_id"`
	SubjectKind string    `json:"subject_kind"`
	SubjectID   string    `json:"subject_id"`
	Text        string    `json:"text"`
	CreatedAt   time.Time `json:"created_at"`
}

// SlotQuery selects open slots of one organisation, those of the agents
// named (and the structure's own when Structure is set), starting in
// [From, To).
type SlotQuery struct {
	OrganisationID string
	AgentIDs       []string
	Structure      bool
	From, To       time.Time
	Limit          int
}

// AppointmentStore holds slots, appointments, their deliveries and the
// persons' explanations. Callers are the gate, which decides every
// access first.
type AppointmentStore interface {
	// CreateSlot stores a slot, and idem (when not nil) in the same
	// transaction.
	CreateSlot(ctx context.Context, s *Slot, idem *IdempotencyRecord) error
	Slot(ctx context.Context, id string) (*Slot, error)
	// OpenSlots returns the open (unbooked) slots the query selects, by
	// start time.
	OpenSlots(ctx context.Context, q SlotQuery) ([]*Slot, error)
	// CreateAppointment stores the event and its state in one
	// transaction; with a.SlotID set, it books that slot: ECONFLICT when
	// it is booked already, and nothing is stored. idem, when not nil, is
	// stored in the same transaction.
	CreateAppointment(ctx context.Context, a *Appointment, idem *IdempotencyRecord) error
	Appointment(ctx context.Context, eventID string) (*Appointment, error)
	// Appointments returns a person's appointments, by start time.
	Appointments(ctx context.Context, personID string) ([]*Appointment, error)
	// DueAppointments returns the planned appointments starting in
	// [from, to) that have no delivery of notice yet.
	DueAppointments(ctx context.Context, notice string, from, to time.Time) ([]*Appointment, error)
	// CancelAppointment marks a planned appointment cancelled and frees
	// its slot: ECONFLICT when it is not planned.
	CancelAppointment(ctx context.Context, eventID, by, reason string, at time.Time) error
	// RecordAttendance records (or corrects) the attendance of a planned
	// appointment: ECONFLICT when it was cancelled.
	RecordAttendance(ctx context.Context, eventID, attendance, agentID string, at time.Time) error
	// ClaimNotice records a pending delivery of notice on channel;
	// false when one exists already (the notice goes out once).
	ClaimNotice(ctx context.Context, d *NoticeDelivery) (bool, error)
	// SetNoticeResult records the result of a claimed delivery and ends
	// its lease; a failure with NextAt stays pending until then.
	SetNoticeResult(ctx context.Context, d *NoticeDelivery) error
	// LeaseNotices leases up to limit pending deliveries due at now until
	// now+lease, counting an attempt of each: a delivery leased by one
	// caller is not leased by another until its lease ends (the sender
	// stopped), in a cluster too.
	LeaseNotices(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*NoticeDelivery, error)
	NoticeDeliveries(ctx context.Context, eventID string) ([]*NoticeDelivery, error)
	CreateExplanation(ctx context.Context, e *PersonExplanation) error
	Explanations(ctx context.Context, personID string) ([]*PersonExplanation, error)
}
