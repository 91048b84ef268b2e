package gate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"socle"
)

// ApplyRectification accepts an open rectification request and applies
// the correction the adviser settled on (the section the request names,
// in correction, from the version of the file she read), with the answer
// the person reads: the file, who supplied the correction and the answer
// are one transaction. The correction is validated like any update; a
// stale version is ESTALE and leaves the request open. Refusing is
// AnswerRectification, with its reason.
func (p *Parcours) ApplyRectification(ctx context.Context, req Request, personID, id string, correction *socle.Person, answer string) (*socle.RectificationRequest, error) {
	answer = strings.TrimSpace(answer)
	cats := correction.Categories()
	s := spec{action: socle.ActionUpdate, res: personRes(personID), want: cats, need: cats, purposes: []string{purposeAccompagnement},
		valid: func() error {
			if err := validPerson(personID)(); err != nil {
				return err
			}
			if n := utf8.RuneCountInString(answer); n < 5 || n > 2000 {
				return socle.Errorf(socle.EINVALID, "answer: give the person a reason (5 to 2000 characters)")
			}
			if len(cats.List()) != 1 {
				return socle.Errorf(socle.EINVALID, "correction: exactly the section the request names")
			}
			if correction.ID != "" && correction.ID != personID {
				return socle.Errorf(socle.EINVALID, "correction: of another person")
			}
			correction.ID = personID
			return correction.ValidateSections()
		}}
	r, _, err := access(ctx, p.g, req, s, func(ctx context.Context, d socle.Decision) (*socle.RectificationRequest, outcome, error) {
		if err := p.following(ctx, req, personID); err != nil {
			return nil, outcome{}, err
		}
		rs, err := p.store.Rectifications(ctx, personID)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading rectification requests: %w", err)
		}
		i := slices.IndexFunc(rs, func(r *socle.RectificationRequest) bool { return r.ID == id })
		if i < 0 {
			return nil, outcome{}, socle.Errorf(socle.ENOTFOUND, "rectification request not found")
		}
		r := rs[i]
		if r.Status != socle.RectificationOpen {
			return nil, outcome{}, socle.Errorf(socle.ECONFLICT, "rectification request already answered")
		}
		if !cats.Has(socle.Category(r.Field)) {
			return nil, outcome{}, socle.Errorf(socle.EINVALID, "correction: the request names the section %s", r.Field)
		}
		r.Status, r.Answer, r.AnsweredBy, r.AnsweredAt = socle.RectificationAccepted, answer, req.Actor.OrganisationID, p.g.Now()
		return r, outcome{records: 1, write: func(ctx context.Context) error {
			prov := p.g.provenance(req, personID, cats&d.Categories)
			if err := p.g.store.ApplyRectification(ctx, correction, d.Categories, prov, r); err != nil {
				return fmt.Errorf("applying the rectification: %w", err)
			}
			p.g.invalidate(personID)
			return p.g.indexHome(ctx, correction)
		}}, nil
	})
	return r, err
}
