package commitment

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"socle"
)

func fixture(t *testing.T) Input {
	t.Helper()
	return Input{
		CommitmentID: socle.NewID(socle.PrefixCommitment), Version: 1,
		Person: &socle.Person{ID: socle.NewID(socle.PrefixPerson), Identity: &socle.Identity{
			GivenName: "Awa", FamilyName: "Diallo <script>", BirthDate: socle.NewDate(1990, 5, 2), Sex: "F"}},
		Organisation: &socle.Organisation{ID: socle.NewID(socle.PrefixOrganisation), Name: "Mission locale de Lyon"},
		Orientation: &socle.Orientation{ID: socle.NewID(socle.PrefixOrientation), Status: socle.OrientationStatusConfirmed,
			OperatorKind: socle.KindYouth, Parcours: socle.ParcoursProfessional, Modalite: socle.ModaliteGuide,
			Reasons: []string{"La personne a moins de 26 ans."}},
		Actions: []string{"Atelier CV", "  ", "Immersion en entreprise"},
		At:      time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC),
	}
}

func newSigner(t *testing.T) *Signer {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDocumentIsCanonical(t *testing.T) {
	d, err := New(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Actions) != 2 {
		t.Errorf("blank actions kept: %q", d.Actions)
	}
	b, err := d.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	again, err := d.Canonical()
	if err != nil || !bytes.Equal(b, again) {
		t.Fatal("the encoding is not deterministic")
	}
	back, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if Hash(mustCanonical(t, back)) != Hash(b) {
		t.Error("a parsed document hashes differently")
	}
	if !bytes.Contains(b, []byte("Diallo <script>")) {
		t.Error("the canonical bytes escape HTML: the hash would depend on an encoder option")
	}
	if _, err := Parse(append([]byte(" "), b...)); err == nil {
		t.Error("Parse accepted non-canonical bytes")
	}
}

func mustCanonical(t *testing.T, d Document) []byte {
	t.Helper()
	b, err := d.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Input)
		want   string
	}{
		{"proposed orientation", func(in *Input) { in.Orientation.Status = socle.OrientationStatusProposed }, "confirmed orientation"},
		{"no actions", func(in *Input) { in.Actions = []string{" "} }, "actions"},
		{"masked identity", func(in *Input) { in.Person.Identity = nil }, "identity"},
		{"amendment without previous", func(in *Input) { in.Version = 2 }, "previous_hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fixture(t)
			tt.change(&in)
			_, err := New(in)
			if socle.ErrorCode(err) != socle.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want EINVALID about %s", err, tt.want)
			}
		})
	}
}

func TestSignAndVerify(t *testing.T) {
	s := newSigner(t)
	d, err := New(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	doc := mustCanonical(t, d)
	hash := Hash(doc)
	at := time.Date(2026, 3, 2, 11, 0, 0, 123456000, time.UTC)
	adviser, err := s.Sign(hash, socle.SignerAdviser, "agt_x", at)
	if err != nil {
		t.Fatal(err)
	}
	person, err := s.Sign(hash, socle.SignerPerson, d.PersonID, at.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c := &socle.Commitment{Document: doc, DocumentHash: hash, Signatures: []socle.CommitmentSignature{adviser, person}}
	lines, err := Check(s.PublicKey(), c, map[string]string{"agt_x": "Claire Martin"})
	if err != nil || len(lines) != 3 {
		t.Fatalf("Check = %v, %v", lines, err)
	}
	// Signers by name, times in Paris: no id.
	if want := "La signature du conseiller (Claire Martin, 02/03/2026 à 12:00) est vérifiée avec la clé de la plateforme."; lines[1] != want {
		t.Errorf("the adviser's line is %q, want %q", lines[1], want)
	}
	if strings.Contains(lines[2], d.PersonID) || !strings.Contains(lines[2], d.PersonName) {
		t.Errorf("the person's line is %q, want her name and no id", lines[2])
	}

	tampered := []struct {
		name   string
		change func(c *socle.Commitment)
	}{
		{"document", func(c *socle.Commitment) {
			c.Document = bytes.Replace(c.Document, []byte("Atelier CV"), []byte("Atelier cv"), 1)
		}},
		{"signer", func(c *socle.Commitment) { c.Signatures[0].SignerID = "agt_y" }},
		{"role", func(c *socle.Commitment) { c.Signatures[1].Role = socle.SignerAdviser }},
		{"time", func(c *socle.Commitment) { c.Signatures[1].SignedAt = c.Signatures[1].SignedAt.Add(time.Second) }},
		{"hash", func(c *socle.Commitment) {
			c.Document = append(c.Document, ' ')
			c.DocumentHash = Hash(c.Document)
		}},
	}
	for _, tt := range tampered {
		t.Run(tt.name, func(t *testing.T) {
			cc := *c
			cc.Document = bytes.Clone(c.Document)
			cc.Signatures = append([]socle.CommitmentSignature{}, c.Signatures...)
			tt.change(&cc)
			if _, err := Check(s.PublicKey(), &cc, nil); err == nil {
				t.Error("a tampered contract verifies")
			}
		})
	}
	if _, err := Check(newSigner(t).PublicKey(), c, nil); err == nil {
		t.Error("a contract verifies with another platform's key")
	}
	if _, err := s.Sign(hash, "temoin", "x", at); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("signing with an unknown role: %v", err)
	}
}

func TestRender(t *testing.T) {
	d, err := New(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	s := newSigner(t)
	hash := Hash(mustCanonical(t, d))
	sig, err := s.Sign(hash, socle.SignerAdviser, "agt_x", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	v := View{Document: d, Hash: hash, Signatures: []socle.CommitmentSignature{sig}, PublicKey: s.PublicKey(),
		Advisers: map[string]string{"agt_x": "Claire Martin"}}
	frag, err := HTML(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Diallo &lt;script&gt;", hash, "Atelier CV", "Le conseiller (Claire Martin) a signé", "Mission locale"} {
		if !strings.Contains(string(frag), want) {
			t.Errorf("the contract lacks %q", want)
		}
	}
	if !strings.Contains(string(frag), "Née ou né le 02/05/1990") {
		t.Errorf("the birth date %s is not written the French way", d.BirthDate)
	}
	// An adviser the caller could not name is not named: never by her id.
	v.Advisers = nil
	if frag, err = HTML(v); err != nil {
		t.Fatal(err)
	} else if strings.Contains(string(frag), "agt_") || !strings.Contains(string(frag), "Le conseiller a signé") {
		t.Errorf("an unnamed adviser is shown as %q", frag)
	}
	var page bytes.Buffer
	if err := Page(&page, v, "/contrat.css"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), `<link rel="stylesheet" href="/contrat.css">`) || !bytes.Contains(Stylesheet(), []byte("@media print")) {
		t.Error("the printable page lacks its print stylesheet")
	}
}
