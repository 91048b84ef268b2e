package gate_test

import (
	"context"
	"testing"

	"socle"
	"socle/policy"
	"socle/store/storetest"
)

func newYouth(n int) *socle.Person {
	p := storetest.NewPerson(n)
	p.Health, p.Justice, p.Bank = nil, nil, nil
	p.Parcours.Situation = socle.SituationYouth
	p.Identity.BirthDate = socle.NewDate(2005, 1, 1)
	return p
}

// TestRegistrationIsOneTransaction: when the follow-up of the registering
// organisation cannot be stored (here its référent does not exist), the
// person and her provenance are not stored either.
func TestRegistrationIsOneTransaction(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := e.req(policy.PurposeAccompagnement)
	req.Actor.AgentID = socle.NewID(socle.PrefixAgent)
	p := newYouth(5)
	if _, err := e.gate.CreatePerson(ctx, req, p); err == nil {
		t.Fatal("registration with a follow-up that cannot be stored succeeded")
	}
	if n, _ := e.db.CountPersons(ctx); n != 2 {
		t.Errorf("%d persons stored, want 2: the person was stored without her follow-up", n)
	}
	if p.ID != "" {
		if prov, err := e.db.LatestProvenance(ctx, p.ID); err != nil || len(prov) != 0 {
			t.Errorf("provenance of a person not registered: %+v, %v", prov, err)
		}
	}
}

// TestIdempotentRegistration: a retried registration with the same
// Idempotency-Key answers the first person; the key with another body is
// a conflict; another principal's key is its own.
func TestIdempotentRegistration(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	req := e.req(policy.PurposeAccompagnement)
	req.IdempotencyKey = "inscription-0001"
	first := newYouth(5)
	if _, err := e.gate.CreatePerson(ctx, req, first); err != nil {
		t.Fatal(err)
	}
	retry := newYouth(5)
	if _, err := e.gate.CreatePerson(ctx, req, retry); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if retry.ID != first.ID {
		t.Errorf("retry registered %s, want the first person %s", retry.ID, first.ID)
	}
	if n, _ := e.db.CountPersons(ctx); n != 3 {
		t.Errorf("%d persons stored, want 3: the retry registered twice", n)
	}
	other := newYouth(6)
	if _, err := e.gate.CreatePerson(ctx, req, other); socle.ErrorCode(err) != socle.ECONFLICT {
		t.Errorf("same key, another person: %v, want a conflict", err)
	}
	req.IdempotencyKey = "\x01bad"
	if _, err := e.gate.CreatePerson(ctx, req, newYouth(7)); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("malformed key: %v, want invalid", err)
	}
	if n, _ := e.db.CountPersons(ctx); n != 3 {
		t.Errorf("%d persons stored, want 3", n)
	}
}
