package gate

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
	_ "time/tzdata" // the days of the deadlines are French whatever the host's zone files

	"socle"
)

// The orientation hand-off: the orienting structure sends a request to a
// receiving one, which may read what it needs to answer while the request
// is open (the policy counts the open request as an orientation towards
// it, and names it in every decision); on acceptance the follow-up passes
// to the receiving structure and its adviser becomes the référent.

// HandoffFile is a request as its receiving (or orienting) structure opens
// it: the request, with its summary, and the person as the decision lets
// her be read (identity) to decide.
type HandoffFile struct {
	Request *socle.OrientationRequest
	Person  *socle.Person
}

// HandoffQueueItem is one request of a queue with the name of its person.
type HandoffQueueItem struct {
	Request    *socle.OrientationRequest
	GivenName  string
	FamilyName string
}

// locateRequest finds a request (into *r) whose parties include the
// actor's organisation, and names its person as the resource: anyone else
// finds no request.
func (p *Parcours) locateRequest(req Request, id string, r **socle.OrientationRequest, parties func(*socle.OrientationRequest) bool) func(context.Context) (socle.Resource, error) {
	return func(ctx context.Context) (socle.Resource, error) {
		if !socle.ValidID(socle.PrefixOrientationRequest, id) {
			return socle.Resource{}, socle.Errorf(socle.ENOTFOUND, "orientation request not found")
		}
		found, err := p.store.OrientationRequest(ctx, id)
		if err != nil {
			return socle.Resource{}, err
		}
		if !parties(found) {
			return socle.Resource{}, socle.Errorf(socle.ENOTFOUND, "orientation request not found")
		}
		*r = found
		return personRes(found.PersonID), nil
	}
}

// requestFact names the request an access is about, in its event.
func requestFact(r *socle.OrientationRequest, text string) socle.Fact {
	return socle.Fact{Kind: "orientation_request", Text: text, Detail: map[string]string{
		"orientation_request_id": r.ID, "status": r.Status, "from_organisation_id": r.FromOrganisationID,
		"to_organisation_id": r.ToOrganisationID}}
}

// SendOrientationRequest sends r from the actor's structure to
// r.ToOrganisationID: it reads the person's summary under the policy
// (purpose orientation), then records the request, due within deadlines.
// One request per person is open at a time; a réorientation names the
// refused request in PreviousID. An Idempotency-Key replays the first
// request.
func (p *Parcours) SendOrientationRequest(ctx context.Context, req Request, r *socle.OrientationRequest) error {
	if r == nil {
		return socle.Errorf(socle.EINVALID, "orientation request: nothing to send")
	}
	deadlines := p.HandoffDeadlines()
	read := socle.SetOf(socle.CatContact, socle.CatParcours)
	rs := parcoursSpec(socle.ActionRead, r.PersonID, read, purposeOrientation)
	rs.need = socle.SetOf(socle.CatParcours)
	rs.valid = func() error {
		r.FromOrganisationID, r.FromAgentID = req.Actor.OrganisationID, req.Actor.AgentID
		return r.Validate()
	}
	person, _, err := access(ctx, p.g, req, rs, p.readPerson(r.PersonID, read))
	if err != nil {
		return err
	}
	ws := parcoursSpec(socle.ActionUpdate, r.PersonID, socle.SetOf(socle.CatParcours), purposeOrientation)
	ws.logged = socle.ActionCreate
	_, _, err = access(ctx, p.g, req, ws, func(ctx context.Context, _ socle.Decision) (struct{}, outcome, error) {
		idem, replayed, err := createOnce(ctx, p.g, req, "create_orientation_request", r, p.store.OrientationRequest, r)
		if err != nil {
			return struct{}{}, outcome{}, err
		}
		if replayed {
			return struct{}{}, outcome{resID: r.ID, facts: []socle.Fact{{Kind: "idempotent_replay",
				Text: "Requête rejouée : cette demande d'orientation avait déjà été envoyée par la même requête."}}}, nil
		}
		to, err := p.checkSendable(ctx, r)
		if err != nil {
			return struct{}{}, outcome{}, err
		}
		now := p.g.Now()
		r.ID, r.Status, r.CreatedAt = socle.NewID(socle.PrefixOrientationRequest), socle.HandoffSent, now
		r.Deadline = deadlines.DeadlineOf(socle.DateOf(now.In(parisZone)))
		r.Summary = socle.HandoffSummaryOf(person)
		if person.Contact != nil {
			r.Departement = socle.DepartementOf(person.Contact.CommuneCode)
		}
		if r.Departement == "" && len(to.Departements) > 0 {
			// Her commune unknown to the orienting structure: the
			// receiving structure's committee gets it.
			r.Departement = to.Departements[0]
		}
		fact := requestFact(r, "Demande d'orientation envoyée à la structure destinataire, réponse attendue au plus tard le "+r.Deadline.French()+".")
		return struct{}{}, outcome{records: 1, facts: []socle.Fact{fact}, write: func(ctx context.Context) error {
			if err := p.store.CreateOrientationRequest(ctx, r, idem); err != nil {
				return fmt.Errorf("recording the orientation request: %w", err)
			}
			p.g.invalidate(r.PersonID)
			return nil
		}}, nil
	})
	return err
}

// SetHandoffDeadlines sets the deadlines of the requests sent from now
// on: at least one working day to answer, reminded before the deadline.
func (p *Parcours) SetHandoffDeadlines(h socle.HandoffDeadlines) error {
	if err := h.Validate(); err != nil {
		return err
	}
	p.handoff = h
	return nil
}

// HandoffDeadlines returns the deadlines of orientation requests.
func (p *Parcours) HandoffDeadlines() socle.HandoffDeadlines {
	if p.handoff == (socle.HandoffDeadlines{}) {
		return socle.DefaultHandoffDeadlines
	}
	return p.handoff
}

// checkSendable refuses a request to an unknown structure, a second open
// request for the person, and a réorientation of anything but a refused
// request of the same person.
func (p *Parcours) checkSendable(ctx context.Context, r *socle.OrientationRequest) (*socle.Organisation, error) {
	to, err := p.store.Organisation(ctx, r.ToOrganisationID)
	if socle.ErrorCode(err) == socle.ENOTFOUND {
		return nil, socle.Errorf(socle.EINVALID, "to_organisation_id: no such organisation")
	} else if err != nil {
		return nil, fmt.Errorf("reading the receiving organisation: %w", err)
	}
	r.ToOrganisationName = to.Name
	existing, err := p.store.OrientationRequests(ctx, socle.OrientationRequestQuery{PersonID: r.PersonID})
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(existing, (*socle.OrientationRequest).Open) {
		return nil, socle.Errorf(socle.ECONFLICT, "an orientation request for this person is already open")
	}
	if r.PreviousID != "" && !slices.ContainsFunc(existing, func(x *socle.OrientationRequest) bool {
		return x.ID == r.PreviousID && x.Status == socle.HandoffRefused
	}) {
		return nil, socle.Errorf(socle.EINVALID, "previous_id: no refused request of this person")
	}
	return to, nil
}

// OrientationRequests returns a person's orientation requests the actor
// may see: all of them for a structure that follows her, else those her
// structure sent or received.
func (p *Parcours) OrientationRequests(ctx context.Context, req Request, personID string) ([]*socle.OrientationRequest, error) {
	s := parcoursSpec(socle.ActionRead, personID, socle.SetOf(socle.CatParcours), purposeOrientation, purposeAccompagnement)
	out, _, err := access(ctx, p.g, req, s, func(ctx context.Context, d socle.Decision) ([]*socle.OrientationRequest, outcome, error) {
		all, err := p.store.OrientationRequests(ctx, socle.OrientationRequestQuery{PersonID: personID})
		if err != nil {
			return nil, outcome{}, err
		}
		if !slices.Contains(d.Populations, socle.PopulationFollowed) {
			org := req.Actor.OrganisationID
			all = slices.DeleteFunc(all, func(r *socle.OrientationRequest) bool {
				return r.FromOrganisationID != org && r.ToOrganisationID != org
			})
		}
		return all, outcome{records: len(all)}, nil
	})
	return out, err
}

// OrientationRequest opens a request for one of its two structures: the
// request and the person's identity, decided by the policy for the
// purpose orientation; the receiving structure reads them only while the
// request is open.
func (p *Parcours) OrientationRequest(ctx context.Context, req Request, id string) (*HandoffFile, socle.Decision, error) {
	var r *socle.OrientationRequest
	cats := socle.SetOf(socle.CatIdentity, socle.CatParcours)
	s := spec{action: socle.ActionRead, want: cats, need: socle.SetOf(socle.CatIdentity), purposes: []string{purposeOrientation},
		locate: p.locateRequest(req, id, &r, func(r *socle.OrientationRequest) bool {
			return req.Actor.OrganisationID == r.FromOrganisationID || req.Actor.OrganisationID == r.ToOrganisationID
		})}
	return access(ctx, p.g, req, s, func(ctx context.Context, d socle.Decision) (*HandoffFile, outcome, error) {
		person, err := p.g.store.Person(ctx, r.PersonID, d.Categories&cats)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading person: %w", err)
		}
		if !d.Categories.Has(socle.CatParcours) {
			r.Summary = socle.OrientationSummary{}
		}
		return &HandoffFile{Request: r, Person: person}, outcome{records: 1}, nil
	})
}

// AnswerOrientationRequest records the receiving structure's answer to an
// open request. On acceptance the orienting structure's follow-up ends
// (the day before, or on its first day) and the receiving one's starts
// today, with the answering adviser as référent, in one transaction.
func (p *Parcours) AnswerOrientationRequest(ctx context.Context, req Request, id string, a socle.HandoffAnswer) (*socle.OrientationRequest, error) {
	var r *socle.OrientationRequest
	parcours := socle.SetOf(socle.CatParcours)
	// Answering is decided as the access to the request it answers: the
	// receiving structure may read it while it is open.
	s := spec{action: socle.ActionRead, logged: socle.ActionUpdate, want: parcours, need: parcours, purposes: []string{purposeOrientation},
		valid: func() error {
			if a.Accept && req.Actor.AgentID == "" && a.ReferentAgentID == "" {
				return socle.Errorf(socle.EINVALID, "invalid answer: referent_agent_id: required when a partner system accepts, the adviser of the receiving structure who becomes the référent")
			}
			return a.Validate()
		},
		locate: p.locateRequest(req, id, &r, func(r *socle.OrientationRequest) bool {
			return req.Actor.OrganisationID == r.ToOrganisationID
		})}
	out, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (*socle.OrientationRequest, outcome, error) {
		if !r.Open() {
			return nil, outcome{}, socle.Errorf(socle.ECONFLICT, "this orientation request is already answered")
		}
		now := p.g.Now()
		today := socle.DateOf(now.In(parisZone))
		r.AnsweredAt, r.AnsweredByAgentID, r.AnswerComment = now, req.Actor.AgentID, a.Comment
		var take *socle.Followup
		text := "Demande d'orientation refusée par la structure destinataire."
		if a.Accept {
			referent, err := p.receivingReferent(ctx, req, r, a.ReferentAgentID)
			if err != nil {
				return nil, outcome{}, err
			}
			r.Status = socle.HandoffAccepted
			take = &socle.Followup{ID: socle.NewID(socle.PrefixFollowup), PersonID: r.PersonID, OrganisationID: r.ToOrganisationID,
				AgentID: referent, Start: today}
			text = "Demande d'orientation acceptée : la structure destinataire suit la personne et son conseiller en devient le référent."
		} else {
			r.Status, r.RefusalReason = socle.HandoffRefused, a.Reason
		}
		return r, outcome{records: 1, facts: []socle.Fact{requestFact(r, text)}, write: func(ctx context.Context) error {
			if err := p.store.AnswerOrientationRequest(ctx, r, take, socle.DateOf(today.Time().AddDate(0, 0, -1))); err != nil {
				return fmt.Errorf("answering the orientation request: %w", err)
			}
			p.g.invalidate(r.PersonID)
			return nil
		}}, nil
	})
	return out, err
}

// receivingReferent returns the adviser who becomes the référent on an
// acceptance: the one the answer names, who must be an active adviser of
// the receiving structure, or else the answering adviser.
func (p *Parcours) receivingReferent(ctx context.Context, req Request, r *socle.OrientationRequest, named string) (string, error) {
	if named == "" || named == req.Actor.AgentID {
		return req.Actor.AgentID, nil
	}
	a, err := p.store.Agent(ctx, named)
	if err != nil && socle.ErrorCode(err) != socle.ENOTFOUND {
		return "", fmt.Errorf("reading the named référent: %w", err)
	}
	if a == nil || err != nil || a.OrganisationID != r.ToOrganisationID || a.Disabled || !a.HasRole(socle.RoleAdviser) {
		return "", socle.Errorf(socle.EINVALID, "invalid answer: referent_agent_id: not an active adviser of the receiving structure")
	}
	return a.ID, nil
}

// ConcludeOrientationRequest records what the orienting structure decides
// after a refusal: maintien, or sortie du parcours with its reason, which
// ends its follow-up of the person today.
func (p *Parcours) ConcludeOrientationRequest(ctx context.Context, req Request, id string, o socle.HandoffOutcome) (*socle.OrientationRequest, error) {
	var r *socle.OrientationRequest
	s := spec{action: socle.ActionUpdate, want: socle.SetOf(socle.CatParcours), need: socle.SetOf(socle.CatParcours),
		purposes: []string{purposeOrientation, purposeAccompagnement}, valid: o.Validate,
		locate: p.locateRequest(req, id, &r, func(r *socle.OrientationRequest) bool {
			return req.Actor.OrganisationID == r.FromOrganisationID
		})}
	out, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (*socle.OrientationRequest, outcome, error) {
		if r.Status != socle.HandoffRefused || r.Outcome != "" {
			return nil, outcome{}, socle.Errorf(socle.ECONFLICT, "only a refused request without an outcome is concluded")
		}
		now := p.g.Now()
		r.Outcome, r.OutcomeReason, r.OutcomeAt = o.Outcome, o.Reason, now
		text := "Après le refus, la personne reste suivie par la structure qui l'a orientée (maintien)."
		if o.Outcome == socle.HandoffOutcomeExit {
			text = "Sortie du parcours : le suivi par la structure qui l'a orientée prend fin."
		}
		return r, outcome{records: 1, facts: []socle.Fact{requestFact(r, text)}, write: func(ctx context.Context) error {
			if err := p.store.ConcludeOrientationRequest(ctx, r, socle.DateOf(now.In(parisZone))); err != nil {
				return fmt.Errorf("concluding the orientation request: %w", err)
			}
			p.g.invalidate(r.PersonID)
			return nil
		}}, nil
	})
	return out, err
}

// queue lists requests with their persons' names, read with the identity
// category: the persons are throttled and referenced in the event.
func (p *Parcours) queue(ctx context.Context, q socle.OrientationRequestQuery) ([]HandoffQueueItem, outcome, error) {
	rs, err := p.store.OrientationRequests(ctx, q)
	if err != nil {
		return nil, outcome{}, err
	}
	items := make([]HandoffQueueItem, 0, len(rs))
	ids := make([]string, 0, len(rs))
	for _, r := range rs {
		person, err := p.g.store.Person(ctx, r.PersonID, socle.SetOf(socle.CatIdentity))
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading person: %w", err)
		}
		it := HandoffQueueItem{Request: r}
		if person.Identity != nil {
			it.GivenName, it.FamilyName = person.Identity.GivenName, person.Identity.FamilyName
		}
		items = append(items, it)
		ids = append(ids, r.PersonID)
	}
	return items, outcome{records: len(items), persons: ids, refs: true}, nil
}

// OrientationRequestsToMyStructure lists the open requests addressed to
// the actor's structure, with the names of their persons, for the purpose
// orientation: the receiving structure's queue (and its advisers' home).
func (p *Parcours) OrientationRequestsToMyStructure(ctx context.Context, req Request) ([]HandoffQueueItem, error) {
	identity := socle.SetOf(socle.CatIdentity)
	s := spec{action: socle.ActionSearch, res: socle.Resource{Kind: socle.ResourcePerson}, want: identity, need: identity,
		purposes: []string{purposeOrientation}}
	items, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) ([]HandoffQueueItem, outcome, error) {
		items, o, err := p.queue(ctx, socle.OrientationRequestQuery{ToOrganisationID: req.Actor.OrganisationID, OpenOnly: true, Limit: 200})
		o.facts = []socle.Fact{{Kind: "orientation_request", Text: "Demandes d'orientation ouvertes adressées à votre structure."}}
		return items, o, err
	})
	return items, err
}

// CommitteeQueue lists the open requests escalated to the départemental
// committee of the actor's département(s): an adviser of a département
// sees those past their deadline, with the persons' names.
func (p *Parcours) CommitteeQueue(ctx context.Context, req Request) ([]HandoffQueueItem, error) {
	s := spec{action: socle.ActionSearch, res: socle.Resource{Kind: socle.ResourcePerson}, purposes: []string{purposeOrientation},
		grounds: func(context.Context, Request, *socle.Resource) (socle.Decision, error) {
			a := req.Actor
			if a.OrgKind != socle.KindDepartement || a.AgentID == "" || !slices.Contains(a.Roles, socle.RoleAdviser) || len(a.Departements) == 0 {
				return socle.Decision{Facts: []socle.Fact{{Kind: "committee", Text: "La file de la commission d'orientation est réservée aux conseillers du département."}}},
					socle.Errorf(socle.EFORBIDDEN, "the committee's queue is for the advisers of a département")
			}
			return socle.Decision{Allow: true, Categories: socle.SetOf(socle.CatIdentity), Facts: []socle.Fact{{Kind: "committee",
				Text:   "Commission départementale d'orientation : demandes restées sans réponse dans le délai, sur votre territoire.",
				Detail: map[string]string{"departements": fmt.Sprint(a.Departements)}}}}, nil
		}}
	items, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) ([]HandoffQueueItem, outcome, error) {
		var all []HandoffQueueItem
		var o outcome
		for _, dep := range req.Actor.Departements {
			items, oo, err := p.queue(ctx, socle.OrientationRequestQuery{Departement: dep, Escalated: true, OpenOnly: true, Limit: 200})
			if err != nil {
				return nil, outcome{}, err
			}
			all = append(all, items...)
			o.records += oo.records
			o.persons = append(o.persons, oo.persons...)
		}
		o.refs = true
		return all, o, nil
	})
	return items, err
}

// HandoffMark is a reminder or an escalation the deadlines job recorded:
// who is to be told, without the person.
type HandoffMark struct {
	RequestID        string
	ToOrganisationID string
	Departement      string
	Deadline         socle.Date
	Step             socle.HandoffStep
}

// SweepOrientationRequests runs the deadlines of the open requests on the
// gate's clock: a reminder once from the reminder day, the committee once
// the deadline passed. It is audited as one access of the platform and
// returns what it marked, for the notifications.
func (p *Parcours) SweepOrientationRequests(ctx context.Context, deadlines socle.HandoffDeadlines) ([]HandoffMark, error) {
	req := Request{RequestID: "orientation-deadlines", Purpose: purposeOrientation}
	s := spec{caller: platformCaller, action: socle.ActionUpdate, res: socle.Resource{Kind: socle.ResourcePerson},
		grounds: on(socle.Decision{Allow: true, Facts: []socle.Fact{{Kind: "orientation_deadlines",
			Text: "Délais des demandes d'orientation : relance avant l'échéance, puis transmission à la commission départementale."}}})}
	// done are the marks this sweep made, once written.
	var done []HandoffMark
	_, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (struct{}, outcome, error) {
		open, err := p.store.OpenOrientationRequests(ctx)
		if err != nil {
			return struct{}{}, outcome{}, err
		}
		now := p.g.Now()
		today := socle.DateOf(now.In(parisZone))
		var marks []HandoffMark
		var changed []*socle.OrientationRequest
		for _, r := range open {
			step := deadlines.Step(r, today)
			switch step {
			case socle.HandoffRemind:
				changed = append(changed, &socle.OrientationRequest{ID: r.ID, RemindedAt: now})
			case socle.HandoffEscalate:
				changed = append(changed, &socle.OrientationRequest{ID: r.ID, EscalatedAt: now})
			default:
				continue
			}
			marks = append(marks, HandoffMark{RequestID: r.ID, ToOrganisationID: r.ToOrganisationID, Departement: r.Departement, Deadline: r.Deadline, Step: step})
		}
		if len(marks) == 0 {
			return struct{}{}, outcome{none: true}, nil
		}
		fact := socle.Fact{Kind: "orientation_deadlines", Text: strconv.Itoa(len(marks)) + " demande(s) d'orientation relancée(s) ou transmise(s) à la commission."}
		return struct{}{}, outcome{records: len(marks), facts: []socle.Fact{fact}, write: func(ctx context.Context) error {
			// Only what this sweep marked is told: another server may
			// have marked the same request meanwhile.
			for i, c := range changed {
				marked, err := p.store.MarkOrientationRequest(ctx, c)
				if err != nil {
					return err
				}
				if marked {
					done = append(done, marks[i])
				}
			}
			return nil
		}}, nil
	})
	if err != nil {
		return nil, err
	}
	return done, nil
}

// parisZone is where the days of the deadlines are reckoned.
var parisZone = func() *time.Location {
	l, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic("gate: loading Europe/Paris: " + err.Error())
	}
	return l
}()
