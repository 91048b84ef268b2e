package socle

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// PrefixNote prefixes the ids of follow-up notes.
const PrefixNote = "not"

// NoteMaxLength is the longest note, in characters.
const NoteMaxLength = 4000

// Note is a note of the follow-up on a person's file. An ordinary note is
// parcours data; a note filed in a sealed category (health, justice) is
// stored sealed with the person's key, like the sections of that category,
// and is read only under a decision that grants that category.
type Note struct {
	ID             string `json:"id"`
	PersonID       string `json:"person_id"`
	OrganisationID string `json:"organisation_id"`
	AgentID        string `json:"agent_id,omitempty"`
	ClientID       string `json:"client_id,omitempty"`
	// Category is CatParcours for an ordinary note, or CatHealth or
	// CatJustice for a sealed one.
	Category Category `json:"category"`
	// NetworkVisible notes are read by every organisation the decision
	// lets read the file; the others by the writing organisation only.
	NetworkVisible bool      `json:"network_visible"`
	Text           string    `json:"text"`
	CreatedAt      time.Time `json:"created_at"`
}

// NoteCategories are the categories a note may be filed in.
var NoteCategories = []Category{CatParcours, CatHealth, CatJustice}

// Validate checks what the writer of a note gives.
func (n *Note) Validate() error {
	var pr Problems
	pr.ID("person_id", PrefixPerson, n.PersonID)
	switch n.Category {
	case CatParcours, CatHealth, CatJustice:
	default:
		pr.Add("category", "parcours, health or justice")
	}
	if t := strings.TrimSpace(n.Text); t == "" || utf8.RuneCountInString(t) > NoteMaxLength {
		pr.Add("text", "required, at most %d characters", NoteMaxLength)
	}
	if !utf8.ValidString(n.Text) {
		pr.Add("text", "not UTF-8")
	}
	return pr.Err("note")
}

// NoteStore keeps the follow-up notes. Callers are the gate, which decides
// every access first.
type NoteStore interface {
	// AddNote stores a note, sealed with the person's key when its
	// category is sensitive; it fills ID and CreatedAt when empty. With
	// idem, it also stores the Idempotency-Key and its result in the same
	// transaction (a key already used by the principal is ECONFLICT).
	AddNote(ctx context.Context, n *Note, idem *IdempotencyRecord) error
	// Notes returns the person's notes, newest first, of the categories
	// in cats only: a sealed note is not even opened otherwise. A sealed
	// note whose key was shredded is absent.
	Notes(ctx context.Context, personID string, cats CategorySet) ([]*Note, error)
}
