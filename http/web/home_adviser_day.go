package web

import (
	"context"
	"slices"
	"time"

	"socle"
	"socle/appointment"
	"socle/gate"
)

// homeHandoffsShown is how many orientation requests the adviser's home
// lists; the queue's page lists them all.
const homeHandoffsShown = 5

// adviserAppointments fills v's appointments of today and tomorrow: the
// appointments she set (Parcours.NextAppointments), with the persons'
// names when the policy grants them, a cancelled one marked so.
func (s *homePages) adviserAppointments(ctx context.Context, req gate.Request, v *agentHomeView, problem func(string, error)) {
	now := time.Now().In(paris)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, paris)
	tomorrow := today.AddDate(0, 0, 1)
	entries, err := s.parcours.NextAppointments(ctx, req, today, tomorrow.AddDate(0, 0, 1))
	if err != nil {
		problem(msgHomeAgenda, err)
		return
	}
	for _, e := range entries {
		a := e.Appointment
		he := homeEvent{Time: frenchClock(a.Start), Title: a.Title, Kind: eventKindLabels[a.Kind], Location: a.Location,
			Modalite: appointment.ModaliteLabels[a.Modalite], PersonID: a.PersonID, Person: e.PersonName,
			Cancelled: a.Status == socle.AppointmentCancelled, Attendance: attendanceLabels[a.Attendance]}
		if a.Start.Before(tomorrow) {
			v.Today = append(v.Today, he)
		} else {
			v.Tomorrow = append(v.Tomorrow, he)
		}
	}
}

// adviserHandoffs fills what waits for the adviser with the open
// orientation requests addressed to her structure, the nearest deadline
// first. A structure whose agreement does not grant the purpose
// orientation receives none: the block is left out, not reported.
func (s *homePages) adviserHandoffs(ctx context.Context, req gate.Request, v *agentHomeView, problem func(string, error)) {
	req.Purpose = purposeOrientation
	items, err := s.parcours.OrientationRequestsToMyStructure(ctx, req)
	switch {
	case socle.ErrorCode(err) == socle.EFORBIDDEN:
		return
	case err != nil:
		problem(msgHomeHandoffs, err)
		return
	}
	slices.SortStableFunc(items, func(a, b gate.HandoffQueueItem) int {
		return a.Request.Deadline.Time().Compare(b.Request.Deadline.Time())
	})
	rows := queueRows(items, s.parcours.HandoffDeadlines(), socle.DateOf(s.parcours.Now()))
	v.Handoffs = &homeHandoffs{Count: len(rows), Rows: rows[:min(len(rows), homeHandoffsShown)]}
	v.Waiting = append(v.Waiting, waitingItem{Label: "Demandes d'orientation adressées à votre structure", Count: len(rows), Link: "/demandes-orientation"})
}

// homeHandoffs are the open orientation requests addressed to the
// adviser's structure, as her home lists them: the first few and how many
// there are.
type homeHandoffs struct {
	Rows  []handoffQueueRow
	Count int
}
