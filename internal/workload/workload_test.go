package workload

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// TestWorkloadFollowsTheSchema checks what docs/detect-events.md promises a
// reader: directory lines before the accesses they explain, accesses in
// time order, every referenced id declared, every misuse in an incident.
func TestWorkloadFollowsTheSchema(t *testing.T) {
	var buf bytes.Buffer
	st, err := Generate(Config{Seed: 3, Staff: 300, Days: 10}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	incidents := map[string]string{}
	var last time.Time
	accesses, misuse := 0, 0
	sc := bufio.NewScanner(&buf)
	sc.Buffer(nil, 16<<20)
	for n := 1; sc.Scan(); n++ {
		var l struct {
			Type, ID, Time, Principal, Org, Person, Label, Incident, Explanation string
			Persons                                                              []string
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		switch l.Type {
		case "principal", "person":
			declared[l.ID] = true
		case "access":
			accesses++
			at, err := time.Parse(time.RFC3339, l.Time)
			if err != nil || at.Before(last) {
				t.Fatalf("line %d: time %q out of order or invalid (%v)", n, l.Time, err)
			}
			last = at
			if !declared[l.Principal] {
				t.Fatalf("line %d: principal %s not declared before", n, l.Principal)
			}
			for _, p := range l.Persons {
				if !declared[p] {
					t.Fatalf("line %d: person %s not declared before", n, p)
				}
			}
			if l.Explanation == "" || l.Label == "" {
				t.Fatalf("line %d: explanation or label missing", n)
			}
			if l.Label != "legit" {
				misuse++
				if l.Incident == "" {
					t.Fatalf("line %d: misuse without incident", n)
				}
				if prev, ok := incidents[l.Incident]; ok && prev != l.Label {
					t.Fatalf("line %d: incident %s labelled %s and %s", n, l.Incident, prev, l.Label)
				}
				incidents[l.Incident] = l.Label
			}
		}
	}
	if accesses != st.Accesses || accesses == 0 {
		t.Fatalf("read %d accesses, stats say %d", accesses, st.Accesses)
	}
	planted := 0
	for _, n := range st.Incidents {
		planted += n
	}
	if len(incidents) != planted || misuse == 0 {
		t.Fatalf("%d incidents in the file, %d planted (%d misuse accesses)", len(incidents), planted, misuse)
	}
	if misuse*20 > accesses {
		t.Fatalf("misuse is %d of %d accesses: a workload should be mostly legitimate work", misuse, accesses)
	}
}

func TestWorkloadIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	for _, buf := range []*bytes.Buffer{&a, &b} {
		if _, err := Generate(Config{Seed: 9, Staff: 80, Days: 5}, buf); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two runs with the same seed differ")
	}
}
