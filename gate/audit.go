package gate

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"socle"
)

// ActionAuditSearch is the action recorded when an auditor searches the
// journal des accès: the privacy officers' reads are logged like any other.
const ActionAuditSearch socle.Action = "audit_search"

// personRefPattern is a pseudonymous person reference as the audit log
// keeps it (audit.PersonRef): 32 lower-case hexadecimal digits.
var personRefPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// SearchAudit returns the entries of the journal des accès that match q,
// newest first, for a privacy officer. The rule:
//
//   - only an agent holding the auditeur role, authenticated with a second
//     factor, may search;
//   - an auditor sees the entries of her own organisation's agents and
//     clients (q.OrganisationID is forced to it; asking for another
//     organisation is refused);
//   - an auditor who also holds the admin_plateforme role (the national
//     platform's privacy officers) sees every organisation's entries;
//   - q.PersonRef names the person whose accesses she looks for: a person
//     id ("per_…"), a NIR (looked up exactly, identity only, and turned
//     into the reference at once) or the pseudonymous reference copied
//     from an entry; a NIR that matches nobody finds nothing.
//
// Every search, allowed or refused, is appended to the log as
// "audit_search" with the criteria and the number of entries returned,
// and fails closed: when it cannot be recorded, nothing is returned.
func (g *Gate) SearchAudit(ctx context.Context, req Request, q socle.AuditQuery) ([]socle.AuditHit, error) {
	a := req.Actor
	s := spec{caller: anyCaller, action: ActionAuditSearch, res: socle.Resource{Kind: "audit"},
		grounds: func(context.Context, Request, *socle.Resource) (socle.Decision, error) {
			national, err := socle.CheckAuditor(a)
			if err != nil {
				d := socle.Decision{Facts: []socle.Fact{{Kind: "role", Detail: map[string]string{"role": string(socle.RoleAuditor)},
					Text: "Seuls les auditeurs (délégués à la protection des données), connectés avec un second facteur, consultent le journal des accès."}}}
				return withCriteria(d, q, ""), socle.Errorf(socle.EFORBIDDEN, "only an auditor signed in with a second factor may search the audit log")
			}
			if err := g.historyKept(); err != nil {
				return socle.Decision{}, err
			}
			switch {
			case national:
				return socle.Decision{Allow: true, Facts: []socle.Fact{{Kind: "role", Detail: map[string]string{"role": string(socle.RoleAuditor) + "," + string(socle.RolePlatformAdmin)},
					Text: "Auditrice ou auditeur de la plateforme : le journal de toutes les structures est consultable."}}}, nil
			case q.OrganisationID != "" && q.OrganisationID != a.OrganisationID:
				d := socle.Decision{Facts: []socle.Fact{{Kind: "denied", Detail: map[string]string{"organisation_id": q.OrganisationID},
					Text: "Un auditeur ne consulte que le journal de sa propre structure."}}}
				return withCriteria(d, q, ""), socle.Errorf(socle.EFORBIDDEN, "an auditor searches only the entries of her own organisation")
			}
			q.OrganisationID = a.OrganisationID
			return socle.Decision{Allow: true, Facts: []socle.Fact{{Kind: "role", Detail: map[string]string{"role": string(socle.RoleAuditor), "organisation_id": a.OrganisationID},
				Text: "Auditrice ou auditeur de la structure : seul le journal des accès de ses agents est consultable."}}}, nil
		},
		recordAs: func(r Request) Request { r.BreakGlass = ""; return r }}
	hits, _, err := access(ctx, g, req, s, func(ctx context.Context, _ socle.Decision) ([]socle.AuditHit, outcome, error) {
		personRef, known, err := g.auditPersonRef(ctx, q.PersonRef)
		if err != nil {
			return nil, outcome{}, err
		}
		q.PersonRef = personRef
		hits := []socle.AuditHit{}
		if known {
			if hits, err = g.history.AuditSearch(ctx, q); err != nil {
				return nil, outcome{}, fmt.Errorf("searching the audit log: %w", err)
			}
		}
		if hits == nil {
			hits = []socle.AuditHit{}
		}
		return hits, outcome{records: len(hits), personRef: personRef, facts: withCriteria(socle.Decision{}, q, personRef).Facts}, nil
	})
	return hits, err
}

// auditPersonRef turns what the auditor typed into a person reference.
// known is false when a NIR matches nobody: the search then finds nothing.
func (g *Gate) auditPersonRef(ctx context.Context, s string) (ref string, known bool, err error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", true, nil
	case socle.ValidID(socle.PrefixPerson, s):
		return g.personRef(s), true, nil
	case personRefPattern.MatchString(s):
		return s, true, nil
	case socle.ValidNIR(s):
		// Identity only, and nothing of it leaves the gate: the id is
		// turned into the reference at once.
		found, err := g.store.SearchPersons(ctx, socle.PersonQuery{NIR: strings.ReplaceAll(s, " ", ""), Limit: 1}, socle.SetOf(socle.CatIdentity))
		if err != nil {
			return "", false, fmt.Errorf("looking up the NIR: %w", err)
		}
		if len(found) == 0 {
			return "", false, nil
		}
		return g.personRef(found[0].ID), true, nil
	}
	return "", false, socle.Errorf(socle.EINVALID, "person: give a person id (per_…), a NIR or a reference of the audit log")
}

func (g *Gate) personRef(id string) string {
	if g.PersonRef != nil {
		return g.PersonRef(id)
	}
	return id
}

// withCriteria adds to d the criteria of an auditor's search, without
// what the auditor typed to name the person (a NIR is personal data).
func withCriteria(d socle.Decision, q socle.AuditQuery, personRef string) socle.Decision {
	var crit []string
	add := func(name, v string) {
		if v != "" {
			crit = append(crit, name+"="+v)
		}
	}
	add("agent", q.AgentID)
	add("organisation", q.OrganisationID)
	add("purpose", q.Purpose)
	add("action", q.Action)
	if !q.From.IsZero() {
		add("from", q.From.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if !q.To.IsZero() {
		add("to", q.To.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if personRef != "" {
		add("person", "ref")
	}
	if len(crit) > 0 {
		d.Facts = append(slices.Clip(d.Facts), socle.Fact{Kind: "criteria", Detail: map[string]string{"criteria": strings.Join(crit, " ")},
			Text: "Critères : " + strings.Join(crit, ", ") + "."})
	}
	return d
}
