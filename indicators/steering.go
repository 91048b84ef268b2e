package indicators

import (
	"context"
	"time"

	"socle"
	"socle/gate"
)

// Steering computes the steering figures grouped by g from the records the
// gate aggregates: for statisticians and administrators, with the
// statistics purpose. Only the report, with small counts masked, leaves.
func Steering(ctx context.Context, p *gate.Parcours, req gate.Request, g Grouping) (Report, error) {
	var r Report
	err := p.Aggregate(ctx, req, Threshold, func(rec socle.IndicatorRecords, now time.Time) {
		r = Compute(rec, g, now)
	})
	if err != nil {
		return Report{}, err
	}
	return r, nil
}
