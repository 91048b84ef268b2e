package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"socle"
	"socle/gate"
	"socle/http/httpx"
)

// The follow-up of a file (/usagers/{id}/suivi): who followed the person
// and when, the timeline of her parcours and the notes, read in one
// audited access (Parcours.FileHistory), and the form of a new note,
// written through the gate (Gate.AddNote).

// referentRow is one follow-up of the history.
type referentRow struct {
	Organisation, Referent, From, To string
	// ChangedBy names who named this référent by changing the previous
	// one; "" when the follow-up began otherwise.
	ChangedBy string
	Current   bool
}

// parcoursEntry is one dated line of the parcours.
type parcoursEntry struct {
	at                time.Time
	When, Kind, Title string
	Detail, By        string
}

// noteRow is one note as the page shows it.
type noteRow struct {
	at                         time.Time
	When, By, Text, Visibility string
	Network                    bool
	// Sealed names the sealed category of a health or justice note.
	Sealed string
}

// followupView is the page of a file's follow-up.
type followupView struct {
	form
	ID, Purpose string
	Followups   []referentRow
	Timeline    []parcoursEntry
	Notes       []noteRow
	// NoteCategories are the categories a note may be filed in, with
	// NoteForm the note being written (kept on an error).
	NoteCategories []option
	NoteText       string
	NoteNetwork    bool
	NoteError      string
	Notice         string
	// Advisers are those the structure may name référent, when it
	// follows the person; Referent the current one, ReferentError the
	// answer of a refused change.
	Advisers      []option
	ReferentError string
}

// nameOr names an id of the history, or says it cannot.
func nameOr(names map[string]string, id, unknown string) string {
	if n := names[id]; n != "" {
		return n
	}
	if id == "" {
		return ""
	}
	return unknown
}

// followupRows lays out the history of the follow-ups.
func followupRows(h *gate.FileHistory, today socle.Date) []referentRow {
	out := make([]referentRow, 0, len(h.Followups))
	for _, f := range h.Followups {
		row := referentRow{Organisation: nameOr(h.Names, f.OrganisationID, labelUnknownOrganisation),
			Referent: nameOr(h.Names, f.AgentID, labelUnknownAgent), From: frenchDate(f.Start), Current: f.ActiveOn(today)}
		if row.Referent == "" {
			row.Referent = labelNoReferent
		}
		if !f.End.IsZero() {
			row.To = frenchDate(f.End)
		}
		switch {
		case f.AssignedBy == "":
		case socle.ValidID(socle.PrefixAgent, f.AssignedBy):
			row.ChangedBy = nameOr(h.Names, f.AssignedBy, labelUnknownAgent)
		default:
			row.ChangedBy = labelPartnerSystem
		}
		out = append(out, row)
	}
	return out
}

// timelineOf orders the records of the parcours by date, oldest first,
// in words: kinds, statuses and names, never codes nor ids.
func timelineOf(h *gate.FileHistory) []parcoursEntry {
	var out []parcoursEntry
	add := func(at time.Time, kind, title, detail, by string) {
		if at.IsZero() {
			return
		}
		out = append(out, parcoursEntry{at: at, When: frenchTime(at), Kind: kind, Title: title, Detail: detail, By: by})
	}
	// A follow-up runs from a day to a day: no time of day is shown.
	addDay := func(d socle.Date, title, detail string) {
		if d.IsZero() {
			return
		}
		out = append(out, parcoursEntry{at: d.Time(), When: frenchDate(d), Kind: "Suivi", Title: title, Detail: detail})
	}
	org := func(id string) string { return nameOr(h.Names, id, labelUnknownOrganisation) }
	for _, f := range h.Followups {
		if f.AssignedBy != "" {
			// A change of référent: the structure goes on following her.
			addDay(f.Start, fmt.Sprintf(msgTimelineReferent, org(f.OrganisationID)), referentLine(h, f))
			continue
		}
		addDay(f.Start, fmt.Sprintf(msgTimelineFollowupStart, org(f.OrganisationID)), referentLine(h, f))
	}
	for _, f := range h.Followups {
		if !referentChangedAfter(h.Followups, f) {
			addDay(f.End, fmt.Sprintf(msgTimelineFollowupEnd, org(f.OrganisationID)), "")
		}
	}
	for _, o := range h.Orientations {
		at, title := o.CreatedAt, msgTimelineOrientationProposed
		if o.Status == socle.OrientationStatusConfirmed {
			at, title = o.DecidedAt, msgTimelineOrientationConfirmed
		}
		detail := "Parcours " + strings.ToLower(labelOf(parcoursLabels, o.Parcours)) + ", modalité " + strings.ToLower(labelOf(parcoursLabels, o.Modalite))
		add(at, "Orientation", title, detail, org(o.OrganisationID))
	}
	for _, e := range h.Events {
		add(e.Start, labelOf(eventKindLabels, e.Kind), e.Title, e.Location, org(e.OrganisationID))
	}
	for _, c := range h.Commitments {
		add(c.CreatedAt, "Contrat d'engagement", fmt.Sprintf(msgTimelineContract, c.Version), labelOf(commitmentStatusLabels, c.Status), org(c.OrganisationID))
		for _, sig := range c.Signatures {
			add(sig.SignedAt, "Contrat d'engagement", fmt.Sprintf(msgTimelineSigned, c.Version, labelOf(signerLabels, sig.Role)), "", "")
		}
	}
	for _, r := range h.Rectifications {
		add(r.CreatedAt, "Rectification", fmt.Sprintf(msgTimelineRectificationAsked, socle.Category(r.Field).Label()), "", "")
		if r.Status != socle.RectificationOpen {
			add(r.AnsweredAt, "Rectification", fmt.Sprintf(msgTimelineRectificationAnswered, strings.ToLower(rectificationStatus[r.Status])), r.Answer, org(r.AnsweredBy))
		}
	}
	for _, n := range h.Notes {
		add(n.CreatedAt, "Note", noteTitle(n), "", org(n.OrganisationID))
	}
	slices.SortStableFunc(out, func(a, b parcoursEntry) int { return a.at.Compare(b.at) })
	return out
}

// referentLine names the référent of a follow-up.
func referentLine(h *gate.FileHistory, f *socle.Followup) string {
	if f.AgentID == "" {
		return labelNoReferent
	}
	return "Référent : " + nameOr(h.Names, f.AgentID, labelUnknownAgent)
}

// noteTitle is the first line of a note, shortened for the timeline.
func noteTitle(n *socle.Note) string {
	t, _, _ := strings.Cut(strings.TrimSpace(n.Text), "\n")
	if utf8.RuneCountInString(t) > 80 {
		t = string([]rune(t)[:80]) + "…"
	}
	return t
}

// noteRows lays out the notes, newest first: those of the notes table and
// the older ones kept as events of kind note (written before it existed),
// so that no note disappears from the file.
func noteRows(h *gate.FileHistory) []noteRow {
	out := make([]noteRow, 0, len(h.Notes))
	row := func(at time.Time, orgID, agentID, text string, network bool) noteRow {
		r := noteRow{at: at, When: frenchTime(at), Text: text, Visibility: labelVisibilityStructure}
		r.By = nameOr(h.Names, orgID, labelUnknownOrganisation)
		if a := nameOr(h.Names, agentID, ""); a != "" {
			r.By = a + " (" + r.By + ")"
		}
		if network {
			r.Visibility, r.Network = labelVisibilityNetwork, true
		}
		return r
	}
	for _, n := range h.Notes {
		r := row(n.CreatedAt, n.OrganisationID, n.AgentID, n.Text, n.NetworkVisible)
		if n.Category.Sensitive() {
			r.Sealed = n.Category.Label()
		}
		out = append(out, r)
	}
	for _, e := range h.Events {
		if e.Kind != socle.EventNote {
			continue
		}
		text := e.Title
		if d := strings.TrimSpace(e.Description); d != "" {
			text += " — " + d
		}
		out = append(out, row(e.Start, e.OrganisationID, e.AgentID, text, e.NetworkVisible))
	}
	slices.SortStableFunc(out, func(a, b noteRow) int { return b.at.Compare(a.at) })
	return out
}

// noteCategoryOptions are the categories of a note, ordinary first.
func noteCategoryOptions(selected socle.Category) []option {
	out := make([]option, 0, len(socle.NoteCategories))
	for _, c := range socle.NoteCategories {
		label := labelNoteOrdinary
		if c.Sensitive() {
			label = fmt.Sprintf(labelNoteSealed, c.Label())
		}
		out = append(out, option{Value: string(c), Label: label, Selected: c == selected})
	}
	return out
}

func followupPage(s *parcoursPages, p *gate.Parcours, w http.ResponseWriter, r *http.Request, status int, v *followupView) {
	id := r.PathValue("id")
	req := pageRequest(r, purposeAccompagnement, "")
	h, err := p.FileHistory(r.Context(), req, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v.ID, v.Purpose = id, purposeAccompagnement
	v.Followups = followupRows(h, socle.DateOf(time.Now()))
	v.Timeline, v.Notes = timelineOf(h), noteRows(h)
	v.Advisers = adviserOptions(h, socle.DateOf(time.Now()), req.Actor.OrganisationID)
	if v.NoteCategories == nil {
		v.NoteCategories = noteCategoryOptions(socle.CatParcours)
	}
	staffPage(s.renderer, w, r, status, "dossier-suivi", "Suivi et notes", "usagers", v)
}

func handleFollowupPage(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffHandler(func(w http.ResponseWriter, r *http.Request) {
		v := &followupView{}
		switch {
		case r.URL.Query().Get("note") == "ajoutee":
			v.Notice = msgNoteAdded
		case r.URL.Query().Get("referent") == "change":
			v.Notice = msgReferentChanged
		case r.URL.Query().Get("referent") == "inchange":
			v.Notice = msgReferentUnchanged
		}
		followupPage(s, p, w, r, http.StatusOK, v)
	})
}

func handleNoteCreate(s *parcoursPages, p *gate.Parcours) http.Handler {
	return staffPostHandler(s.renderer, func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		cat := socle.Category(r.PostFormValue("categorie"))
		n := &socle.Note{PersonID: id, Category: cat, NetworkVisible: r.PostFormValue("visibilite") == "reseau", Text: strings.TrimSpace(r.PostFormValue("texte"))}
		v := &followupView{NoteCategories: noteCategoryOptions(cat), NoteText: n.Text, NoteNetwork: n.NetworkVisible}
		switch {
		case !slices.Contains(socle.NoteCategories, cat):
			v.NoteError = msgNoteCategory
		case n.Text == "":
			v.NoteError = msgNoteRequired
		case utf8.RuneCountInString(n.Text) > socle.NoteMaxLength:
			v.NoteError = fmt.Sprintf(msgTooLong, socle.NoteMaxLength)
		}
		if v.NoteError != "" {
			followupPage(s, p, w, r, http.StatusBadRequest, v)
			return
		}
		err := s.gate.AddNote(r.Context(), pageRequest(r, purposeAccompagnement, ""), n)
		switch {
		case err == nil:
			http.Redirect(w, r, "/usagers/"+url.PathEscape(id)+"/suivi?note=ajoutee#notes", http.StatusSeeOther)
		case socle.ErrorCode(err) == socle.EFORBIDDEN:
			v.NoteError = fmt.Sprintf(msgNoteCategoryRefused, cat.Label())
			followupPage(s, p, w, r, http.StatusForbidden, v)
		case soft(err):
			v.NoteError = message(err)
			followupPage(s, p, w, r, httpx.ErrorStatus(err), v)
		default:
			s.renderError(w, r, err)
		}
	})
}
