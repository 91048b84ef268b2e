package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"socle"
	"socle/gate"
	"socle/policy"
	"socle/store/sqlstore"
)

func init() {
	benchmarks["policy"] = benchmark{"policy decisions/s and latency, warm and cold; search among followed persons", runBenchPolicy}
}

// policyBenchResult is the JSON line of `socle bench policy`: the warm
// figures of policy.Bench, then the cold decision latency (relations read
// from the store for every decision) and the gate-level search latency
// (decision, store query, audit append).
type policyBenchResult struct {
	Benchmark       string  `json:"benchmark"`
	Persons         int     `json:"persons"`
	Decisions       int     `json:"decisions"`
	DecisionsPerSec float64 `json:"decisions_per_sec"`
	P50us           float64 `json:"p50_us"`
	P99us           float64 `json:"p99_us"`
	ColdDecisions   int     `json:"cold_decisions"`
	ColdP50us       float64 `json:"cold_p50_us"`
	ColdP99us       float64 `json:"cold_p99_us"`
	Searches        int     `json:"searches"`
	SearchP50us     float64 `json:"search_p50_us"`
	SearchP99us     float64 `json:"search_p99_us"`
	Store           string  `json:"store"`
}

func runBenchPolicy(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("bench policy", "bench policy [--data DIR | --db postgres://…] [--persons N] [--decisions N] [--searches N]\n\n"+
		"Without --data or --db, a demo network of --persons persons is generated in a temporary SQLite\n"+
		"directory (the issue's 1M-person figures need --persons 1000000, about two minutes to generate).\n"+
		"An empty --data directory or database is filled the same way and kept.", stdout)
	var sf storeFlags
	fs.StringVar(&sf.data, "data", "", "data directory of a SQLite store (a fresh temporary one when empty)")
	fs.StringVar(&sf.db, "db", "", "PostgreSQL URL (keys from --data)")
	persons := fs.Int("persons", 100_000, "persons of the demo network generated into an empty store")
	decisions := fs.Int("decisions", 1_000_000, "warm decisions measured")
	searches := fs.Int("searches", 2_000, "searches measured (and cold decisions: 10 times as many, at most --decisions)")
	if err := parse(fs, args, stdout); err != nil {
		return err
	}
	if *persons < 1 || *decisions < 1 || *searches < 1 {
		return usagef("bench policy: --persons, --decisions and --searches must be positive")
	}
	a, closeApp, err := openBenchApp(ctx, "policy", sf, siteConfig{baseURL: "http://localhost"}, *persons, stderr)
	if err != nil {
		return err
	}
	defer closeApp()
	n, err := a.store.CountPersons(ctx)
	if err != nil {
		return err
	}
	res, err := benchPolicy(ctx, a, *decisions, *searches)
	if err != nil {
		return err
	}
	res.Persons, res.Store = n, a.store.Dialect().Name
	return json.NewEncoder(stdout).Encode(res)
}

// benchCase is one access of the benchmark: an agent, a person her
// organisation follows, and the prefix of the person's family name.
type benchCase struct {
	actor  socle.Actor
	person string
	prefix string
}

// benchCases samples followed persons and their référents (or another
// adviser of the organisation) from the store.
func benchCases(ctx context.Context, a *app, want int) ([]benchCase, error) {
	var out []benchCase
	orgs := map[string]*socle.Organisation{}
	agents := map[string][]*socle.Agent{}
	for c := 'a'; c <= 'z' && len(out) < want; c++ {
		found, err := a.store.SearchPersons(ctx, socle.PersonQuery{FamilyName: string(c), Limit: 200}, socle.SetOf(socle.CatIdentity))
		if err != nil {
			return nil, err
		}
		for _, p := range found {
			fs, err := a.store.Followups(ctx, p.ID)
			if err != nil {
				return nil, err
			}
			i := slices.IndexFunc(fs, func(f *socle.Followup) bool { return f.End.IsZero() })
			if i < 0 {
				continue
			}
			f := fs[i]
			org := orgs[f.OrganisationID]
			if org == nil {
				if org, err = a.store.Organisation(ctx, f.OrganisationID); err != nil {
					return nil, err
				}
				orgs[f.OrganisationID] = org
				if agents[org.ID], err = a.store.AgentsOf(ctx, org.ID); err != nil {
					return nil, err
				}
			}
			var agent *socle.Agent
			for _, ag := range agents[org.ID] {
				if ag.ID == f.AgentID || (agent == nil && ag.HasRole(socle.RoleAdviser)) {
					agent = ag
				}
			}
			if agent == nil {
				continue
			}
			name := []rune(sqlstore.NormalizeName(p.Identity.FamilyName))
			out = append(out, benchCase{
				actor: socle.Actor{AgentID: agent.ID, OrganisationID: org.ID, OrgKind: org.Kind, OrgName: org.Name,
					Roles: agent.Roles, Departements: org.Departements, Strength: socle.AuthMFA},
				person: p.ID, prefix: string(name[:min(2, len(name))]),
			})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("bench policy: the store holds no followed person with an adviser")
	}
	return out, nil
}

func benchPolicy(ctx context.Context, a *app, decisions, searches int) (policyBenchResult, error) {
	cases, err := benchCases(ctx, a, 5000)
	if err != nil {
		return policyBenchResult{}, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	purposes := []string{policy.PurposeAccompagnement, policy.PurposeAccompagnement, policy.PurposeMatching, policy.PurposeOrientation}
	reqs := make([]socle.AccessRequest, 0, 2*len(cases))
	for i, c := range cases {
		req := socle.AccessRequest{Actor: c.actor, Action: socle.ActionRead, Purpose: purposes[i%len(purposes)],
			Resource: socle.Resource{Kind: socle.ResourcePerson, ID: c.person}}
		reqs = append(reqs, req)
		// One in four asks about someone else's person: mostly denials.
		if i%4 == 3 {
			req.Resource.ID = cases[rng.IntN(len(cases))].person
			reqs = append(reqs, req)
		}
	}
	rng.Shuffle(len(reqs), func(i, j int) { reqs[i], reqs[j] = reqs[j], reqs[i] })

	warm, err := policy.Bench(ctx, a.policy, reqs, decisions)
	if err != nil {
		return policyBenchResult{}, err
	}

	// Cold: the cached relations of the person are dropped before each
	// decision, so that every one reads its facts from the store.
	cold := make([]time.Duration, min(10*searches, decisions))
	for i := range cold {
		req := reqs[rng.IntN(len(reqs))]
		a.policy.Invalidate(req.Resource.ID)
		t0 := time.Now()
		if _, err := a.policy.Decide(ctx, req); err != nil {
			return policyBenchResult{}, fmt.Errorf("bench policy: cold decision: %w", err)
		}
		cold[i] = time.Since(t0)
	}

	// Search: an adviser looks for a person she follows by the first two
	// letters of the family name, through the whole gate.
	lat := make([]time.Duration, searches)
	for i := range lat {
		c := cases[rng.IntN(len(cases))]
		req := gate.Request{Actor: c.actor, Purpose: policy.PurposeAccompagnement, RequestID: fmt.Sprintf("bench-%d", i)}
		t0 := time.Now()
		if _, _, err := a.gate.SearchPersons(ctx, req, socle.PersonQuery{FamilyName: c.prefix, Limit: 20}); err != nil {
			return policyBenchResult{}, fmt.Errorf("bench policy: search: %w", err)
		}
		lat[i] = time.Since(t0)
	}
	c50, c99 := percentiles(cold)
	s50, s99 := percentiles(lat)
	return policyBenchResult{
		Benchmark: "policy", Decisions: warm.Decisions, DecisionsPerSec: math.Round(warm.DecisionsPerSec),
		P50us: us(warm.P50), P99us: us(warm.P99),
		ColdDecisions: len(cold), ColdP50us: us(c50), ColdP99us: us(c99),
		Searches: len(lat), SearchP50us: us(s50), SearchP99us: us(s99),
	}, nil
}

func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	slices.Sort(d)
	return d[(len(d)-1)*50/100], d[(len(d)-1)*99/100]
}

func us(d time.Duration) float64 { return math.Round(float64(d)/1e3*1000) / 1000 }
