package oauth_test

import (
	"context"
	"runtime"
	"testing"

	"socle/oauth"
)

// BenchmarkVerify measures access token verifications per second: with
// the signature checked every time (uncached), and through Verify, whose
// cache skips the signature of a token already verified (revocation, expiry
// and the client's state are still checked on every call). The serial
// variants use one core; the parallel ones report per core too.
func BenchmarkVerify(b *testing.B) {
	e := newEnv(b)
	kc := e.keyClient(b, false, "accompagnement:read", "accompagnement:search")
	tokens := make([]string, 64)
	for i := range tokens {
		tokens[i] = e.token(b, kc, "accompagnement:read accompagnement:search")
	}
	ctx := context.Background()
	report := func(b *testing.B, cores int) {
		perSec := float64(b.N) / b.Elapsed().Seconds()
		b.ReportMetric(perSec, "verif/s")
		b.ReportMetric(perSec/float64(cores), "verif/s/core")
	}
	uncached := func(tok string) error { return oauth.VerifyUncached(e.svc, tok) }
	cached := func(tok string) error { _, err := e.svc.Verify(ctx, tok); return err }
	for _, v := range []struct {
		name   string
		verify func(string) error
	}{{"uncached", uncached}, {"cached", cached}} {
		b.Run(v.name+"/serial", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := v.verify(tokens[i%len(tokens)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			report(b, 1)
		})
		b.Run(v.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if err := v.verify(tokens[i%len(tokens)]); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
			report(b, runtime.GOMAXPROCS(0))
		})
	}
}
