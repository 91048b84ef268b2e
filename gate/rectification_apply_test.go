package gate_test

import (
	"testing"

	"socle"
)

// TestAcceptingARectificationAppliesIt has the person ask for her phone
// number to be corrected; the adviser's correction from a stale copy is
// refused and leaves the request open; the correction of another section
// is refused; the correction from the current version writes the file,
// names her organisation as its source and answers the request, which the
// person reads in her space.
func TestAcceptingARectificationAppliesIt(t *testing.T) {
	ctx, e, p := newParcoursEnv(t)
	self := e.self(e.followed)
	adviser := e.req("accompagnement")
	r, err := p.RequestRectification(ctx, self, socle.CatContact, "Mon numéro de téléphone est le 06 98 76 54 32.")
	if err != nil {
		t.Fatal(err)
	}
	read, _, err := e.gate.ReadPerson(ctx, adviser, e.followed.ID, socle.SetOf(socle.CatContact))
	if err != nil {
		t.Fatal(err)
	}
	// Someone else saves the file meanwhile.
	if _, err := e.gate.UpdatePerson(ctx, adviser, &socle.Person{ID: e.followed.ID, Version: read.Version, Contact: read.Contact}); err != nil {
		t.Fatal(err)
	}
	corrected := *read.Contact
	corrected.Phone = "0698765432"
	tests := []struct {
		name       string
		correction *socle.Person
		answer     string
		wantCode   string
	}{
		{"without a reason", &socle.Person{Version: read.Version + 1, Contact: &corrected}, "", socle.EINVALID},
		{"another section", &socle.Person{Version: read.Version + 1, Parcours: &socle.Parcours{Situation: socle.SituationYouth}}, "Corrigé.", socle.EINVALID},
		{"an invalid value", &socle.Person{Version: read.Version + 1, Contact: &socle.Contact{Phone: "12", PostalCode: "69001", CommuneCode: "69381"}}, "Corrigé.", socle.EINVALID},
		{"from a stale copy", &socle.Person{Version: read.Version, Contact: &corrected}, "Numéro corrigé.", socle.ESTALE},
	}
	for _, tt := range tests {
		_, err := p.ApplyRectification(ctx, adviser, e.followed.ID, r.ID, tt.correction, tt.answer)
		if socle.ErrorCode(err) != tt.wantCode {
			t.Fatalf("%s: %v, want %s", tt.name, err, tt.wantCode)
		}
		rs, err := p.Rectifications(ctx, adviser, e.followed.ID)
		if err != nil || rs[0].Status != socle.RectificationOpen {
			t.Fatalf("%s: the request is %s (%v), want it still open", tt.name, rs[0].Status, err)
		}
	}

	ans, err := p.ApplyRectification(ctx, adviser, e.followed.ID, r.ID, &socle.Person{Version: read.Version + 1, Contact: &corrected}, "Numéro corrigé dans le dossier.")
	if err != nil {
		t.Fatal(err)
	}
	if ans.Status != socle.RectificationAccepted {
		t.Errorf("the request is %s, want accepted", ans.Status)
	}
	now, _, err := e.gate.ReadPerson(ctx, adviser, e.followed.ID, socle.SetOf(socle.CatContact))
	if err != nil {
		t.Fatal(err)
	}
	if now.Contact.Phone != corrected.Phone {
		t.Errorf("phone %q after accepting, want %q", now.Contact.Phone, corrected.Phone)
	}
	prov, err := e.gate.FileProvenance(ctx, adviser, e.followed.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, pv := range prov {
		if pv.Category == socle.CatContact && pv.OrganisationID != e.adviser.OrganisationID {
			t.Errorf("contact supplied by %s, want the adviser's organisation", pv.OrganisationID)
		}
	}
	mine, err := p.MyParcours(ctx, self)
	if err != nil {
		t.Fatal(err)
	}
	if len(mine.Rectifications) != 1 || mine.Rectifications[0].Status != socle.RectificationAccepted || mine.Rectifications[0].Answer != "Numéro corrigé dans le dossier." {
		t.Errorf("the person reads %+v, want her request accepted with the answer", mine.Rectifications)
	}
	if _, err := p.ApplyRectification(ctx, adviser, e.followed.ID, r.ID, &socle.Person{Version: now.Version, Contact: &corrected}, "Encore."); socle.ErrorCode(err) != socle.ECONFLICT {
		t.Errorf("applying an answered request: %v, want %s", err, socle.ECONFLICT)
	}
}
