package web

import (
	"strings"
	"unicode/utf8"
)

// Bounds of the motive of an answer to a rectification request, as the
// gate checks them (gate/parcours_self.go): checked here first so that
// the error stands beside the field and the text comes back.
const minRectificationMotive, maxRectificationMotive = 5, 2000

// rectificationAnswerErrors checks the answer to rectification request
// id, each error beside its field; nil when the answer is complete.
func rectificationAnswerErrors(id, decision, motive string) *rectificationsView {
	errs := map[string]string{}
	if decision != "accepter" && decision != "refuser" {
		errs["decision-"+id] = msgRectificationAnswerRequired
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(motive)); n < minRectificationMotive || n > maxRectificationMotive {
		errs["motif-"+id] = msgRectificationMotive
	}
	if len(errs) == 0 {
		return nil
	}
	return &rectificationsView{Error: msgFormErrors, FailedItem: id, ItemErrors: errs,
		ItemAnswers: map[string]string{"decision-" + id: decision, "motif-" + id: motive}}
}
