// Package indicators computes the steering figures of the parcours:
// orientations by operator, parcours and modalité, by département and
// month; the time from registration to the first appointment; the share of
// signed contracts. Every count from 1 to 10 is suppressed (zeros are shown), and
// enough other cells with it that no suppressed count can be recomputed
// from the totals (secondary suppression).
package indicators

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"socle"
)

// Threshold is the smallest count that is shown.
const Threshold = 11

// Cell is a count that may be suppressed. It encodes as a JSON number, or
// null when suppressed; its String is the number or "< 11".
type Cell struct {
	n          int
	suppressed bool
}

// Value returns the count and whether it is shown.
func (c Cell) Value() (int, bool) {
	if c.suppressed {
		return 0, false
	}
	return c.n, true
}

// Suppressed reports whether the count is hidden.
func (c Cell) Suppressed() bool { return c.suppressed }

func (c Cell) String() string {
	if c.suppressed {
		return "< " + strconv.Itoa(Threshold)
	}
	return strconv.Itoa(c.n)
}

// MarshalJSON encodes the count, null when suppressed.
func (c Cell) MarshalJSON() ([]byte, error) {
	if c.suppressed {
		return []byte("null"), nil
	}
	return []byte(strconv.Itoa(c.n)), nil
}

// Column is one category of a table.
type Column struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// Row is one group (a département, a month, or both) of a table.
type Row struct {
	Key   string `json:"key"`
	Cells []Cell `json:"cells"`
	Total Cell   `json:"total"`
}

// Table is a cross-tabulation with row and column totals.
type Table struct {
	Name    string   `json:"name"`
	Title   string   `json:"title"`
	Columns []Column `json:"columns"`
	Rows    []Row    `json:"rows"`
	Totals  []Cell   `json:"totals"`
	Total   Cell     `json:"total"`
}

// Grouping says what the rows of the tables are.
type Grouping string

// The groupings.
const (
	ByDepartement      Grouping = "departement"
	ByMonth            Grouping = "mois"
	ByDepartementMonth Grouping = "departement_mois"
)

// ParseGrouping checks a grouping from a request; "" is by département and month.
func ParseGrouping(s string) (Grouping, error) {
	switch g := Grouping(s); g {
	case "":
		return ByDepartementMonth, nil
	case ByDepartement, ByMonth, ByDepartementMonth:
		return g, nil
	}
	return "", socle.Errorf(socle.EINVALID, "grouping %q: departement, mois or departement_mois", s)
}

func (g Grouping) key(dep, month string) string {
	switch g {
	case ByDepartement:
		return dep
	case ByMonth:
		return month
	}
	return dep + " " + month
}

// Delay is the median time to a first appointment in a group.
type Delay struct {
	Key        string   `json:"key"`
	Persons    Cell     `json:"persons"`
	MedianDays *float64 `json:"median_days"` // null when suppressed
}

// Share is the share of signed contracts in a group.
type Share struct {
	Key       string   `json:"key"`
	Contracts Cell     `json:"contracts"`
	Signed    Cell     `json:"signed"`
	Unsigned  Cell     `json:"unsigned"`
	Share     *float64 `json:"share"` // null when suppressed
}

// Report is every indicator.
type Report struct {
	Generated        time.Time `json:"generated"`
	Threshold        int       `json:"threshold"`
	Grouping         Grouping  `json:"grouping"`
	Tables           []Table   `json:"tables"`
	FirstAppointment []Delay   `json:"first_appointment"`
	SignedContracts  []Share   `json:"signed_contracts"`
}

// Compute aggregates the records by the grouping and suppresses small cells.
func Compute(rec socle.IndicatorRecords, g Grouping, now time.Time) Report {
	r := Report{Generated: now.UTC(), Threshold: Threshold, Grouping: g}
	var ops, pars, mods []Column
	for _, k := range []socle.OrgKind{socle.KindEmploymentService, socle.KindDisability, socle.KindYouth, socle.KindDepartement} {
		ops = append(ops, Column{string(k), k.Label()})
	}
	for _, p := range []string{socle.ParcoursProfessional, socle.ParcoursSocioProfessional, socle.ParcoursSocial} {
		pars = append(pars, Column{p, "Parcours " + p})
	}
	for _, m := range []struct{ k, l string }{{socle.ModaliteSuivi, "Suivi"}, {socle.ModaliteGuide, "Guidé"}, {socle.ModaliteRenforce, "Renforcé"}, {socle.ModaliteGlobal, "Global"}} {
		mods = append(mods, Column{m.k, m.l})
	}
	r.Tables = []Table{
		crossTab("operateur", "Orientations par opérateur", ops, rec.Orientations, g, func(o socle.IndicatorOrientation) string { return string(o.OperatorKind) }),
		crossTab("parcours", "Orientations par parcours", pars, rec.Orientations, g, func(o socle.IndicatorOrientation) string { return o.Parcours }),
		crossTab("modalite", "Orientations par modalité", mods, rec.Orientations, g, func(o socle.IndicatorOrientation) string { return o.Modalite }),
	}
	r.Tables = append(r.Tables, handoffTables(rec.OrientationRequests, g)...)
	r.FirstAppointment = delays(rec.FirstAppointments, g)
	r.SignedContracts = shares(rec.Commitments, g)
	return r
}

func crossTab(name, title string, cols []Column, recs []socle.IndicatorOrientation, g Grouping, col func(socle.IndicatorOrientation) string) Table {
	cells := make([]groupCell, len(recs))
	for i, o := range recs {
		cells[i] = groupCell{g.key(o.Departement, o.Month), col(o)}
	}
	return countTab(name, title, cols, cells)
}

// groupCell is one record counted in a table: its row and its column.
type groupCell struct{ row, col string }

// countTab counts the records in a table, rows sorted, a record of no
// column left out, and suppresses its small cells.
func countTab(name, title string, cols []Column, recs []groupCell) Table {
	t := Table{Name: name, Title: title, Columns: cols}
	counts := map[string][]int{}
	for _, o := range recs {
		i := slices.IndexFunc(cols, func(c Column) bool { return c.Key == o.col })
		if i < 0 {
			continue
		}
		k := o.row
		if counts[k] == nil {
			counts[k] = make([]int, len(cols))
		}
		counts[k][i]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	grid := make([][]int, len(keys))
	for i, k := range keys {
		grid[i] = counts[k]
	}
	cells, rowTotals, colTotals, total := suppress(grid, len(cols))
	for i, k := range keys {
		t.Rows = append(t.Rows, Row{Key: k, Cells: cells[i], Total: rowTotals[i]})
	}
	t.Totals, t.Total = colTotals, total
	return t
}

// suppress computes the totals of a grid and hides every count from 1 to
// the threshold (zeros are shown), then, until nothing changes, one more count in each row or
// column (totals included) where a single hidden count could be recomputed
// by subtraction. The smallest visible inner cell is hidden first.
func suppress(grid [][]int, ncols int) (cells [][]Cell, rowTotals, colTotals []Cell, total Cell) {
	// A square of (rows+1) × (cols+1): the last row and column are totals.
	nr := len(grid)
	m := make([][]Cell, nr+1)
	for i := range m {
		m[i] = make([]Cell, ncols+1)
	}
	for i, row := range grid {
		for j, n := range row {
			m[i][j].n = n
			m[i][ncols].n += n
			m[nr][j].n += n
			m[nr][ncols].n += n
		}
	}
	for i := range m {
		for j := range m[i] {
			// Statistical disclosure control hides counts of 1 to 10: a
			// zero tells of no one.
			m[i][j].suppressed = m[i][j].n > 0 && m[i][j].n < Threshold
		}
	}
	// Each line is a set of inner positions plus the total they sum to.
	type pos struct{ i, j int }
	var lines [][]pos
	for i := 0; i <= nr; i++ {
		var l []pos
		for j := 0; j <= ncols; j++ {
			l = append(l, pos{i, j})
		}
		lines = append(lines, l)
	}
	for j := 0; j <= ncols; j++ {
		var l []pos
		for i := 0; i <= nr; i++ {
			l = append(l, pos{i, j})
		}
		lines = append(lines, l)
	}
	for changed := true; changed; {
		changed = false
		for _, l := range lines {
			hidden := 0
			for _, p := range l {
				if m[p.i][p.j].suppressed {
					hidden++
				}
			}
			if hidden != 1 {
				continue
			}
			// Hide the smallest visible element, preferring inner cells to totals.
			best := -1
			for k, p := range l {
				c := m[p.i][p.j]
				// A zero never protects: hidden, it is still known to be
				// the smallest possible value (and often a structural zero).
				if c.suppressed || c.n == 0 {
					continue
				}
				isTotal := p.i == nr || p.j == ncols
				if best < 0 {
					best = k
					continue
				}
				b := l[best]
				bTotal := b.i == nr || b.j == ncols
				if (bTotal && !isTotal) || (bTotal == isTotal && c.n < m[b.i][b.j].n) {
					best = k
				}
			}
			if best >= 0 {
				p := l[best]
				m[p.i][p.j].suppressed = true
				changed = true
			}
		}
	}
	cells = make([][]Cell, nr)
	rowTotals = make([]Cell, nr)
	for i := 0; i < nr; i++ {
		cells[i] = m[i][:ncols]
		rowTotals[i] = m[i][ncols]
	}
	return cells, rowTotals, m[nr][:ncols], m[nr][ncols]
}

func delays(recs []socle.IndicatorFirstAppointment, g Grouping) []Delay {
	groups := map[string][]int{}
	var all []int
	for _, r := range recs {
		k := g.key(r.Departement, r.Month)
		groups[k] = append(groups[k], r.Days)
		all = append(all, r.Days)
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []Delay
	add := func(k string, days []int) {
		d := Delay{Key: k, Persons: Cell{n: len(days), suppressed: len(days) < Threshold}}
		if !d.Persons.suppressed {
			m := median(days)
			d.MedianDays = &m
		}
		out = append(out, d)
	}
	for _, k := range keys {
		add(k, groups[k])
	}
	// A median is not a count: a suppressed group's median cannot be
	// recomputed from the national one, so no secondary suppression.
	add("ensemble", all)
	return out
}

func median(v []int) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

func shares(recs []socle.IndicatorCommitment, g Grouping) []Share {
	type acc struct{ signed, unsigned int }
	groups := map[string]*acc{}
	for _, r := range recs {
		k := g.key(r.Departement, r.Month)
		a := groups[k]
		if a == nil {
			a = &acc{}
			groups[k] = a
		}
		if r.Signed {
			a.signed++
		} else {
			a.unsigned++
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	grid := make([][]int, len(keys))
	for i, k := range keys {
		grid[i] = []int{groups[k].signed, groups[k].unsigned}
	}
	cells, rowTotals, colTotals, total := suppress(grid, 2)
	share := func(c []Cell, t Cell) *float64 {
		s, ok1 := c[0].Value()
		n, ok2 := t.Value()
		if !ok1 || !ok2 || n == 0 {
			return nil
		}
		v := float64(s) / float64(n)
		return &v
	}
	var out []Share
	for i, k := range keys {
		out = append(out, Share{Key: k, Signed: cells[i][0], Unsigned: cells[i][1], Contracts: rowTotals[i], Share: share(cells[i], rowTotals[i])})
	}
	out = append(out, Share{Key: "ensemble", Signed: colTotals[0], Unsigned: colTotals[1], Contracts: total, Share: share(colTotals, total)})
	return out
}

// JSON returns the report as indented JSON; suppressed counts are null.
func (r Report) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the indicators: %w", err)
	}
	return b, nil
}
