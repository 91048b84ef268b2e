package web

import (
	"strings"

	"socle"
)

// companyActionAnswers is the prospection form of the company file as
// sent, with each error beside its field.
type companyActionAnswers struct {
	Kind, Note, KindErr, NoteErr string
}

// companyFormError carries the page to show again, the answers kept and
// the errors beside their fields, for a refused form of the company file.
type companyFormError struct {
	err  error
	view *companyFileView
}

func (e *companyFormError) Error() string { return e.err.Error() }
func (e *companyFormError) Unwrap() error { return e.err }

// companyActionError puts each problem of err, a refused prospection
// action, beside its field; nil when err is about no field.
func companyActionError(err error, kind, note string) error {
	msg := socle.ErrorMessage(err)
	a := companyActionAnswers{Kind: kind, Note: note}
	if strings.Contains(msg, "kind") {
		a.KindErr = msgCompanyActionKind
	}
	if strings.Contains(msg, "note") {
		a.NoteErr = msgCompanyActionNote
	}
	if a.KindErr == "" && a.NoteErr == "" {
		return nil
	}
	return &companyFormError{err: err, view: &companyFileView{Action: a}}
}
