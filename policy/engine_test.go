package policy_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"socle"
	"socle/policy"
)

const justification = "Appel du SAMU social : personne hospitalisée, recherche de son conseiller."

func TestDecide(t *testing.T) {
	const (
		acc   = policy.PurposeAccompagnement
		ori   = policy.PurposeOrientation
		mer   = policy.PurposeMatching
		ind   = policy.PurposeCompensation
		ctl   = policy.PurposeControl
		stat  = policy.PurposeStatistics
		rsa   = policy.PurposeRSA
		read  = socle.ActionRead
		srch  = socle.ActionSearch
		upd   = socle.ActionUpdate
		creat = socle.ActionCreate
		exp   = socle.ActionExport
	)
	var (
		id, contact, parcours, skills = socle.CatIdentity, socle.CatContact, socle.CatParcours, socle.CatSkills
		health, justice, bank         = socle.CatHealth, socle.CatJustice, socle.CatBank
		set                           = socle.SetOf
		core                          = set(id, contact, parcours, skills)
		none                          = socle.CategorySet(0)
	)
	tests := []struct {
		name       string
		actor      socle.Actor
		action     socle.Action
		resource   socle.ResourceKind // person when empty
		person     string
		cats       socle.CategorySet // 0 asks for the whole record
		purpose    string
		breakGlass string
		allow      bool
		granted    socle.CategorySet
		fact       string // a fact kind the decision must carry
		reason     string // Detail["reason"] of the denial fact
		glass      bool
	}{
		// Public employment service.
		{name: "se adviser reads a followed person", actor: seAdv, action: read, person: alice, purpose: acc, allow: true, granted: core, fact: policy.FactFollowup},
		{name: "se referent is told so", actor: seAdv, action: read, person: alice, purpose: acc, allow: true, granted: core, fact: policy.FactReferent},
		{name: "se adviser sees what is masked", actor: seAdv2, action: read, person: alice, purpose: acc, allow: true, granted: core, fact: policy.FactMasked},
		{name: "se adviser asks health only", actor: seAdv, action: read, person: alice, cats: set(health), purpose: acc, fact: policy.FactDenied, reason: policy.ReasonCategories},
		{name: "se adviser reads a person not followed", actor: seAdv, action: read, person: david, purpose: acc, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "se adviser exact lookup outside population", actor: seAdv, action: srch, person: david, purpose: acc, allow: true, granted: set(id), fact: policy.FactLookup},
		{name: "se adviser exact lookup outside territory needs a reason", actor: seAdv, action: srch, person: hugo, purpose: acc, fact: policy.FactDenied, reason: policy.ReasonLookupTerritory},
		{name: "partner exact lookup outside territory is refused", actor: parAdv, action: srch, person: hugo, purpose: acc, fact: policy.FactDenied, reason: policy.ReasonLookupTerritory},
		{name: "se adviser exact lookup outside territory with a reason", actor: seAdv, action: srch, person: hugo, purpose: acc, breakGlass: "Demande écrite de la personne reçue en agence ce jour",
			allow: true, granted: set(id), fact: policy.FactBreakGlass, glass: true},
		{name: "se adviser search finds a followed person in full", actor: seAdv, action: srch, person: alice, cats: set(id, contact), purpose: acc, allow: true, granted: set(id, contact), fact: policy.FactFollowup},
		{name: "se adviser searches the followed population", actor: seAdv, action: srch, purpose: acc, allow: true, granted: core, fact: policy.FactScope},
		{name: "se adviser updates contact", actor: seAdv, action: upd, person: alice, cats: set(contact), purpose: acc, allow: true, granted: set(contact), fact: policy.FactAgreement},
		{name: "se adviser cannot write bank", actor: seAdv, action: upd, person: alice, cats: set(bank), purpose: acc, fact: policy.FactDenied, reason: policy.ReasonCategories},
		{name: "se adviser creates a person", actor: seAdv, action: creat, cats: set(id, contact), purpose: acc, allow: true, granted: set(id, contact), fact: policy.FactAgreement},
		{name: "se manager reads bank under indemnisation", actor: seManager, action: read, person: alice, cats: set(id, bank), purpose: ind, allow: true, granted: set(id, bank), fact: policy.FactTerritory},
		{name: "se manager bank of a person not followed, in territory", actor: seManager, action: read, person: david, cats: set(bank), purpose: ind, allow: true, granted: set(bank), fact: policy.FactAgreement},
		{name: "se manager updates bank", actor: seManager, action: upd, person: alice, cats: set(bank), purpose: ind, allow: true, granted: set(bank), fact: policy.FactAgreement},
		{name: "se manager bank outside territory", actor: seManager, action: read, person: hugo, cats: set(bank), purpose: ind, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "bank never under accompagnement", actor: seAdv, action: read, person: alice, cats: set(bank), purpose: acc, fact: policy.FactDenied, reason: policy.ReasonCategories},
		{name: "se adviser cannot use indemnisation", actor: seAdv, action: read, person: alice, cats: set(bank), purpose: ind, fact: policy.FactDenied, reason: policy.ReasonRole},
		{name: "se manager controls", actor: seManager, action: read, person: alice, purpose: ctl, allow: true, granted: set(id, contact, parcours), fact: policy.FactTerritory},
		{name: "se adviser cannot control", actor: seAdv, action: read, person: alice, purpose: ctl, fact: policy.FactDenied, reason: policy.ReasonRole},
		{name: "se adviser orientation over territory", actor: seAdv, action: read, person: david, purpose: ori, allow: true, granted: set(id, contact, parcours), fact: policy.FactTerritory},
		{name: "se statistician exports", actor: seStat, action: exp, purpose: stat, allow: true, granted: set(parcours, skills), fact: policy.FactScope},
		{name: "se statistician gets no identity", actor: seStat, action: exp, cats: set(id), purpose: stat, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "se company adviser sees a person proposed on its offer", actor: seCompany, action: read, person: alice, purpose: mer, allow: true, granted: set(id, contact, skills), fact: policy.FactProposal},
		{name: "se company adviser no health of proposed person", actor: seCompany, action: read, person: alice, cats: set(health), purpose: mer, fact: policy.FactDenied, reason: policy.ReasonCategories},
		{name: "se company adviser person not proposed", actor: seCompany, action: read, person: david, purpose: mer, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "se company adviser outside mise en relation", actor: seCompany, action: read, person: alice, purpose: acc, fact: policy.FactDenied, reason: policy.ReasonRole},
		{name: "se company adviser cannot update proposed person", actor: seCompany, action: upd, person: alice, cats: set(contact), purpose: mer, fact: policy.FactDenied, reason: policy.ReasonCategories},
		{name: "se admin reads no file", actor: seAdmin, action: read, person: alice, purpose: acc, fact: policy.FactDenied, reason: policy.ReasonRole},
		{name: "password alone is denied", actor: withStrength(seAdv, socle.AuthPassword), action: read, person: alice, purpose: acc, fact: policy.FactDenied, reason: policy.ReasonAuthStrength},
		{name: "password alone cannot break the glass", actor: withStrength(seAdv, socle.AuthPassword), action: read, person: david, purpose: acc, breakGlass: justification, fact: policy.FactDenied, reason: policy.ReasonAuthStrength},
		{name: "company record", actor: seCompany, action: read, resource: socle.ResourceCompany, person: "cmp_martin", purpose: mer, allow: true, granted: set(id, contact), fact: policy.FactCompany},
		{name: "company record health", actor: seCompany, action: read, resource: socle.ResourceCompany, person: "cmp_martin", cats: set(health), purpose: mer, fact: policy.FactDenied, reason: policy.ReasonCategories},

		// Disability-employment operator.
		{name: "cap referent reads health", actor: capAdv, action: read, person: emma, purpose: acc, allow: true, granted: core | set(health), fact: policy.FactReferent},
		{name: "cap colleague reads health", actor: capAdv2, action: read, person: emma, cats: set(health), purpose: acc, allow: true, granted: set(health), fact: policy.FactFollowup},
		{name: "cap updates health", actor: capAdv, action: upd, person: emma, cats: set(health), purpose: acc, allow: true, granted: set(health), fact: policy.FactAgreement},
		{name: "cap no health of a person not followed", actor: capAdv, action: read, person: alice, cats: set(health), purpose: acc, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "cap no justice even when following", actor: capAdv, action: read, person: emma, cats: set(justice), purpose: acc, fact: policy.FactDenied, reason: policy.ReasonCategories},
		{name: "cap designated by orientation", actor: capAdv, action: read, person: ines, purpose: ori, allow: true, granted: set(id, contact, parcours), fact: policy.FactOrientation},
		{name: "cap orientation gives no health", actor: capAdv, action: read, person: ines, cats: set(health), purpose: acc, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "cap company adviser refused match does not count", actor: capCompany, action: read, person: kim, purpose: mer, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "cap has no indemnisation", actor: capAdv, action: read, person: emma, purpose: ind, fact: policy.FactDenied, reason: policy.ReasonNoAgreement},
		{name: "cap exact lookup", actor: capAdv, action: srch, person: ines, cats: set(id, health), purpose: acc, allow: true, granted: set(id), fact: policy.FactLookup},

		// Missions locales.
		{name: "ml reads its young person", actor: mlAdv, action: read, person: farid, purpose: acc, allow: true, granted: core, fact: policy.FactFollowup},
		{name: "ml no health", actor: mlAdv, action: read, person: farid, cats: set(health), purpose: acc, fact: policy.FactDenied, reason: policy.ReasonCategories},
		{name: "ml ended follow-up no longer grants", actor: mlAdv, action: read, person: gael, purpose: acc, fact: policy.FactDenied, reason: policy.ReasonEnded},
		{name: "ml ended follow-up: exact lookup only", actor: mlAdv, action: srch, person: gael, purpose: acc, allow: true, granted: set(id), fact: policy.FactLookup},
		{name: "ml person followed by others", actor: mlAdv, action: read, person: alice, purpose: acc, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "ml yesterday's appointment does not count", actor: mlAdv, action: read, person: jules, purpose: acc, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "ml company adviser proposed person", actor: mlCompany, action: read, person: kim, purpose: mer, allow: true, granted: set(id, contact, skills), fact: policy.FactProposal},
		{name: "ml adviser matching its young person", actor: mlAdv, action: read, person: farid, purpose: mer, allow: true, granted: core, fact: policy.FactFollowup},
		{name: "ml statistician exports followed", actor: mlStat, action: exp, purpose: stat, allow: true, granted: set(parcours, skills), fact: policy.FactScope},
		{name: "ml has no control", actor: mlAdv, action: read, person: farid, purpose: ctl, fact: policy.FactDenied, reason: policy.ReasonNoAgreement},

		// Départements.
		{name: "dep RSA beneficiary it follows", actor: depAdv, action: read, person: bruno, purpose: rsa, allow: true, granted: core, fact: policy.FactSituation},
		{name: "dep RSA beneficiary of its territory", actor: depAdv, action: read, person: chloe, purpose: rsa, allow: true, granted: core, fact: policy.FactTerritory},
		{name: "dep non-RSA person not followed", actor: depAdv, action: read, person: david, purpose: rsa, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "dep RSA beneficiary outside territory", actor: depAdv, action: read, person: hugo, purpose: rsa, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "dep accompagnement of its follow-up", actor: depAdv, action: read, person: bruno, purpose: acc, allow: true, granted: core, fact: policy.FactFollowup},
		{name: "dep accompagnement of a person not followed", actor: depAdv, action: read, person: chloe, purpose: acc, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "dep exact lookup", actor: depAdv, action: srch, person: david, purpose: acc, allow: true, granted: set(id), fact: policy.FactLookup},
		{name: "dep no health of RSA beneficiary", actor: depAdv, action: read, person: bruno, cats: set(health), purpose: rsa, fact: policy.FactDenied, reason: policy.ReasonCategories},
		{name: "dep updates parcours", actor: depAdv, action: upd, person: chloe, cats: set(parcours), purpose: rsa, allow: true, granted: set(parcours), fact: policy.FactAgreement},
		{name: "dep cannot update contact under RSA", actor: depAdv, action: upd, person: chloe, cats: set(contact), purpose: rsa, fact: policy.FactDenied, reason: policy.ReasonCategories},
		{name: "dep manager controls RSA beneficiary", actor: depManager, action: read, person: chloe, purpose: ctl, allow: true, granted: set(id, contact, parcours), fact: policy.FactSituation},
		{name: "dep orientation of RSA beneficiary", actor: depAdv, action: read, person: chloe, purpose: ori, allow: true, granted: set(id, contact, parcours), fact: policy.FactTerritory},
		{name: "dep statistician exports", actor: depStat, action: exp, purpose: stat, allow: true, granted: set(parcours), fact: policy.FactScope},
		{name: "dep has no indemnisation", actor: depAdv, action: read, person: bruno, cats: set(bank), purpose: ind, fact: policy.FactDenied, reason: policy.ReasonNoAgreement},

		// Partners.
		{name: "partner reads a followed person", actor: parAdv, action: read, person: bruno, purpose: acc, allow: true, granted: core, fact: policy.FactFollowup},
		{name: "partner cannot see a person not followed", actor: parAdv, action: read, person: chloe, purpose: acc, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "other partner cannot see it either", actor: par2Adv, action: read, person: bruno, purpose: acc, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "partner no health justice bank", actor: parAdv, action: read, person: bruno, cats: set(health, justice, bank), purpose: acc, fact: policy.FactDenied, reason: policy.ReasonCategories},
		{name: "partner whole record is masked", actor: parAdv, action: read, person: bruno, purpose: acc, allow: true, granted: core, fact: policy.FactMasked},
		{name: "partner exact lookup", actor: parAdv, action: srch, person: chloe, purpose: acc, allow: true, granted: set(id), fact: policy.FactLookup},
		{name: "partner searches its followed", actor: parAdv, action: srch, purpose: acc, allow: true, granted: core, fact: policy.FactScope},
		{name: "partner appointment today", actor: parAdv, action: read, person: jules, purpose: acc, allow: true, granted: core, fact: policy.FactAppointment},
		{name: "partner follow-up not started yet", actor: parAdv, action: read, person: lea, purpose: acc, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "partner cannot write identity", actor: parAdv, action: upd, person: bruno, cats: set(id), purpose: acc, fact: policy.FactDenied, reason: policy.ReasonCategories},
		{name: "partner company adviser proposed person", actor: parCompany, action: read, person: kim, purpose: mer, allow: true, granted: set(id, contact, skills), fact: policy.FactProposal},
		{name: "partner company adviser no bank", actor: parCompany, action: read, person: kim, cats: set(bank), purpose: mer, fact: policy.FactDenied, reason: policy.ReasonCategories},
		{name: "partner has no control", actor: parAdv, action: read, person: bruno, purpose: ctl, fact: policy.FactDenied, reason: policy.ReasonNoAgreement},
		{name: "partner system is granted what an adviser is", actor: parClient, action: read, person: bruno, purpose: acc, allow: true, granted: core, fact: policy.FactFollowup},
		{name: "partner system cannot write what an adviser cannot", actor: parClient, action: upd, person: bruno, cats: set(id), purpose: acc, fact: policy.FactDenied, reason: policy.ReasonCategories},
		{name: "partner system of a person not followed", actor: parClient, action: read, person: chloe, purpose: acc, fact: policy.FactDenied, reason: policy.ReasonNoRelation},
		{name: "dep system RSA beneficiary of its territory", actor: depClient, action: read, person: chloe, purpose: rsa, allow: true, granted: core, fact: policy.FactTerritory},
		{name: "dep system has no manager's control", actor: depClient, action: read, person: chloe, purpose: ctl, fact: policy.FactDenied, reason: policy.ReasonRole},
		{name: "dep system has no statistics", actor: depClient, action: read, person: chloe, purpose: stat, fact: policy.FactDenied, reason: policy.ReasonRole},

		// Break the glass.
		{name: "break the glass", actor: seAdv, action: read, person: chloe, purpose: acc, breakGlass: justification, allow: true, granted: set(id, contact, parcours), fact: policy.FactBreakGlass, glass: true},
		{name: "break the glass never gives health", actor: capAdv, action: read, person: alice, cats: set(id, health), purpose: acc, breakGlass: justification, allow: true, granted: set(id), fact: policy.FactMasked, glass: true},
		{name: "break the glass health only", actor: capAdv, action: read, person: alice, cats: set(health, bank), purpose: acc, breakGlass: justification, fact: policy.FactDenied, reason: policy.ReasonBreakGlass},
		{name: "break the glass short justification", actor: seAdv, action: read, person: chloe, purpose: acc, breakGlass: "urgence", fact: policy.FactDenied, reason: policy.ReasonBreakGlass},
		{name: "break the glass spaces do not count", actor: seAdv, action: read, person: chloe, purpose: acc, breakGlass: "  urgent        !!    ", fact: policy.FactDenied, reason: policy.ReasonBreakGlass},
		{name: "break the glass by a partner system", actor: parClient, action: read, person: chloe, purpose: acc, breakGlass: justification, fact: policy.FactDenied, reason: policy.ReasonBreakGlass},
		{name: "break the glass to update", actor: seAdv, action: upd, person: chloe, cats: set(contact), purpose: acc, breakGlass: justification, fact: policy.FactDenied, reason: policy.ReasonBreakGlass},
		{name: "break the glass without agreement", actor: mlAdv, action: read, person: alice, purpose: ind, breakGlass: justification, allow: true, granted: set(id, contact, parcours), fact: policy.FactBreakGlass, glass: true},
		{name: "no glass to break when the rules allow", actor: seAdv, action: read, person: alice, purpose: acc, breakGlass: justification, allow: true, granted: core, fact: policy.FactFollowup},
	}
	if len(tests) < 60 {
		t.Fatalf("only %d cases", len(tests))
	}
	facts := network()
	e := newEngine(t, facts, policy.Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind := tt.resource
			if kind == "" {
				kind = socle.ResourcePerson
			}
			dec, err := e.Decide(context.Background(), socle.AccessRequest{
				Actor: tt.actor, Action: tt.action, Resource: socle.Resource{Kind: kind, ID: tt.person},
				Categories: tt.cats, Purpose: tt.purpose, BreakGlass: tt.breakGlass, Time: now,
			})
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			if dec.Allow != tt.allow {
				t.Fatalf("Allow = %v, want %v (%s)", dec.Allow, tt.allow, dec.Explanation())
			}
			want := tt.granted
			if !tt.allow {
				want = none
			}
			if dec.Categories != want {
				t.Errorf("Categories = %q, want %q", dec.Categories, want)
			}
			if dec.BreakGlass != tt.glass {
				t.Errorf("BreakGlass = %v, want %v", dec.BreakGlass, tt.glass)
			}
			// What the gate acts on is typed; the facts only say it.
			if says := slices.ContainsFunc(dec.Facts, func(f socle.Fact) bool { return f.Kind == policy.FactReferent }); dec.Referent != says {
				t.Errorf("Referent = %v, but the facts say %v", dec.Referent, says)
			}
			i := slices.IndexFunc(dec.Facts, func(f socle.Fact) bool { return f.Kind == tt.fact })
			if i < 0 {
				t.Fatalf("no %q fact in %+v", tt.fact, dec.Facts)
			}
			if tt.reason != "" {
				if got := denialReasons(dec); !slices.Contains(got, tt.reason) {
					t.Errorf("denial reasons = %v, want %q (%s)", got, tt.reason, dec.Explanation())
				}
			}
			for _, f := range dec.Facts {
				if f.Text == "" {
					t.Errorf("fact %q has no text", f.Kind)
				}
			}
		})
	}
}

func denialReasons(d socle.Decision) []string {
	var out []string
	for _, f := range d.Facts {
		if f.Kind == policy.FactDenied {
			out = append(out, f.Detail["reason"])
		}
	}
	return out
}

func TestDecideErrors(t *testing.T) {
	e := newEngine(t, network(), policy.Config{})
	base := socle.AccessRequest{Actor: seAdv, Action: socle.ActionRead,
		Resource: socle.Resource{Kind: socle.ResourcePerson, ID: alice}, Purpose: policy.PurposeAccompagnement, Time: now}
	tests := []struct {
		name    string
		edit    func(*socle.AccessRequest)
		code    string
		message string // a part of the message
	}{
		{"missing purpose", func(r *socle.AccessRequest) { r.Purpose = "" }, socle.EINVALID, "purpose required"},
		{"missing purpose lists the register", func(r *socle.AccessRequest) { r.Purpose = "" }, socle.EINVALID, "accompagnement, orientation, mise_en_relation"},
		{"unknown purpose", func(r *socle.AccessRequest) { r.Purpose = "prospection" }, socle.EINVALID, `unknown purpose "prospection"`},
		{"unknown purpose lists the register", func(r *socle.AccessRequest) { r.Purpose = "prospection" }, socle.EINVALID, "insertion_rsa"},
		{"unknown action", func(r *socle.AccessRequest) { r.Action = "delete" }, socle.EINVALID, "unknown action"},
		{"unknown resource", func(r *socle.AccessRequest) { r.Resource.Kind = "audit" }, socle.EINVALID, "unknown resource kind"},
		{"read without id", func(r *socle.AccessRequest) { r.Resource.ID = "" }, socle.EINVALID, "identifier"},
		{"unauthenticated", func(r *socle.AccessRequest) { r.Actor = socle.Actor{} }, socle.EUNAUTHENTICATED, "authentication"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := base
			tt.edit(&req)
			_, err := e.Decide(context.Background(), req)
			if got := socle.ErrorCode(err); got != tt.code {
				t.Fatalf("code = %q, want %q (err %v)", got, tt.code, err)
			}
			if msg := socle.ErrorMessage(err); !strings.Contains(msg, tt.message) {
				t.Errorf("message %q does not contain %q", msg, tt.message)
			}
		})
	}
}

func TestDecideFactsError(t *testing.T) {
	facts := network()
	facts.err = errStore
	e := newEngine(t, facts, policy.Config{})
	_, err := e.Decide(context.Background(), socle.AccessRequest{Actor: seAdv, Action: socle.ActionRead,
		Resource: socle.Resource{Kind: socle.ResourcePerson, ID: alice}, Purpose: policy.PurposeAccompagnement, Time: now})
	if err == nil || !strings.Contains(err.Error(), errStore.Error()) {
		t.Fatalf("err = %v, want the store error wrapped", err)
	}
	if socle.ErrorCode(err) != socle.EINTERNAL {
		t.Errorf("code = %q, want internal", socle.ErrorCode(err))
	}
}

// TestExplanations checks the French sentences people read.
func TestExplanations(t *testing.T) {
	e := newEngine(t, network(), policy.Config{})
	tests := []struct {
		name   string
		actor  socle.Actor
		action socle.Action
		person string
		cats   socle.CategorySet
		want   []string // facts' texts, in order
	}{
		{"mission locale follows", mlAdv, socle.ActionRead, farid, 0, []string{
			"Mission Locale de Lyon suit cette personne depuis le 2 mars 2025.",
			"Vous êtes le référent de cette personne.",
			"La convention « Accompagnement » des missions locales autorise : identité, coordonnées, parcours, compétences.",
			"Données masquées, hors de la convention : santé et handicap, justice, coordonnées bancaires.",
		}},
		{"partner does not follow", par2Adv, socle.ActionRead, bruno, 0, []string{
			"Aucun accompagnement de votre structure ne concerne cette personne : l'accès est refusé.",
		}},
		{"follow-up ended", mlAdv, socle.ActionRead, gael, 0, []string{
			"L'accompagnement de cette personne par Mission Locale de Lyon a pris fin le 15 janvier 2025 : l'accès est refusé.",
		}},
		{"appointment", parAdv, socle.ActionRead, jules, socle.SetOf(socle.CatContact), []string{
			"Cette personne a rendez-vous avec votre structure aujourd'hui à 14 h 30.",
			"La convention « Accompagnement » des partenaires autorise : identité, coordonnées, parcours, compétences.",
		}},
		{"password only", withStrength(capAdv, socle.AuthPassword), socle.ActionRead, emma, 0, []string{
			"Une connexion par mot de passe seul ne suffit pas pour accéder à des données personnelles : validez votre second facteur (code à usage unique ou clé de sécurité), puis réessayez.",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec, err := e.Decide(context.Background(), socle.AccessRequest{Actor: tt.actor, Action: tt.action,
				Resource: socle.Resource{Kind: socle.ResourcePerson, ID: tt.person}, Categories: tt.cats,
				Purpose: policy.PurposeAccompagnement, Time: now})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range dec.Facts {
				got = append(got, f.Text)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("facts:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestFactDetails(t *testing.T) {
	e := newEngine(t, network(), policy.Config{})
	dec, err := e.Decide(context.Background(), socle.AccessRequest{Actor: seCompany, Action: socle.ActionRead,
		Resource: socle.Resource{Kind: socle.ResourcePerson, ID: alice}, Purpose: policy.PurposeMatching, Time: now})
	if err != nil || !dec.Allow {
		t.Fatalf("decision %+v, err %v", dec, err)
	}
	var proposal, agreement socle.Fact
	for _, f := range dec.Facts {
		switch f.Kind {
		case policy.FactProposal:
			proposal = f
		case policy.FactAgreement:
			agreement = f
		}
	}
	if proposal.Detail["offer_id"] != "off_cariste" || proposal.Detail["since"] != "2025-06-02" {
		t.Errorf("proposal detail = %v", proposal.Detail)
	}
	if want := "Cette personne est proposée sur l'offre « Cariste » de Transports Martin depuis le 2 juin 2025, offre suivie par votre structure."; proposal.Text != want {
		t.Errorf("proposal text = %q, want %q", proposal.Text, want)
	}
	if agreement.Detail["agreement_id"] != "se-mise-en-relation-offres" || agreement.Detail["version"] != "1" {
		t.Errorf("agreement detail = %v", agreement.Detail)
	}

	dec, err = e.Decide(context.Background(), socle.AccessRequest{Actor: seAdv, Action: socle.ActionRead,
		Resource: socle.Resource{Kind: socle.ResourcePerson, ID: david}, Purpose: policy.PurposeAccompagnement,
		BreakGlass: justification, Time: now})
	if err != nil || !dec.BreakGlass {
		t.Fatalf("decision %+v, err %v", dec, err)
	}
	f := dec.Facts[0]
	if f.Kind != policy.FactBreakGlass || f.Detail["justification"] != justification ||
		f.Detail["denial"] != policy.ReasonNoRelation || f.Detail["person_id"] != david {
		t.Errorf("break-glass fact = %+v", f)
	}
}

func TestScope(t *testing.T) {
	e := newEngine(t, network(), policy.Config{})
	dec, err := e.Decide(context.Background(), socle.AccessRequest{Actor: depAdv, Action: socle.ActionSearch,
		Resource: socle.Resource{Kind: socle.ResourcePerson}, Purpose: policy.PurposeRSA, Time: now})
	if err != nil || !dec.Allow {
		t.Fatalf("decision %+v, err %v", dec, err)
	}
	if got := dec.Populations; !slices.Equal(got, []socle.Population{socle.PopulationTerritory}) {
		t.Errorf("Populations = %v, want [territoire]", got)
	}
	if got := dec.Situations; !slices.Equal(got, []socle.Situation{socle.SituationRSA}) {
		t.Errorf("Situations = %v, want [rsa]: the territory agreement covers RSA beneficiaries only", got)
	}
}

// TestOrganisationAgreement checks an edit of the register: an agreement
// for one organisation lets its partner system read for a purpose its kind
// has no agreement for.
func TestOrganisationAgreement(t *testing.T) {
	orgID := socle.NewIDFrom(strings.NewReader("tremplin-api"), socle.PrefixOrganisation)
	facts := network()
	facts.set("per_zoe", socle.Relations{Departement: "69",
		Followups: []socle.RelationFollowup{{ID: "fol_z", OrganisationID: orgID, OrganisationName: "Association Tremplin", Start: d(2025, 1, 1)}}})
	e := newEngine(t, facts, policy.Config{})
	client := parClient
	client.OrganisationID = orgID
	req := socle.AccessRequest{Actor: client, Action: socle.ActionRead,
		Resource: socle.Resource{Kind: socle.ResourcePerson, ID: "per_zoe"}, Purpose: policy.PurposeControl, Time: now}
	if dec, err := e.Decide(context.Background(), req); err != nil || dec.Allow {
		t.Fatalf("before the edit: %+v, %v", dec, err)
	}

	reg := e.Register()
	reg.Version++
	reg.Agreements = append(slices.Clone(reg.Agreements), policy.Agreement{AgreementRule: socle.AgreementRule{
		ID: "tremplin-api", OrganisationID: orgID, Purpose: policy.PurposeControl,
		Read: socle.SetOf(socle.CatIdentity, socle.CatParcours), Population: socle.PopulationFollowed,
	}, Version: 1})
	if err := e.SetRegister(reg); err != nil {
		t.Fatal(err)
	}
	dec, err := e.Decide(context.Background(), req)
	if err != nil || !dec.Allow || dec.Categories != socle.SetOf(socle.CatIdentity, socle.CatParcours) {
		t.Fatalf("after the edit: %+v, %v", dec, err)
	}
	if !strings.Contains(dec.Explanation(), "La convention « Contrôle de la recherche d'emploi » de votre structure autorise : identité, parcours.") {
		t.Errorf("explanation = %q", dec.Explanation())
	}

	bad := reg
	bad.Agreements = append(slices.Clone(reg.Agreements), policy.Agreement{AgreementRule: socle.AgreementRule{
		ID: "bad", OrgKind: socle.KindPartner, Purpose: "inconnue", Read: socle.SetOf(socle.CatIdentity), Population: socle.PopulationFollowed}})
	if err := e.SetRegister(bad); socle.ErrorCode(err) != socle.EINVALID {
		t.Fatalf("SetRegister(bad) = %v, want EINVALID", err)
	}
	if e.Register().Version != reg.Version {
		t.Errorf("a refused edit replaced the register")
	}
}
