package web

import (
	"context"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Paris even on a host without a zoneinfo database

	"socle"
	"socle/geo"
	"socle/http/httpx"
	"socle/naf"
	"socle/rome"
)

// This file holds the formatting of values for people: dates and times in
// Europe/Paris, NIR and phone numbers grouped as the French write them,
// and the words of the referentials (jobs, communes, activities) instead
// of their codes. The French labels of the domain's own codes are in
// messages.go.

// paris is the time zone every date and time of the pages is shown in.
var paris = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic("web: Europe/Paris: " + err.Error()) // embedded by time/tzdata
	}
	return l
}()

// frenchTime writes an instant as a date and time in Paris: "03/12/2026 à
// 14:05"; "" for the zero time.
func frenchTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(paris).Format("02/01/2006 à 15:04")
}

// frenchDay writes the day of an instant in Paris: "03/12/2026".
func frenchDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(paris).Format("02/01/2006")
}

// frenchClock writes the time of day of an instant in Paris: "14:05".
func frenchClock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(paris).Format("15:04")
}

// frenchDate writes a calendar date: "3 décembre 2026"; "" when unset.
func frenchDate(d socle.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.French()
}

// formatNIR groups a social security number as on the carte Vitale:
// "1 85 05 78 006 084 36". Masked characters stay as they are; a value of
// another length is returned unchanged.
func formatNIR(nir string) string {
	r := []rune(strings.ReplaceAll(strings.TrimSpace(nir), " ", ""))
	if len(r) != 15 {
		return nir
	}
	var b strings.Builder
	start := 0
	for i, n := range []int{1, 2, 2, 2, 3, 3, 2} {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(r[start : start+n]))
		start += n
	}
	return b.String()
}

// formatPhone groups a French phone number by pairs: "06 12 34 56 78",
// "+33 6 12 34 56 78"; another value is returned unchanged.
func formatPhone(phone string) string {
	p := socle.NormalizePhone(strings.TrimSpace(phone))
	var head, rest string
	switch {
	case len(p) == 10 && p[0] == '0':
		head, rest = p[:2], p[2:]
	case len(p) == 12 && strings.HasPrefix(p, "+33"):
		head, rest = "+33 "+p[3:4], p[4:]
	default:
		return phone
	}
	if strings.Trim(p[1:], "0123456789") != "" {
		return phone
	}
	var b strings.Builder
	b.WriteString(head)
	for i := 0; i < len(rest); i += 2 {
		b.WriteByte(' ')
		b.WriteString(rest[i : i+2])
	}
	return b.String()
}

// words names the codes of the referentials: jobs (ROME 4.0, embedded),
// communes (the geography the store imported, loaded on first use) and
// activities (NAF, embedded). Safe for concurrent use.
type words struct {
	dir      httpx.Directory // nil in tests of views: no commune, no organisation
	jobs     *rome.Index
	communes *geo.LazyIndex
}

func newWords(dir httpx.Directory) *words {
	w := &words{dir: dir, jobs: rome.FullIndex()}
	w.communes = geo.NewLazyIndex(func(ctx context.Context) ([]socle.Commune, error) {
		if dir == nil {
			return nil, nil
		}
		return dir.Communes(ctx, "", 0)
	})
	return w
}

// communeIndex returns the index of the imported communes.
func (w *words) communeIndex(ctx context.Context) (*geo.CommuneIndex, error) {
	return w.communes.Get(ctx)
}

// commune names a commune with its département, "Lyon (69)"; a code the
// geography does not hold is said so rather than shown.
func (w *words) commune(ctx context.Context, code string) string {
	if code == "" {
		return ""
	}
	if x, err := w.communeIndex(ctx); err == nil {
		if l := x.Label(code); l != "" {
			return l
		}
	}
	return labelUnknownCommune
}

// job names a ROME code by its label; a code outside the referential keeps
// its code, which is then the only name it has.
func (w *words) job(code string) string {
	if l := w.jobs.Label(code); l != "" {
		return l
	}
	return code
}

// resolveJob returns the ROME code a person meant by value: a code, or the
// exact label of a code or of an appellation (what the autocomplete
// proposes, so that the form works with or without script).
func (w *words) resolveJob(value string) (string, bool) {
	if code, ok := w.jobs.Resolve(value); ok {
		return code, true
	}
	// A well-formed code outside the embedded referential may be in the
	// one the store imported since: the form accepts it as before.
	code := strings.ToUpper(strings.TrimSpace(value))
	return code, socle.ValidROME(code)
}

// resolveCommune returns the INSEE code a person meant by value: a code,
// or a commune's label ("Lyon (69)") or a name only one commune bears.
// Without an imported geography, a well-formed code is accepted.
func (w *words) resolveCommune(ctx context.Context, value string) (string, bool) {
	if x, err := w.communeIndex(ctx); err == nil && x.Len() > 0 {
		return x.Resolve(value)
	}
	code := strings.ToUpper(strings.TrimSpace(value))
	return code, socle.ValidCommuneCode(code)
}

// jobList names ROME codes, joined by commas.
func (w *words) jobList(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = w.job(c)
	}
	return strings.Join(names, ", ")
}

// offerRow is an offer as a list shows it: its job and commune by name.
type offerRow struct {
	*socle.Offer
	Job, Commune, ContractLabel string
}

func (w *words) offerRows(ctx context.Context, offers []*socle.Offer) []offerRow {
	out := make([]offerRow, len(offers))
	for i, o := range offers {
		out[i] = offerRow{Offer: o, Job: w.job(o.ROMECode), Commune: w.commune(ctx, o.CommuneCode), ContractLabel: labelOf(contractLabels, o.Contract)}
	}
	return out
}

// companyRow is a company as a list or its file shows it: its activity,
// workforce band and commune by their labels.
type companyRow struct {
	*socle.Company
	Activity, Workforce, Commune string
}

func (w *words) companyRow(ctx context.Context, c *socle.Company) companyRow {
	return companyRow{Company: c, Activity: activity(c.NAF), Workforce: workforce(c.Size), Commune: w.commune(ctx, c.CommuneCode)}
}

// organisation names an organisation of the network; one the directory
// does not hold is said so rather than shown by its id.
func (w *words) organisation(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	if w.dir != nil {
		if o, err := w.dir.Organisation(ctx, id); err == nil {
			return o.Name
		}
	}
	return labelUnknownOrganisation
}

// activity names a NAF (APE) code by its INSEE label.
func activity(code string) string {
	if l := naf.Label(code); l != "" {
		return l
	}
	return code
}

// workforce names an INSEE workforce band: "20 à 49 salariés".
func workforce(band string) string {
	if l := naf.BandLabel(band); l != "" {
		return l
	}
	return ""
}
