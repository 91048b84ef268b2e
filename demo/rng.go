package demo

import (
	"math/bits"
	"math/rand/v2"
	"strings"
)

// rng draws every random choice of the demo from one PCG stream, so that a
// seed gives the same network on every run and every Go version: only the
// PCG algorithm is relied on, not math/rand's derived methods, whose
// outputs may change.
type rng struct{ pcg rand.PCG }

// streamSocle is the second PCG word: "socle" in ASCII.
const streamSocle = 0x736f636c65

func newRNG(seed int64) *rng {
	r := &rng{}
	r.pcg.Seed(uint64(seed), streamSocle)
	return r
}

// intn returns a number in [0, n), n > 0. The bias of the multiply-shift
// reduction is below 2⁻³² for the small n of the demo.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.pcg.Uint64(), uint64(n))
	return int(hi)
}

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// permille reports true with probability p/1000.
func (r *rng) permille(p int) bool { return r.intn(1000) < p }

// Read fills p with random bytes: the io.Reader socle.NewIDFrom takes.
func (r *rng) Read(p []byte) (int, error) {
	for i := 0; i < len(p); i += 8 {
		v := r.pcg.Uint64()
		for j := i; j < len(p) && j < i+8; j++ {
			p[j] = byte(v)
			v >>= 8
		}
	}
	return len(p), nil
}

// pick returns a random element of s.
func pick[T any](r *rng, s []T) T { return s[r.intn(len(s))] }

// weighted is a list of values with their relative weights.
type weighted[T any] []struct {
	v T
	w int
}

// table expands weights into a lookup table of tableSize entries, so that a
// weighted draw costs one random number and one index.
const tableSize = 4096

type table[T any] []T

func (ws weighted[T]) table() table[T] {
	total := 0
	for _, w := range ws {
		total += w.w
	}
	t := make(table[T], 0, tableSize)
	acc := 0
	for _, w := range ws {
		acc += w.w
		for len(t) < acc*tableSize/total {
			t = append(t, w.v)
		}
	}
	return t
}

func (t table[T]) draw(r *rng) T { return t[r.pcg.Uint64()&(tableSize-1)] }

// zipf weights a list sorted by frequency: the k-th value weighs about
// 1/(k+8), the shape of French name frequencies.
func zipf(vs []string) table[string] {
	ws := make(weighted[string], len(vs))
	for i, v := range vs {
		ws[i].v = v
		ws[i].w = 100000 / (i + 8)
	}
	return ws.table()
}

// slug returns s in lower-case ASCII for an e-mail address or a domain:
// accents dropped, spaces and apostrophes as hyphens.
func slug(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == ' ' || c == '\'' || c == '-' || c == '’':
			if n := b.Len(); n > 0 && b.String()[n-1] != '-' {
				b.WriteByte('-')
			}
		default:
			if a, ok := unaccent[c]; ok {
				b.WriteString(a)
			}
		}
	}
	return strings.Trim(b.String(), "-")
}

var unaccent = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'ç': "c", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'ô': "o", 'ö': "o", 'ù': "u", 'û': "u", 'ü': "u", 'ÿ': "y", 'œ': "oe", 'æ': "ae",
}

// deName returns "de" and a place name with its article contracted, as
// French writes it: "de Lyon", "du Havre", "des Ulis", "de La Rochelle", "d'Aix-en-Provence".
func deName(name string) string {
	switch {
	case strings.HasPrefix(name, "Le "):
		return "du " + name[3:]
	case strings.HasPrefix(name, "Les "):
		return "des " + name[4:]
	}
	if name != "" && strings.ContainsRune("AEIOUYÉÈÊÎÔ", []rune(name)[0]) {
		return "d'" + name
	}
	return "de " + name
}

// shortCommune drops "Arrondissement" from the names of the arrondissements
// municipaux: "Lyon 3e Arrondissement" reads "Lyon 3e".
func shortCommune(name string) string {
	return strings.TrimSuffix(name, " Arrondissement")
}
