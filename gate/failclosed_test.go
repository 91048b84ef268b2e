package gate_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"socle"
	"socle/commitment"
	"socle/gate"
	"socle/indicators"
	"socle/orientation"
	"socle/store/storetest"
)

// call is how the fail-closed test calls one entry point: the request it
// passes for a gate.Request parameter, and the other arguments in order
// (the context is filled in).
type call struct {
	req  gate.Request
	args []any
}

// unaudited are the exported methods that disclose no personal data, and
// why; every other method must fail when the audit log does.
var unaudited = map[string]string{
	"Purposes":       "the purpose register",
	"Now":            "the gate's clock",
	"PublicKey":      "the key verifying contract signatures",
	"Offer":          "an offer is not personal data",
	"EmployerOffers": "an employer's own offers",
	"EmployerOffer":  "an employer's own offer",
	"Employer":       "the signed-in contact's own account",
	"PurposesFor":    "the purposes the register opens to the caller's role",
	"PurposeOpenTo":  "whether the register opens a purpose to the caller's role",
	// Orientation hand-offs.
	"SetHandoffDeadlines": "wiring",
	"HandoffDeadlines":    "the deadlines of orientation requests",
	"Answers":             "wiring: what identifies the results of creates; replays re-read through the gate",
	"SetNotices":          "wiring",
	"RecordNotice":        "the result of a notice the gate claimed: no personal data",
	"LeaseNotices":        "the platform sends the notices claimed by accesses already recorded",
	"MyName":              "the signed-in person's own name, shown to herself in her header",
	"AgentNames":          "the names of staff agents (who signed a contract): no person's data",
}

// TestEveryEntryPointFailsClosed breaks the audit log, then calls every
// exported method of *gate.Gate and *gate.Parcours (found by reflection,
// so that a new method cannot be forgotten) with arguments that would
// succeed, and expects each to answer EUNAVAILABLE with no data: every
// result but the decision is the zero value.
func TestEveryEntryPointFailsClosed(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	p := newParcours(t, e)
	orient, accomp, matchReq := e.req("orientation"), e.req("accompagnement"), e.req(gate.PurposeMatching)
	self := gate.Request{Actor: socle.Actor{PersonID: e.followed.ID, Strength: socle.AuthClient}, RequestID: "self"}

	// The network every call finds: orientations (one confirmed, one
	// proposed), a contract and its signing link, a rectification
	// request, a company followed with an offer, a proposal, a contact,
	// a block and a break-the-glass grant.
	answers := orientation.Answers{"projet": {"defini"}, "derniere_activite": {"moins_6_mois"}, "autonomie": {"autonome"},
		"hebergement_stable": {"oui"}, "rqth": {"non"}, "sante_limite_emploi": {"non"}}
	confirmed, _, err := orientation.Propose(ctx, p, orient, e.followed.ID, answers)
	if err != nil {
		t.Fatal(err)
	}
	choice := gate.Choice{OperatorKind: socle.KindYouth, Parcours: socle.ParcoursProfessional, Modalite: socle.ModaliteRenforce,
		OrganisationID: e.adviser.OrganisationID, OverrideReason: "Demande un suivi rapproché pendant trois mois."}
	if _, err := orientation.Confirm(ctx, p, orient, confirmed.ID, choice); err != nil {
		t.Fatal(err)
	}
	proposed, _, err := orientation.Propose(ctx, p, orient, e.followed.ID, answers)
	if err != nil {
		t.Fatal(err)
	}
	contract, err := commitment.Draw(ctx, p, accomp, e.followed.ID, []string{"Atelier CV"})
	if err != nil {
		t.Fatal(err)
	}
	link, err := p.SigningLink(ctx, accomp, contract.ID)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := p.SavePlan(ctx, accomp, e.followed.ID, &socle.Plan{Objectives: []socle.Objective{{Title: "Passer le permis", Freins: []string{socle.ThemeMobilite}}},
		Actions: []socle.PlanAction{{ObjectiveID: "1", Title: "Code de la route", Provider: "Auto-école sociale"}}})
	if err != nil {
		t.Fatal(err)
	}
	diagUpdate := socle.DiagnosticUpdate{Freins: []socle.FreinInput{{Theme: socle.ThemeLogement, Level: socle.FreinLight}}}
	rect, err := p.RequestRectification(ctx, self, socle.CatContact, "Mon numéro de téléphone a changé.")
	if err != nil {
		t.Fatal(err)
	}
	slot, planned, past := failClosedAppointments(t, e, p)
	nextReferent := storetest.NewAgent(e.adviser.OrganisationID, "referent-suivant@ml-lyon.fr")
	if err := e.db.CreateAgent(ctx, nextReferent); err != nil {
		t.Fatal(err)
	}
	company := storetest.NewCompany(1)
	if err := e.db.CreateCompany(ctx, company); err != nil {
		t.Fatal(err)
	}
	if _, err := e.gate.FollowCompany(ctx, accomp, company.ID); err != nil {
		t.Fatal(err)
	}
	unfollowed := storetest.NewCompany(2)
	if err := e.db.CreateCompany(ctx, unfollowed); err != nil {
		t.Fatal(err)
	}
	offer := storetest.NewOffer(company.ID, "M1607", e.followed.Contact.CommuneCode)
	if err := e.gate.SaveOffer(ctx, accomp, offer); err != nil {
		t.Fatal(err)
	}
	idx := e.matching
	if err := idx.Load(ctx, e.db); err != nil {
		t.Fatal(err)
	}
	// The gate indexes the offers it saves.
	rankedOffer := storetest.NewOffer(company.ID, "M1607", e.followed.Contact.CommuneCode)
	if err := e.gate.SaveOffer(ctx, accomp, rankedOffer); err != nil {
		t.Fatal(err)
	}
	match, _, err := e.gate.Propose(ctx, matchReq, offer.ID, e.followed.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	contact := storetest.NewContact(company.ID, 1)
	if err := e.db.CreateContact(ctx, contact); err != nil {
		t.Fatal(err)
	}
	employer := gate.Request{Actor: socle.Actor{ContactID: contact.ID, Strength: socle.AuthClient}, RequestID: "employer"}
	now := time.Now()
	if err := e.db.BlockPrincipal(ctx, "agent:agt_blocked", e.adviser.OrganisationID, now, now.Add(time.Hour), 2000); err != nil {
		t.Fatal(err)
	}
	grant := &socle.BreakGlassGrant{AgentID: e.adviser.AgentID, OrganisationID: e.adviser.OrganisationID, PersonID: e.stranger.ID,
		Purpose: "accompagnement", Justification: "Appel de la personne, hors de notre territoire.", Created: now, Expires: now.Add(time.Hour)}
	if err := e.db.AddGrant(ctx, grant); err != nil {
		t.Fatal(err)
	}
	auditor := gate.Request{Actor: e.adviser, RequestID: "dpo"}
	auditor.Actor.AgentID, auditor.Actor.Roles = "agt_dpo", []socle.Role{socle.RoleAuditor}
	stat := e.req("statistique")
	stat.Actor.Roles = []socle.Role{socle.RoleStatistician}
	later := now.Add(24 * time.Hour)
	// Orientation hand-offs: a request refused by a second mission
	// locale, then another open; a département adviser.
	receiver := receivingStructure(t, e)
	refusedHandoff := &socle.OrientationRequest{PersonID: e.followed.ID, ToOrganisationID: receiver.Actor.OrganisationID, Parcours: socle.ParcoursProfessional, Motive: "Alternance."}
	if err := p.SendOrientationRequest(ctx, orient, refusedHandoff); err != nil {
		t.Fatal(err)
	}
	if _, err := p.AnswerOrientationRequest(ctx, receiver, refusedHandoff.ID, socle.HandoffAnswer{Reason: "capacite"}); err != nil {
		t.Fatal(err)
	}
	openHandoff := &socle.OrientationRequest{PersonID: e.followed.ID, ToOrganisationID: receiver.Actor.OrganisationID, Parcours: socle.ParcoursProfessional, Motive: "Alternance."}
	if err := p.SendOrientationRequest(ctx, orient, openHandoff); err != nil {
		t.Fatal(err)
	}
	committee := e.req("orientation")
	committee.Actor.OrgKind, committee.Actor.Departements = socle.KindDepartement, []string{"69"}

	calls := map[string]call{
		// *gate.Gate
		"ReadPerson":          {accomp, []any{e.followed.ID, socle.CategorySet(0)}},
		"Changes":             {accomp, []any{int64(0), 100}},
		"SearchPersons":       {accomp, []any{socle.PersonQuery{FamilyName: e.followed.Identity.FamilyName}}},
		"CreatePerson":        {accomp, []any{newYouth(7)}},
		"UpdatePerson":        {accomp, []any{&socle.Person{ID: e.followed.ID, Contact: e.followed.Contact}}},
		"Followups":           {accomp, []any{e.followed.ID}},
		"ReadCompany":         {accomp, []any{company.ID}},
		"CompanyFile":         {accomp, []any{company.ID}},
		"CompanyBySIRET":      {accomp, []any{company.SIRET}},
		"FollowCompany":       {accomp, []any{unfollowed.ID}},
		"UnfollowCompany":     {accomp, []any{company.ID}},
		"RecordCompanyAction": {accomp, []any{company.ID, "appel", "Premier contact."}},
		"Portfolio":           {accomp, nil},
		"SaveOffer":           {accomp, []any{storetest.NewOffer(company.ID, "M1607", e.followed.Contact.CommuneCode)}},
		"MatchCandidates":     {matchReq, []any{rankedOffer.ID, 10}},
		"OffersForPerson":     {matchReq, []any{e.followed.ID, 10}},
		"Propose":             {matchReq, []any{rankedOffer.ID, e.followed.ID, false}},
		"OfferMatches":        {matchReq, []any{offer.ID}},
		"EmployerSaveOffer":   {employer, []any{storetest.NewOffer(company.ID, "M1607", e.followed.Contact.CommuneCode)}},
		"EmployerCandidates":  {employer, []any{offer.ID}},
		"EmployerAnswer":      {employer, []any{match.ID, socle.MatchInterview}},
		"MyFile":              {self, nil},
		"MyAccessHistory":     {self, []any{uint64(0), 10}},
		"MyProvenance":        {self, nil},
		"SearchAudit":         {auditor, []any{socle.AuditQuery{}}},
		"BreakGlassGrants":    {auditor, []any{false, 10}},
		"ReviewBreakGlass":    {auditor, []any{grant.ID}},
		"ThrottleBlocks":      {auditor, []any{10}},
		"LiftBlock":           {auditor, []any{"agent:agt_blocked", "Lecture massive expliquée par une campagne validée."}},
		// *gate.Parcours
		"PersonToOrient":       {orient, []any{e.followed.ID}},
		"RecordOrientation":    {orient, []any{&socle.Orientation{PersonID: e.followed.ID, OperatorKind: socle.KindYouth, Parcours: socle.ParcoursProfessional, Modalite: socle.ModaliteRenforce}}},
		"ConfirmOrientation":   {orient, []any{proposed.ID, choice, gate.ChoiceCheck(func(*socle.Orientation, gate.Choice) error { return nil })}},
		"Orientations":         {orient, []any{e.followed.ID}},
		"CreateEvent":          {accomp, []any{&socle.Event{PersonID: e.followed.ID, Kind: socle.EventAppointment, Title: "Entretien", Start: later}}},
		"Events":               {accomp, []any{e.followed.ID}},
		"Agenda":               {accomp, []any{now.Add(-time.Hour), later}},
		"CreateCommitment":     {accomp, []any{e.followed.ID, commitment.Drafter([]string{"Atelier CV", "Immersion"})}},
		"Commitment":           {accomp, []any{contract.ID}},
		"Commitments":          {accomp, []any{e.followed.ID}},
		"SignAsAdviser":        {accomp, []any{contract.ID}},
		"SigningLink":          {accomp, []any{contract.ID}},
		"CommitmentByLink":     {gate.Request{}, []any{link, "link", "192.0.2.1"}},
		"SignWithLink":         {gate.Request{}, []any{link, "link", "192.0.2.1"}},
		"SignAsPerson":         {self, []any{contract.ID, now}},
		"Aggregate":            {stat, []any{indicators.Threshold, func(socle.IndicatorRecords, time.Time) {}}},
		"MyParcours":           {self, nil},
		"MyExport":             {self, nil},
		"RequestRectification": {self, []any{socle.CatContact, "Mon adresse a changé depuis mars."}},
		"Rectifications":       {accomp, []any{e.followed.ID}},
		"AnswerRectification":  {accomp, []any{e.followed.ID, rect.ID, true, "Numéro corrigé dans le dossier."}},
		"RectificationQueue":   {accomp, nil},
		// The file worked on through the gate (file.go).
		"FileProvenance":     {accomp, []any{e.followed.ID}},
		"AddNote":            {accomp, []any{&socle.Note{PersonID: e.followed.ID, Category: socle.CatParcours, Text: "Entretien de suivi."}}},
		"Notes":              {accomp, []any{e.followed.ID}},
		"ApplyRectification": {accomp, []any{e.followed.ID, rect.ID, &socle.Person{Contact: e.followed.Contact}, "Numéro corrigé dans le dossier."}},
		"FileHistory":        {accomp, []any{e.followed.ID}},
		"ChangeReferent":     {accomp, []any{e.followed.ID, nextReferent.ID}},
		"Caseload":           {accomp, []any{socle.CaseloadQuery{}}},
		// *gate.Parcours: diagnostic and plan
		"Diagnostic":          {accomp, []any{e.followed.ID}},
		"DiagnosticSummary":   {orient, []any{e.followed.ID}},
		"SaveDiagnostic":      {accomp, []any{e.followed.ID, 0, diagUpdate}},
		"MyDiagnostic":        {self, nil},
		"AddToMyDiagnostic":   {self, []any{0, socle.FreinInput{Theme: socle.ThemeNumerique, Level: socle.FreinLight}}},
		"Plan":                {accomp, []any{e.followed.ID}},
		"SavePlan":            {accomp, []any{e.followed.ID, &socle.Plan{Objectives: plan.Objectives, Actions: plan.Actions}}},
		"UpdatePlanAction":    {accomp, []any{e.followed.ID, plan.Actions[0].ID, socle.ActionChange{Status: socle.ActionOngoing}}},
		"RecordPlanAgreement": {accomp, []any{e.followed.ID, plan.Version}},
		"MyPlan":              {self, nil},
		"AgreeToMyPlan":       {self, []any{plan.Version}},
		// *gate.Parcours: orientation hand-offs
		"SendOrientationRequest":           {orient, []any{&socle.OrientationRequest{PersonID: e.followed.ID, ToOrganisationID: receiver.Actor.OrganisationID, Parcours: socle.ParcoursSocial, Motive: "Logement."}}},
		"OrientationRequests":              {orient, []any{e.followed.ID}},
		"OrientationRequest":               {receiver, []any{openHandoff.ID}},
		"AnswerOrientationRequest":         {receiver, []any{openHandoff.ID, socle.HandoffAnswer{Accept: true}}},
		"ConcludeOrientationRequest":       {orient, []any{refusedHandoff.ID, socle.HandoffOutcome{Outcome: socle.HandoffOutcomeKept}}},
		"OrientationRequestsToMyStructure": {receiver, nil},
		"CommitteeQueue":                   {committee, nil},
		"SweepOrientationRequests":         {gate.Request{}, []any{socle.HandoffDeadlines{Deadline: 10, RemindBefore: 10}}},
		// Appointments: slots, booking, cancellation, attendance, rights and duties.
		"PublishSlot":         {accomp, []any{&socle.Slot{Start: later, End: later.Add(time.Hour), Modalite: socle.ModaliteVideo}, false}},
		"Slots":               {accomp, []any{now, later.Add(24 * time.Hour)}},
		"ScheduleAppointment": {accomp, []any{&socle.Appointment{Event: socle.Event{PersonID: e.followed.ID, Start: later, End: later.Add(time.Hour)}, Modalite: socle.ModaliteOnSite}}},
		"BookSlot":            {self, []any{slot.ID}},
		"CancelAppointment":   {self, []any{planned.ID, "Je ne peux pas venir."}},
		"RecordAttendance":    {accomp, []any{past.ID, socle.AttendanceHonoured}},
		"RightsAndDuties":     {accomp, []any{e.followed.ID}},
		"MyAppointments":      {self, []any{time.Duration(0)}},
		"Explain":             {self, []any{socle.ExplainAppointment, past.ID, "J'étais malade ce jour-là."}},
		"NextAppointments":    {accomp, []any{now.Add(-72 * time.Hour), later.Add(24 * time.Hour)}},
		"SendReminders":       {gate.Request{}, []any{socle.NoticeReminder24h, now, now.Add(48 * time.Hour)}},
		// The privacy officer's view of the rights requests that wait.
		"RectificationBacklog": {auditor, nil},
	}

	if err := e.log.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, recv := range []any{e.gate, p} {
		rv := reflect.ValueOf(recv)
		for i := range rv.NumMethod() {
			name := rv.Type().Method(i).Name
			if seen[name] {
				t.Fatalf("%s is a method of both *gate.Gate and *gate.Parcours: name the call table's entries by receiver", name)
			}
			seen[name] = true
			if _, ok := unaudited[name]; ok {
				continue
			}
			c, ok := calls[name]
			if !ok {
				t.Errorf("%T.%s: no call in the fail-closed table; add one (or list it in unaudited if it discloses no personal data)", recv, name)
				continue
			}
			t.Run(name, func(t *testing.T) {
				out := rv.Method(i).Call(arguments(t, ctx, rv.Method(i).Type(), c))
				last := out[len(out)-1]
				err, _ := last.Interface().(error)
				if socle.ErrorCode(err) != socle.EUNAVAILABLE {
					t.Errorf("with the audit log broken: err = %v, want EUNAVAILABLE", err)
				}
				for _, v := range out[:len(out)-1] {
					if v.Type() == reflect.TypeFor[socle.Decision]() {
						continue
					}
					if !v.IsZero() {
						t.Errorf("with the audit log broken, returned data: %#v", v.Interface())
					}
				}
			})
		}
	}
	for name := range calls {
		if !seen[name] {
			t.Errorf("the call table names %s, which is no exported method", name)
		}
	}
	for name := range unaudited {
		if !seen[name] {
			t.Errorf("unaudited names %s, which is no exported method", name)
		}
	}
}

// arguments builds the arguments of a method of type mt: ctx for the
// context, c.req for the request, c.args for the rest in order.
func arguments(t *testing.T, ctx context.Context, mt reflect.Type, c call) []reflect.Value {
	t.Helper()
	var in []reflect.Value
	rest := slices.Clone(c.args)
	for i := range mt.NumIn() {
		pt := mt.In(i)
		switch {
		case pt == reflect.TypeFor[context.Context]():
			in = append(in, reflect.ValueOf(ctx))
		case pt == reflect.TypeFor[gate.Request]():
			in = append(in, reflect.ValueOf(c.req))
		case len(rest) > 0:
			v := reflect.ValueOf(rest[0])
			if !v.Type().AssignableTo(pt) {
				t.Fatalf("argument %d: a %s for a %s", i, v.Type(), pt)
			}
			in = append(in, v)
			rest = rest[1:]
		default:
			t.Fatalf("argument %d (%s): missing from the call table", i, pt)
		}
	}
	if len(rest) > 0 {
		t.Fatalf("%d arguments left over in the call table", len(rest))
	}
	return in
}
