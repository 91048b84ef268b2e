package policy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"socle"
	"socle/policy"
)

func readReq(actor socle.Actor, person string, at time.Time) socle.AccessRequest {
	return socle.AccessRequest{Actor: actor, Action: socle.ActionRead,
		Resource: socle.Resource{Kind: socle.ResourcePerson, ID: person}, Purpose: policy.PurposeAccompagnement, Time: at}
}

func decide(t *testing.T, e *policy.Engine, req socle.AccessRequest) socle.Decision {
	t.Helper()
	dec, err := e.Decide(context.Background(), req)
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	return dec
}

func TestCacheAndInvalidate(t *testing.T) {
	facts := network()
	e := newEngine(t, facts, policy.Config{})
	req := readReq(parAdv, chloe, now)

	if decide(t, e, req).Allow {
		t.Fatal("partner reads a person it does not follow")
	}
	decide(t, e, req)
	decide(t, e, readReq(par2Adv, chloe, now)) // the same organisation kind, another organisation
	if got := facts.callCount(); got != 2 {
		t.Fatalf("Facts called %d times, want 2 (one per organisation)", got)
	}

	// The partner starts following chloe: until the write invalidates the
	// cache, the engine answers from what it knew.
	facts.set(chloe, socle.Relations{Departement: "69", Situation: socle.SituationRSA,
		Followups: []socle.RelationFollowup{followup("fol_c1", orgPar, "agt_par_adv", d(2025, time.June, 10), socle.Date{})}})
	if decide(t, e, req).Allow {
		t.Fatal("cache bypassed")
	}
	e.Invalidate(chloe)
	if dec := decide(t, e, req); !dec.Allow {
		t.Fatalf("after Invalidate: %s", dec.Explanation())
	}

	// The next day is another key.
	calls := facts.callCount()
	decide(t, e, readReq(parAdv, chloe, now.Add(24*time.Hour)))
	if facts.callCount() != calls+1 {
		t.Errorf("a new day did not ask Facts")
	}
	e.InvalidateAll()
	decide(t, e, req)
	if facts.callCount() != calls+2 {
		t.Errorf("InvalidateAll kept an entry")
	}
}

func TestCacheTTL(t *testing.T) {
	facts := network()
	clock := now
	var mu sync.Mutex
	e := newEngine(t, facts, policy.Config{CacheTTL: time.Minute, Now: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return clock
	}})
	advance := func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(d)
	}
	req := readReq(seAdv, alice, now)
	decide(t, e, req)
	advance(30 * time.Second)
	decide(t, e, req)
	if facts.callCount() != 1 {
		t.Fatalf("expired too early: %d calls", facts.callCount())
	}
	advance(31 * time.Second)
	decide(t, e, req)
	if facts.callCount() != 2 {
		t.Fatalf("did not expire: %d calls", facts.callCount())
	}
}

func TestCacheBounded(t *testing.T) {
	facts := network()
	for i := range 1000 {
		facts.set(fmt.Sprintf("per_%04d", i), socle.Relations{Departement: "69"})
	}
	e := newEngine(t, facts, policy.Config{CacheSize: 64})
	for i := range 1000 {
		decide(t, e, readReq(seAdv, fmt.Sprintf("per_%04d", i), now))
	}
	// Were nothing evicted, every person would still be cached.
	calls := facts.callCount()
	for i := range 1000 {
		decide(t, e, readReq(seAdv, fmt.Sprintf("per_%04d", i), now))
	}
	if hits := 1000 - (facts.callCount() - calls); hits > 64 {
		t.Errorf("%d hits in a cache of 64 entries", hits)
	}
	// The most recent person is still there.
	calls = facts.callCount()
	decide(t, e, readReq(seAdv, "per_0999", now))
	if facts.callCount() != calls {
		t.Errorf("the most recent entry was evicted")
	}
}

// TestConcurrent runs decisions, invalidations and register edits at once,
// for the race detector, and checks that answers stay right.
func TestConcurrent(t *testing.T) {
	facts := network()
	e := newEngine(t, facts, policy.Config{CacheSize: 256})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				dec, err := e.Decide(context.Background(), readReq(parAdv, bruno, now))
				switch {
				case err != nil:
					errs <- err
					return
				case !dec.Allow:
					errs <- fmt.Errorf("goroutine %d, decision %d denied: %s", g, i, dec.Explanation())
					return
				}
				if i%50 == 0 {
					e.Invalidate(bruno)
				}
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			if err := e.SetRegister(policy.DefaultRegister()); err != nil {
				errs <- err
				return
			}
			e.InvalidateAll()
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestBench(t *testing.T) {
	e := newEngine(t, network(), policy.Config{})
	reqs := benchRequests()
	res, err := policy.Bench(context.Background(), e, reqs, 2000)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.JSON())
	if res.Decisions != 2000 || res.DecisionsPerSec <= 0 || res.P50 <= 0 || res.P99 < res.P50 {
		t.Errorf("result = %+v", res)
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(res.JSON()), &line); err != nil {
		t.Fatalf("JSON %q: %v", res.JSON(), err)
	}
	for _, k := range []string{"decisions_per_sec", "p50_us", "p99_us"} {
		if _, ok := line[k].(float64); !ok {
			t.Errorf("JSON %s lacks number %s", res.JSON(), k)
		}
	}
	if line["benchmark"] != "policy" {
		t.Errorf("benchmark = %v", line["benchmark"])
	}
	if _, err := policy.Bench(context.Background(), e, nil, 10); err == nil {
		t.Error("Bench without requests did not fail")
	}
	bad := []socle.AccessRequest{{Actor: seAdv, Action: socle.ActionRead, Purpose: "inconnue"}}
	if _, err := policy.Bench(context.Background(), e, bad, 10); socle.ErrorCode(err) != socle.EINVALID {
		t.Errorf("Bench with a bad request = %v", err)
	}
}

func TestResultJSON(t *testing.T) {
	r := policy.Result{Decisions: 10, DecisionsPerSec: 1234567.89, P50: 1500 * time.Nanosecond, P99: 12345 * time.Nanosecond}
	want := `{"benchmark":"policy","decisions":10,"decisions_per_sec":1234568,"p50_us":1.5,"p99_us":12.345}`
	if got := r.JSON(); got != want {
		t.Errorf("JSON = %s, want %s", got, want)
	}
}

// benchRequests is a warm mix: allowed reads by each kind of organisation,
// a lookup, denials.
func benchRequests() []socle.AccessRequest {
	search := readReq(seAdv, david, now)
	search.Action = socle.ActionSearch
	rsa := readReq(depAdv, chloe, now)
	rsa.Purpose = policy.PurposeRSA
	match := readReq(seCompany, alice, now)
	match.Purpose = policy.PurposeMatching
	return []socle.AccessRequest{
		readReq(seAdv, alice, now), readReq(capAdv, emma, now), readReq(mlAdv, farid, now),
		rsa, readReq(parAdv, bruno, now), match, search,
		readReq(par2Adv, bruno, now), readReq(mlAdv, gael, now),
	}
}

func BenchmarkDecideWarm(b *testing.B) {
	e := newEngine(b, network(), policy.Config{})
	reqs := benchRequests()
	ctx := context.Background()
	for _, r := range reqs {
		if _, err := e.Decide(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := e.Decide(ctx, reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
