package gate

import (
	"context"
	"fmt"
	"slices"

	"socle"
)

// DiagnosticStore is what the diagnostic and plan part of the gate reads
// and writes.
type DiagnosticStore interface {
	socle.DiagnosticStore
	socle.PlanStore
}

// Categories of a diagnostic or a plan: health freins are only read where
// the decision grants health.
var (
	diagnosticCats = socle.SetOf(socle.CatParcours, socle.CatHealth)
	parcoursOnly   = socle.SetOf(socle.CatParcours)
)

// diagnosticSpec is an adviser's access to a person's diagnostic or plan:
// want asks for health too, need is what the access cannot do without.
func diagnosticSpec(action socle.Action, personID string, need socle.CategorySet) spec {
	return spec{action: action, res: personRes(personID), want: diagnosticCats | need, need: need,
		purposes: []string{purposeAccompagnement, purposeOrientation}, valid: validPerson(personID)}
}

// readDiagnostic reads a person's diagnostic with the categories granted,
// completed with her former constraint codes: a theme that has no frein
// of its own shows the code as a frein taken over, undated, until an
// adviser or she sets it.
func (p *Parcours) readDiagnostic(ctx context.Context, personID string, granted socle.CategorySet) (*socle.Diagnostic, error) {
	granted &= diagnosticCats
	d, err := p.store.Diagnostic(ctx, personID, granted)
	if err != nil {
		return nil, fmt.Errorf("reading diagnostic: %w", err)
	}
	d.HealthShown = granted.Has(socle.CatHealth)
	person, err := p.g.store.Person(ctx, personID, parcoursOnly)
	if err != nil {
		return nil, fmt.Errorf("reading person: %w", err)
	}
	if person.Parcours == nil {
		return d, nil
	}
	for _, code := range person.Parcours.Constraints {
		theme, ok := socle.LegacyConstraintTheme[code]
		if !ok || !granted.Has(socle.ThemeCategory(theme)) || d.Frein(theme) != nil {
			continue
		}
		ch := socle.FreinChange{Theme: theme, Level: socle.FreinImportant, By: socle.DiagnosticAuthor{Migrated: true}}
		d.Freins = append(d.Freins, socle.Frein{FreinChange: ch, History: []socle.FreinChange{ch}})
	}
	slices.SortFunc(d.Freins, func(a, b socle.Frein) int {
		return slices.Index(socle.Themes, a.Theme) - slices.Index(socle.Themes, b.Theme)
	})
	return d, nil
}

// Diagnostic returns a person's diagnostic global as the actor may read
// it: her health freins only where the decision grants health. The audit
// event records whether health was read.
func (p *Parcours) Diagnostic(ctx context.Context, req Request, personID string) (*socle.Diagnostic, error) {
	d, _, err := access(ctx, p.g, req, diagnosticSpec(socle.ActionRead, personID, parcoursOnly),
		func(ctx context.Context, dec socle.Decision) (*socle.Diagnostic, outcome, error) {
			d, err := p.readDiagnostic(ctx, personID, dec.Categories)
			if err != nil {
				return nil, outcome{}, err
			}
			return d, outcome{records: 1, asked: dec.Categories & diagnosticCats}, nil
		})
	return d, err
}

// DiagnosticSummary is the part of a diagnostic that travels with a
// request to another structure (an orientation between structures): the
// freins and their levels, the situation and the project, without
// comments or history. It holds what the access read, no more.
type DiagnosticSummary struct {
	Version int                     `json:"version"`
	Freins  []FreinSummary          `json:"freins"`
	Status  string                  `json:"status,omitempty"`
	Project []socle.ROMEAppellation `json:"project"`
}

// FreinSummary is a frein as a summary shows it.
type FreinSummary struct {
	Theme string `json:"theme"`
	Level string `json:"level"`
}

// Summarize returns the summary of a diagnostic already read through the
// gate (health freins are in it only if the access granted health).
func Summarize(d *socle.Diagnostic) DiagnosticSummary {
	s := DiagnosticSummary{Version: d.Version, Freins: []FreinSummary{}, Status: d.Situation.Status,
		Project: append([]socle.ROMEAppellation{}, d.Situation.Project...)}
	for _, f := range d.Freins {
		if f.Level != socle.FreinLifted {
			s.Freins = append(s.Freins, FreinSummary{Theme: f.Theme, Level: f.Level})
		}
	}
	return s
}

// DiagnosticSummary returns the summary of a person's diagnostic that the
// policy allows the actor (for the purpose orientation, never health
// unless granted), audited like a read of the diagnostic.
func (p *Parcours) DiagnosticSummary(ctx context.Context, req Request, personID string) (DiagnosticSummary, error) {
	d, err := p.Diagnostic(ctx, req, personID)
	if err != nil {
		return DiagnosticSummary{}, err
	}
	return Summarize(d), nil
}

// changesOf returns the changes an update makes to d by author at now:
// only the freins whose level or comment differ.
func changesOf(d *socle.Diagnostic, u socle.DiagnosticUpdate, by socle.DiagnosticAuthor, now socle.FreinChange) []socle.FreinChange {
	var out []socle.FreinChange
	for _, f := range u.Freins {
		if cur := d.Frein(f.Theme); cur != nil && !cur.By.Migrated && cur.Level == f.Level && cur.Comment == f.Comment {
			continue
		}
		out = append(out, socle.FreinChange{Theme: f.Theme, Level: f.Level, Comment: f.Comment, At: now.At, By: by})
	}
	return out
}

// apply returns d with changes on top, at version.
func apply(d *socle.Diagnostic, changes []socle.FreinChange, situation *socle.ProfessionalSituation, version int) *socle.Diagnostic {
	out := *d
	out.Freins = slices.Clone(d.Freins)
	for _, ch := range changes {
		if f := out.Frein(ch.Theme); f != nil && !f.By.Migrated {
			f.History = append([]socle.FreinChange{ch}, f.History...)
			f.FreinChange = ch
			continue
		}
		out.Freins = slices.DeleteFunc(out.Freins, func(f socle.Frein) bool { return f.Theme == ch.Theme })
		out.Freins = append(out.Freins, socle.Frein{FreinChange: ch, History: []socle.FreinChange{ch}})
	}
	slices.SortFunc(out.Freins, func(a, b socle.Frein) int {
		return slices.Index(socle.Themes, a.Theme) - slices.Index(socle.Themes, b.Theme)
	})
	if situation != nil {
		out.Situation = *situation
	}
	out.Version = version
	if len(changes) > 0 {
		out.UpdatedAt = changes[0].At
	}
	return &out
}

// saveDiagnostic is the read and write of an update of a diagnostic by
// author, over the version ifVersion.
func (p *Parcours) saveDiagnostic(personID string, ifVersion int, u *socle.DiagnosticUpdate, by socle.DiagnosticAuthor) func(context.Context, socle.Decision) (*socle.Diagnostic, outcome, error) {
	return func(ctx context.Context, dec socle.Decision) (*socle.Diagnostic, outcome, error) {
		cur, err := p.readDiagnostic(ctx, personID, dec.Categories)
		if err != nil {
			return nil, outcome{}, err
		}
		if ifVersion < 0 { // If-Match: *, over whatever version is current
			ifVersion = cur.Version
		}
		if cur.Version != ifVersion {
			return nil, outcome{}, socle.Errorf(socle.ESTALE, "the diagnostic changed since version %d: it is at version %d", ifVersion, cur.Version)
		}
		changes := changesOf(cur, *u, by, socle.FreinChange{At: p.g.Now().UTC()})
		out := apply(cur, changes, u.Situation, ifVersion+1)
		return out, outcome{records: 1, asked: u.Categories(), write: func(ctx context.Context) error {
			v, err := p.store.SaveDiagnostic(ctx, personID, ifVersion, changes, u.Situation)
			if err != nil {
				return fmt.Errorf("saving the diagnostic: %w", err)
			}
			out.Version = v
			p.g.invalidate(personID)
			return nil
		}}, nil
	}
}

// SaveDiagnostic changes a person's diagnostic over its version ifVersion
// (ESTALE when it changed since; a negative ifVersion writes over the
// current version): the freins set get a new state in
// their history, signed by the adviser; setting a health frein needs
// health granted. It returns the diagnostic as the actor may read it.
func (p *Parcours) SaveDiagnostic(ctx context.Context, req Request, personID string, ifVersion int, u socle.DiagnosticUpdate) (*socle.Diagnostic, error) {
	s := diagnosticSpec(socle.ActionUpdate, personID, u.Categories())
	s.alsoValid(func() error {
		if err := byOrganisation(req, "an adviser or a partner system writes a diagnostic"); err != nil {
			return err
		}
		return u.Validate()
	})
	by := socle.DiagnosticAuthor{AgentID: req.Actor.AgentID, ClientID: req.Actor.ClientID, OrganisationID: req.Actor.OrganisationID}
	d, _, err := access(ctx, p.g, req, s, p.saveDiagnostic(personID, ifVersion, &u, by))
	return d, err
}

// MyDiagnostic returns the person's own diagnostic, every theme, in her
// space.
func (p *Parcours) MyDiagnostic(ctx context.Context, req Request) (*socle.Diagnostic, error) {
	d, _, err := access(ctx, p.g, req, selfSpec(req, "self_read", selfDecision), func(ctx context.Context, _ socle.Decision) (*socle.Diagnostic, outcome, error) {
		d, err := p.readDiagnostic(ctx, req.Actor.PersonID, diagnosticCats)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading own diagnostic: %w", err)
		}
		return d, outcome{records: 1}, nil
	})
	return d, err
}

// AddToMyDiagnostic lets the person add to her own diagnostic from her
// space: the freins she sets are marked as hers, beside her advisers'.
func (p *Parcours) AddToMyDiagnostic(ctx context.Context, req Request, ifVersion int, f socle.FreinInput) (*socle.Diagnostic, error) {
	u := socle.DiagnosticUpdate{Freins: []socle.FreinInput{f}}
	d := socle.Decision{Allow: true, Categories: diagnosticCats, Facts: []socle.Fact{{Kind: "self",
		Text: "La personne complète son propre diagnostic depuis son espace."}}}
	s := selfSpec(req, "self_diagnostic", d)
	s.valid = u.Validate
	out, _, err := access(ctx, p.g, req, s, p.saveDiagnostic(req.Actor.PersonID, ifVersion, &u, socle.DiagnosticAuthor{Person: true}))
	return out, err
}
