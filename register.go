package socle

import "time"

// RegisterVersion is one stored version of the register of purposes and
// agreements, with its author and the reason of the edit.
type RegisterVersion struct {
	Version   int       `json:"version"`
	JSON      string    `json:"-"` // the whole register, empty in history lists
	Author    string    `json:"author"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}
