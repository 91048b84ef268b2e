// Package retention ends the life of personal data when its purposes no
// longer need it.
//
// The rule. A person's record is kept while an organisation follows her,
// and for a while after. Her last activity is the end of her last
// follow-up; a person with a follow-up still open (no end, or an end
// in the future) is never touched. A person who never had a follow-up
// counts from the creation of her record.
//
//   - ShredAfter days after her last activity, her sensitive categories
//     (health, justice, bank) are crypto-shredded: they serve the
//     accompaniment, so the default is the retention of the purpose
//     "accompagnement" in the register.
//   - EraseAfter days after it, her whole record is erased to a tombstone
//     (identity, contact, parcours, skills): the default is the longest
//     retention of any purpose of the register, since a purpose such as
//     "indemnisation" may still need who she was.
//
// Every shredding and erasure is appended to the audit log (actions
// "retention_shred" and "erasure") with the person's pseudonymous
// reference only; the log keeps no content, so it and every proof over it
// stay verifiable.
package retention

import (
	"context"
	"fmt"
	"time"

	"socle"
	"socle/audit"
	"socle/policy"
	"socle/store/sqlstore"
)

// Audit actions of retention.
const (
	ActionShred = "retention_shred"
	ActionErase = "erasure"
)

// Store is what retention needs of the store.
type Store interface {
	ExpiredPersons(ctx context.Context, q sqlstore.ExpiryQuery) ([]string, error)
	ShredPerson(ctx context.Context, personID string) error
	ErasePerson(ctx context.Context, personID string) error
}

var _ Store = (*sqlstore.DB)(nil)

// Options tune a run. Auditor is required unless DryRun.
type Options struct {
	Auditor socle.Auditor
	// PersonRef turns a person id into its pseudonymous reference in the
	// log (audit.PersonRef with the platform key); required with Auditor.
	PersonRef func(personID string) string
	// ShredAfter and EraseAfter override the rule's limits, in days.
	ShredAfter, EraseAfter int
	// DryRun counts what would be done and changes nothing.
	DryRun bool
	// Progress, when set, is called with the number of persons handled so far.
	Progress func(done int)
	// BatchSize is the number of persons fetched at once (default 500).
	BatchSize int
}

// Report is the outcome of a run.
type Report struct {
	ShredAfter, EraseAfter int        // the limits applied, in days
	ShredCutoff            socle.Date // activity before this day expired the sensitive categories
	EraseCutoff            socle.Date // activity before this day expired the record
	Shredded               int        // persons whose sensitive categories were shredded
	Erased                 int        // persons erased
	DryRun                 bool
}

// Limits returns the rule's default limits for a register: the retention of
// "accompagnement" for shredding and the longest retention for erasure (at
// least the former).
func Limits(reg policy.Register) (shredAfter, eraseAfter int, err error) {
	acc, ok := reg.Purpose(policy.PurposeAccompagnement)
	if !ok {
		return 0, 0, socle.Errorf(socle.EINVALID, "retention: the register has no purpose %q", policy.PurposeAccompagnement)
	}
	shredAfter, eraseAfter = acc.RetentionDays, acc.RetentionDays
	for _, p := range reg.Purposes {
		eraseAfter = max(eraseAfter, p.RetentionDays)
	}
	return shredAfter, eraseAfter, nil
}

// Run applies the rule at time now: it shreds, then erases, every expired
// person, batch by batch, each with its audit event appended first so that
// nothing is destroyed unrecorded. It stops at the first error.
func Run(ctx context.Context, st Store, reg policy.Register, now time.Time, opts Options) (Report, error) {
	shredAfter, eraseAfter, err := Limits(reg)
	if err != nil {
		return Report{}, err
	}
	if opts.ShredAfter > 0 {
		shredAfter = opts.ShredAfter
	}
	if opts.EraseAfter > 0 {
		eraseAfter = opts.EraseAfter
	}
	if eraseAfter < shredAfter {
		return Report{}, socle.Errorf(socle.EINVALID, "retention: erasure (%d days) cannot come before shredding (%d days)", eraseAfter, shredAfter)
	}
	if !opts.DryRun && (opts.Auditor == nil || opts.PersonRef == nil) {
		return Report{}, socle.Errorf(socle.EINVALID, "retention: an auditor and a person reference key are required")
	}
	today := socle.DateOf(now.UTC())
	r := Report{
		ShredAfter: shredAfter, EraseAfter: eraseAfter, DryRun: opts.DryRun,
		ShredCutoff: socle.DateOf(today.Time().AddDate(0, 0, -shredAfter)),
		EraseCutoff: socle.DateOf(today.Time().AddDate(0, 0, -eraseAfter)),
	}
	batch := opts.BatchSize
	if batch <= 0 {
		batch = 500
	}
	batch = min(batch, 5000) // ExpiredPersons' own bound
	done := 0
	stages := []struct {
		stage  sqlstore.ExpiryStage
		cutoff socle.Date
		action string
		apply  func(context.Context, string) error
		count  *int
	}{
		{sqlstore.StageShred, r.ShredCutoff, ActionShred, st.ShredPerson, &r.Shredded},
		{sqlstore.StageErase, r.EraseCutoff, ActionErase, st.ErasePerson, &r.Erased},
	}
	for _, sg := range stages {
		q := sqlstore.ExpiryQuery{Stage: sg.stage, Cutoff: sg.cutoff, Limit: batch}
		for {
			ids, err := st.ExpiredPersons(ctx, q)
			if err != nil {
				return r, fmt.Errorf("retention: %w", err)
			}
			for _, id := range ids {
				if !opts.DryRun {
					if err := audit.Append(ctx, opts.Auditor, now, event(sg.action, opts.PersonRef(id), sg.cutoff)); err != nil {
						return r, fmt.Errorf("retention: recording %s: %w", sg.action, err)
					}
					if err := sg.apply(ctx, id); err != nil {
						return r, fmt.Errorf("retention: %s: %w", sg.action, err)
					}
				}
				*sg.count++
				done++
				if opts.Progress != nil {
					opts.Progress(done)
				}
			}
			if len(ids) < batch {
				break
			}
			q.After = ids[len(ids)-1]
		}
	}
	return r, nil
}

// event is the audit event of one shredding or erasure: the platform acts,
// under the purpose of the rule, on a pseudonymous person.
func event(action, ref string, cutoff socle.Date) audit.Act {
	return audit.Act{
		Action:       action,
		ResourceKind: string(socle.ResourcePerson),
		PersonRef:    ref,
		Allowed:      true,
		Explanation:  "Fin de la durée de conservation : aucun accompagnement actif depuis le " + cutoff.French(),
		Categories:   categories[action],
		Records:      1,
	}
}

// categories are the categories each action destroys.
var categories = map[string]string{
	ActionShred: socle.SetOf(socle.CatHealth, socle.CatJustice, socle.CatBank).String(),
	ActionErase: socle.AllCategories.String(),
}
