// Package geo reads the French administrative geography (régions,
// départements, communes) from the official COG files published by Etalab,
// and embeds a small built-in subset for the demo network.
package geo

//go:generate go run ./builtin/gen.go -src ../../shared/data/cog -dst builtin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"socle"
)

// The file names of the COG export, as Etalab publishes them.
const (
	RegionsFile      = "regions.json"
	DepartementsFile = "departements.json"
	CommunesFile     = "communes.json"
)

// Geography is the reference geography: what socle.GeoStore imports.
// Callers must not modify the slices of a Geography they did not build.
type Geography struct {
	Regions      []socle.Region
	Departements []socle.Departement
	Communes     []socle.Commune
	// Liaisons holds, by département code, the INSEE type of name (TNCC)
	// that says which article the name takes ("du Rhône", "de l'Ain").
	Liaisons map[string]Liaison
}

// Empty reports whether g holds no commune: nothing to place people in.
func (g Geography) Empty() bool { return len(g.Communes) == 0 }

// Departement returns the département with that code.
func (g Geography) Departement(code string) (socle.Departement, bool) {
	for _, d := range g.Departements {
		if d.Code == code {
			return d, true
		}
	}
	return socle.Departement{}, false
}

// DepartementPhrase returns the name of the département preceded by "de"
// and its article, as in "Département du Rhône". ok is false when the code
// is unknown or its type of name was not imported.
func (g Geography) DepartementPhrase(code string) (phrase string, ok bool) {
	d, found := g.Departement(code)
	if !found {
		return "", false
	}
	l, found := g.Liaisons[code]
	if !found {
		return "", false
	}
	return l.Of(d.Name), true
}

// Liaison is the INSEE "type de nom en clair" (TNCC): whether a name takes
// an article and which one.
type Liaison int

// The types of name of the COG.
const (
	LiaisonConsonant Liaison = iota // no article, starts with a consonant: "de Paris"
	LiaisonVowel                    // no article, starts with a vowel: "d'Eure-et-Loir"
	LiaisonLe                       // "du Rhône"
	LiaisonLa                       // "de la Gironde"
	LiaisonLes                      // "des Bouches-du-Rhône"
	LiaisonL                        // "de l'Ain"
	LiaisonAux                      // "des …"
	LiaisonLas                      // "de Las …"
	LiaisonLos                      // "de Los …"
)

// Of returns name preceded by "de" contracted with the article of l.
func (l Liaison) Of(name string) string {
	switch l {
	case LiaisonVowel:
		return "d'" + name
	case LiaisonLe:
		return "du " + name
	case LiaisonLa:
		return "de la " + name
	case LiaisonLes, LiaisonAux:
		return "des " + name
	case LiaisonL:
		return "de l'" + name
	case LiaisonLas:
		return "de Las " + name
	case LiaisonLos:
		return "de Los " + name
	}
	return "de " + name
}

// Commune types of the COG kept: current communes, and the arrondissements
// municipaux of Paris, Lyon and Marseille, where people actually live and
// whose postal codes are distinct. Delegated and associated communes are
// former communes and would count people twice.
const (
	typeCommune        = "commune-actuelle"
	typeArrondissement = "arrondissement-municipal"
)

// record is one entry of any of the three COG files.
type record struct {
	Code        string   `json:"code"`
	Name        string   `json:"nom"`
	Region      string   `json:"region"`
	Departement string   `json:"departement"`
	Type        string   `json:"type"`
	PostalCodes []string `json:"codesPostaux"`
	Population  int      `json:"population"`
	Zone        string   `json:"zone"`
	Liaison     *int     `json:"typeLiaison"`
}

// ReadDir reads regions.json, departements.json and communes.json from dir.
// It keeps metropolitan France and the five overseas départements (the
// collectivités d'outre-mer have their own employment services), current
// communes and arrondissements municipaux, and skips communes without a
// postal code.
func ReadDir(dir string) (Geography, error) {
	return read(os.DirFS(dir), func(name string) string { return filepath.Join(dir, name) })
}

// ReadFS is ReadDir on a file system, such as an embed.FS.
func ReadFS(fsys fs.FS) (Geography, error) {
	return read(fsys, func(name string) string { return name })
}

func read(fsys fs.FS, path func(string) string) (Geography, error) {
	var g Geography
	regions, err := readFile(fsys, RegionsFile, path)
	if err != nil {
		return g, err
	}
	deps, err := readFile(fsys, DepartementsFile, path)
	if err != nil {
		return g, err
	}
	communes, err := readFile(fsys, CommunesFile, path)
	if err != nil {
		return g, err
	}

	g.Liaisons = make(map[string]Liaison, len(deps))
	keptDeps := make(map[string]string, len(deps)) // code → région
	outside := make(map[string]bool)
	usedRegions := make(map[string]bool)
	for i, r := range deps {
		if err := need(path(DepartementsFile), i, r.Code, "code", r.Code, "nom", r.Name, "region", r.Region); err != nil {
			return Geography{}, err
		}
		if r.Zone == "com" || !socle.ValidDepartementCode(r.Code) {
			outside[r.Code] = true // a collectivité d'outre-mer
			continue
		}
		g.Departements = append(g.Departements, socle.Departement{Code: r.Code, RegionCode: r.Region, Name: r.Name})
		if r.Liaison != nil {
			g.Liaisons[r.Code] = Liaison(*r.Liaison)
		}
		keptDeps[r.Code] = r.Region
		usedRegions[r.Region] = true
	}
	if len(g.Departements) == 0 {
		return Geography{}, fmt.Errorf("geo: %s: no département of metropolitan France or overseas", path(DepartementsFile))
	}

	knownRegions := make(map[string]bool, len(regions))
	for i, r := range regions {
		if err := need(path(RegionsFile), i, r.Code, "code", r.Code, "nom", r.Name); err != nil {
			return Geography{}, err
		}
		knownRegions[r.Code] = true
		if usedRegions[r.Code] {
			g.Regions = append(g.Regions, socle.Region{Code: r.Code, Name: r.Name})
		}
	}
	for _, d := range g.Departements {
		if !knownRegions[d.RegionCode] {
			return Geography{}, fmt.Errorf("geo: %s: département %s refers to région %q, absent from %s",
				path(DepartementsFile), d.Code, d.RegionCode, path(RegionsFile))
		}
	}

	for i, r := range communes {
		if err := need(path(CommunesFile), i, r.Code, "code", r.Code, "nom", r.Name, "departement", r.Departement); err != nil {
			return Geography{}, err
		}
		if r.Type != typeCommune && r.Type != typeArrondissement {
			continue
		}
		region, ok := keptDeps[r.Departement]
		if !ok {
			if !outside[r.Departement] && socle.ValidDepartementCode(r.Departement) {
				return Geography{}, fmt.Errorf("geo: %s: commune %s refers to département %q, absent from %s",
					path(CommunesFile), r.Code, r.Departement, path(DepartementsFile))
			}
			continue // a commune of a collectivité d'outre-mer
		}
		if !socle.ValidCommuneCode(r.Code) {
			return Geography{}, fmt.Errorf("geo: %s: record %d: %q is not an INSEE commune code", path(CommunesFile), i+1, r.Code)
		}
		postal := make([]string, 0, len(r.PostalCodes))
		for _, pc := range r.PostalCodes {
			if socle.ValidPostalCode(pc) {
				postal = append(postal, pc)
			}
		}
		if len(postal) == 0 {
			continue // nobody can be written to there
		}
		g.Communes = append(g.Communes, socle.Commune{
			Code: r.Code, Name: r.Name, DepartementCode: r.Departement, RegionCode: region,
			PostalCodes: postal, Population: max(r.Population, 0),
		})
	}
	if len(g.Communes) == 0 {
		return Geography{}, fmt.Errorf("geo: %s: no commune with a postal code", path(CommunesFile))
	}
	return g, nil
}

// readFile decodes one COG file, naming it and the place of a syntax error.
func readFile(fsys fs.FS, name string, path func(string) string) ([]record, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("geo: reading %s: %w", path(name), err)
	}
	var recs []record
	if err := json.Unmarshal(data, &recs); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, fmt.Errorf("geo: %s: invalid JSON at line %d: %w", path(name), lineOf(data, syn.Offset), err)
		case errors.As(err, &typ):
			return nil, fmt.Errorf("geo: %s: unexpected JSON at line %d (expected an array of objects as in the COG export): %w",
				path(name), lineOf(data, typ.Offset), err)
		}
		return nil, fmt.Errorf("geo: %s: %w", path(name), err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("geo: %s: empty: expected an array of records", path(name))
	}
	return recs, nil
}

// need checks the fields a record must have, given as name, value pairs.
func need(file string, i int, code string, fields ...string) error {
	var missing []string
	for j := 0; j+1 < len(fields); j += 2 {
		if strings.TrimSpace(fields[j+1]) == "" {
			missing = append(missing, fields[j])
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("geo: %s: record %d (code %q): missing %s", file, i+1, code, strings.Join(missing, ", "))
}

func lineOf(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}
