package gate

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"socle"
)

// ParcoursStore is what the parcours part of the gate reads and writes.
type ParcoursStore interface {
	socle.ParcoursStore
	DiagnosticStore
	socle.OrientationRequestStore
	Organisation(ctx context.Context, id string) (*socle.Organisation, error)
	// Agent names the référents and authors of a file's history.
	Agent(ctx context.Context, id string) (*socle.Agent, error)
	CreateSignLink(ctx context.Context, tokenHash, commitmentID, personID string, expires time.Time) error
	SignLink(ctx context.Context, tokenHash string, at time.Time, use bool) (commitmentID, personID string, err error)
	IndicatorRecords(ctx context.Context) (socle.IndicatorRecords, error)
	// Appointments: slots, bookings, notices, and the names they show.
	socle.AppointmentStore
	AgentsOf(ctx context.Context, organisationID string) ([]*socle.Agent, error)
	OpenRectifications(ctx context.Context, organisationID string, today socle.Date, limit int) ([]*socle.RectificationRequest, error)
	caseloadStore
}

// Purposes of the parcours accesses.
const (
	purposeOrientation    = "orientation"
	purposeAccompagnement = "accompagnement"
	purposeStatistics     = "statistique"
)

// ReauthWindow is how recent a person's authentication must be for her to
// sign a contract.
const ReauthWindow = 5 * time.Minute

// SignLinkLifetime is how long a signing link stays valid.
const SignLinkLifetime = 30 * time.Minute

// Parcours is the gate's path to orientations, contracts, events and
// indicators: the same five steps as persons, over the parcours store.
// The business rules are not here: orientation proposes, commitment draws
// up contracts and indicators computes, each through these methods.
type Parcours struct {
	g      *Gate
	store  ParcoursStore
	signer ContractSigner
	// handoff are the deadlines of orientation requests; zero means
	// socle.DefaultHandoffDeadlines (orientationrequest.go).
	handoff socle.HandoffDeadlines
	// notices sends the appointments' notices; none when nil.
	notices Notices
}

// ContractSigner signs contracts in the platform's name
// (commitment.Signer).
type ContractSigner interface {
	Sign(hash, role, signerID string, t time.Time) (socle.CommitmentSignature, error)
	PublicKey() ed25519.PublicKey
}

// NewParcours returns the parcours gate over g, signing contracts with
// signer.
func NewParcours(g *Gate, store ParcoursStore, signer ContractSigner) *Parcours {
	return &Parcours{g: g, store: store, signer: signer}
}

// PublicKey returns the key that verifies contract signatures.
func (p *Parcours) PublicKey() []byte { return p.signer.PublicKey() }

// Now is the gate's clock, which dates the records it keeps.
func (p *Parcours) Now() time.Time { return p.g.Now() }

func personRes(id string) socle.Resource { return socle.Resource{Kind: socle.ResourcePerson, ID: id} }

// parcoursSpec is the access to one person's parcours (cats) for one of
// purposes.
func parcoursSpec(action socle.Action, personID string, cats socle.CategorySet, purposes ...string) spec {
	return spec{action: action, res: personRes(personID), want: cats, need: cats, purposes: purposes, valid: validPerson(personID)}
}

// requirePurpose refuses a request whose declared purpose is none of
// purposes.
func requirePurpose(req Request, purposes ...string) error {
	if !slices.Contains(purposes, req.Purpose) {
		return socle.Errorf(socle.EINVALID, "purpose %q does not fit this access: declare %s", req.Purpose, strings.Join(purposes, " or "))
	}
	return nil
}

// readPerson is the read of an access that reads the person with cats.
func (p *Parcours) readPerson(personID string, cats socle.CategorySet) func(context.Context, socle.Decision) (*socle.Person, outcome, error) {
	return func(ctx context.Context, _ socle.Decision) (*socle.Person, outcome, error) {
		person, err := p.g.store.Person(ctx, personID, cats)
		if err != nil {
			return nil, outcome{}, fmt.Errorf("reading person: %w", err)
		}
		return person, outcome{records: 1}, nil
	}
}

// PersonToOrient reads what an orientation is proposed from: the
// person's identity, contact and parcours, for the purpose orientation.
func (p *Parcours) PersonToOrient(ctx context.Context, req Request, personID string) (*socle.Person, error) {
	read := socle.SetOf(socle.CatIdentity, socle.CatContact, socle.CatParcours)
	person, _, err := access(ctx, p.g, req, parcoursSpec(socle.ActionRead, personID, read, purposeOrientation), p.readPerson(personID, read))
	return person, err
}

// RecordOrientation records a proposal of orientation for o.PersonID,
// with its reasons: the gate names and dates it, and records it as
// proposed, never decided (ConfirmOrientation decides).
func (p *Parcours) RecordOrientation(ctx context.Context, req Request, o *socle.Orientation) error {
	if o == nil {
		return socle.Errorf(socle.EINVALID, "orientation: nothing to record")
	}
	s := parcoursSpec(socle.ActionUpdate, o.PersonID, socle.SetOf(socle.CatParcours), purposeOrientation)
	s.logged = socle.ActionCreate
	_, _, err := access(ctx, p.g, req, s, writing(func(ctx context.Context) error {
		o.ID, o.Status, o.CreatedAt = socle.NewID(socle.PrefixOrientation), socle.OrientationStatusProposed, p.g.Now()
		if err := p.store.CreateOrientation(ctx, o); err != nil {
			return fmt.Errorf("recording the orientation: %w", err)
		}
		p.g.invalidate(o.PersonID)
		return nil
	}))
	return err
}

// Choice is the adviser's decision on a proposed orientation.
type Choice struct {
	OperatorKind   socle.OrgKind `json:"operator_kind"`
	Parcours       string        `json:"parcours"`
	Modalite       string        `json:"modalite"`
	OrganisationID string        `json:"organisation_id"`
	// OverrideReason is required when the choice departs from the proposal.
	OverrideReason string `json:"override_reason,omitempty"`
}

// ChoiceCheck refuses a choice that the orientation rules do not allow
// for o (orientation.CheckChoice).
type ChoiceCheck func(o *socle.Orientation, ch Choice) error

// ConfirmOrientation records the adviser's decision, once check allows it,
// and opens the follow-up of the person by the chosen organisation.
func (p *Parcours) ConfirmOrientation(ctx context.Context, req Request, orientationID string, ch Choice, check ChoiceCheck) (*socle.Orientation, error) {
	if check == nil {
		return nil, fmt.Errorf("confirming an orientation: no rule to check the choice against")
	}
	var o *socle.Orientation
	s := spec{action: socle.ActionUpdate, want: socle.SetOf(socle.CatParcours), need: socle.SetOf(socle.CatParcours), purposes: []string{purposeOrientation},
		valid: func() error {
			if req.Actor.AgentID == "" {
				return socle.Errorf(socle.EFORBIDDEN, "an adviser confirms an orientation")
			}
			return nil
		},
		// Nobody learns whether an object exists before saying who she is.
		locate: func(ctx context.Context) (socle.Resource, error) {
			var err error
			if o, err = p.store.Orientation(ctx, orientationID); err != nil {
				return socle.Resource{}, err
			}
			return personRes(o.PersonID), nil
		}}
	// Decided before the choice is checked against the proposal: the
	// checks' messages would otherwise reveal it to anyone.
	o, _, err := access(ctx, p.g, req, s, func(ctx context.Context, d socle.Decision) (*socle.Orientation, outcome, error) {
		ch.OverrideReason = strings.TrimSpace(ch.OverrideReason)
		if err := check(o, ch); err != nil {
			return nil, outcome{}, err
		}
		org, err := p.store.Organisation(ctx, ch.OrganisationID)
		if err != nil {
			return nil, outcome{}, socle.Errorf(socle.EINVALID, "organisation_id: no such organisation")
		}
		if org.Kind != ch.OperatorKind {
			return nil, outcome{}, socle.Errorf(socle.EINVALID, "organisation_id: %s is a %s, not a %s", org.Name, org.Kind.Label(), ch.OperatorKind.Label())
		}
		if o.Status != socle.OrientationStatusProposed {
			return nil, outcome{}, socle.Errorf(socle.ECONFLICT, "this orientation is already %s", o.Status)
		}
		o.OperatorKind, o.Parcours, o.Modalite, o.OrganisationID = ch.OperatorKind, ch.Parcours, ch.Modalite, org.ID
		o.OverrideReason, o.Status, o.DecidedByAgentID, o.DecidedAt = ch.OverrideReason, socle.OrientationStatusConfirmed, req.Actor.AgentID, p.g.Now()
		return o, outcome{records: 1, write: func(ctx context.Context) error {
			// The chosen organisation follows the person from today; its
			// référent is named when it takes her in charge. The decision
			// and the follow-up are one transaction.
			f := &socle.Followup{ID: socle.NewID(socle.PrefixFollowup), PersonID: o.PersonID, OrganisationID: org.ID, Start: socle.DateOf(p.g.Now())}
			if org.ID == req.Actor.OrganisationID {
				f.AgentID = req.Actor.AgentID
			}
			if err := p.store.ConfirmOrientation(ctx, o, f); err != nil {
				return fmt.Errorf("confirming the orientation: %w", err)
			}
			p.g.invalidate(o.PersonID)
			return nil
		}}, nil
	})
	return o, err
}

// Orientations returns a person's orientations.
func (p *Parcours) Orientations(ctx context.Context, req Request, personID string) ([]*socle.Orientation, error) {
	s := parcoursSpec(socle.ActionRead, personID, socle.SetOf(socle.CatParcours), purposeOrientation, purposeAccompagnement)
	os, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) ([]*socle.Orientation, outcome, error) {
		os, err := p.store.Orientations(ctx, personID)
		return os, outcome{records: len(os)}, err
	})
	return os, err
}

// CreateEvent records an appointment, a training, an immersion or a note
// for a person, by the actor's organisation.
func (p *Parcours) CreateEvent(ctx context.Context, req Request, e *socle.Event) error {
	var pr socle.Problems
	if !slices.Contains(socle.EventKinds, e.Kind) {
		pr.Add("kind", "one of %s", strings.Join(socle.EventKinds, ", "))
	}
	if t := strings.TrimSpace(e.Title); t == "" || len(t) > 200 {
		pr.Add("title", "required, at most 200 characters")
	}
	if len(e.Description) > 4000 {
		pr.Add("description", "at most 4000 characters")
	}
	if e.Start.IsZero() {
		pr.Add("start", "required")
	}
	if e.End.IsZero() {
		e.End = e.Start
	}
	if e.End.Before(e.Start) {
		pr.Add("end", "before start")
	}
	if err := pr.Err("event"); err != nil {
		return err
	}
	s := parcoursSpec(socle.ActionUpdate, e.PersonID, socle.SetOf(socle.CatParcours), purposeAccompagnement)
	s.logged = socle.ActionCreate
	_, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (struct{}, outcome, error) {
		e.ID, e.OrganisationID, e.CreatedAt = socle.NewID(socle.PrefixEvent), req.Actor.OrganisationID, p.g.Now()
		if e.AgentID == "" {
			e.AgentID = req.Actor.AgentID
		}
		return struct{}{}, outcome{records: 1, write: func(ctx context.Context) error {
			if err := p.store.CreateEvent(ctx, e); err != nil {
				return fmt.Errorf("recording the event: %w", err)
			}
			p.g.invalidate(e.PersonID)
			return nil
		}}, nil
	})
	return err
}

// visible reports whether the actor's organisation sees an event: notes
// are for the writing organisation unless shared with the network.
func visible(actor socle.Actor, e *socle.Event) bool {
	return e.Kind != socle.EventNote || e.NetworkVisible || e.OrganisationID == actor.OrganisationID
}

// Events returns a person's events the actor may see.
func (p *Parcours) Events(ctx context.Context, req Request, personID string) ([]*socle.Event, error) {
	s := parcoursSpec(socle.ActionRead, personID, socle.SetOf(socle.CatParcours), purposeAccompagnement)
	out, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) ([]*socle.Event, outcome, error) {
		all, err := p.store.Events(ctx, socle.EventQuery{PersonID: personID})
		if err != nil {
			return nil, outcome{}, err
		}
		out := slices.DeleteFunc(all, func(e *socle.Event) bool { return !visible(req.Actor, e) })
		return out, outcome{records: len(out)}, nil
	})
	return out, err
}

// listingSpec is an adviser's listing over the persons her organisation
// follows, with the parcours category and the purpose accompagnement.
func listingSpec(valid func() error) spec {
	parcours := socle.SetOf(socle.CatParcours)
	return spec{action: socle.ActionSearch, res: socle.Resource{Kind: socle.ResourcePerson}, want: parcours, need: parcours,
		purposes: []string{purposeAccompagnement}, valid: valid}
}

// Agenda returns the acting adviser's own appointments and events in
// [from, to): her diary, audited as one access over the persons listed.
func (p *Parcours) Agenda(ctx context.Context, req Request, from, to time.Time) ([]*socle.Event, error) {
	s := listingSpec(func() error {
		if req.Actor.AgentID == "" {
			return socle.Errorf(socle.EFORBIDDEN, "the agenda is an adviser's")
		}
		if !to.After(from) || to.Sub(from) > 93*24*time.Hour {
			return socle.Errorf(socle.EINVALID, "the agenda covers from 1 day to 3 months")
		}
		return nil
	})
	evs, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) ([]*socle.Event, outcome, error) {
		evs, err := p.store.Events(ctx, socle.EventQuery{AgentID: req.Actor.AgentID, From: from, To: to})
		if err != nil {
			return nil, outcome{}, err
		}
		ids := make([]string, len(evs))
		for i, e := range evs {
			ids[i] = e.PersonID
		}
		return evs, outcome{records: len(evs), persons: ids}, nil
	})
	return evs, err
}

// ContractDraft is what a contract is drawn up from, as the gate read
// it: the new record, named, numbered and dated, which the drafter
// completes with its actions, document and document hash.
type ContractDraft struct {
	Contract     *socle.Commitment
	Person       *socle.Person
	Orientation  *socle.Orientation // the confirmed one
	Organisation *socle.Organisation
	// PreviousHash is the document hash of the version amended, if any.
	PreviousHash string
	// Plan is the person's current plan d'action as the contract shows
	// it (without health objectives), nil when she has none;
	// PlanContracted says a contract of that version already exists.
	Plan           *socle.Plan
	PlanContracted bool
}

// Drafter completes a contract from its draft (commitment.Draw).
type Drafter func(ContractDraft) error

// CreateCommitment draws up a contract (or an amendment of the current
// one) from the person's confirmed orientation with draft, and records it.
func (p *Parcours) CreateCommitment(ctx context.Context, req Request, personID string, draft Drafter) (*socle.Commitment, error) {
	if draft == nil {
		return nil, fmt.Errorf("drawing up a contract: no drafter")
	}
	read := socle.SetOf(socle.CatIdentity, socle.CatParcours)
	rs := parcoursSpec(socle.ActionRead, personID, read, purposeAccompagnement)
	c, _, err := access(ctx, p.g, req, rs, func(ctx context.Context, _ socle.Decision) (*socle.Commitment, outcome, error) {
		c, err := p.drawUp(ctx, req, personID, read, draft)
		return c, outcome{records: 1}, err
	})
	if err != nil {
		return nil, err
	}
	ws := parcoursSpec(socle.ActionUpdate, personID, socle.SetOf(socle.CatParcours), purposeAccompagnement)
	ws.logged = socle.ActionCreate
	if _, _, err := access(ctx, p.g, req, ws, writing(storing("recording the contract", func(ctx context.Context) error {
		return p.store.CreateCommitment(ctx, c)
	}))); err != nil {
		return nil, err
	}
	c.Signatures = []socle.CommitmentSignature{}
	return c, nil
}

// drawUp reads what a contract is drawn up from and draws it up.
func (p *Parcours) drawUp(ctx context.Context, req Request, personID string, read socle.CategorySet, draft Drafter) (*socle.Commitment, error) {
	person, err := p.g.store.Person(ctx, personID, read)
	if err != nil {
		return nil, fmt.Errorf("reading person: %w", err)
	}
	os, err := p.store.Orientations(ctx, personID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(os, func(o *socle.Orientation) bool { return o.Status == socle.OrientationStatusConfirmed })
	if i < 0 {
		return nil, socle.Errorf(socle.ECONFLICT, "the person has no confirmed orientation yet")
	}
	org, err := p.store.Organisation(ctx, req.Actor.OrganisationID)
	if err != nil {
		return nil, fmt.Errorf("reading organisation: %w", err)
	}
	existing, err := p.store.Commitments(ctx, personID)
	if err != nil {
		return nil, err
	}
	c := &socle.Commitment{ID: socle.NewID(socle.PrefixCommitment), PersonID: personID, OrientationID: os[i].ID, Version: 1,
		OrganisationID: org.ID, AgentID: req.Actor.AgentID, CreatedAt: p.g.Now(), Status: socle.CommitmentToSign}
	d := ContractDraft{Contract: c, Person: person, Orientation: os[i], Organisation: org}
	if len(existing) > 0 {
		c.Version, c.PreviousID, d.PreviousHash = existing[0].Version+1, existing[0].ID, existing[0].DocumentHash
	}
	if d.Plan, err = p.planForContract(ctx, personID, existing); err == errContractOfPlanExists {
		d.PlanContracted = true
	} else if err != nil {
		return nil, err
	}
	if err := draft(d); err != nil {
		return nil, err
	}
	if len(c.Document) == 0 || c.DocumentHash == "" {
		return nil, fmt.Errorf("drawing up a contract: the drafter left no document")
	}
	return c, nil
}

// contractSpec is an adviser's access to a contract's person, found by
// the contract (into *c) once she is admitted.
func (p *Parcours) contractSpec(action socle.Action, id string, c **socle.Commitment) spec {
	parcours := socle.SetOf(socle.CatParcours)
	return spec{action: action, want: parcours, need: parcours, purposes: []string{purposeAccompagnement},
		locate: p.locateContract(id, c)}
}

// locateContract finds a contract and names its person as the resource.
func (p *Parcours) locateContract(id string, c **socle.Commitment) func(context.Context) (socle.Resource, error) {
	return locatePersonRecord(socle.PrefixCommitment, id, "contract not found", p.store.Commitment, func(c *socle.Commitment) string { return c.PersonID }, c)
}

// selfContractSpec is a person's access to her own contract: nobody
// else's is found.
func (p *Parcours) selfContractSpec(req Request, action socle.Action, id string, c **socle.Commitment, text string) spec {
	d := socle.Decision{Allow: true, Categories: socle.SetOf(socle.CatParcours), Facts: []socle.Fact{{Kind: "self", Text: text,
		Detail: map[string]string{"person_id": req.Actor.PersonID}}}}
	return spec{caller: anyCaller, action: action, locate: p.locateContract(id, c),
		grounds: func(context.Context, Request, *socle.Resource) (socle.Decision, error) {
			if req.Actor.PersonID == "" || req.Actor.PersonID != (*c).PersonID {
				return socle.Decision{}, socle.Errorf(socle.ENOTFOUND, "contract not found")
			}
			return d, nil
		},
		recordAs: func(r Request) Request { r.Purpose = purposeAccompagnement; return r }}
}

// Commitment returns a contract the actor may read: an adviser under the
// policy, or the person herself.
func (p *Parcours) Commitment(ctx context.Context, req Request, id string) (*socle.Commitment, error) {
	var c *socle.Commitment
	s := p.contractSpec(socle.ActionRead, id, &c)
	if req.Actor.PersonID != "" {
		s = p.selfContractSpec(req, socle.ActionRead, id, &c, "La personne consulte son propre contrat d'engagement.")
	}
	// Nobody learns whether an object exists before saying who she is.
	c, _, err := access(ctx, p.g, req, s, func(context.Context, socle.Decision) (*socle.Commitment, outcome, error) {
		return c, outcome{records: 1}, nil
	})
	return c, err
}

// Commitments returns a person's contracts, newest version first.
func (p *Parcours) Commitments(ctx context.Context, req Request, personID string) ([]*socle.Commitment, error) {
	s := parcoursSpec(socle.ActionRead, personID, socle.SetOf(socle.CatParcours), purposeAccompagnement)
	cs, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) ([]*socle.Commitment, outcome, error) {
		cs, err := p.store.Commitments(ctx, personID)
		return cs, outcome{records: len(cs)}, err
	})
	return cs, err
}

// SignAsAdviser signs a contract for the actor's organisation: an adviser
// with a second factor, under the policy.
func (p *Parcours) SignAsAdviser(ctx context.Context, req Request, id string) (*socle.Commitment, error) {
	var c, signed *socle.Commitment
	s := p.contractSpec(socle.ActionUpdate, id, &c)
	s.valid = func() error {
		if req.Actor.AgentID == "" || req.Actor.Strength < socle.AuthMFA {
			return socle.Errorf(socle.EFORBIDDEN, "an adviser signs with a second factor")
		}
		return nil
	}
	_, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (struct{}, outcome, error) {
		sig, err := p.signer.Sign(c.DocumentHash, socle.SignerAdviser, req.Actor.AgentID, p.g.Now())
		if err != nil {
			return struct{}{}, outcome{}, err
		}
		return struct{}{}, outcome{records: 1, write: func(ctx context.Context) (err error) {
			signed, err = p.store.AddSignature(ctx, id, sig)
			return err
		}}, nil
	})
	if err != nil {
		return nil, err
	}
	return signed, nil
}

// SigningLink issues a single-use link (its token) by which the person
// signs after authenticating afresh; the adviser hands it over or it is
// mailed to her. Only the token's hash is stored.
func (p *Parcours) SigningLink(ctx context.Context, req Request, id string) (string, error) {
	var c *socle.Commitment
	token, _, err := access(ctx, p.g, req, p.contractSpec(socle.ActionUpdate, id, &c), func(ctx context.Context, _ socle.Decision) (string, outcome, error) {
		if c.Status != socle.CommitmentToSign || c.SignedBy(socle.SignerPerson) != nil {
			return "", outcome{}, socle.Errorf(socle.ECONFLICT, "the person cannot sign this contract any more")
		}
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return "", outcome{}, fmt.Errorf("signing link: %w", err)
		}
		token := hex.EncodeToString(b)
		return token, outcome{records: 1, write: func(ctx context.Context) error {
			return p.store.CreateSignLink(ctx, tokenHash(token), c.ID, c.PersonID, p.g.Now().Add(SignLinkLifetime))
		}}, nil
	})
	return token, err
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// CommitmentByLink returns the contract a signing link is for, and the
// person it authenticates, without using the link.
func (p *Parcours) CommitmentByLink(ctx context.Context, token string, reqID, remote string) (*socle.Commitment, error) {
	cid, pid, err := p.store.SignLink(ctx, tokenHash(token), p.g.Now(), false)
	if err != nil {
		return nil, err
	}
	req := Request{Actor: socle.Actor{PersonID: pid, Strength: socle.AuthClient}, RequestID: reqID, RemoteAddr: remote}
	return p.Commitment(ctx, req, cid)
}

// SignWithLink signs the contract as the person the link authenticates,
// and uses the link up.
func (p *Parcours) SignWithLink(ctx context.Context, token string, reqID, remote string) (*socle.Commitment, error) {
	cid, pid, err := p.store.SignLink(ctx, tokenHash(token), p.g.Now(), true)
	if err != nil {
		return nil, err
	}
	req := Request{Actor: socle.Actor{PersonID: pid, Strength: socle.AuthClient}, RequestID: reqID, RemoteAddr: remote}
	return p.SignAsPerson(ctx, req, cid, p.g.Now())
}

// SignAsPerson signs a contract as the person herself, who authenticated
// again at reauthAt, within ReauthWindow.
func (p *Parcours) SignAsPerson(ctx context.Context, req Request, id string, reauthAt time.Time) (*socle.Commitment, error) {
	var c, signed *socle.Commitment
	s := p.selfContractSpec(req, socle.ActionUpdate, id, &c, "La personne signe son contrat d'engagement après une nouvelle authentification.")
	s.valid = func() error {
		if req.Actor.PersonID == "" {
			return socle.Errorf(socle.EFORBIDDEN, "only the person signs as the person")
		}
		if reauthAt.IsZero() || p.g.Now().Sub(reauthAt) > ReauthWindow {
			return socle.Errorf(socle.EUNAUTHENTICATED, "authenticate again (less than 5 minutes ago) to sign")
		}
		return nil
	}
	_, _, err := access(ctx, p.g, req, s, writing(func(ctx context.Context) error {
		sig, err := p.signer.Sign(c.DocumentHash, socle.SignerPerson, c.PersonID, p.g.Now())
		if err != nil {
			return err
		}
		signed, err = p.store.AddSignature(ctx, id, sig)
		return err
	}))
	if err != nil {
		return nil, err
	}
	return signed, nil
}

// Aggregate gives compute the records the steering figures are computed
// from, for statisticians and administrators with the statistics purpose:
// compute keeps only aggregates, where counts under threshold are masked
// (indicators.Compute). The records never leave the call.
func (p *Parcours) Aggregate(ctx context.Context, req Request, threshold int, compute func(rec socle.IndicatorRecords, now time.Time)) error {
	if compute == nil {
		return fmt.Errorf("aggregating: nothing computes the figures")
	}
	s := spec{action: socle.ActionExport, res: socle.Resource{Kind: socle.ResourcePerson}, purposes: []string{purposeStatistics},
		grounds: func(_ context.Context, req Request, _ *socle.Resource) (socle.Decision, error) {
			roles := req.Actor.Roles
			if !slices.Contains(roles, socle.RoleStatistician) && !slices.Contains(roles, socle.RoleOrgAdmin) && !slices.Contains(roles, socle.RolePlatformAdmin) {
				return socle.Decision{Facts: []socle.Fact{{Kind: "role", Text: "Les indicateurs sont réservés aux statisticiens et aux administrateurs."}}},
					socle.Errorf(socle.EFORBIDDEN, "indicators are for statisticians and administrators")
			}
			return socle.Decision{Allow: true, Facts: []socle.Fact{{Kind: "aggregate", Text: fmt.Sprintf(
				"Indicateurs agrégés du réseau : les effectifs inférieurs à %d sont masqués.", threshold)}}}, nil
		}}
	_, _, err := access(ctx, p.g, req, s, func(ctx context.Context, _ socle.Decision) (struct{}, outcome, error) {
		rec, err := p.store.IndicatorRecords(ctx)
		if err != nil {
			return struct{}{}, outcome{}, err
		}
		compute(rec, p.g.Now())
		return struct{}{}, outcome{}, nil
	})
	return err
}

// authenticated refuses an anonymous request, before any lookup by id.
func authenticated(req Request) error {
	if !req.Actor.Authenticated() {
		return socle.Errorf(socle.EUNAUTHENTICATED, "authentication required")
	}
	return nil
}
