package policy_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"socle"
	"socle/policy"
)

func TestDefaultRegisterValid(t *testing.T) {
	reg := policy.DefaultRegister()
	if err := reg.Validate(); err != nil {
		t.Fatal(err)
	}
	kinds := map[socle.OrgKind]bool{}
	for _, a := range reg.Agreements {
		kinds[a.OrgKind] = true
		if a.Read.Has(socle.CatHealth) && a.OrgKind != socle.KindDisability {
			t.Errorf("%s: health outside the disability operator", a.ID)
		}
		if a.Read.Has(socle.CatHealth) && a.Population != socle.PopulationFollowed {
			t.Errorf("%s: health outside the followed population", a.ID)
		}
		if a.Read.Has(socle.CatBank) && (a.Purpose != policy.PurposeCompensation || a.OrgKind != socle.KindEmploymentService) {
			t.Errorf("%s: bank outside indemnisation by the employment service", a.ID)
		}
		if a.OrgKind == socle.KindPartner && (a.Population == socle.PopulationTerritory || a.Read&socle.SetOf(socle.CatHealth, socle.CatJustice, socle.CatBank) != 0) {
			t.Errorf("%s: a partner beyond the persons it follows", a.ID)
		}
	}
	for _, k := range socle.OrgKinds {
		if !kinds[k] {
			t.Errorf("no agreement for %s", k)
		}
	}
	for _, p := range policy.DefaultPurposes() {
		if got, ok := reg.Purpose(p.Code); !ok || got != p {
			t.Errorf("Purpose(%q) = %v, %v", p.Code, got, ok)
		}
	}
}

func TestRegisterJSONRoundTrip(t *testing.T) {
	reg := policy.DefaultRegister()
	var buf bytes.Buffer
	if err := reg.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, want := range []string{`"read": [`, `"identity"`, `"population": "suivies"`, `"legal_basis": "CASF L262-29`, `"situations": [`} {
		if !strings.Contains(text, want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	got, err := policy.ReadRegister(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, reg) {
		t.Errorf("round trip changed the register")
	}
}

func TestReadRegisterRejects(t *testing.T) {
	valid := func() map[string]any {
		var buf bytes.Buffer
		if err := policy.DefaultRegister().WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	first := func(m map[string]any) map[string]any { return m["agreements"].([]any)[0].(map[string]any) }
	tests := []struct {
		name string
		edit func(m map[string]any)
		want string
	}{
		{"unknown category", func(m map[string]any) { first(m)["read"] = []any{"identity", "religion"} }, `unknown data category "religion"`},
		{"unknown purpose", func(m map[string]any) { first(m)["purpose"] = "prospection" }, `unknown purpose "prospection"`},
		{"unknown population", func(m map[string]any) { first(m)["population"] = "tous" }, "population"},
		{"unknown role", func(m map[string]any) { first(m)["roles"] = []any{"stagiaire"} }, `unknown role "stagiaire"`},
		{"unknown kind", func(m map[string]any) { first(m)["org_kind"] = "banque" }, `unknown kind "banque"`},
		{"writes what it cannot read", func(m map[string]any) { first(m)["write"] = []any{"bank"} }, "writes categories it cannot read"},
		{"lookup beyond identity", func(m map[string]any) {
			first(m)["population"] = "identifiant"
			first(m)["write"] = []any{}
		}, "identity only"},
		{"duplicate id", func(m map[string]any) {
			ags := m["agreements"].([]any)
			m["agreements"] = append(ags, ags[0])
		}, "duplicate agreement"},
		{"purpose without legal basis", func(m map[string]any) {
			m["purposes"].([]any)[0].(map[string]any)["legal_basis"] = ""
		}, "legal_basis: required"},
		{"unknown field", func(m map[string]any) { m["comment"] = "x" }, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			tt.edit(m)
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			_, err = policy.ReadRegister(bytes.NewReader(b))
			if socle.ErrorCode(err) != socle.EINVALID || !strings.Contains(socle.ErrorMessage(err), tt.want) {
				t.Errorf("ReadRegister = %v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
}

// TestSystemsFlag: "systems" is read, written back and decides whether an
// organisation's systems (OAuth clients) may use a rule.
func TestSystemsFlag(t *testing.T) {
	tests := []struct {
		name string
		json string
		want bool
	}{
		{"advisers and systems", `{"id":"a","org_kind":"departement","purpose":"accompagnement","read":["identity"],"write":[],"population":"suivies","roles":["conseiller"],"systems":true,"version":1}`, true},
		{"advisers only", `{"id":"a","org_kind":"departement","purpose":"accompagnement","read":["identity"],"write":[],"population":"suivies","roles":["conseiller"],"version":1}`, false},
		{"any role", `{"id":"a","org_kind":"departement","purpose":"accompagnement","read":["identity"],"write":[],"population":"suivies","version":1}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a policy.Agreement
			if err := json.Unmarshal([]byte(tt.json), &a); err != nil {
				t.Fatal(err)
			}
			if a.UsableBySystems() != tt.want {
				t.Errorf("UsableBySystems = %v, want %v", a.UsableBySystems(), tt.want)
			}
			b, err := json.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(b); got != tt.json {
				t.Errorf("round trip:\n got %s\nwant %s", got, tt.json)
			}
		})
	}
	for _, a := range policy.DefaultAgreements() {
		adviser := slices.Equal(a.Roles, []socle.Role{socle.RoleAdviser})
		if a.Systems != adviser {
			t.Errorf("default rule %s: systems %v, want %v (systems are granted the advisers' rules)", a.ID, a.Systems, adviser)
		}
	}
}
