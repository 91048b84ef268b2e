package space

import (
	"context"
	"fmt"
	"strings"
	"time"

	"socle"
)

// SelfPurpose is the purpose recorded for a person's accesses to her own
// file: the right of access of the GDPR, article 15.
const SelfPurpose = "droit_acces"

// Access is one entry of the history as the person reads it.
type Access struct {
	Index        uint64
	Time         time.Time
	Self         bool   // the person herself, from her space
	Organisation string // the organisation's name
	Role         string // the agent's roles, or "Système partenaire"
	Action       string // in French
	Purpose      string // the purpose's label
	Explanation  string
	Allowed      bool
	BreakGlass   bool
}

var actionLabels = map[string]string{
	"read": "Consultation", "search": "Recherche", "create": "Création", "update": "Modification", "export": "Export",
	"self_read": "Consultation de votre dossier", "self_history": "Consultation de ce journal",
	"space_login":  "Connexion à votre espace",
	"audit_search": "Recherche dans le journal des accès vous concernant",

	// The person's diagnostic and plan (gate/diagnostic.go, gate/plan.go).
	"self_diagnostic": "Ajout à votre diagnostic", "self_agree": "Accord à votre plan d'action",
}

// Accesses turns audit hits into the history the person reads, naming the
// organisation and the role of whoever accessed her file. Agents' names
// are not shown: the organisation answers for its agents, and the person
// may ask it, or the data protection officer, who they were.
func (s *Service) Accesses(ctx context.Context, hits []socle.AuditHit, purposes []socle.Purpose) ([]Access, error) {
	labels := map[string]string{SelfPurpose: "Droit d'accès (RGPD, article 15)"}
	for _, p := range purposes {
		labels[p.Code] = p.Label
	}
	orgs := map[string]string{}
	roles := map[string]string{}
	out := make([]Access, 0, len(hits))
	for _, h := range hits {
		ev := h.Event
		a := Access{Index: h.Index, Time: ev.Time, Explanation: ev.Explanation, Allowed: ev.Allowed, BreakGlass: ev.BreakGlass != ""}
		a.Action = actionLabels[ev.Action]
		if a.Action == "" {
			a.Action = ev.Action
		}
		a.Purpose = labels[ev.Purpose]
		if a.Purpose == "" {
			a.Purpose = ev.Purpose
		}
		a.Self = ev.AgentID == "" && ev.ClientID == "" && ev.OrganisationID == ""
		if a.Self {
			a.Organisation, a.Role = "Vous-même", "Votre espace usager"
			if a.Purpose == "" {
				a.Purpose = labels[SelfPurpose]
			}
			out = append(out, a)
			continue
		}
		if id := ev.OrganisationID; id != "" {
			name, ok := orgs[id]
			if !ok {
				o, err := s.store.Organisation(ctx, id)
				switch {
				case err == nil:
					name = o.Name
				case socle.ErrorCode(err) == socle.ENOTFOUND:
					name = "Structure " + id
				default:
					return nil, fmt.Errorf("naming organisation: %w", err)
				}
				orgs[id] = name
			}
			a.Organisation = name
		}
		switch {
		case ev.ClientID != "":
			a.Role = "Système partenaire"
		case ev.AgentID != "":
			role, ok := roles[ev.AgentID]
			if !ok {
				ag, err := s.store.Agent(ctx, ev.AgentID)
				switch {
				case err == nil:
					var ls []string
					for _, r := range ag.Roles {
						ls = append(ls, r.Label())
					}
					role = strings.Join(ls, ", ")
				case socle.ErrorCode(err) == socle.ENOTFOUND:
					role = "Agent"
				default:
					return nil, fmt.Errorf("reading the role of an agent: %w", err)
				}
				roles[ev.AgentID] = role
			}
			a.Role = role
		}
		out = append(out, a)
	}
	return out, nil
}

// Referent is a follow-up of the person as her file shows it.
type Referent struct {
	Organisation string
	Kind         string
	Adviser      string // the référent's name, "" when none is named
	Start, End   socle.Date
	Active       bool
}

// Referents names the organisations and référents of the follow-ups. The
// référent's name is shown: she is the person's own adviser.
func (s *Service) Referents(ctx context.Context, fs []*socle.Followup) ([]Referent, error) {
	today := socle.DateOf(s.Now())
	out := make([]Referent, 0, len(fs))
	for _, f := range fs {
		r := Referent{Start: f.Start, End: f.End, Active: f.ActiveOn(today)}
		o, err := s.store.Organisation(ctx, f.OrganisationID)
		if err != nil {
			return nil, fmt.Errorf("naming the organisation of a follow-up: %w", err)
		}
		r.Organisation, r.Kind = o.Name, o.Kind.Label()
		if f.AgentID != "" {
			a, err := s.store.Agent(ctx, f.AgentID)
			if err != nil && socle.ErrorCode(err) != socle.ENOTFOUND {
				return nil, fmt.Errorf("naming the référent: %w", err)
			}
			if err == nil {
				r.Adviser = a.FullName()
			}
		}
		out = append(out, r)
	}
	return out, nil
}
