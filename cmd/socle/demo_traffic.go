package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"

	"socle"
	"socle/gate"
	"socle/policy"
	"socle/progress"
)

// demoAccess is one access of the replayed day, run through the gate at
// its time.
type demoAccess struct {
	at  time.Time
	req gate.Request
	run func(ctx context.Context, g *gate.Gate, req gate.Request) error
}

// demoDayStats counts what the replayed day recorded.
type demoDayStats struct {
	Accesses, Allowed, Refused int
	Events                     uint64
}

// replayDemoDay replays a working day of access traffic through the real
// gate, so that the journal des accès of the demo is not empty: advisers
// open the files of the persons their organisation follows and search
// them by name, some try a file their organisation does not follow (and
// are refused), one breaks the glass, company advisers read companies.
// Every access is decided, explained and appended to the audit log as in
// production; only the clock is set to the time of each access. day is
// the date of the replayed day (its working hours in Paris).
func (a *app) replayDemoDay(ctx context.Context, day time.Time, seed uint64, stderr io.Writer) (demoDayStats, error) {
	var st demoDayStats
	r := rand.New(rand.NewPCG(seed, 0x50c1e))
	loc := journalZoneOf()
	start := time.Date(day.Year(), day.Month(), day.Day(), 8, 30, 0, 0, loc)
	at := func() time.Time {
		// Two peaks, mornings and early afternoons, as at an agency.
		base := start.Add(time.Duration(r.IntN(3*3600)) * time.Second)
		if r.IntN(2) == 0 {
			base = start.Add(5*time.Hour + time.Duration(r.IntN(4*3600))*time.Second)
		}
		return base.Add(time.Duration(r.IntN(1000)) * time.Millisecond)
	}
	orgs, err := a.store.Organisations(ctx, socle.OrganisationFilter{Limit: 100_000})
	if err != nil {
		return st, err
	}
	companies, err := a.store.Companies(ctx, "", 200)
	if err != nil {
		return st, err
	}
	var all []string // persons of the network, for the refused reads
	var plan []demoAccess
	advisers := 0
	for _, o := range orgs {
		agents, err := a.store.AgentsOf(ctx, o.ID)
		if err != nil {
			return st, err
		}
		followed, err := a.store.SearchPersons(ctx, socle.PersonQuery{OrganisationID: o.ID, Limit: 200}, socle.SetOf(socle.CatIdentity))
		if err != nil {
			return st, err
		}
		for _, p := range followed {
			all = append(all, p.ID)
		}
		inOrg := 0 // a few advisers of every organisation, so that every kind is seen
		for _, ag := range agents {
			actor := socle.Actor{AgentID: ag.ID, OrganisationID: o.ID, OrgKind: o.Kind, OrgName: o.Name,
				Roles: ag.Roles, Departements: o.Departements, Strength: socle.AuthMFA}
			req := func(purpose string) gate.Request {
				return gate.Request{Actor: actor, Purpose: purpose, RequestID: fmt.Sprintf("%016x", r.Uint64()),
					RemoteAddr: fmt.Sprintf("10.%d.%d.%d", r.IntN(200)+1, r.IntN(256), r.IntN(254)+1)}
			}
			switch {
			case ag.HasRole(socle.RoleAdviser) && len(followed) > 0 && inOrg < 2 && advisers < 250:
				advisers++
				inOrg++
				purpose := demoPurpose(o.Kind)
				for range r.IntN(10) + 6 {
					id := followed[r.IntN(len(followed))].ID
					plan = append(plan, demoAccess{at(), req(purpose), func(ctx context.Context, g *gate.Gate, rq gate.Request) error {
						_, _, err := g.ReadPerson(ctx, rq, id, 0)
						return err
					}})
				}
				for range r.IntN(3) + 1 {
					p := followed[r.IntN(len(followed))]
					if p.Identity == nil || len([]rune(p.Identity.FamilyName)) < 3 {
						continue
					}
					name := string([]rune(p.Identity.FamilyName)[:3])
					plan = append(plan, demoAccess{at(), req(purpose), func(ctx context.Context, g *gate.Gate, rq gate.Request) error {
						_, _, err := g.SearchPersons(ctx, rq, socle.PersonQuery{FamilyName: name})
						return err
					}})
				}
				if r.IntN(3) == 0 {
					id := followed[r.IntN(len(followed))].ID
					plan = append(plan, demoAccess{at(), req(purpose), func(ctx context.Context, g *gate.Gate, rq gate.Request) error {
						_, _, err := g.Followups(ctx, rq, id)
						return err
					}})
				}
			case ag.HasRole(socle.RoleCompanyAdviser) && len(companies) > 0:
				for range r.IntN(6) + 2 {
					id := companies[r.IntN(len(companies))].ID
					plan = append(plan, demoAccess{at(), req(policy.PurposeMatching), func(ctx context.Context, g *gate.Gate, rq gate.Request) error {
						_, _, _, err := g.ReadCompany(ctx, rq, id)
						return err
					}})
				}
			}
		}
	}
	if len(all) == 0 {
		return st, nil
	}
	// Refusals: advisers opening files their organisation does not follow
	// (a typo in a search, curiosity); and two breaks of the glass.
	var readers []demoAccess
	for _, p := range plan {
		if slices.Contains(p.req.Actor.Roles, socle.RoleAdviser) {
			readers = append(readers, p)
		}
	}
	for k := range min(len(readers)/12+1, 120) {
		rd := readers[r.IntN(len(readers))]
		id := all[r.IntN(len(all))]
		rq := rd.req
		rq.RequestID = fmt.Sprintf("%016x", r.Uint64())
		if k < 2 {
			rq.BreakGlass = "Usager reçu à l'accueil sans rendez-vous : son dossier vient d'être transféré d'une autre agence, suivi en cours de création."
		}
		plan = append(plan, demoAccess{at(), rq, func(ctx context.Context, g *gate.Gate, rq gate.Request) error {
			_, _, err := g.ReadPerson(ctx, rq, id, 0)
			return err
		}})
	}
	slices.SortFunc(plan, func(x, y demoAccess) int { return x.at.Compare(y.at) })

	before := a.audit.Size()
	clock := a.gate.Now
	defer func() { a.gate.Now = clock }()
	bar := progress.New(stderr, "accès rejoués", int64(len(plan)))
	for _, p := range plan {
		t := p.at
		a.gate.Now = func() time.Time { return t }
		err := p.run(ctx, a.gate, p.req)
		switch socle.ErrorCode(err) {
		case "":
			if err != nil {
				return st, fmt.Errorf("replaying the demo day: %w", err)
			}
			st.Allowed++
		case socle.ENOTFOUND, socle.EFORBIDDEN:
			st.Refused++
		default:
			return st, fmt.Errorf("replaying the demo day: %w", err)
		}
		st.Accesses++
		bar.Add(1)
	}
	bar.Done()
	st.Events = a.audit.Size() - before
	return st, nil
}

// demoPurpose is the purpose an adviser of an organisation of that kind
// declares for her daily work.
func demoPurpose(k socle.OrgKind) string {
	if k == socle.KindDepartement {
		return policy.PurposeRSA
	}
	return policy.PurposeAccompagnement
}

// journalZoneOf is the time zone of the demo's working day.
func journalZoneOf() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.UTC
}

// lastWorkingDay is the working day before now.
func lastWorkingDay(now time.Time) time.Time {
	d := now.AddDate(0, 0, -1)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// recordDemoDay replays the demo day and prints what it recorded.
func (a *app) recordDemoDay(ctx context.Context, stdout, stderr io.Writer) error {
	st, err := a.replayDemoDay(ctx, lastWorkingDay(time.Now()), 1, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Journée d'activité rejouée par la passerelle : %d accès (%d autorisés, %d refusés), %d événements inscrits au journal des accès.\n",
		st.Accesses, st.Allowed, st.Refused, st.Events)
	return nil
}

// replayDemoDayIn opens the platform over the store just filled by `socle
// demo` and replays the demo day through its gate.
func replayDemoDayIn(ctx context.Context, sf storeFlags, stdout, stderr io.Writer) error {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := openApp(ctx, sf, siteConfig{baseURL: defaultBaseURL("127.0.0.1:8080", false)}, logger)
	if err != nil {
		return err
	}
	if err := a.recordDemoDay(ctx, stdout, stderr); err != nil {
		a.Close()
		return err
	}
	return a.Close()
}
