package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	_ "time/tzdata" // the civil day of a decision is French whatever the host's zone files
	"unicode/utf8"

	"socle"
)

// MinJustification is the minimum length, in characters, of a break-the-glass
// justification.
const MinJustification = 20

// breakGlassSet is what breaking the glass may ever give: never health,
// justice or bank data.
var breakGlassSet = socle.SetOf(socle.CatIdentity, socle.CatContact, socle.CatParcours)

// companySet is what a company record holds: the establishment and its
// contacts' coordinates.
var companySet = socle.SetOf(socle.CatIdentity, socle.CatContact)

// Config tunes an Engine. The zero Config is usable.
type Config struct {
	// CacheSize bounds the relation cache, in (organisation, person, day)
	// entries; 0 means 100,000.
	CacheSize int
	// CacheTTL bounds how long a relation stays cached when no write
	// invalidates it (another instance may write); 0 means one minute.
	CacheTTL time.Duration
	// Location gives the civil day of a decision (follow-up dates,
	// appointments of the day); nil means Europe/Paris.
	Location *time.Location
	// Now is the clock, for requests without a time and for the cache TTL;
	// nil means time.Now.
	Now func() time.Time
}

// Engine is the policy engine: it implements socle.Policy over a register
// of purposes and agreements and the relations that Facts supplies.
// It denies by default. An Engine is safe for concurrent use.
type Engine struct {
	facts Facts
	table atomic.Pointer[compiled]
	cache *relCache
	loc   *time.Location
	now   func() time.Time
}

var _ socle.Policy = (*Engine)(nil)

// NewEngine returns an engine applying reg, which must be valid.
func NewEngine(facts Facts, reg Register, cfg Config) (*Engine, error) {
	if facts == nil {
		return nil, fmt.Errorf("policy: nil Facts")
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = 100_000
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = time.Minute
	}
	if cfg.Location == nil {
		loc, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			return nil, fmt.Errorf("policy: loading Europe/Paris: %w", err)
		}
		cfg.Location = loc
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	e := &Engine{facts: facts, cache: newRelCache(cfg.CacheSize, int64(cfg.CacheTTL)), loc: cfg.Location, now: cfg.Now}
	if err := e.SetRegister(reg); err != nil {
		return nil, err
	}
	return e, nil
}

// SetRegister validates reg and applies it to every later decision.
func (e *Engine) SetRegister(reg Register) error {
	c, err := compile(reg)
	if err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	e.table.Store(c)
	return nil
}

// Register returns the register in force.
func (e *Engine) Register() Register { return e.table.Load().reg }

// Purposes returns the purposes of the register in force.
func (e *Engine) Purposes() []socle.Purpose { return slices.Clone(e.table.Load().reg.Purposes) }

// Invalidate forgets the cached relations of a person. Call it after every
// write that changes them: follow-up, orientation, appointment, match,
// address or situation.
func (e *Engine) Invalidate(personID string) { e.cache.invalidate(personID) }

// InvalidateAll forgets every cached relation (an organisation renamed, a
// bulk import).
func (e *Engine) InvalidateAll() { e.cache.invalidateAll() }

// Decide answers one access request. It returns an error only for a
// malformed request (EINVALID: no purpose, unknown purpose, action or
// resource kind), an unauthenticated actor (EUNAUTHENTICATED) or a failure
// of Facts; every other answer is a Decision, allowed or denied, with its
// explanation.
//
// A request that names no category asks for the whole record; the decision
// grants the part the agreements allow. A search or an export without a
// resource identifier is over a population (see Scope); a search with one
// is an exact-identifier lookup.
//
// The Detail maps of the returned facts are shared between decisions and
// must not be modified.
func (e *Engine) Decide(ctx context.Context, req socle.AccessRequest) (socle.Decision, error) {
	c := e.table.Load()
	if req.Purpose == "" {
		return socle.Decision{}, socle.Errorf(socle.EINVALID, "purpose required: declare the purpose of this access (valid purposes: %s)", c.validPurposes)
	}
	pi := c.purposes[req.Purpose]
	if pi == nil {
		return socle.Decision{}, socle.Errorf(socle.EINVALID, "unknown purpose %q (valid purposes: %s)", req.Purpose, c.validPurposes)
	}
	switch req.Action {
	case socle.ActionRead, socle.ActionSearch, socle.ActionCreate, socle.ActionUpdate, socle.ActionExport:
	default:
		return socle.Decision{}, socle.Errorf(socle.EINVALID, "unknown action %q (valid: read, search, create, update, export)", req.Action)
	}
	if req.Resource.Kind != socle.ResourcePerson && req.Resource.Kind != socle.ResourceCompany {
		return socle.Decision{}, socle.Errorf(socle.EINVALID, "unknown resource kind %q (valid: person, company)", req.Resource.Kind)
	}
	if (req.Action == socle.ActionRead || req.Action == socle.ActionUpdate) && req.Resource.ID == "" {
		return socle.Decision{}, socle.Errorf(socle.EINVALID, "%s needs the identifier of the resource", req.Action)
	}
	actor := &req.Actor
	if !actor.Authenticated() {
		return socle.Decision{}, socle.Errorf(socle.EUNAUTHENTICATED, "authentication required")
	}
	if actor.Strength < socle.AuthClient {
		return deny(factAuthStrength), nil
	}
	if actor.AgentID == "" && actor.ClientID == "" {
		return deny(factNotAgent), nil
	}
	if actor.OrganisationID == "" {
		return deny(factNoOrganisation), nil
	}

	rules := c.rules(actor.OrgKind, actor.OrganisationID, req.Purpose)
	if len(rules) == 0 {
		f, ok := c.noAgreement[kindPurpose{actor.OrgKind, req.Purpose}]
		if !ok {
			f = denial(ReasonNoAgreement, map[string]string{"org_kind": string(actor.OrgKind), "purpose": req.Purpose},
				"Aucune convention de votre structure ne prévoit la finalité "+pi.quoted+" : l'accès est refusé.")
		}
		return breakGlass(req, c, f)
	}
	roles := actorRoles(actor)
	var roleDenied *rule
	usable := 0
	for _, r := range rules {
		if r.roles == 0 || r.roles&roles != 0 {
			usable++
		} else if roleDenied == nil {
			roleDenied = r
		}
	}
	if usable == 0 {
		return breakGlass(req, c, roleDenied.roleDeny)
	}
	if req.Resource.Kind == socle.ResourceCompany {
		return decideCompany(req, pi), nil
	}
	if req.Resource.ID == "" {
		return decidePopulation(req, c, rules, roles), nil
	}
	return e.decidePerson(ctx, req, c, rules, roles)
}

// writes reports whether the action changes data, and so is granted by the
// Write categories of agreements.
func writes(a socle.Action) bool { return a == socle.ActionCreate || a == socle.ActionUpdate }

func asked(req *socle.AccessRequest) socle.CategorySet {
	if req.Categories == 0 {
		return socle.AllCategories // nothing named means the whole record, less what is masked
	}
	return req.Categories & socle.AllCategories
}

func usableBy(r *rule, roles roleMask) bool { return r.roles == 0 || r.roles&roles != 0 }

// decidePerson decides an access to one person's record.
func (e *Engine) decidePerson(ctx context.Context, req socle.AccessRequest, c *compiled, rules []*rule, roles roleMask) (socle.Decision, error) {
	actor := &req.Actor
	t := req.Time
	if t.IsZero() {
		t = e.now()
	}
	y, m, d := t.In(e.loc).Date()
	day := socle.NewDate(y, m, d)
	view, err := e.view(ctx, actor.OrganisationID, req.Resource.ID, day, int64(y)*10000+int64(m)*100+int64(d))
	if err != nil {
		return socle.Decision{}, err
	}

	want := asked(&req)
	write := writes(req.Action)
	var (
		grant      socle.CategorySet
		covered    *rule // a rule covers the person but not the categories asked
		pops       uint8 // populations that contributed
		situations bool  // a contributing rule is restricted by situation
		nFacts     int
	)
	inTerritory := view.departement != "" && slices.Contains(actor.Departements, view.departement)
	for _, r := range rules {
		if !usableBy(r, roles) {
			continue
		}
		pop := popBit(r.a.Population)
		if !view.covers(r, pop, inTerritory) {
			continue
		}
		cats := r.a.Read
		if write {
			cats = r.a.Write
		}
		if cats&want == 0 {
			if covered == nil {
				covered = r
			}
			continue
		}
		grant |= cats & want
		pops |= pop
		situations = situations || len(r.a.Situations) > 0
		nFacts++
	}

	lookup := false
	if grant == 0 && req.Action == socle.ActionSearch {
		// Outside its population, an organisation finds a person only by
		// an exact identifier, and sees a minimal card.
		for _, r := range rules {
			if usableBy(r, roles) && r.a.Population == socle.PopulationLookup && r.a.Read&want != 0 {
				grant |= r.a.Read & want
				nFacts++
				lookup = true
			}
		}
		if lookup && !inTerritory {
			// What an agreement needs is the persons of its territory:
			// beyond it, a lookup needs a reason, recorded and flagged
			// like a break-the-glass justification, for the lookup's
			// minimal card only.
			req.Categories = grant
			return breakGlass(req, c, factLookupOutside)
		}
	}
	if grant == 0 {
		f := factNoRelation
		switch {
		case covered != nil && write:
			f = covered.writeDeny
		case covered != nil:
			f = covered.readDeny
		case view.ended != nil:
			f = *view.ended
		}
		return breakGlass(req, c, f)
	}

	if pops&popFollowed != 0 {
		nFacts += len(view.related) + 1
	}
	if pops&popProposed != 0 {
		nFacts += len(view.proposals)
	}
	if pops&popOriented != 0 {
		nFacts += len(view.oriented)
	}
	facts := make([]socle.Fact, 0, nFacts+3)
	referent := false
	if pops&popFollowed != 0 {
		facts = append(facts, view.related...)
		if i := slices.Index(view.referents, actor.AgentID); i >= 0 && actor.AgentID != "" {
			facts = append(facts, view.referentFacts[i])
			referent = true
		}
	}
	if pops&popTerritory != 0 {
		facts = append(facts, view.territory)
	}
	if situations {
		facts = append(facts, view.situationFact)
	}
	if pops&popOriented != 0 {
		facts = append(facts, view.oriented...)
	}
	if pops&popProposed != 0 {
		facts = append(facts, view.proposals...)
	}
	if lookup {
		facts = append(facts, factLookup)
	}
	for _, r := range rules {
		if !usableBy(r, roles) {
			continue
		}
		if lookup != (r.a.Population == socle.PopulationLookup) {
			continue
		}
		if !lookup && !view.covers(r, pops&popBit(r.a.Population), inTerritory) {
			continue
		}
		if write {
			if r.a.Write&want != 0 {
				facts = append(facts, r.writeFact)
			}
		} else if r.a.Read&want != 0 {
			facts = append(facts, r.readFact)
		}
	}
	if rest := want &^ grant; rest != 0 {
		if write {
			facts = append(facts, c.unwritable[rest])
		} else {
			facts = append(facts, c.masked[rest])
		}
	}
	dec := socle.Decision{Allow: true, Categories: grant, Facts: facts, Populations: populations(pops), Referent: referent}
	if lookup {
		dec.Populations = []socle.Population{socle.PopulationLookup}
	}
	return dec, nil
}

// covers reports whether the person is in the population of rule r, pop
// being the rule's population bit (0 when already known not to apply).
func (v *relView) covers(r *rule, pop uint8, inTerritory bool) bool {
	var in bool
	switch pop {
	case popFollowed:
		in = len(v.related) > 0
	case popTerritory:
		in = inTerritory
	case popOriented:
		in = len(v.oriented) > 0
	case popProposed:
		in = len(v.proposals) > 0
	}
	return in && (len(r.a.Situations) == 0 || slices.Contains(r.a.Situations, v.situation))
}

// decidePopulation decides a request about no one person: a search or an
// export over the organisation's population, or the creation of a record.
// The caller must restrict the query to the populations named by the
// FactScope facts (see Scope).
func decidePopulation(req socle.AccessRequest, c *compiled, rules []*rule, roles roleMask) socle.Decision {
	want := asked(&req)
	write := writes(req.Action)
	var grant socle.CategorySet
	var pops uint8
	n := 0
	for _, r := range rules {
		if !usableBy(r, roles) {
			continue
		}
		switch r.a.Population {
		case socle.PopulationLookup:
			continue // a lookup needs the exact identifier
		case PopulationProposed:
			if write {
				continue
			}
		}
		cats := r.a.Read
		if write {
			cats = r.a.Write
		}
		if cats&want == 0 {
			continue
		}
		grant |= cats & want
		n++
		pops |= popBit(r.a.Population)
	}
	if grant == 0 {
		if write {
			return deny(factNoWrite)
		}
		return deny(factNoSearch)
	}
	facts := make([]socle.Fact, 0, n+4)
	if !write {
		for i, f := range scopeFacts {
			if pops&(1<<i) != 0 {
				facts = append(facts, f)
			}
		}
	}
	for _, r := range rules {
		if !usableBy(r, roles) || r.a.Population == socle.PopulationLookup {
			continue
		}
		if write && r.a.Population != PopulationProposed && r.a.Write&want != 0 {
			facts = append(facts, r.writeFact)
		} else if !write && r.a.Read&want != 0 {
			facts = append(facts, r.readFact)
		}
	}
	if rest := want &^ grant; rest != 0 {
		if write {
			facts = append(facts, c.unwritable[rest])
		} else {
			facts = append(facts, c.masked[rest])
		}
	}
	d := socle.Decision{Allow: true, Categories: grant, Facts: facts}
	if !write {
		d.Populations, d.Situations = populations(pops), territorySituations(rules, roles, want)
	}
	return d
}

// populations lists the populations of the bits pops, in the order of
// scopeFacts.
func populations(pops uint8) []socle.Population {
	var out []socle.Population
	for i, p := range []socle.Population{socle.PopulationFollowed, socle.PopulationTerritory, PopulationProposed, PopulationOriented} {
		if pops&(1<<i) != 0 {
			out = append(out, p)
		}
	}
	return out
}

// territorySituations are the situations the territory rules that grant
// some of want cover: nil when one of them covers any situation.
func territorySituations(rules []*rule, roles roleMask, want socle.CategorySet) []socle.Situation {
	var out []socle.Situation
	for _, r := range rules {
		if !usableBy(r, roles) || r.a.Population != socle.PopulationTerritory || r.a.Read&want == 0 {
			continue
		}
		if len(r.a.Situations) == 0 {
			return nil
		}
		for _, s := range r.a.Situations {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// decideCompany decides an access to a company record: establishments and
// their contacts are shared by the network for the purposes an organisation
// holds an agreement for.
func decideCompany(req socle.AccessRequest, pi *purposeInfo) socle.Decision {
	grant := asked(&req) & companySet
	if grant == 0 {
		return deny(factCompanyCategories)
	}
	return socle.Decision{Allow: true, Categories: grant, Facts: []socle.Fact{{
		Kind:   FactCompany,
		Detail: map[string]string{"purpose": pi.purpose.Code, "company_id": req.Resource.ID},
		Text:   "Les fiches entreprises et leurs contacts sont partagés par le réseau pour la finalité " + pi.quoted + ".",
	}}}
}

// breakGlass turns a denial into an exceptional access when the request
// carries a written justification and every condition holds; otherwise it
// returns the denial, with why breaking the glass was refused.
func breakGlass(req socle.AccessRequest, c *compiled, denied socle.Fact) (socle.Decision, error) {
	justification := strings.TrimSpace(req.BreakGlass)
	if justification == "" {
		return deny(denied), nil
	}
	refuse := func(text string) (socle.Decision, error) {
		return socle.Decision{Facts: []socle.Fact{denied, denial(ReasonBreakGlass, nil, text)}}, nil
	}
	actor := &req.Actor
	switch {
	case actor.AgentID == "" || actor.Strength < socle.AuthMFA:
		return refuse("Le bris de glace est réservé aux agents connectés avec un second facteur.")
	case utf8.RuneCountInString(justification) < MinJustification:
		return refuse(fmt.Sprintf("La justification du bris de glace doit compter au moins %d caractères.", MinJustification))
	case req.Resource.Kind != socle.ResourcePerson || req.Resource.ID == "" ||
		(req.Action != socle.ActionRead && req.Action != socle.ActionSearch):
		return refuse("Le bris de glace permet seulement de consulter la fiche d'une personne désignée.")
	}
	want := asked(&req)
	grant := want & breakGlassSet
	if grant == 0 {
		return refuse("Le bris de glace ne donne jamais accès aux données de santé, de justice ni aux coordonnées bancaires.")
	}
	facts := make([]socle.Fact, 0, 2)
	facts = append(facts, socle.Fact{
		Kind: FactBreakGlass,
		Detail: map[string]string{"agent_id": actor.AgentID, "organisation_id": actor.OrganisationID,
			"person_id": req.Resource.ID, "justification": justification, "denial": denied.Detail["reason"]},
		Text: "Accès exceptionnel hors convention (bris de glace), justifié par : « " + justification +
			" ». Cet accès est signalé pour examen au délégué à la protection des données.",
	})
	if rest := want &^ grant; rest != 0 {
		facts = append(facts, c.masked[rest])
	}
	return socle.Decision{Allow: true, Categories: grant, Facts: facts, BreakGlass: true}, nil
}

// view returns the relations of a person for an organisation and day, from
// the cache or from Facts.
func (e *Engine) view(ctx context.Context, org, person string, day socle.Date, dayKey int64) (*relView, error) {
	now := e.now().UnixNano()
	v, gen := e.cache.get(org, person, dayKey, now)
	if v != nil {
		return v, nil
	}
	rel, err := e.facts.Relations(ctx, org, person, day)
	if err != nil {
		return nil, fmt.Errorf("policy: relations of person %s with organisation %s: %w", person, org, err)
	}
	v = newRelView(rel, org, day, e.loc)
	e.cache.put(org, person, dayKey, now, gen, v)
	return v, nil
}

// Population bits, in the order of scopeFacts.
const (
	popFollowed uint8 = 1 << iota
	popTerritory
	popProposed
	popOriented
)

func popBit(p socle.Population) uint8 {
	switch p {
	case socle.PopulationFollowed:
		return popFollowed
	case socle.PopulationTerritory:
		return popTerritory
	case PopulationProposed:
		return popProposed
	case PopulationOriented:
		return popOriented
	}
	return 0
}

func deny(f socle.Fact) socle.Decision { return socle.Decision{Facts: []socle.Fact{f}} }

// Explanations that depend on nothing but the rule that failed.
var (
	factAuthStrength = denial(ReasonAuthStrength, nil,
		"Une connexion par mot de passe seul ne suffit pas pour accéder à des données personnelles : validez votre second facteur (code à usage unique ou clé de sécurité), puis réessayez.")
	factNotAgent = denial(ReasonActor, nil,
		"Seuls les agents et les systèmes partenaires habilités accèdent aux dossiers par cette voie.")
	factNoOrganisation = denial(ReasonActor, nil,
		"Votre compte n'est rattaché à aucune structure : l'accès est refusé.")
	factNoRelation = denial(ReasonNoRelation, nil,
		"Aucun accompagnement de votre structure ne concerne cette personne : l'accès est refusé.")
	factNoSearch = denial(ReasonNoRelation, nil,
		"Votre convention ne permet ni de rechercher ni d'extraire des personnes pour cette finalité : seule une recherche par identifiant exact est possible.")
	factNoWrite = denial(ReasonCategories, nil,
		"Votre convention ne permet pas de créer ces données pour cette finalité : l'accès est refusé.")
	factCompanyCategories = denial(ReasonCategories, nil,
		"Une fiche entreprise ne contient que l'identité de l'établissement et les coordonnées de ses contacts.")
	factLookupOutside = denial(ReasonLookupTerritory, map[string]string{"territory": "out"},
		"Cette personne ne réside pas sur le territoire de votre structure : une recherche par identifiant exact hors territoire demande un motif, consigné au journal et signalé pour examen.")
	factLookup = socle.Fact{Kind: FactLookup, Detail: map[string]string{"population": string(socle.PopulationLookup), "territory": "in"},
		Text: "Cette personne n'est pas suivie par votre structure : trouvée par son identifiant exact, elle n'apparaît que sous une fiche minimale (identité)."}
	// scopeFacts are indexed by population bit: followed, territory, proposed, oriented.
	scopeFacts = [...]socle.Fact{
		{Kind: FactScope, Detail: map[string]string{"population": string(socle.PopulationFollowed)},
			Text: "La recherche porte sur les personnes que votre structure accompagne."},
		{Kind: FactScope, Detail: map[string]string{"population": string(socle.PopulationTerritory)},
			Text: "La recherche porte sur les personnes qui résident sur votre territoire."},
		{Kind: FactScope, Detail: map[string]string{"population": string(PopulationProposed)},
			Text: "La recherche porte sur les personnes proposées sur les offres que votre structure suit."},
		{Kind: FactScope, Detail: map[string]string{"population": string(PopulationOriented)},
			Text: "La recherche porte sur les personnes orientées vers votre structure."},
	}
)

// Purpose returns the registered purpose with that code.
func (e *Engine) Purpose(code string) (socle.Purpose, bool) { return e.table.Load().reg.Purpose(code) }
