package web

import (
	"strings"
	"unicode/utf8"
)

// Bounds of the person's texts on "Mes rendez-vous", as the gate checks
// them (gate/appointments.go): checked here first so that the error
// stands beside the field and the text comes back.
const (
	maxCancelReason                = 500
	minExplanation, maxExplanation = 5, 2000
)

// itemFieldError fills d with the error of field in the form of item id
// (an appointment's cancellation, an explanation) and the answer sent,
// keyed "field-id" like the field's own id.
func (d *myAppointmentsView) itemFieldError(id, field, msg, answer string) *myAppointmentsView {
	key := field + "-" + id
	d.Error, d.FailedItem = msgFormErrors, id
	d.ItemErrors, d.ItemAnswers = map[string]string{key: msg}, map[string]string{key: answer}
	return d
}

// cancelReasonError checks the reason of a cancellation.
func cancelReasonError(reason string) string {
	if utf8.RuneCountInString(strings.TrimSpace(reason)) > maxCancelReason {
		return msgCancelReasonTooLong
	}
	return ""
}

// explanationError checks an explanation's text.
func explanationError(text string) string {
	if n := utf8.RuneCountInString(strings.TrimSpace(text)); n < minExplanation || n > maxExplanation {
		return msgExplanationLength
	}
	return ""
}
