package orientation_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"socle"
	"socle/commitment"
	"socle/gate"
	"socle/internal/stacktest"
	"socle/orientation"
	"socle/store/storetest"
)

// notes records the notifications, as identity.Service would send them.
type notes struct {
	mu   sync.Mutex
	sent map[string][]string // agent → subjects
}

func (n *notes) Notify(_ context.Context, agentID, subject, body string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if strings.Contains(body, "Durand") {
		panic("a notification names the person")
	}
	n.sent[agentID] = append(n.sent[agentID], subject)
	return nil
}

// TestDeadlinesJobRemindsThenTellsTheCommittee runs the job on an injected
// clock over the real stack: the receiving structure's adviser is reminded
// once, then the département's adviser learns of the escalation.
func TestDeadlinesJobRemindsThenTellsTheCommittee(t *testing.T) {
	ctx := context.Background()
	s := stacktest.New(t, stacktest.Options{Unsealed: true})
	clock := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s.Gate.Now = func() time.Time { return clock }
	key, err := commitment.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := commitment.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	p := gate.NewParcours(s.Gate, s.DB, signer)

	org := func(name string, kind socle.OrgKind, email string) (*socle.Organisation, *socle.Agent) {
		o := storetest.NewOrganisation(name, kind, "69")
		if err := s.DB.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
		a := storetest.NewAgent(o.ID, email)
		if err := s.DB.CreateAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
		return o, a
	}
	from, fromAgent := org("Mission Locale de Lyon", socle.KindYouth, "claire@ml-lyon.fr")
	to, toAgent := org("Mission Locale de Villeurbanne", socle.KindYouth, "paul@ml-villeurbanne.fr")
	_, depAgent := org("Département du Rhône", socle.KindDepartement, "commission@rhone.fr")
	person := storetest.NewPerson(1)
	person.Health, person.Justice, person.Bank = nil, nil, nil
	person.Identity.FamilyName = "Durand"
	if err := s.DB.CreatePerson(ctx, person); err != nil {
		t.Fatal(err)
	}
	if err := s.DB.CreateFollowup(ctx, &socle.Followup{PersonID: person.ID, OrganisationID: from.ID, AgentID: fromAgent.ID, Start: socle.NewDate(2026, 1, 5)}); err != nil {
		t.Fatal(err)
	}
	req := gate.Request{Actor: socle.Actor{AgentID: fromAgent.ID, OrganisationID: from.ID, OrgKind: from.Kind, Roles: fromAgent.Roles,
		Departements: from.Departements, Strength: socle.AuthMFA}, Purpose: "orientation", RequestID: "test"}
	r := &socle.OrientationRequest{PersonID: person.ID, ToOrganisationID: to.ID, Parcours: socle.ParcoursProfessional, Motive: "Alternance."}
	if err := p.SendOrientationRequest(ctx, req, r); err != nil {
		t.Fatal(err)
	}

	n := &notes{sent: map[string][]string{}}
	job := &orientation.Deadlines{Parcours: p, Directory: s.DB, Notifier: n}
	days := []struct {
		at                time.Time
		receiver, council int // notifications so far
	}{
		{time.Date(2026, 12, 9, 9, 0, 0, 0, time.UTC), 0, 0},
		{time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC), 1, 0},
		{time.Date(2026, 12, 11, 9, 0, 0, 0, time.UTC), 1, 0},
		{time.Date(2026, 12, 16, 9, 0, 0, 0, time.UTC), 1, 1},
		{time.Date(2026, 12, 17, 9, 0, 0, 0, time.UTC), 1, 1},
	}
	for _, d := range days {
		clock = d.at
		if _, err := job.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if got := len(n.sent[toAgent.ID]); got != d.receiver {
			t.Fatalf("%s: the receiving adviser got %d notifications, want %d", d.at, got, d.receiver)
		}
		if got := len(n.sent[depAgent.ID]); got != d.council {
			t.Fatalf("%s: the département's adviser got %d notifications, want %d", d.at, got, d.council)
		}
	}
	if len(n.sent[fromAgent.ID]) != 0 {
		t.Fatal("the orienting adviser was notified of the deadlines")
	}
}
