package socle

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestValidators(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) bool
		in    string
		want  bool
	}{
		{"siret luhn ok", ValidSIRET, "73282932000074", true},
		{"siret bad key", ValidSIRET, "73282932000075", false},
		{"siret too short", ValidSIRET, "7328293200007", false},
		{"siret letters", ValidSIRET, "7328293200007A", false},
		{"siret la poste", ValidSIRET, "35600000000001", true},
		{"siren ok", ValidSIREN, "732829320", true},
		{"siren bad", ValidSIREN, "732829321", false},
		{"postal lyon", ValidPostalCode, "69003", true},
		{"postal corsica", ValidPostalCode, "20000", true},
		{"postal reunion", ValidPostalCode, "97400", true},
		{"postal 00", ValidPostalCode, "00123", false},
		{"postal 96", ValidPostalCode, "96000", false},
		{"postal short", ValidPostalCode, "6900", false},
		{"nir ok", ValidNIR, "255081416802538", true},
		{"nir spaced", ValidNIR, "2 55 08 14 168 025 38", true},
		{"nir bad key", ValidNIR, "255081416802539", false},
		{"nir bad sex", ValidNIR, "555081416802538", false},
		{"rome ok", ValidROME, "M1607", true},
		{"rome lower", ValidROME, "m1607", false},
		{"naf ok", ValidNAF, "62.01Z", true},
		{"naf bad", ValidNAF, "6201Z", false},
		{"commune ok", ValidCommuneCode, "69123", true},
		{"commune corsica", ValidCommuneCode, "2A004", true},
		{"commune bad", ValidCommuneCode, "2C004", false},
		{"dep 2B", ValidDepartementCode, "2B", true},
		{"dep 974", ValidDepartementCode, "974", true},
		{"dep 96", ValidDepartementCode, "96", false},
		{"email ok", ValidEmail, "marie.curie@example.fr", true},
		{"email with name", ValidEmail, "Marie <marie@example.fr>", false},
		{"phone ok", ValidPhone, "06 12 34 56 78", true},
		{"phone intl", ValidPhone, "+33612345678", true},
		{"phone short", ValidPhone, "0612345", false},
		{"iban ok", ValidIBAN, "FR76 3000 6000 0112 3456 7890 189", true},
		{"iban bad", ValidIBAN, "FR76 3000 6000 0112 3456 7890 188", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.check(tt.in); got != tt.want {
				t.Errorf("%q: got %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestNIRKeyCorsica(t *testing.T) {
	body := "185022A001123"
	nir := body + NIRKey(body)
	if !ValidNIR(nir) {
		t.Fatalf("%s with its computed key is not valid", nir)
	}
	if ValidNIR(strings.Replace(nir, "2A", "2B", 1)) {
		t.Fatalf("2B with the key of 2A is valid")
	}
}

func TestSIRETKeyCompletes(t *testing.T) {
	for _, prefix := range []string{"7328293200007", "1234567890123", "0000000000000"} {
		if s := prefix + string(SIRETKey(prefix)); !ValidSIRET(s) {
			t.Errorf("%s is not valid", s)
		}
	}
}

func TestIDs(t *testing.T) {
	id := NewID(PrefixPerson)
	if !ValidID(PrefixPerson, id) || ValidID(PrefixAgent, id) {
		t.Fatalf("id %q", id)
	}
	if NewID(PrefixPerson) == id {
		t.Fatal("two ids alike")
	}
	for _, bad := range []string{"", "per_", "per_ABCDEFGHIJKLMNOPQRST", id + "a", "per_" + strings.Repeat("1", 20)} {
		if ValidID(PrefixPerson, bad) {
			t.Errorf("%q accepted", bad)
		}
		if err := CheckID(PrefixPerson, "person id", bad); ErrorCode(err) != EINVALID {
			t.Errorf("%q: CheckID = %v", bad, err)
		}
	}
}

func TestDateJSON(t *testing.T) {
	var v struct {
		D Date `json:"d"`
	}
	if err := json.Unmarshal([]byte(`{"d":"2025-03-02"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.D.French() != "2 mars 2025" {
		t.Errorf("French() = %q", v.D.French())
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"d":"2025-03-02"}` {
		t.Errorf("marshal = %s", b)
	}
	for _, bad := range []string{`{"d":"02/03/2025"}`, `{"d":20250302}`, `{"d":"2025-02-30"}`} {
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestPersonValidateAndMask(t *testing.T) {
	p := &Person{
		Identity: &Identity{GivenName: "Léa", FamilyName: "Martin", BirthDate: NewDate(1990, time.May, 4), Sex: "F", NIR: "255081416802538"},
		Contact:  &Contact{PostalCode: "69003", CommuneCode: "69383", Email: "lea@example.fr"},
		Health:   &Health{RQTH: true},
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("valid person: %v", err)
	}
	p.Mask(SetOf(CatIdentity))
	if p.Contact != nil || p.Health != nil || p.Identity == nil {
		t.Fatalf("mask kept %v", p.Categories())
	}
	b, _ := json.Marshal(p)
	for _, key := range []string{`"contact"`, `"health"`} {
		if strings.Contains(string(b), key) {
			t.Errorf("masked %s present in %s", key, b)
		}
	}
	bad := &Person{Identity: &Identity{GivenName: "", FamilyName: "X", Sex: "Z", NIR: "1"}, Contact: &Contact{PostalCode: "1", CommuneCode: "x"}}
	err := bad.Validate()
	for _, field := range []string{"identity.given_name", "identity.sex", "identity.nir", "identity.birth_date", "contact.postal_code", "contact.commune_code"} {
		if err == nil || !strings.Contains(ErrorMessage(err), field) {
			t.Errorf("error %v does not name %s", err, field)
		}
	}
	if (&Person{}).Validate() == nil {
		t.Error("a person without identity is valid")
	}
}

func TestCategories(t *testing.T) {
	s, err := ParseCategories("identity, health")
	if err != nil || !s.Has(CatIdentity) || !s.Has(CatHealth) || s.Has(CatBank) {
		t.Fatalf("ParseCategories = %v, %v", s, err)
	}
	if s.String() != "identity,health" {
		t.Errorf("String() = %q", s.String())
	}
	if _, err := ParseCategories("identity,secret"); ErrorCode(err) != EINVALID {
		t.Errorf("unknown category: %v", err)
	}
}
