package gate_test

import (
	"context"
	"testing"

	"socle"
	"socle/policy"
)

// TestStaleUpdateIsRefused has two advisers read the same file, the first
// save her change, and the second's save from the copy she read refused
// (ESTALE) without overwriting the first; a save from the current version
// then applies.
func TestStaleUpdateIsRefused(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	req := e.req(policy.PurposeAccompagnement)
	read, _, err := e.gate.ReadPerson(ctx, req, e.followed.ID, socle.SetOf(socle.CatContact))
	if err != nil {
		t.Fatal(err)
	}
	first := *read.Contact
	first.Phone = "0611111111"
	saved := &socle.Person{ID: read.ID, Version: read.Version, Contact: &first}
	if _, err := e.gate.UpdatePerson(ctx, req, saved); err != nil {
		t.Fatal(err)
	}
	if saved.Version != read.Version+1 {
		t.Errorf("after the save the file is at version %d, want %d", saved.Version, read.Version+1)
	}

	second := *read.Contact
	second.Phone = "0622222222"
	_, err = e.gate.UpdatePerson(ctx, req, &socle.Person{ID: read.ID, Version: read.Version, Contact: &second})
	if socle.ErrorCode(err) != socle.ESTALE {
		t.Fatalf("save from a stale copy: %v, want %s", err, socle.ESTALE)
	}
	now, _, err := e.gate.ReadPerson(ctx, req, e.followed.ID, socle.SetOf(socle.CatContact))
	if err != nil {
		t.Fatal(err)
	}
	if now.Contact.Phone != first.Phone {
		t.Fatalf("phone %q after the stale save, want the first save's %q", now.Contact.Phone, first.Phone)
	}

	if _, err := e.gate.UpdatePerson(ctx, req, &socle.Person{ID: read.ID, Version: now.Version, Contact: &second}); err != nil {
		t.Fatalf("save from the current version: %v", err)
	}
}

// TestFileProvenanceShowsOnlyGrantedSections reads who supplied each
// section of a file: every section the purpose grants, none it masks, and
// nothing at all for a person the organisation does not follow.
func TestFileProvenanceShowsOnlyGrantedSections(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	p := *e.followed
	p.ID = ""
	p.Health, p.Justice, p.Bank = nil, nil, nil
	p.Identity.NIR = ""
	if _, err := e.gate.CreatePerson(ctx, e.req(policy.PurposeAccompagnement), &p); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		purpose  string
		personID string
		want     socle.CategorySet
		wantCode string
	}{
		{"accompagnement", policy.PurposeAccompagnement, p.ID, p.Categories(), ""},
		{"orientation", policy.PurposeOrientation, p.ID, 0, ""},
		{"person not followed", policy.PurposeAccompagnement, e.stranger.ID, 0, socle.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, d, err := e.gate.ReadPerson(ctx, e.req(tt.purpose), tt.personID, 0)
			got, perr := e.gate.FileProvenance(ctx, e.req(tt.purpose), tt.personID)
			if tt.wantCode != "" {
				if socle.ErrorCode(perr) != tt.wantCode || got != nil {
					t.Fatalf("FileProvenance = %v, %v; want %s and nothing", got, perr, tt.wantCode)
				}
				return
			}
			if err != nil || perr != nil {
				t.Fatal(err, perr)
			}
			want := tt.want
			if want == 0 {
				want = d.Categories & p.Categories()
			}
			var cats socle.CategorySet
			for _, pv := range got {
				if !d.Categories.Has(pv.Category) {
					t.Errorf("provenance of %s, which the decision masks", pv.Category)
				}
				if pv.OrganisationID != e.adviser.OrganisationID {
					t.Errorf("section %s supplied by %q, want the registering organisation", pv.Category, pv.OrganisationID)
				}
				cats |= socle.SetOf(pv.Category)
			}
			if cats != want&d.Categories {
				t.Errorf("provenance of %v, want %v", cats, want&d.Categories)
			}
		})
	}
}
