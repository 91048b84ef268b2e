package gate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"socle"
)

// MyParcours is the parcours part of a person's own file.
type MyParcours struct {
	Orientations   []*socle.Orientation          `json:"orientations"`
	Events         []*socle.Event                `json:"events"`
	Commitments    []*socle.Commitment           `json:"commitments"`
	Rectifications []*socle.RectificationRequest `json:"rectifications"`
}

func (p *Parcours) readMine(ctx context.Context, id string) (MyParcours, error) {
	var m MyParcours
	var err error
	if m.Orientations, err = p.store.Orientations(ctx, id); err != nil {
		return m, err
	}
	if m.Events, err = p.store.Events(ctx, socle.EventQuery{PersonID: id}); err != nil {
		return m, err
	}
	if m.Commitments, err = p.store.Commitments(ctx, id); err != nil {
		return m, err
	}
	if m.Rectifications, err = p.store.Rectifications(ctx, id); err != nil {
		return m, err
	}
	return m, nil
}

func (m MyParcours) size() int {
	return len(m.Orientations) + len(m.Events) + len(m.Commitments) + len(m.Rectifications)
}

// MyParcours returns, in the person's own space, her orientations, events
// (appointments, trainings, immersions and notes: the right of access
// covers what is written about her), contracts and rectification requests.
// Audited as "self_read".
func (p *Parcours) MyParcours(ctx context.Context, req Request) (MyParcours, error) {
	if err := checkSelf(req); err != nil {
		return MyParcours{}, err
	}
	id := req.Actor.PersonID
	m, err := p.readMine(ctx, id)
	if err != nil {
		return m, fmt.Errorf("reading own parcours: %w", err)
	}
	if err := p.g.auditSelf(ctx, req, "self_read", m.size()); err != nil {
		return MyParcours{}, err
	}
	return m, nil
}

// Export is everything the network holds about a person, as she downloads
// it (GDPR articles 15 and 20).
type Export struct {
	Format     string             `json:"format"`
	Generated  time.Time          `json:"generated"`
	Person     *socle.Person      `json:"person"`
	Followups  []*socle.Followup  `json:"followups"`
	Provenance []socle.Provenance `json:"provenance"`
	MyParcours
}

// ExportFormat names the layout of Export.
const ExportFormat = "socle.export.v1"

// MyExport returns the person's whole record for download, audited as
// "self_export".
func (p *Parcours) MyExport(ctx context.Context, req Request) (Export, error) {
	e := Export{Format: ExportFormat, Generated: p.g.Now().UTC()}
	if err := checkSelf(req); err != nil {
		return e, err
	}
	id := req.Actor.PersonID
	var err error
	if e.Person, e.Followups, err = p.g.readOwn(ctx, id); err != nil {
		return e, err
	}
	if ps, ok := p.g.store.(socle.ProvenanceStore); ok {
		if e.Provenance, err = ps.LatestProvenance(ctx, id); err != nil {
			return e, err
		}
	}
	if e.MyParcours, err = p.readMine(ctx, id); err != nil {
		return e, fmt.Errorf("reading own parcours: %w", err)
	}
	if err := p.g.auditSelf(ctx, req, "self_export", 1+len(e.Followups)+e.MyParcours.size()); err != nil {
		return Export{}, err
	}
	return e, nil
}

// RequestRectification records the person's request to correct a section
// of her file (GDPR article 16), for the organisations that follow her.
func (p *Parcours) RequestRectification(ctx context.Context, req Request, category socle.Category, requested string) (*socle.RectificationRequest, error) {
	if err := checkSelf(req); err != nil {
		return nil, err
	}
	requested = strings.TrimSpace(requested)
	if !category.Valid() {
		return nil, socle.Errorf(socle.EINVALID, "Choisissez la rubrique à corriger.")
	}
	if n := utf8.RuneCountInString(requested); n < 5 || n > 2000 {
		return nil, socle.Errorf(socle.EINVALID, "Décrivez la correction demandée (de 5 à 2000 caractères).")
	}
	id := req.Actor.PersonID
	r := &socle.RectificationRequest{ID: socle.NewID(socle.PrefixRectification), PersonID: id, Field: string(category),
		Requested: requested, Status: socle.RectificationOpen, CreatedAt: p.g.Now()}
	req.Purpose, req.BreakGlass = selfPurpose, ""
	d := socle.Decision{Allow: true, Categories: socle.SetOf(category), Facts: []socle.Fact{{Kind: "self",
		Text: "Toute personne peut demander la rectification des données qui la concernent (RGPD, article 16)."}}}
	if err := p.g.audit(ctx, req, "self_rectify", personRes(id), d, 1); err != nil {
		return nil, err
	}
	if err := p.store.CreateRectification(ctx, r); err != nil {
		return nil, fmt.Errorf("recording the rectification request: %w", err)
	}
	return r, nil
}

// following checks that the actor's organisation follows the person now:
// rectification requests are answered by the référent's organisation.
func (p *Parcours) following(ctx context.Context, req Request, personID string) error {
	fs, err := p.g.store.Followups(ctx, personID)
	if err != nil {
		return fmt.Errorf("reading follow-ups: %w", err)
	}
	today := socle.DateOf(p.g.Now())
	if !slices.ContainsFunc(fs, func(f *socle.Followup) bool {
		return f.OrganisationID == req.Actor.OrganisationID && (f.End.IsZero() || !f.End.Before(today))
	}) {
		return socle.Errorf(socle.EFORBIDDEN, "only an organisation that follows the person answers her requests")
	}
	return nil
}

// Rectifications returns a person's rectification requests to an adviser
// of an organisation that follows her.
func (p *Parcours) Rectifications(ctx context.Context, req Request, personID string) ([]*socle.RectificationRequest, error) {
	d, err := p.allow(ctx, req, socle.ActionRead, personID, socle.SetOf(socle.CatParcours), purposeAccompagnement)
	if err != nil {
		return nil, err
	}
	if err := p.following(ctx, req, personID); err != nil {
		return nil, err
	}
	rs, err := p.store.Rectifications(ctx, personID)
	if err != nil {
		return nil, err
	}
	if err := p.g.audit(ctx, req, socle.ActionRead, personRes(personID), d, len(rs)); err != nil {
		return nil, err
	}
	return rs, nil
}

// AnswerRectification accepts or refuses an open request, with a reason
// the person reads. Accepting does not change the file: the adviser makes
// the correction through UpdatePerson, which records its provenance.
func (p *Parcours) AnswerRectification(ctx context.Context, req Request, personID, id string, accept bool, answer string) (*socle.RectificationRequest, error) {
	answer = strings.TrimSpace(answer)
	if n := utf8.RuneCountInString(answer); n < 5 || n > 2000 {
		return nil, socle.Errorf(socle.EINVALID, "La réponse doit être motivée (de 5 à 2000 caractères).")
	}
	d, err := p.allow(ctx, req, socle.ActionUpdate, personID, socle.SetOf(socle.CatParcours), purposeAccompagnement)
	if err != nil {
		return nil, err
	}
	if err := p.following(ctx, req, personID); err != nil {
		return nil, err
	}
	rs, err := p.store.Rectifications(ctx, personID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(rs, func(r *socle.RectificationRequest) bool { return r.ID == id })
	if i < 0 {
		return nil, socle.Errorf(socle.ENOTFOUND, "rectification request not found")
	}
	r := rs[i]
	r.Status, r.Answer, r.AnsweredBy, r.AnsweredAt = socle.RectificationRefused, answer, req.Actor.OrganisationID, p.g.Now()
	if accept {
		r.Status = socle.RectificationAccepted
	}
	if err := p.g.audit(ctx, req, socle.ActionUpdate, personRes(personID), d, 1); err != nil {
		return nil, err
	}
	if err := p.store.AnswerRectification(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}
