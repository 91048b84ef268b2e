package directory

import (
	"strings"
	"testing"

	"socle"
	"socle/store/storetest"
)

// spaced writes a NIR as people do, with spaces.
func spaced(nir string) string { return nir[:1] + " " + nir[1:3] + " " + nir[3:5] + " " + nir[5:] }

func TestReadHRNamesEveryBadLine(t *testing.T) {
	good := "courriel;nir;date_naissance;adresse;code_commune;date_entree;date_sortie\n" +
		"claire@ft.fr;" + spaced(storetest.NIR(1)) + ";1980-05-17;7 rue Paul Bert;69123;2015-01-05;\n" +
		"paul@ft.fr;;17/05/1981;;;2016-01-05;31/12/2024\n"
	rows, err := ReadHR(strings.NewReader("\ufeff" + good))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1].End != socle.NewDate(2024, 12, 31) || rows[0].NIR != storetest.NIR(1) || rows[0].Line != 2 {
		t.Fatalf("rows = %+v", rows)
	}
	tests := []struct {
		name, file string
		want       []string
	}{
		{"empty", "", []string{"line 1: the file is empty"}},
		{"unknown column", "courriel,salaire\n", []string{`line 1: unknown column "salaire"`}},
		{"no e-mail column", "nir\n", []string{"line 1: the column courriel is required"}},
		{"bad lines", "courriel,nir,date_entree,date_sortie\nclaire@ft.fr,123,2020-01-01,\npas-un-courriel,,,\npaul@ft.fr,,2020-01-01,2019-01-01\n",
			[]string{"line 2: nir: not a valid NIR", "line 3: courriel", "line 4: date_sortie: before date_entree"}},
		{"bad date", "courriel,date_naissance\nclaire@ft.fr,17 mai 1980\n", []string{`line 2: date_naissance: "17 mai 1980" is not a date`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ReadHR(strings.NewReader(tt.file))
			if err == nil || rows != nil {
				t.Fatalf("rows %v, err nil: want errors", rows)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
