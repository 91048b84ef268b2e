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

// itemFieldError is the error of one field of one of the per-item forms
// of "Mes rendez-vous" (an appointment's cancellation, an explanation),
// with the answer sent.
type itemFieldError struct {
	ItemID, Field, Error, Answer string
}

// ErrorOf is the error beside field of item id's form, if any.
func (d *myAppointmentsView) ErrorOf(id, field string) string {
	if d.Failed.ItemID == id && d.Failed.Field == field {
		return d.Failed.Error
	}
	return ""
}

// AnswerOf is the answer sent in field of item id's form, kept when the
// form is shown again with its error.
func (d *myAppointmentsView) AnswerOf(id, field string) string {
	if d.Failed.ItemID == id && d.Failed.Field == field {
		return d.Failed.Answer
	}
	return ""
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
