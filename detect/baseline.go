package detect

import (
	"math"
	"slices"
)

// ring keeps the last values of a count, with the day each was seen, for
// robust per-principal baselines.
type ring struct {
	V   [16]uint32
	Day [16]int32
	N   uint8
}

func (r *ring) push(day int64, x int) {
	i := r.N % 16
	r.V[i], r.Day[i] = uint32(min(x, 1<<31)), int32(day)
	r.N++
	if r.N == 32 {
		r.N = 16
	}
}

func (r *ring) len() int { return int(min(r.N, 16)) }

// forget drops the values of days in [from, to]: confirmed misuse must not
// become the principal's normal.
func (r *ring) forget(from, to int64) {
	var kept ring
	for i := range r.len() {
		if d := int64(r.Day[i]); d < from || d > to {
			kept.push(d, int(r.V[i]))
		}
	}
	*r = kept
}

// limit is median + k·MAD (scaled to a standard deviation), at least m
// times the median and at least floor; ok is false without three values.
func (r *ring) limit(k, m float64, floor int) (int, bool) {
	n := r.len()
	if n < 3 {
		return floor, false
	}
	var buf [16]float64
	vals := buf[:n]
	for i := range n {
		vals[i] = float64(r.V[i])
	}
	med := median(vals)
	for i := range vals {
		vals[i] = math.Abs(vals[i] - med)
	}
	mad := median(vals) * 1.4826
	return max(floor, int(med+k*mad), int(m*med)), true
}

func median(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// hist is a log-binned histogram of counts: exact below 32, eight bins per
// doubling above. It holds a peer group's distribution of a daily or hourly
// count, in constant memory whatever the number of principals.
type hist struct {
	C [160]uint32
	N uint32
}

func histBin(x uint32) int {
	if x < 32 {
		return int(x)
	}
	return min(159, 32+int(8*math.Log2(float64(x)/32)))
}

func histUpper(b int) float64 {
	if b < 32 {
		return float64(b)
	}
	return 32 * math.Exp2(float64(b-32+1)/8)
}

func (h *hist) add(x int) {
	h.C[histBin(uint32(max(0, min(x, 1<<31))))]++
	h.N++
}

// quantile returns an upper bound of the q-quantile.
func (h *hist) quantile(q float64) float64 {
	target := uint32(math.Ceil(q * float64(h.N)))
	var acc uint32
	for b, c := range h.C {
		acc += c
		if acc >= target && c > 0 {
			return histUpper(b)
		}
	}
	return histUpper(len(h.C) - 1)
}

// activity counts accesses per hour of the week kind (weekday, weekend):
// when a principal, her organisation or her peers work.
type activity struct {
	Bins [48]uint32
	N    uint32
}

func bin(weekend bool, hour int) int {
	if weekend {
		return 24 + hour
	}
	return hour
}

// share returns the share of activity within an hour of bin b.
func (a *activity) share(b int) float64 {
	base := b / 24 * 24
	h := b % 24
	near := a.Bins[base+h] + a.Bins[base+(h+1)%24] + a.Bins[base+(h+23)%24]
	return float64(near) / float64(a.N)
}

func (a *activity) merge(today *[48]uint16) {
	for i, c := range today {
		a.Bins[i] += uint32(c)
		a.N += uint32(c)
	}
}

// personSet is a set of persons with the event that first disclosed each:
// a slice while small (most principals read a few persons an hour), a map
// beyond.
type personSet struct {
	Persons []uint32
	IDs     []uint64
	m       map[uint32]struct{}
}

func (s *personSet) has(p uint32) bool {
	if s.m != nil {
		_, ok := s.m[p]
		return ok
	}
	return slices.Contains(s.Persons, p)
}

func (s *personSet) add(p uint32, id uint64) bool {
	if s.has(p) {
		return false
	}
	if s.m != nil {
		s.m[p] = struct{}{}
	} else if len(s.Persons) >= 48 {
		s.m = make(map[uint32]struct{}, 128)
		for _, q := range s.Persons {
			s.m[q] = struct{}{}
		}
		s.m[p] = struct{}{}
	}
	s.Persons = append(s.Persons, p)
	s.IDs = append(s.IDs, id)
	return true
}

func (s *personSet) len() int { return len(s.Persons) }

func (s *personSet) reset() {
	s.Persons, s.IDs, s.m = s.Persons[:0], s.IDs[:0], nil
}

// rebuild restores the map after decoding.
func (s *personSet) rebuild() {
	s.m = nil
	if len(s.Persons) > 48 {
		s.m = make(map[uint32]struct{}, len(s.Persons))
		for _, q := range s.Persons {
			s.m[q] = struct{}{}
		}
	}
}
