package directory_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"socle/detect"
	"socle/directory"
)

// TestLivePathRecallMatchesTheEvaluation replays a simulated labelled
// file through the evaluation and through the live path (directory loaded
// as the store's, events as the gate records them): the live recall must
// be within 0.05 of the evaluated one, with the same precision bar.
func TestLivePathRecallMatchesTheEvaluation(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no time zone database")
	}
	ctx := context.Background()
	var buf strings.Builder
	if err := detect.NewWorld(detect.SimConfig{Agents: 400, Days: 3, Seed: 4}).WriteEvents(ctx, &buf, loc); err != nil {
		t.Fatal(err)
	}
	evaluated, err := detect.EvalFile(ctx, strings.NewReader(buf.String()), loc)
	if err != nil {
		t.Fatal(err)
	}
	alerts, truth, err := directory.ReplayLive(ctx, strings.NewReader(buf.String()), loc)
	if err != nil {
		t.Fatal(err)
	}
	live := detect.ScoreAlerts(alerts, truth, evaluated.Detector.Overall.PrincipalDays).Overall
	e := evaluated.Detector.Overall
	if live.Incidents != e.Incidents || e.Incidents == 0 {
		t.Fatalf("live path scored %d incidents, evaluation %d", live.Incidents, e.Incidents)
	}
	if math.Abs(live.Recall-e.Recall) > 0.05 || live.Precision < 0.8 || live.FalsePer1000 > 1 {
		t.Errorf("live path %+v, evaluation %+v: want the recall within 0.05, precision ≥ 0.80, ≤ 1 false alert per 1,000", live, e)
	}
}
