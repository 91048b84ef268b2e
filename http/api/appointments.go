package api

import (
	"net/http"
	"strconv"
	"time"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

// slotBody is a slot to publish: the adviser's, or her organisation's with
// structure.
type slotBody struct {
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Location  string    `json:"location"`
	Modalite  string    `json:"modalite"`
	Structure bool      `json:"structure"`
}

func handlePublishSlot(p *gate.Parcours) http.Handler {
	return httpx.Command(http.StatusCreated, func(r *http.Request, b slotBody) (*socle.Slot, error) {
		sl := &socle.Slot{Start: b.Start, End: b.End, Location: b.Location, Modalite: b.Modalite}
		return sl, p.PublishSlot(r.Context(), httpx.GateRequest(r), sl, b.Structure)
	})
}

// handleSlots lists the open slots of the caller's organisation, from
// ?from (a date, today by default) for ?days (31 by default, at most 93),
// by start, a page at a time.
func handleSlots(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		from, to, err := window(r, 31)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		httpx.WriteList(w, r, 50, 200, func(sl *socle.Slot) string { return httpx.TimeKey(sl.Start, sl.ID) }, func() ([]*socle.Slot, error) {
			slots, _, err := p.Slots(r.Context(), httpx.GateRequest(r), from, to)
			return slots, err
		})
	})
}

// window reads ?from (YYYY-MM-DD, today when absent) and ?days.
func window(r *http.Request, days int) (time.Time, time.Time, error) {
	from := time.Now()
	if s := r.URL.Query().Get("from"); s != "" {
		d, err := socle.ParseDate(s)
		if err != nil {
			return from, from, socle.Errorf(socle.EINVALID, "parameter from: a date YYYY-MM-DD")
		}
		from = d.Time()
	}
	if s := r.URL.Query().Get("days"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 93 {
			return from, from, socle.Errorf(socle.EINVALID, "parameter days: from 1 to 93")
		}
		days = n
	}
	return from, from.AddDate(0, 0, days), nil
}

// appointmentBody is an appointment to set: on an open slot of the
// caller's organisation (slot_id), or at the times given.
type appointmentBody struct {
	SlotID      string    `json:"slot_id"`
	Title       string    `json:"title"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Location    string    `json:"location"`
	Modalite    string    `json:"modalite"`
	Description string    `json:"description"`
}

func handleScheduleAppointment(p *gate.Parcours) http.Handler {
	return httpx.Command(http.StatusCreated, func(r *http.Request, b appointmentBody) (*socle.Appointment, error) {
		a := &socle.Appointment{Event: socle.Event{PersonID: r.PathValue("id"), Title: b.Title, Start: b.Start, End: b.End, Location: b.Location,
			Description: b.Description}, SlotID: b.SlotID, Modalite: b.Modalite}
		return a, p.ScheduleAppointment(r.Context(), httpx.GateRequest(r), a)
	})
}

// handleRightsAndDuties answers a person's appointments with their
// attendance, her contracts and her explanations.
func handleRightsAndDuties(p *gate.Parcours) http.Handler {
	return httpx.Read(byID(p.RightsAndDuties))
}

func handleCancelAppointment(p *gate.Parcours) http.Handler {
	return httpx.Command(http.StatusOK, func(r *http.Request, b struct {
		Reason string `json:"reason"`
	}) (*socle.Appointment, error) {
		return p.CancelAppointment(r.Context(), httpx.GateRequest(r), r.PathValue("id"), b.Reason)
	})
}

func handleAttendance(p *gate.Parcours) http.Handler {
	return httpx.Command(http.StatusOK, func(r *http.Request, b struct {
		Attendance string `json:"attendance"`
	}) (*socle.Appointment, error) {
		return p.RecordAttendance(r.Context(), httpx.GateRequest(r), r.PathValue("id"), b.Attendance)
	})
}
