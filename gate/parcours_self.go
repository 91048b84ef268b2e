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
	// Notes are the notes of her follow-up she reads (GDPR article 15):
	// every ordinary note, whoever may read it in the network. A note
	// sealed in the health or justice category is not shown in the space
	// but counted in WithheldNotes: health data may be communicated
	// through a doctor (code de la santé publique, L1111-7) and justice
	// data be restricted (GDPR article 23); she asks the privacy officer.
	Notes         []*socle.Note `json:"notes"`
	WithheldNotes int           `json:"withheld_notes"`
	// Referents are the follow-ups in force: the structure, her référent
	// and the référent's professional address, to contact them.
	Referents []MyReferent `json:"referents"`
	// Names names the organisations and agents of the records, by id, for
	// the pages; not part of the download.
	Names map[string]string `json:"-"`
}

// MyReferent is a structure that follows the person and her référent.
type MyReferent struct {
	Organisation string     `json:"organisation"`
	Referent     string     `json:"referent,omitempty"`
	Email        string     `json:"email,omitempty"`
	Since        socle.Date `json:"since"`
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
	notes, err := p.g.store.Notes(ctx, id, socle.SetOf(socle.NoteCategories...))
	if err != nil {
		return m, fmt.Errorf("reading notes: %w", err)
	}
	m.Notes = slices.DeleteFunc(notes, func(n *socle.Note) bool { return n.Category.Sensitive() })
	m.WithheldNotes = len(notes) - len(m.Notes)
	fs, err := p.g.store.Followups(ctx, id)
	if err != nil {
		return m, fmt.Errorf("reading follow-ups: %w", err)
	}
	h := &FileHistory{Followups: fs, Orientations: m.Orientations, Events: m.Events, Commitments: m.Commitments,
		Rectifications: m.Rectifications, Notes: m.Notes, Names: map[string]string{}}
	if err := p.name(ctx, h); err != nil {
		return m, err
	}
	m.Names = h.Names
	today := socle.DateOf(p.g.Now().In(parisZone))
	// One line per structure: its newest follow-up in force (a confirmed
	// orientation may have opened a second one beside the first).
	slices.SortStableFunc(fs, func(a, b *socle.Followup) int { return b.Start.Time().Compare(a.Start.Time()) })
	seen := map[string]bool{}
	for _, f := range fs {
		if !f.ActiveOn(today) || seen[f.OrganisationID] {
			continue
		}
		seen[f.OrganisationID] = true
		r := MyReferent{Organisation: h.Names[f.OrganisationID], Referent: h.Names[f.AgentID], Since: f.Start}
		if f.AgentID != "" {
			if a, err := p.store.Agent(ctx, f.AgentID); err == nil && !a.Disabled {
				r.Email = a.Email
			}
		}
		m.Referents = append(m.Referents, r)
	}
	return m, nil
}

func (m MyParcours) size() int {
	return len(m.Orientations) + len(m.Events) + len(m.Commitments) + len(m.Rectifications) + len(m.Notes) + len(m.Referents)
}

// MyParcours returns, in the person's own space, her orientations, events
// (appointments, trainings, immersions and notes: the right of access
// covers what is written about her), contracts and rectification requests.
// Audited as "self_read".
func (p *Parcours) MyParcours(ctx context.Context, req Request) (MyParcours, error) {
	m, _, err := access(ctx, p.g, req, selfSpec(req, "self_read", selfDecision), func(ctx context.Context, _ socle.Decision) (MyParcours, outcome, error) {
		m, err := p.readMine(ctx, req.Actor.PersonID)
		if err != nil {
			return m, outcome{}, fmt.Errorf("reading own parcours: %w", err)
		}
		return m, outcome{records: m.size()}, nil
	})
	return m, err
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
	e, _, err := access(ctx, p.g, req, selfSpec(req, "self_export", selfDecision), func(ctx context.Context, _ socle.Decision) (Export, outcome, error) {
		id := req.Actor.PersonID
		e := Export{Format: ExportFormat, Generated: p.g.Now().UTC()}
		var err error
		if e.Person, e.Followups, err = p.g.readOwn(ctx, id); err != nil {
			return e, outcome{}, err
		}
		if e.Provenance, err = p.g.store.LatestProvenance(ctx, id); err != nil {
			return e, outcome{}, err
		}
		if e.MyParcours, err = p.readMine(ctx, id); err != nil {
			return e, outcome{}, fmt.Errorf("reading own parcours: %w", err)
		}
		return e, outcome{records: 1 + len(e.Followups) + e.MyParcours.size()}, nil
	})
	return e, err
}

// RequestRectification records the person's request to correct a section
// of her file (GDPR article 16), for the organisations that follow her.
func (p *Parcours) RequestRectification(ctx context.Context, req Request, category socle.Category, requested string) (*socle.RectificationRequest, error) {
	requested = strings.TrimSpace(requested)
	d := socle.Decision{Allow: true, Categories: socle.SetOf(category), Facts: []socle.Fact{{Kind: "self",
		Text: "Toute personne peut demander la rectification des données qui la concernent (RGPD, article 16)."}}}
	s := selfSpec(req, "self_rectify", d)
	s.valid = func() error {
		if !category.Valid() {
			return socle.Errorf(socle.EINVALID, "Choisissez la rubrique à corriger.")
		}
		if n := utf8.RuneCountInString(requested); n < 5 || n > 2000 {
			return socle.Errorf(socle.EINVALID, "Décrivez la correction demandée (de 5 à 2000 caractères).")
		}
		return nil
	}
	r := &socle.RectificationRequest{ID: socle.NewID(socle.PrefixRectification), PersonID: req.Actor.PersonID, Field: string(category),
		Requested: requested, Status: socle.RectificationOpen, CreatedAt: p.g.Now()}
	if _, _, err := access(ctx, p.g, req, s, writing(storing("recording the rectification request", func(ctx context.Context) error {
		return p.store.CreateRectification(ctx, r)
	}))); err != nil {
		return nil, err
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
	s := parcoursSpec(socle.ActionRead, personID, socle.SetOf(socle.CatParcours), purposeAccompagnement)
	rs, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) ([]*socle.RectificationRequest, outcome, error) {
		if err := p.following(ctx, req, personID); err != nil {
			return nil, outcome{}, err
		}
		rs, err := p.store.Rectifications(ctx, personID)
		return rs, outcome{records: len(rs)}, err
	})
	return rs, err
}

// AnswerRectification accepts or refuses an open request, with a reason
// the person reads. Accepting does not change the file: the adviser makes
// the correction through UpdatePerson, which records its provenance.
func (p *Parcours) AnswerRectification(ctx context.Context, req Request, personID, id string, accept bool, answer string) (*socle.RectificationRequest, error) {
	answer = strings.TrimSpace(answer)
	if n := utf8.RuneCountInString(answer); n < 5 || n > 2000 {
		return nil, socle.Errorf(socle.EINVALID, "La réponse doit être motivée (de 5 à 2000 caractères).")
	}
	s := parcoursSpec(socle.ActionUpdate, personID, socle.SetOf(socle.CatParcours), purposeAccompagnement)
	r, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (*socle.RectificationRequest, outcome, error) {
		if err := p.following(ctx, req, personID); err != nil {
			return nil, outcome{}, err
		}
		rs, err := p.store.Rectifications(ctx, personID)
		if err != nil {
			return nil, outcome{}, err
		}
		i := slices.IndexFunc(rs, func(r *socle.RectificationRequest) bool { return r.ID == id })
		if i < 0 {
			return nil, outcome{}, socle.Errorf(socle.ENOTFOUND, "rectification request not found")
		}
		r := rs[i]
		r.Status, r.Answer, r.AnsweredBy, r.AnsweredAt = socle.RectificationRefused, answer, req.Actor.OrganisationID, p.g.Now()
		if accept {
			r.Status = socle.RectificationAccepted
		}
		return r, outcome{records: 1, write: func(ctx context.Context) error { return p.store.AnswerRectification(ctx, r) }}, nil
	})
	return r, err
}
