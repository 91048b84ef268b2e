package demo

import (
	"testing"

	nafref "socle/naf"
	"socle/rome"
)

// TestDemoCodesAreInTheReferentials checks that every job and activity the
// demo network uses is named by the official referentials the pages read:
// a code outside them would show raw.
func TestDemoCodesAreInTheReferentials(t *testing.T) {
	jobs := rome.FullIndex()
	for _, r := range ROMECodes {
		if jobs.Label(r.Code) == "" {
			t.Errorf("ROME %s (%s) is not in the ROME 4.0", r.Code, r.Label)
		}
	}
	for _, n := range nafCodes {
		if a, ok := nafref.Lookup(n.code); !ok || a.Level != nafref.SousClasse {
			t.Errorf("NAF %s is not a sub-class of the NAF rév. 2", n.code)
		}
	}
}
