package socle

// IndicatorRecords are the rows the steering figures (indicateurs) are
// computed from, without identities.
type IndicatorRecords struct {
	Orientations      []IndicatorOrientation
	FirstAppointments []IndicatorFirstAppointment
	Commitments       []IndicatorCommitment
	// OrientationRequests are the orientation hand-offs (orientationrequest.go).
	OrientationRequests []IndicatorOrientationRequest
}

// IndicatorOrientation is one confirmed orientation.
type IndicatorOrientation struct {
	OperatorKind OrgKind
	Parcours     string
	Modalite     string
	Departement  string
	Month        string // "2026-03", of the decision
}

// IndicatorFirstAppointment is a person's delay from registration to her
// first appointment.
type IndicatorFirstAppointment struct {
	Departement string
	Month       string // of the registration
	Days        int
}

// IndicatorCommitment is one current contract d'engagement (the latest
// version).
type IndicatorCommitment struct {
	Departement string
	Month       string // drawn up
	Signed      bool   // by both the person and the adviser
}
