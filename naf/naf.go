// Package naf is the French activity nomenclature (NAF rév. 2, the APE code
// of a company such as 56.10A) and INSEE's workforce size bands (tranches
// d'effectif), with their official French labels.
//
// Both referentials are small and change once a decade, so they are
// embedded (data/, from INSEE as packaged in @socialgouv/codes-naf,
// Apache-2.0): a page can name an activity without any import.
package naf

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"sync"
)

//go:embed data/naf.csv
var nafCSV []byte

//go:embed data/tranches-effectif.csv
var bandsCSV []byte

// Level is the depth of a NAF code, from the division (two digits) to the
// sub-classe (the APE code).
type Level string

// The levels of the NAF rév. 2.
const (
	Division   Level = "division"
	Groupe     Level = "groupe"
	Classe     Level = "classe"
	SousClasse Level = "sous-classe"
)

// Activity is one code of the NAF with its INSEE label.
type Activity struct {
	Code  string
	Level Level
	Label string
}

// referentials holds both files, parsed once.
type referentials struct {
	activities map[string]Activity
	bands      map[string]string
	bandCodes  []string
}

var load = sync.OnceValue(func() referentials {
	var r referentials
	rows, err := readCSV(nafCSV, 3)
	if err != nil {
		panic("naf: the embedded NAF does not parse: " + err.Error()) // the tests read it
	}
	r.activities = make(map[string]Activity, len(rows))
	for _, row := range rows {
		r.activities[row[0]] = Activity{Code: row[0], Level: Level(row[1]), Label: row[2]}
	}
	rows, err = readCSV(bandsCSV, 2)
	if err != nil {
		panic("naf: the embedded workforce bands do not parse: " + err.Error())
	}
	r.bands = make(map[string]string, len(rows))
	for _, row := range rows {
		r.bands[row[0]] = row[1]
		r.bandCodes = append(r.bandCodes, row[0])
	}
	return r
})

// readCSV reads a CSV with a header line and n columns per row.
func readCSV(data []byte, n int) ([][]string, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = n
	if _, err := cr.Read(); err != nil {
		return nil, fmt.Errorf("reading the header: %w", err)
	}
	var rows [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		rows = append(rows, rec)
	}
}

// Lookup returns the activity of a NAF code at any level ("56.10A",
// "56.10", "56"); false when the NAF has no such code.
func Lookup(code string) (Activity, bool) {
	a, ok := load().activities[strings.ToUpper(strings.TrimSpace(code))]
	return a, ok
}

// Label returns the INSEE label of a NAF code, "" when it has none.
func Label(code string) string {
	a, _ := Lookup(code)
	return a.Label
}

// Count returns how many codes the NAF holds at each level.
func Count(l Level) int {
	n := 0
	for _, a := range load().activities {
		if a.Level == l {
			n++
		}
	}
	return n
}

// BandLabel returns the French label of an INSEE workforce band ("12" →
// "20 à 49 salariés"), "" when the code is not a band.
func BandLabel(code string) string {
	return load().bands[strings.TrimSpace(code)]
}

// BandCodes returns the codes of the workforce bands, smallest first.
func BandCodes() []string {
	return append([]string(nil), load().bandCodes...)
}
