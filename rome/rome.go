// Package rome is the ROME referential (Répertoire opérationnel des métiers
// et des emplois) of the public employment service: job codes such as
// K2204 with their labels, grouped in families (the letter and two digits,
// K22) and domains (the letter, K), and the appellations (job titles) that
// belong to each code.
//
// A built-in subset of frequent jobs serves the demo and the tests; the
// official referential is read with Parse (see its documentation for the
// accepted format) and imported with `socle import rome FILE`.
package rome

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"socle"
)

// Referential is a set of ROME codes and appellations.
type Referential struct {
	Codes        []socle.ROMECode
	Appellations []socle.ROMEAppellation
}

// Family returns the family of a ROME code: its letter and first two
// digits ("K2204" → "K22"), "" for a malformed code.
func Family(code string) string {
	if !socle.ValidROME(code) {
		return ""
	}
	return code[:3]
}

// Domain returns the domain of a ROME code: its letter ("K2204" → "K").
func Domain(code string) string {
	if !socle.ValidROME(code) {
		return ""
	}
	return code[:1]
}

// Label returns the label of code in r, "" when r does not hold it.
func (r *Referential) Label(code string) string {
	i, ok := slices.BinarySearchFunc(r.Codes, code, func(c socle.ROMECode, s string) int { return strings.Compare(c.Code, s) })
	if !ok {
		return ""
	}
	return r.Codes[i].Label
}

//go:embed builtin/rome.csv
var builtinCSV []byte

// Builtin returns the built-in subset of the referential: frequent jobs of
// every domain, enough for the demo network and the tests.
func Builtin() Referential {
	r, err := Parse(bytes.NewReader(builtinCSV))
	if err != nil {
		panic("rome: the built-in referential does not parse: " + err.Error())
	}
	return r
}

// Parse reads a ROME referential in CSV, the shape of the open-data export
// of the ROME v4 (files such as unix_referentiel_code_rome_v460_utf8.csv and
// unix_referentiel_appellation_v460_utf8.csv), UTF-8, comma- or
// semicolon-separated (guessed from the header line). The header names the
// columns, in any order; other columns are ignored:
//
//   - code_rome (required): the ROME code, such as K2204;
//   - libelle_rome: the label of the code;
//   - code_ogr with libelle_appellation_long (or libelle_appellation): when
//     present and non-empty, the row is an appellation of code_rome.
//
// A file of codes, a file of appellations or both mixed are accepted. The
// codes are returned sorted, appellations sorted by code; a code seen only
// in appellations has an empty label. Errors name the line.
func Parse(r io.Reader) (Referential, error) {
	var ref Referential
	data, err := io.ReadAll(r)
	if err != nil {
		return ref, fmt.Errorf("reading the ROME referential: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		// A Latin-1 export would store mangled labels (or be refused by
		// PostgreSQL): name the first line that is not UTF-8.
		line := 1
		for len(data) > 0 {
			l, rest, _ := bytes.Cut(data, []byte("\n"))
			if !utf8.Valid(l) {
				break
			}
			data, line = rest, line+1
		}
		return ref, fmt.Errorf("ROME referential line %d: not UTF-8 (convert the file, e.g. iconv -f latin1 -t utf-8)", line)
	}
	header, _, _ := bytes.Cut(data, []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(header, []byte(";")) > bytes.Count(header, []byte(",")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cols, err := cr.Read()
	if err != nil {
		return ref, fmt.Errorf("ROME referential line 1: reading the header: %w", err)
	}
	index := map[string]int{}
	for i, c := range cols {
		index[strings.ToLower(strings.TrimSpace(c))] = i
	}
	col := func(names ...string) int {
		for _, n := range names {
			if i, ok := index[n]; ok {
				return i
			}
		}
		return -1
	}
	iCode, iLabel := col("code_rome"), col("libelle_rome")
	iOGR, iAppel := col("code_ogr"), col("libelle_appellation_long", "libelle_appellation")
	if iCode < 0 {
		return ref, fmt.Errorf("ROME referential line 1: no code_rome column (found %s)", strings.Join(cols, ", "))
	}
	if iLabel < 0 && (iOGR < 0 || iAppel < 0) {
		return ref, fmt.Errorf("ROME referential line 1: neither libelle_rome nor code_ogr and libelle_appellation_long columns")
	}
	codes := map[string]string{}
	appels := map[string]socle.ROMEAppellation{}
	field := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return ref, fmt.Errorf("ROME referential: %w", err)
		}
		// FieldPos panics without a record: only after the error check.
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		code := strings.ToUpper(field(rec, iCode))
		if !socle.ValidROME(code) {
			return ref, fmt.Errorf("ROME referential line %d: %q is not a ROME code (a letter and four digits, such as K2204)", line, code)
		}
		label := field(rec, iLabel)
		if prev, ok := codes[code]; !ok || prev == "" {
			codes[code] = label
		} else if label != "" && label != prev {
			return ref, fmt.Errorf("ROME referential line %d: code %s has two labels, %q and %q", line, code, prev, label)
		}
		if ogr, appel := field(rec, iOGR), field(rec, iAppel); ogr != "" && appel != "" {
			if len(appel) > 300 {
				return ref, fmt.Errorf("ROME referential line %d: appellation longer than 300 characters", line)
			}
			appels[ogr] = socle.ROMEAppellation{Code: ogr, Label: appel, ROME: code}
		}
	}
	if len(codes) == 0 {
		return ref, errors.New("ROME referential: no code")
	}
	for c, l := range codes {
		ref.Codes = append(ref.Codes, socle.ROMECode{Code: c, Label: l, Family: Family(c)})
	}
	slices.SortFunc(ref.Codes, func(a, b socle.ROMECode) int { return strings.Compare(a.Code, b.Code) })
	for _, a := range appels {
		ref.Appellations = append(ref.Appellations, a)
	}
	slices.SortFunc(ref.Appellations, func(a, b socle.ROMEAppellation) int { return strings.Compare(a.Code, b.Code) })
	return ref, nil
}

// AppellationsOf returns the appellations of code in r, sorted by label;
// none when r holds no appellation of it.
func (r *Referential) AppellationsOf(code string) []socle.ROMEAppellation {
	var as []socle.ROMEAppellation
	for _, a := range r.Appellations {
		if a.ROME == code {
			as = append(as, a)
		}
	}
	slices.SortFunc(as, func(a, b socle.ROMEAppellation) int { return strings.Compare(a.Label, b.Label) })
	return as
}

// Appellation returns the appellation of code whose label is label,
// compared without regard to case and surrounding spaces; false when code
// has no such appellation in r.
func (r *Referential) Appellation(code, label string) (socle.ROMEAppellation, bool) {
	label = strings.TrimSpace(label)
	for _, a := range r.Appellations {
		if a.ROME == code && strings.EqualFold(a.Label, label) {
			return a, true
		}
	}
	return socle.ROMEAppellation{}, false
}
