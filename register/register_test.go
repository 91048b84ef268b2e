package register_test

import (
	"context"
	"testing"

	"socle"
	"socle/internal/stacktest"
	"socle/policy"
	"socle/register"
)

func TestRegisterHistory(t *testing.T) {
	ctx := context.Background()
	s := stacktest.New(t, stacktest.Options{Unsealed: true})
	db, log, engine := s.DB, s.Log, s.Policy
	svc, err := register.Open(ctx, db, engine, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	admin := socle.Actor{AgentID: "agt_admin", OrganisationID: "org_x", Roles: []socle.Role{socle.RolePlatformAdmin}, Strength: socle.AuthMFA}
	adviser := admin
	adviser.Roles = []socle.Role{socle.RoleAdviser}
	passwordOnly := admin
	passwordOnly.Strength = socle.AuthPassword

	edited := policy.DefaultRegister()
	edited.Agreements = edited.Agreements[1:]
	for _, tt := range []struct {
		name   string
		actor  socle.Actor
		reg    policy.Register
		reason string
		code   string
	}{
		{"adviser", adviser, edited, "retrait d'une règle", socle.EFORBIDDEN},
		{"password only", passwordOnly, edited, "retrait d'une règle", socle.EFORBIDDEN},
		{"no reason", admin, edited, "  ", socle.EINVALID},
		{"invalid register", admin, policy.Register{}, "registre vide", socle.EINVALID},
	} {
		if _, _, err := svc.Update(ctx, tt.actor, "t", tt.reg, tt.reason); socle.ErrorCode(err) != tt.code {
			t.Errorf("%s: err = %v, want %s", tt.name, err, tt.code)
		}
	}
	if engine.Register().Version != 1 || log.Size() != 0 {
		t.Fatalf("refused edits changed something: version %d, %d audit entries", engine.Register().Version, log.Size())
	}
	got, _, err := svc.Update(ctx, admin, "t", edited, "retrait de la règle se-accompagnement")
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || engine.Register().Version != 2 || len(engine.Register().Agreements) != len(edited.Agreements) || log.Size() != 1 {
		t.Fatalf("after the edit: version %d/%d, audit %d", got.Version, engine.Register().Version, log.Size())
	}
	vs, err := svc.Versions(ctx, admin, 10)
	if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[0].Author != "agt_admin" || vs[1].Version != 1 {
		t.Fatalf("history = %+v, %v", vs, err)
	}

	// A restart loads the newest version, not the default.
	other, err := policy.NewEngine(db, policy.DefaultRegister(), policy.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := register.Open(ctx, db, other, log, nil); err != nil {
		t.Fatal(err)
	}
	if other.Register().Version != 2 || len(other.Register().Agreements) != len(edited.Agreements) {
		t.Fatalf("restart applied version %d", other.Register().Version)
	}
}
