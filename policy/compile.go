package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"socle"
)

// Fact kinds of the explanations. Detection and the audit log read them.
const (
	FactFollowup    = "followup"    // the organisation follows the person
	FactReferent    = "referent"    // the agent is the person's référent
	FactOrientation = "orientation" // the person was oriented to the organisation
	FactAppointment = "appointment" // the person has an appointment today with the organisation
	FactProposal    = "proposal"    // the person is proposed on an offer of the organisation
	FactTerritory   = "territory"   // the person lives in the actor's territory
	FactSituation   = "situation"   // the person's situation is one the agreement covers
	FactAgreement   = "agreement"   // the agreement rule that grants categories
	FactLookup      = "lookup"      // exact-identifier lookup, minimal card
	FactScope       = "scope"       // a search or export restricted to a population
	FactMasked      = "masked"      // categories asked but not granted
	FactCompany     = "company"     // company data, shared across the network
	FactBreakGlass  = "break_glass" // access outside the rules, flagged for review
	FactDenied      = "denied"      // why an access is refused; Detail["reason"] says which
)

// Reasons of denials, in Detail["reason"] of a FactDenied fact.
const (
	ReasonAuthStrength  = "auth_strength"
	ReasonActor         = "actor"
	ReasonNoAgreement   = "no_agreement"
	ReasonRole          = "role"
	ReasonNoRelation    = "no_relation"
	ReasonEnded         = "followup_ended"
	ReasonCategories    = "categories"
	ReasonAction        = "action"
	ReasonBreakGlass    = "break_glass"
	ReasonMissingTarget = "missing_target"
	// ReasonLookupTerritory refuses an exact-identifier lookup of a person
	// outside the actor's territory given without a reason.
	ReasonLookupTerritory = "lookup_territory"
)

// compiled is a register turned into lookup tables for the hot path: every
// text and every set a decision may need is built here, once per edit.
type compiled struct {
	reg           Register
	purposes      map[string]*purposeInfo
	byKind        map[kindPurpose][]*rule
	byOrg         map[orgPurpose][]*rule
	validPurposes string
	// masked and unwritable hold, for each set of categories, the fact that
	// says they are masked (reads) or left unchanged (writes).
	masked, unwritable [1 << 7]socle.Fact
	// noAgreement holds per kind the denial when no rule covers a purpose.
	noAgreement map[kindPurpose]socle.Fact
}

type kindPurpose struct {
	kind    socle.OrgKind
	purpose string
}

type orgPurpose struct {
	org, purpose string
}

type purposeInfo struct {
	purpose socle.Purpose
	// phrases about the purpose, precomputed
	quoted string // « Accompagnement »
}

// rule is one agreement with its precomputed role mask and explanations.
type rule struct {
	a         Agreement
	roles     roleMask // 0 means any role
	readFact  socle.Fact
	writeFact socle.Fact
	roleDeny  socle.Fact
	readDeny  socle.Fact // the person is covered but not the categories asked
	writeDeny socle.Fact
}

type roleMask uint16

// systemsBit is the pseudo-role of an organisation's information systems
// (OAuth clients): a rule with Systems set carries it, and a client's
// decisions use it as their only role.
const systemsBit roleMask = 1 << 15

// UsableBySystems reports whether a rule may be used by a client acting
// for its organisation: it says so, or it names no role at all.
func (a Agreement) UsableBySystems() bool { return a.Systems || len(a.Roles) == 0 }

// actorRoles is the role mask of an actor: a client (a system acting for
// its organisation) holds the systems pseudo-role and nothing else.
func actorRoles(actor *socle.Actor) roleMask {
	if actor.ClientID != "" && actor.AgentID == "" {
		return systemsBit
	}
	return maskOf(actor.Roles)
}

func maskOf(roles []socle.Role) roleMask {
	var m roleMask
	for _, r := range roles {
		if i := slices.Index(socle.Roles, r); i >= 0 {
			m |= 1 << i
		}
	}
	return m
}

func compile(reg Register) (*compiled, error) {
	if err := reg.Validate(); err != nil {
		return nil, err
	}
	c := &compiled{
		reg:      reg,
		purposes: make(map[string]*purposeInfo, len(reg.Purposes)),
		byKind:   make(map[kindPurpose][]*rule),
		byOrg:    make(map[orgPurpose][]*rule),
	}
	codes := make([]string, 0, len(reg.Purposes))
	for _, p := range reg.Purposes {
		c.purposes[p.Code] = &purposeInfo{purpose: p, quoted: "« " + p.Label + " »"}
		codes = append(codes, p.Code)
	}
	c.validPurposes = strings.Join(codes, ", ")
	for _, a := range reg.Agreements {
		r := &rule{a: a, roles: maskOf(a.Roles)}
		if a.Systems {
			r.roles |= systemsBit
		}
		pi := c.purposes[a.Purpose]
		owner := "de votre structure"
		if a.OrgKind != "" {
			owner = kindOwner(a.OrgKind)
		}
		convention := "La convention " + pi.quoted + " " + owner
		detail := map[string]string{
			"agreement_id": a.ID, "purpose": a.Purpose, "population": string(a.Population),
			"version": strconv.Itoa(a.Version), "register_version": strconv.Itoa(reg.Version),
			"read": a.Read.String(), "write": a.Write.String(),
		}
		r.readFact = socle.Fact{Kind: FactAgreement, Detail: detail,
			Text: convention + " autorise : " + frenchList(a.Read) + "."}
		wtext := convention + " n'autorise aucune modification."
		if a.Write != 0 {
			wtext = convention + " autorise la modification de : " + frenchList(a.Write) + "."
		}
		r.writeFact = socle.Fact{Kind: FactAgreement, Detail: detail, Text: wtext}
		roles := make([]string, 0, len(a.Roles)+1)
		for _, ro := range a.Roles {
			roles = append(roles, strings.ToLower(ro.Label()))
		}
		if a.Systems {
			roles = append(roles, "systèmes d'information de la structure")
		}
		r.roleDeny = denial(ReasonRole, map[string]string{"agreement_id": a.ID, "roles": joinRoles(a.Roles)},
			convention+" est réservée aux rôles : "+strings.Join(roles, ", ")+". Votre habilitation ne permet pas cet accès.")
		r.readDeny = denial(ReasonCategories, map[string]string{"agreement_id": a.ID},
			convention+" ne permet pas de consulter les données demandées : l'accès est refusé.")
		r.writeDeny = denial(ReasonCategories, map[string]string{"agreement_id": a.ID},
			convention+" ne permet pas de modifier les données demandées : l'accès est refusé.")
		if a.OrganisationID != "" {
			k := orgPurpose{a.OrganisationID, a.Purpose}
			c.byOrg[k] = append(c.byOrg[k], r)
		} else {
			k := kindPurpose{a.OrgKind, a.Purpose}
			c.byKind[k] = append(c.byKind[k], r)
		}
	}
	for s := range c.masked {
		set := socle.CategorySet(s)
		if set == 0 {
			continue
		}
		detail := map[string]string{"categories": set.String()}
		c.masked[s] = socle.Fact{Kind: FactMasked, Detail: detail,
			Text: "Données masquées, hors de la convention : " + frenchList(set) + "."}
		c.unwritable[s] = socle.Fact{Kind: FactMasked, Detail: detail,
			Text: "Données non modifiables, hors de la convention : " + frenchList(set) + "."}
	}
	c.noAgreement = make(map[kindPurpose]socle.Fact)
	for _, k := range socle.OrgKinds {
		for _, p := range reg.Purposes {
			c.noAgreement[kindPurpose{k, p.Code}] = denial(ReasonNoAgreement,
				map[string]string{"org_kind": string(k), "purpose": p.Code},
				"La convention "+kindOwner(k)+" ne prévoit pas la finalité « "+p.Label+" » : l'accès est refusé.")
		}
	}
	return c, nil
}

// rules returns the rules of the actor's kind and of her own organisation
// for the purpose. The common case, no organisation-specific rule, does not
// allocate.
func (c *compiled) rules(kind socle.OrgKind, org, purpose string) []*rule {
	byKind := c.byKind[kindPurpose{kind, purpose}]
	if len(c.byOrg) == 0 {
		return byKind
	}
	byOrg := c.byOrg[orgPurpose{org, purpose}]
	if len(byOrg) == 0 {
		return byKind
	}
	return append(slices.Clip(byKind), byOrg...)
}

func joinRoles(rs []socle.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// kindOwner names the organisations of a kind as the complement of « la
// convention … ».
func kindOwner(k socle.OrgKind) string {
	switch k {
	case socle.KindEmploymentService:
		return "du service public de l'emploi"
	case socle.KindDisability:
		return "des opérateurs handicap"
	case socle.KindYouth:
		return "des missions locales"
	case socle.KindDepartement:
		return "des départements"
	case socle.KindPartner:
		return "des partenaires"
	}
	return "des structures « " + string(k) + " »"
}

// frenchList renders categories in lower case, "identité, coordonnées, parcours".
func frenchList(s socle.CategorySet) string {
	parts := make([]string, 0, len(socle.Categories))
	for _, c := range s.List() {
		parts = append(parts, strings.ToLower(c.Label()))
	}
	if len(parts) == 0 {
		return "aucune donnée"
	}
	return strings.Join(parts, ", ")
}

func denial(reason string, detail map[string]string, text string) socle.Fact {
	if detail == nil {
		detail = map[string]string{}
	}
	detail["reason"] = reason
	return socle.Fact{Kind: FactDenied, Detail: detail, Text: text}
}

// relView is the Relations of one person for one organisation and day,
// turned into what decisions need, explanations included. It is shared by
// every decision that hits the cache and never modified.
type relView struct {
	departement string
	situation   socle.Situation
	// related holds the facts that put the person in the organisation's
	// followed population: open follow-ups, appointments of the day.
	related []socle.Fact
	// oriented holds the fact of an orientation designating the organisation.
	oriented []socle.Fact
	// referents are the référents of the active follow-ups, with their fact.
	referents     []string
	referentFacts []socle.Fact
	ended         *socle.Fact
	proposals     []socle.Fact
	territory     socle.Fact
	situationFact socle.Fact
}

func newRelView(rel socle.Relations, org string, day socle.Date, loc *time.Location) *relView {
	v := &relView{departement: rel.Departement, situation: rel.Situation}
	var lastEnded *socle.RelationFollowup
	for i := range rel.Followups {
		f := &rel.Followups[i]
		if f.OrganisationID != org || (!f.Start.IsZero() && day.Before(f.Start)) {
			continue
		}
		if !f.End.IsZero() && day.After(f.End) {
			if lastEnded == nil || f.End.After(lastEnded.End) {
				lastEnded = f
			}
			continue
		}
		name := orgName(f.OrganisationName)
		text := name + " suit cette personne."
		if !f.Start.IsZero() {
			text = name + " suit cette personne depuis le " + f.Start.French() + "."
		}
		v.related = append(v.related, socle.Fact{Kind: FactFollowup, Text: text, Detail: map[string]string{
			"followup_id": f.ID, "organisation_id": f.OrganisationID, "agent_id": f.AgentID,
			"start": f.Start.String(), "end": f.End.String(),
		}})
		if f.AgentID != "" && !slices.Contains(v.referents, f.AgentID) {
			v.referents = append(v.referents, f.AgentID)
			v.referentFacts = append(v.referentFacts, socle.Fact{Kind: FactReferent,
				Text:   "Vous êtes le référent de cette personne.",
				Detail: map[string]string{"followup_id": f.ID, "agent_id": f.AgentID}})
		}
	}
	if lastEnded != nil && len(v.related) == 0 {
		d := denial(ReasonEnded, map[string]string{"followup_id": lastEnded.ID, "organisation_id": lastEnded.OrganisationID,
			"end": lastEnded.End.String()},
			"L'accompagnement de cette personne par "+orgName(lastEnded.OrganisationName)+" a pris fin le "+
				lastEnded.End.French()+" : l'accès est refusé.")
		v.ended = &d
	}
	if o := rel.Orientation; o != nil && o.OrganisationID == org &&
		(o.Status == socle.OrientationStatusProposed || o.Status == socle.OrientationStatusConfirmed) {
		text := "Cette personne a été orientée vers " + orgName(o.OrganisationName)
		if !o.Decided.IsZero() {
			text += " le " + o.Decided.French()
		}
		if o.Parcours != "" {
			text += " (parcours " + o.Parcours + ")"
		}
		v.oriented = append(v.oriented, socle.Fact{Kind: FactOrientation, Text: text + ".", Detail: map[string]string{
			"orientation_id": o.OrientationID, "organisation_id": o.OrganisationID, "status": o.Status,
			"parcours": o.Parcours, "decided": o.Decided.String(),
		}})
	}
	for _, r := range rel.OrientationRequests {
		if r.ToOrganisationID != org {
			continue
		}
		// Until its answer: the request puts the person in the oriented
		// population of the receiving structure, and names itself. Its kind
		// is an orientation's, which detection counts as an explanation.
		v.oriented = append(v.oriented, socle.Fact{Kind: FactOrientation,
			Text: "Une demande d'orientation de " + orgName(r.FromOrganisationName) + " vers votre structure est ouverte depuis le " +
				r.Sent.French() + " (réponse attendue au plus tard le " + r.Deadline.French() + ") : vous consultez ce qui est utile pour y répondre, jusqu'à votre réponse.",
			Detail: map[string]string{"orientation_request_id": r.RequestID, "sent": r.Sent.String(), "deadline": r.Deadline.String()}})
	}
	for _, a := range rel.Appointments {
		if a.OrganisationID != org {
			continue
		}
		t := a.Start.In(loc)
		v.related = append(v.related, socle.Fact{Kind: FactAppointment,
			Text: fmt.Sprintf("Cette personne a rendez-vous avec votre structure aujourd'hui à %d h %02d.", t.Hour(), t.Minute()),
			Detail: map[string]string{"event_id": a.EventID, "organisation_id": a.OrganisationID, "agent_id": a.AgentID,
				"start": a.Start.Format(time.RFC3339)}})
	}
	for _, p := range rel.Proposals {
		if p.OrganisationID != org || p.Status == "refusee" {
			continue
		}
		text := "Cette personne est proposée sur l'offre « " + p.OfferTitle + " »"
		if p.CompanyName != "" {
			text += " de " + p.CompanyName
		}
		if !p.Since.IsZero() {
			text += " depuis le " + p.Since.French()
		}
		v.proposals = append(v.proposals, socle.Fact{Kind: FactProposal, Text: text + ", offre suivie par votre structure.",
			Detail: map[string]string{"match_id": p.MatchID, "offer_id": p.OfferID, "organisation_id": p.OrganisationID,
				"status": p.Status, "since": p.Since.String()}})
	}
	if rel.Departement != "" {
		v.territory = socle.Fact{Kind: FactTerritory, Detail: map[string]string{"departement": rel.Departement},
			Text: "Cette personne réside dans le département " + rel.Departement + ", qui relève de votre territoire."}
	}
	if rel.Situation != "" {
		v.situationFact = socle.Fact{Kind: FactSituation, Detail: map[string]string{"situation": string(rel.Situation)},
			Text: "Cette personne a la situation « " + rel.Situation.Label() + " »."}
	}
	return v
}

func orgName(name string) string {
	if name == "" {
		return "Votre structure"
	}
	return name
}
