package geo

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"socle"
	"socle/internal/textfold"
)

// CommuneIndex finds communes by what a person types and names them with
// their département ("Lyon (69)"), so that no page shows an INSEE code.
// Immutable; safe for concurrent use.
type CommuneIndex struct {
	communes []socle.Commune // largest first, as given
	folds    []string
	byCode   map[string]int
	byLabel  map[string]int // folded Label → index, and folded name when unique
}

// NewIndex indexes communes, which should be sorted largest first: the
// suggestions keep their order, so that "Saint" proposes the largest
// Saint-… first. The slice must not be modified afterwards.
func NewIndex(communes []socle.Commune) *CommuneIndex {
	x := &CommuneIndex{communes: communes, folds: make([]string, len(communes)),
		byCode: make(map[string]int, len(communes)), byLabel: make(map[string]int, 2*len(communes))}
	names := map[string]int{}
	for i, c := range communes {
		x.folds[i] = textfold.Fold(c.Name)
		x.byCode[c.Code] = i
		x.byLabel[textfold.Fold(CommuneLabel(c))] = i
		names[x.folds[i]]++
	}
	for i := range communes {
		if names[x.folds[i]] == 1 {
			x.byLabel[x.folds[i]] = i
		}
	}
	return x
}

// CommuneLabel names a commune with its département: "Lyon (69)".
func CommuneLabel(c socle.Commune) string {
	return c.Name + " (" + c.DepartementCode + ")"
}

// Len returns how many communes x holds.
func (x *CommuneIndex) Len() int { return len(x.communes) }

// Label returns the name of the commune with that INSEE code and its
// département, "" when x does not hold it.
func (x *CommuneIndex) Label(code string) string {
	i, ok := x.byCode[code]
	if !ok {
		return ""
	}
	return CommuneLabel(x.communes[i])
}

// Search returns at most limit communes for query, largest first: a
// commune whose name has every word of the query as the beginning of one
// of its words (case and accents ignored), whose postal code begins with
// the query, or whose INSEE code is the query.
func (x *CommuneIndex) Search(query string, limit int) []socle.Commune {
	q := textfold.Fold(query)
	if q == "" || limit <= 0 {
		return nil
	}
	if i, ok := x.byCode[strings.ToUpper(q)]; ok {
		return []socle.Commune{x.communes[i]}
	}
	digits := strings.Trim(q, "0123456789") == ""
	var out []socle.Commune
	for i, c := range x.communes {
		if len(out) == limit {
			break
		}
		match := false
		if digits {
			for _, pc := range c.PostalCodes {
				if strings.HasPrefix(pc, q) {
					match = true
					break
				}
			}
		} else {
			match = textfold.Matches(x.folds[i], q)
		}
		if match {
			out = append(out, c)
		}
	}
	return out
}

// Resolve returns the INSEE code a person meant by value: an INSEE code x
// holds, a label as Label writes it ("Lyon (69)"), or a name only one
// commune bears, regardless of case and accents.
func (x *CommuneIndex) Resolve(value string) (string, bool) {
	v := strings.ToUpper(strings.TrimSpace(value))
	if _, ok := x.byCode[v]; ok {
		return v, true
	}
	i, ok := x.byLabel[textfold.Fold(value)]
	if !ok {
		return "", false
	}
	return x.communes[i].Code, true
}

// LazyIndex builds a CommuneIndex from the imported geography on first use,
// so that a server starts without reading every commune. A failed load is
// returned and retried at the next call. Safe for concurrent use.
type LazyIndex struct {
	load func(ctx context.Context) ([]socle.Commune, error)
	mu   sync.Mutex
	x    *CommuneIndex // nil until loaded
}

// NewLazyIndex returns an index of the communes load returns, largest first.
func NewLazyIndex(load func(ctx context.Context) ([]socle.Commune, error)) *LazyIndex {
	return &LazyIndex{load: load}
}

// Get returns the index, loading it the first time.
func (l *LazyIndex) Get(ctx context.Context) (*CommuneIndex, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.x != nil {
		return l.x, nil
	}
	cs, err := l.load(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the communes: %w", err)
	}
	l.x = NewIndex(cs)
	return l.x, nil
}
