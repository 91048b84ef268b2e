package rome

import (
	"strings"

	"socle"
	"socle/internal/textfold"
)

// AppellationByCode returns the appellation of an OGR code, false when
// the referential holds none.
func (x *Index) AppellationByCode(code string) (socle.ROMEAppellation, bool) {
	code = strings.TrimSpace(code)
	for _, a := range x.ref.Appellations {
		if a.Code == code {
			return a, true
		}
	}
	return socle.ROMEAppellation{}, false
}

// AppellationByLabel returns the appellation whose label is label,
// regardless of case and accents (what a form sends when the person picked
// a suggestion), false when none is.
func (x *Index) AppellationByLabel(label string) (socle.ROMEAppellation, bool) {
	f := textfold.Fold(label)
	if f == "" {
		return socle.ROMEAppellation{}, false
	}
	for i, a := range x.ref.Appellations {
		if x.appelFolds[i] == f {
			return a, true
		}
	}
	return socle.ROMEAppellation{}, false
}
