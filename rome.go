package socle

// ROMECode is a code of the ROME referential (Répertoire opérationnel des
// métiers et des emplois) with its label and family (K2204, family K22).
type ROMECode struct {
	Code   string `json:"code"`
	Label  string `json:"label"`
	Family string `json:"family"`
}

// ROMEAppellation is a job title of the ROME referential and the ROME code
// it belongs to.
type ROMEAppellation struct {
	Code  string `json:"code"` // the OGR code of the appellation
	Label string `json:"label"`
	ROME  string `json:"rome_code"`
}
