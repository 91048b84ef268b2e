// Package rome is the ROME referential (Répertoire opérationnel des métiers
// et des emplois) of the public employment service: job codes such as
// K2204 with their labels, grouped in families (the letter and two digits,
// K22) and domains (the letter, K), and the appellations (job titles) that
// belong to each code.
//
// A built-in subset of frequent jobs serves the tests; the full ROME 4.0
// referential is embedded (Full) for the demo network and the pages, and
// any later export is read with Parse (see its documentation for the
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
	"sync"
	"unicode/utf8"

	"socle"
	"socle/internal/textfold"
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

// fullCSV is the ROME 4.0 referential of France Travail (532 codes, 11,061
// appellations, September 2024; Licence Ouverte 2.0, see data/SOURCE.md).
//
//go:embed data/rome.csv
var fullCSV []byte

var full = sync.OnceValue(func() Referential {
	r, err := Parse(bytes.NewReader(fullCSV))
	if err != nil {
		panic("rome: the embedded ROME 4.0 referential does not parse: " + err.Error()) // the tests read it
	}
	return r
})

// Full returns the full ROME 4.0 referential, parsed once. Callers must
// not modify its slices.
func Full() Referential { return full() }

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

// Suggestion is a job a person may mean by what she typed: a ROME code by
// its label, or one of its appellations.
type Suggestion struct {
	ROME  string `json:"rome_code"`
	Label string `json:"label"`
	// Appellation is the OGR code when the suggestion is an appellation.
	Appellation string `json:"appellation_code,omitempty"`
}

// Index finds jobs by what a person types: the labels of a referential
// folded once (case and accents removed). Immutable; safe for concurrent use.
type Index struct {
	ref        Referential
	codeFolds  []string          // folded label of ref.Codes[i]
	appelFolds []string          // folded label of ref.Appellations[i]
	byLabel    map[string]string // folded label of a code or appellation → ROME code
}

// NewIndex indexes the labels of r, which must not be modified afterwards.
func NewIndex(r Referential) *Index {
	x := &Index{ref: r, codeFolds: make([]string, len(r.Codes)), appelFolds: make([]string, len(r.Appellations)),
		byLabel: make(map[string]string, len(r.Codes)+len(r.Appellations))}
	for i, a := range r.Appellations {
		x.appelFolds[i] = textfold.Fold(a.Label)
		if _, ok := x.byLabel[x.appelFolds[i]]; !ok {
			x.byLabel[x.appelFolds[i]] = a.ROME
		}
	}
	// A code's own label wins over an appellation spelt the same.
	for i, c := range r.Codes {
		x.codeFolds[i] = textfold.Fold(c.Label)
		if c.Label != "" {
			x.byLabel[x.codeFolds[i]] = c.Code
		}
	}
	return x
}

var fullIndex = sync.OnceValue(func() *Index { return NewIndex(Full()) })

// FullIndex returns the index of the full referential, built once.
func FullIndex() *Index { return fullIndex() }

// Label returns the label of a ROME code, "" when the referential does not
// hold it.
func (x *Index) Label(code string) string { return x.ref.Label(code) }

// Search returns at most limit suggestions for query: every word of the
// query must begin a word of the label, regardless of case and accents.
// The codes come first, then the appellations, each sorted by label; a
// query that is a ROME code returns that code. An empty query returns
// nothing.
func (x *Index) Search(query string, limit int) []Suggestion {
	q := textfold.Fold(query)
	if q == "" || limit <= 0 {
		return nil
	}
	if c := strings.ToUpper(strings.TrimSpace(query)); socle.ValidROME(c) {
		if l := x.ref.Label(c); l != "" {
			return []Suggestion{{ROME: c, Label: l}}
		}
	}
	type hit struct {
		fold string
		s    Suggestion
	}
	var codes, appels []hit
	for i, c := range x.ref.Codes {
		if c.Label != "" && textfold.Matches(x.codeFolds[i], q) {
			codes = append(codes, hit{x.codeFolds[i], Suggestion{ROME: c.Code, Label: c.Label}})
		}
	}
	for i, a := range x.ref.Appellations {
		if textfold.Matches(x.appelFolds[i], q) {
			appels = append(appels, hit{x.appelFolds[i], Suggestion{ROME: a.ROME, Label: a.Label, Appellation: a.Code}})
		}
	}
	byLabel := func(a, b hit) int { return strings.Compare(a.fold, b.fold) }
	slices.SortFunc(codes, byLabel)
	slices.SortFunc(appels, byLabel)
	out := make([]Suggestion, 0, min(limit, len(codes)+len(appels)))
	for _, h := range append(codes, appels...) {
		if len(out) == limit {
			break
		}
		out = append(out, h.s)
	}
	return out
}

// Resolve returns the ROME code a person meant by value: a ROME code of
// the referential ("K2204", any case), or the exact label of a code or of
// an appellation, regardless of case and accents. It is what a form
// accepts without JavaScript, and what the autocomplete proposes.
func (x *Index) Resolve(value string) (string, bool) {
	if c := strings.ToUpper(strings.TrimSpace(value)); socle.ValidROME(c) {
		return c, x.ref.Label(c) != ""
	}
	code, ok := x.byLabel[textfold.Fold(value)]
	return code, ok && code != ""
}
