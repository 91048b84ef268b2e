package web

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"socle/policy"
)

// TestConventionsNamePurposesAndCategoriesInFrench: the table of the
// agreements names each purpose and each category by its French label,
// not by the register's codes (mise_en_relation, identity, contact…).
func TestConventionsNamePurposesAndCategoriesInFrench(t *testing.T) {
	var buf bytes.Buffer
	if err := loadPages().byName["conventions"].ExecuteTemplate(&buf, "content", view{Data: &registerView{Register: policy.DefaultRegister()}}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	table := page[strings.Index(page, "<h2>Conventions</h2>"):]
	table = table[:strings.Index(table, "</table>")]
	for _, want := range []string{"<td>Mise en relation</td>", "Identité, Coordonnées", "<td>Accompagnement</td>"} {
		if !strings.Contains(table, want) {
			t.Errorf("the agreements lack %q", want)
		}
	}
	for _, code := range []string{">mise_en_relation<", "identity", "contact,"} {
		if strings.Contains(table, code) {
			t.Errorf("the agreements show the code %q", code)
		}
	}
}

// TestNoPageLabelsItsTimesUTC: the pages write every instant in
// Europe/Paris ("heure", "jour"), so no column may say its times are UTC.
func TestNoPageLabelsItsTimesUTC(t *testing.T) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(templateFS, n)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "(UTC)") {
			t.Errorf("%s labels times as UTC; the pages write them in Paris time", n)
		}
	}
}
