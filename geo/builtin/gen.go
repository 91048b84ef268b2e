//go:build ignore

// gen writes the built-in geography: a subset of the COG export of Etalab
// with every région and département and the largest communes of a few
// varied départements. Run it with `go generate ./geo`.
package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
)

// departements are varied on purpose: large cities, Paris and its inner
// suburbs, Corsica, rural and overseas départements.
var departements = []string{"69", "75", "13", "59", "33", "31", "44", "67", "93", "62", "76", "2A", "974", "971", "63", "29", "54", "21", "87", "34"}

const perDepartement = 40

type record struct {
	Code        string   `json:"code"`
	Name        string   `json:"nom"`
	Region      string   `json:"region,omitempty"`
	Departement string   `json:"departement,omitempty"`
	Type        string   `json:"type,omitempty"`
	PostalCodes []string `json:"codesPostaux,omitempty"`
	Population  int      `json:"population,omitempty"`
	Liaison     *int     `json:"typeLiaison,omitempty"`
	Zone        string   `json:"zone"`
}

func main() {
	src := flag.String("src", "../../shared/data/cog", "directory of the COG export")
	dst := flag.String("dst", "builtin", "output directory")
	flag.Parse()

	regions := load(*src, "regions.json")
	deps := load(*src, "departements.json")
	communes := load(*src, "communes.json")

	keep := func(r record) bool { return r.Zone == "metro" || r.Zone == "drom" }
	regions = slices.DeleteFunc(regions, func(r record) bool { return !keep(r) })
	deps = slices.DeleteFunc(deps, func(r record) bool { return !keep(r) })

	var out []record
	for _, dep := range departements {
		var cs []record
		for _, c := range communes {
			if c.Departement == dep && len(c.PostalCodes) > 0 &&
				(c.Type == "commune-actuelle" || c.Type == "arrondissement-municipal") {
				cs = append(cs, c)
			}
		}
		if len(cs) == 0 {
			log.Fatalf("no commune in département %s", dep)
		}
		slices.SortStableFunc(cs, func(a, b record) int { return cmp.Compare(b.Population, a.Population) })
		out = append(out, cs[:min(perDepartement, len(cs))]...)
	}
	slices.SortFunc(out, func(a, b record) int { return cmp.Compare(a.Code, b.Code) })
	for i := range out {
		out[i].Liaison = nil // only départements need it
	}

	write(*dst, "regions.json", regions)
	write(*dst, "departements.json", deps)
	write(*dst, "communes.json", out)
}

func load(dir, name string) []record {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		log.Fatal(err)
	}
	var rs []record
	if err := json.Unmarshal(data, &rs); err != nil {
		log.Fatalf("%s: %v", name, err)
	}
	return rs
}

// write puts one record a line: compact, yet readable in a diff.
func write(dir, name string, rs []record) {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, r := range rs {
		line, err := json.Marshal(r)
		if err != nil {
			log.Fatal(err)
		}
		b.Write(line)
		if i < len(rs)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d records\n", name, len(rs))
}
