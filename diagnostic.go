package socle

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Themes of the freins périphériques. They are the focus themes shared by
// the inclusion network's tools: carnet de bord's ref_theme / focusThemeKeys
// (SocialGouv/carnet-de-bord: logement, emploi, formation,
// difficulte_administrative, difficulte_financiere, mobilite, sante,
// contraintes_familiales, maitrise_langue, numerique), which the
// data·inclusion schema's thématiques (mobilite, logement-hebergement,
// sante, famille, numerique, apprendre-francais, se-former,
// trouver-un-emploi…) cover too. Keeping their codes lets a diagnostic
// travel to those tools unchanged.
const (
	ThemeMobilite      = "mobilite"
	ThemeLogement      = "logement"
	ThemeSante         = "sante"
	ThemeFamille       = "contraintes_familiales" // garde d'enfant, aidant…
	ThemeNumerique     = "numerique"
	ThemeAdministratif = "difficulte_administrative"
	ThemeFinancier     = "difficulte_financiere"
	ThemeLangue        = "maitrise_langue"
	ThemeFormation     = "formation"
	ThemeEmploi        = "emploi"
)

// Themes lists the themes of a diagnostic, in display order.
var Themes = []string{ThemeEmploi, ThemeFormation, ThemeMobilite, ThemeLogement, ThemeFamille, ThemeSante,
	ThemeNumerique, ThemeAdministratif, ThemeFinancier, ThemeLangue}

// ThemeCategory is the data category a frein of theme belongs to: health
// freins are in the sealed health category, the others in parcours.
func ThemeCategory(theme string) Category {
	if theme == ThemeSante {
		return CatHealth
	}
	return CatParcours
}

// ThemeLabel is the French name of a theme.
func ThemeLabel(theme string) string {
	switch theme {
	case ThemeMobilite:
		return "Mobilité"
	case ThemeLogement:
		return "Logement"
	case ThemeSante:
		return "Santé"
	case ThemeFamille:
		return "Contraintes familiales (garde d'enfant, aidant)"
	case ThemeNumerique:
		return "Numérique"
	case ThemeAdministratif:
		return "Difficultés administratives"
	case ThemeFinancier:
		return "Difficultés financières"
	case ThemeLangue:
		return "Maîtrise du français"
	case ThemeFormation:
		return "Formation"
	case ThemeEmploi:
		return "Emploi"
	}
	return theme
}

// LegacyConstraintTheme maps the constraint codes of Parcours.Constraints,
// which predate the diagnostic, to their theme.
var LegacyConstraintTheme = map[string]string{
	"mobilite": ThemeMobilite, "garde_enfants": ThemeFamille, "logement": ThemeLogement, "numerique": ThemeNumerique,
	"langue": ThemeLangue, "sante": ThemeSante, "finances": ThemeFinancier,
}

// Levels of a frein.
const (
	FreinLifted    = "leve"
	FreinLight     = "leger"
	FreinImportant = "important"
	FreinBlocking  = "bloquant"
)

// FreinLevels lists the levels, from none to the strongest.
var FreinLevels = []string{FreinLifted, FreinLight, FreinImportant, FreinBlocking}

// FreinLevelLabel is the French name of a level.
func FreinLevelLabel(level string) string {
	switch level {
	case FreinLifted:
		return "Levé ou sans objet"
	case FreinLight:
		return "Léger"
	case FreinImportant:
		return "Important"
	case FreinBlocking:
		return "Bloquant"
	}
	return level
}

// DiagnosticAuthor says who set a frein: an adviser of an organisation,
// the person herself from her space, or the migration of the former
// constraint codes.
type DiagnosticAuthor struct {
	AgentID        string `json:"agent_id,omitempty"`
	ClientID       string `json:"client_id,omitempty"` // a partner system
	OrganisationID string `json:"organisation_id,omitempty"`
	// Person marks what the person added herself.
	Person bool `json:"person,omitempty"`
	// Migrated marks a frein taken over from the former constraint codes,
	// with no date or author of its own.
	Migrated bool `json:"migrated,omitempty"`
}

// FreinChange is one state of a frein, kept for ever: a diagnostic's
// history is the list of its changes.
type FreinChange struct {
	Theme   string           `json:"theme"`
	Level   string           `json:"level"`
	Comment string           `json:"comment,omitempty"`
	At      time.Time        `json:"at,omitzero"`
	By      DiagnosticAuthor `json:"by"`
}

// Frein is the current state of one theme of a diagnostic (its latest
// change) and its history, newest first.
type Frein struct {
	FreinChange
	History []FreinChange `json:"history"`
}

// Professional situations of a diagnostic.
const (
	WorkNone     = "sans_emploi"
	WorkEmployed = "en_emploi"
	WorkTraining = "en_formation"
	WorkOther    = "autre"
)

// WorkSituations lists the professional situations.
var WorkSituations = []string{WorkNone, WorkEmployed, WorkTraining, WorkOther}

// WorkSituationLabel is the French name of a professional situation.
func WorkSituationLabel(s string) string {
	switch s {
	case WorkNone:
		return "Sans emploi"
	case WorkEmployed:
		return "En emploi"
	case WorkTraining:
		return "En formation"
	case WorkOther:
		return "Autre situation"
	}
	return s
}

// ProfessionalSituation is the professional part of a diagnostic: where
// the person stands and the jobs she aims at (ROME appellations).
type ProfessionalSituation struct {
	Status  string            `json:"status,omitempty"`
	Note    string            `json:"note,omitempty"`
	Project []ROMEAppellation `json:"project"`
}

// Diagnostic is a person's diagnostic global: her freins by theme, with
// their history, and her professional situation and project. Version
// grows with every change (the API's ETag).
type Diagnostic struct {
	PersonID  string                `json:"person_id"`
	Version   int                   `json:"version"`
	Freins    []Frein               `json:"freins"`
	Situation ProfessionalSituation `json:"situation"`
	UpdatedAt time.Time             `json:"updated_at,omitzero"`
	// HealthShown says the read covered the health category: without it,
	// a health frein may exist and is not shown.
	HealthShown bool `json:"health_shown"`
}

// Frein returns the frein of theme, nil when the diagnostic has none.
func (d *Diagnostic) Frein(theme string) *Frein {
	for i := range d.Freins {
		if d.Freins[i].Theme == theme {
			return &d.Freins[i]
		}
	}
	return nil
}

// FreinInput is a frein as a diagnostic's writer sets it.
type FreinInput struct {
	Theme   string `json:"theme"`
	Level   string `json:"level"`
	Comment string `json:"comment,omitempty"`
}

// DiagnosticUpdate is a change of a diagnostic: the freins set (each
// theme at most once; a theme left out keeps its state) and, when not
// nil, the new professional situation.
type DiagnosticUpdate struct {
	Freins    []FreinInput           `json:"freins"`
	Situation *ProfessionalSituation `json:"situation,omitempty"`
}

// Categories returns the categories an update writes.
func (u DiagnosticUpdate) Categories() CategorySet {
	set := SetOf(CatParcours)
	for _, f := range u.Freins {
		set |= SetOf(ThemeCategory(f.Theme))
	}
	return set
}

// MaxDiagnosticComment bounds a frein's comment, in characters.
const MaxDiagnosticComment = 1000

// Validate checks an update, naming each field in error.
func (u *DiagnosticUpdate) Validate() error {
	var p Problems
	seen := map[string]bool{}
	for i := range u.Freins {
		f := &u.Freins[i]
		f.Comment = strings.TrimSpace(f.Comment)
		if !slices.Contains(Themes, f.Theme) {
			p.Add("freins.theme", "unknown theme %q (valid: %s)", f.Theme, strings.Join(Themes, ", "))
		} else if seen[f.Theme] {
			p.Add("freins.theme", "theme %q set twice", f.Theme)
		}
		seen[f.Theme] = true
		if !slices.Contains(FreinLevels, f.Level) {
			p.Add("freins.level", "unknown level %q (valid: %s)", f.Level, strings.Join(FreinLevels, ", "))
		}
		if utf8.RuneCountInString(f.Comment) > MaxDiagnosticComment {
			p.Add("freins.comment", "at most %d characters", MaxDiagnosticComment)
		}
	}
	if s := u.Situation; s != nil {
		s.Note = strings.TrimSpace(s.Note)
		if s.Status != "" && !slices.Contains(WorkSituations, s.Status) {
			p.Add("situation.status", "unknown situation %q (valid: %s)", s.Status, strings.Join(WorkSituations, ", "))
		}
		if utf8.RuneCountInString(s.Note) > MaxDiagnosticComment {
			p.Add("situation.note", "at most %d characters", MaxDiagnosticComment)
		}
		if len(s.Project) > 10 {
			p.Add("situation.project", "at most 10 jobs")
		}
		for _, a := range s.Project {
			if !ValidROME(a.ROME) || a.Code == "" {
				p.Add("situation.project", "a ROME appellation needs its code and its ROME code")
			}
		}
	}
	if len(u.Freins) == 0 && u.Situation == nil {
		p.Add("freins", "nothing to change")
	}
	return p.Err("diagnostic")
}

// DiagnosticStore keeps diagnostics. Callers are the gate, which decides
// every access first and passes the categories granted: a frein of a
// category not granted is neither read nor written.
type DiagnosticStore interface {
	// Diagnostic returns a person's diagnostic with the freins of granted
	// categories; a person without one has an empty diagnostic of
	// version 0. Sealed (health) freins are opened with her key.
	Diagnostic(ctx context.Context, personID string, granted CategorySet) (*Diagnostic, error)
	// SaveDiagnostic appends changes to the history of a person's freins
	// and, when situation is not nil, replaces her professional situation,
	// in one transaction, while her diagnostic's version is still
	// ifVersion (ECONFLICT otherwise); it returns the new version. Health
	// changes are sealed with her key.
	SaveDiagnostic(ctx context.Context, personID string, ifVersion int, changes []FreinChange, situation *ProfessionalSituation) (int, error)
}
