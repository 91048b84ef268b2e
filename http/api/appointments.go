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
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := httpx.Decode[slotBody](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		sl := &socle.Slot{Start: b.Start, End: b.End, Location: b.Location, Modalite: b.Modalite}
		err = p.PublishSlot(r.Context(), httpx.GateRequest(r), sl, b.Structure)
		httpx.Respond(w, r, http.StatusCreated, sl, err)
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
		writeList(w, r, func(sl *socle.Slot) string { return httpx.TimeKey(sl.Start, sl.ID) }, func() ([]*socle.Slot, error) {
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
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := httpx.Decode[appointmentBody](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		a := &socle.Appointment{Event: socle.Event{PersonID: r.PathValue("id"), Title: b.Title, Start: b.Start, End: b.End, Location: b.Location,
			Description: b.Description}, SlotID: b.SlotID, Modalite: b.Modalite}
		err = p.ScheduleAppointment(r.Context(), httpx.GateRequest(r), a)
		httpx.Respond(w, r, http.StatusCreated, a, err)
	})
}

// handleRightsAndDuties answers a person's appointments with their
// attendance, her contracts and her explanations.
func handleRightsAndDuties(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := p.RightsAndDuties(r.Context(), httpx.GateRequest(r), r.PathValue("id"))
		httpx.Respond(w, r, http.StatusOK, d, err)
	})
}

func handleCancelAppointment(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := httpx.Decode[struct {
			Reason string `json:"reason"`
		}](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		a, err := p.CancelAppointment(r.Context(), httpx.GateRequest(r), r.PathValue("id"), b.Reason)
		httpx.Respond(w, r, http.StatusOK, a, err)
	})
}

func handleAttendance(p *gate.Parcours) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := httpx.Decode[struct {
			Attendance string `json:"attendance"`
		}](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		a, err := p.RecordAttendance(r.Context(), httpx.GateRequest(r), r.PathValue("id"), b.Attendance)
		httpx.Respond(w, r, http.StatusOK, a, err)
	})
}
