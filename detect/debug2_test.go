package detect

import (
	"context"
	"fmt"
	"os"
	"testing"
)

func TestDebugScale(t *testing.T) {
	if os.Getenv("DEBUGSCALE") == "" {
		t.Skip()
	}
	res, err := Eval(context.Background(), SimConfig{Agents: 40000, Days: 1, Seed: 1}, nil)
	fmt.Println(res.Events, res.CPUSeconds, res.PeakMemMiB, err)
}
