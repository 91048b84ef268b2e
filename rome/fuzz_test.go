package rome

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"socle"
)

// FuzzParse feeds Parse arbitrary CSV (what `socle import rome` reads):
// it never panics, and what it accepts is a clean referential — valid,
// sorted, unique codes; valid UTF-8 labels; appellations of known codes —
// that reads back the same once written out again.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"code_rome;libelle_rome\nK2204;Nettoyage de locaux\nA1101;Conduite d'engins agricoles\n",
		"code_rome,code_ogr,libelle_appellation_long\nK2204,12345,Agent / Agente de propreté\n",
		"\xef\xbb\xbfcode_rome;libelle_rome;code_ogr;libelle_appellation\nk2204;Nettoyage;1;Laveur\n\n",
		"code_rome;libelle_rome\nK2204;Nettoyage\nK2204;Propreté\n",
		"code_rome;libelle_rome\nK2204;Nettoyage \xe9 Lyon\n",
		"code_rome;libelle_rome\n\"K2204;\"x\n",
		"libelle_rome\nNettoyage\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ref, err := Parse(bytes.NewReader(data))
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error without a message")
			}
			return
		}
		if len(ref.Codes) == 0 {
			t.Fatal("accepted a referential without codes")
		}
		known := map[string]bool{}
		for k, c := range ref.Codes {
			if !socle.ValidROME(c.Code) || c.Family != Family(c.Code) {
				t.Fatalf("accepted code %+v", c)
			}
			if k > 0 && ref.Codes[k-1].Code >= c.Code {
				t.Fatalf("codes not sorted and unique: %q then %q", ref.Codes[k-1].Code, c.Code)
			}
			if !utf8.ValidString(c.Label) {
				t.Fatalf("accepted label %q, not UTF-8", c.Label)
			}
			known[c.Code] = true
		}
		for _, a := range ref.Appellations {
			if !known[a.ROME] || !utf8.ValidString(a.Label) || a.Label == "" || a.Code == "" {
				t.Fatalf("accepted appellation %+v", a)
			}
		}
		again, err := Parse(strings.NewReader(writeCSV(t, ref)))
		if err != nil {
			t.Fatalf("referential written out does not parse: %v", err)
		}
		if !reflect.DeepEqual(again, ref) {
			t.Fatalf("referential written out reads back as\n%+v\nwant\n%+v", again, ref)
		}
	})
}

// writeCSV writes ref in the open-data shape: the codes, then one row per
// appellation.
func writeCSV(t *testing.T, ref Referential) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Comma = ';'
	rows := [][]string{{"code_rome", "libelle_rome", "code_ogr", "libelle_appellation_long"}}
	for _, c := range ref.Codes {
		rows = append(rows, []string{c.Code, c.Label, "", ""})
	}
	for _, a := range slices.Clone(ref.Appellations) {
		rows = append(rows, []string{a.ROME, "", a.Code, a.Label})
	}
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
