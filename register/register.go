// Package register keeps the register of purposes (finalités) and
// agreements (conventions) that the policy engine applies: loaded from the
// store at start, edited by platform administrators as a whole, each edit
// validated, applied, stored as a new version with its author and reason,
// and recorded in the audit log.
package register

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"socle"
	"socle/audit"
	"socle/policy"
)

// Store keeps the versions of the register.
type Store interface {
	// LatestRegister returns the newest version, ENOTFOUND when none.
	LatestRegister(ctx context.Context) (*socle.RegisterVersion, error)
	// AddRegister stores a new version, ECONFLICT when its number is taken.
	AddRegister(ctx context.Context, v *socle.RegisterVersion) error
	// RegisterVersions lists the versions, newest first, without JSON.
	RegisterVersions(ctx context.Context, limit int) ([]socle.RegisterVersion, error)

	// The edits waiting for a second administrator (identity.ChangeStore).
	CreateChange(ctx context.Context, ch *socle.Change) error
	Change(ctx context.Context, id string) (*socle.Change, error)
	PendingChanges(ctx context.Context, kind, organisationID string) ([]*socle.Change, error)
	DecideChange(ctx context.Context, id, status, by string, at time.Time) (bool, error)
}

// FourEyes is the rule that makes an approval a second person's
// (identity.Service): the same rule as a second-factor recovery.
type FourEyes interface {
	// CheckApprover returns EFORBIDDEN unless approver may approve ch.
	CheckApprover(ctx context.Context, approver socle.Actor, ch *socle.Change) error
	// NotifyPrivacyOfficers notifies the privacy officers of an
	// organisation, or of the whole network ("").
	NotifyPrivacyOfficers(ctx context.Context, organisationID, subject, body string)
}

// Engine is the policy engine the register applies to.
type Engine interface {
	Register() policy.Register
	SetRegister(reg policy.Register) error
}

// Service loads and edits the register.
type Service struct {
	store    Store
	engine   Engine
	auditor  socle.Auditor
	fourEyes FourEyes   // nil: an edit that widens access is refused
	mu       sync.Mutex // serialises edits of this instance
	// Now is the clock, replaceable in tests.
	Now func() time.Time
}

// Open loads the newest stored register into engine, or stores the
// engine's current register as the first version when none is stored.
// fourEyes approves the edits that widen access to sensitive categories;
// without it (nil) such edits are refused, never applied by one person.
func Open(ctx context.Context, store Store, engine Engine, auditor socle.Auditor, fourEyes FourEyes) (*Service, error) {
	s := &Service{store: store, engine: engine, auditor: auditor, fourEyes: fourEyes, Now: time.Now}
	v, err := store.LatestRegister(ctx)
	switch {
	case socle.ErrorCode(err) == socle.ENOTFOUND:
		reg := engine.Register()
		if reg.Version <= 0 {
			reg.Version = 1
		}
		b, err := encode(reg)
		if err != nil {
			return nil, err
		}
		first := &socle.RegisterVersion{Version: reg.Version, JSON: b, Reason: "Registre par défaut au premier démarrage", CreatedAt: s.Now()}
		if err := store.AddRegister(ctx, first); err != nil && socle.ErrorCode(err) != socle.ECONFLICT {
			return nil, fmt.Errorf("storing the first register: %w", err)
		}
		return s, s.Reload(ctx)
	case err != nil:
		return nil, fmt.Errorf("loading the register: %w", err)
	}
	if err := s.apply(v); err != nil {
		return nil, err
	}
	return s, nil
}

// Reload applies the newest stored version, for instances that share a
// database with another one that edited it.
func (s *Service) Reload(ctx context.Context) error {
	v, err := s.store.LatestRegister(ctx)
	if err != nil {
		return fmt.Errorf("loading the register: %w", err)
	}
	return s.apply(v)
}

func (s *Service) apply(v *socle.RegisterVersion) error {
	reg, err := policy.ReadRegister(strings.NewReader(v.JSON))
	if err != nil {
		return fmt.Errorf("register version %d: %w", v.Version, err)
	}
	reg.Version = v.Version
	if err := s.engine.SetRegister(reg); err != nil {
		return fmt.Errorf("applying register version %d: %w", v.Version, err)
	}
	return nil
}

func encode(reg policy.Register) (string, error) {
	var b bytes.Buffer
	if err := reg.WriteJSON(&b); err != nil {
		return "", err
	}
	return b.String(), nil
}

// CheckAdmin lets only platform administrators (admin_plateforme) signed
// in with a second factor see or edit the register.
func CheckAdmin(actor socle.Actor) error {
	if !actor.Authenticated() {
		return socle.Errorf(socle.EUNAUTHENTICATED, "authentication required")
	}
	if actor.AgentID == "" || actor.Strength < socle.AuthMFA {
		return socle.Errorf(socle.EFORBIDDEN, "an agent signed in with a second factor is required")
	}
	if !slices.Contains(actor.Roles, socle.RolePlatformAdmin) {
		return socle.Errorf(socle.EFORBIDDEN, "the register of purposes and agreements is edited by the role %s", socle.RolePlatformAdmin)
	}
	return nil
}

// Current returns the register in force.
func (s *Service) Current(actor socle.Actor) (policy.Register, error) {
	if err := CheckAdmin(actor); err != nil {
		return policy.Register{}, err
	}
	return s.engine.Register(), nil
}

// Versions returns the history of the register, newest first.
func (s *Service) Versions(ctx context.Context, actor socle.Actor, limit int) ([]socle.RegisterVersion, error) {
	if err := CheckAdmin(actor); err != nil {
		return nil, err
	}
	return s.store.RegisterVersions(ctx, limit)
}

// MinReason is the minimum length, in characters, of the reason of an edit.
const MinReason = 10

// Update validates reg and, unless it widens access to a sensitive
// category (see Widening), applies it and stores it as the next version;
// the change returned is then nil. An edit that widens access is stored
// as a pending change, returned, and applies only when a second platform
// administrator approves it (Approve); the privacy officers are notified.
// The edit is recorded in the audit log before it applies: an edit that
// cannot be recorded does not happen. reg.Version is ignored: the next
// number is assigned.
func (s *Service) Update(ctx context.Context, actor socle.Actor, requestID string, reg policy.Register, reason string) (policy.Register, *socle.Change, error) {
	if err := CheckAdmin(actor); err != nil {
		return policy.Register{}, nil, err
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < MinReason {
		return policy.Register{}, nil, socle.Errorf(socle.EINVALID, "reason: explain the change in at least %d characters", MinReason)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	latest, err := s.store.LatestRegister(ctx)
	if err != nil {
		return policy.Register{}, nil, fmt.Errorf("loading the register: %w", err)
	}
	reg.Version = latest.Version + 1
	if err := reg.Validate(); err != nil {
		return policy.Register{}, nil, err
	}
	if widened := Widening(s.engine.Register(), reg); len(widened) > 0 {
		ch, err := s.propose(ctx, actor, requestID, latest.Version, reg, reason, widened)
		return policy.Register{}, ch, err
	}
	reg, err = s.commit(ctx, requestID, actor.AgentID, actor.OrganisationID, reg, reason, "")
	return reg, nil, err
}

// commit records, stores and applies reg, edited by author and approved by
// approver ("" when no approval was needed). The caller holds s.mu.
func (s *Service) commit(ctx context.Context, requestID, author, authorOrg string, reg policy.Register, reason, approver string) (policy.Register, error) {
	b, err := encode(reg)
	if err != nil {
		return policy.Register{}, err
	}
	agent, text := author, "Modification du registre par un administrateur de la plateforme."
	if approver != "" {
		agent, text = approver, "Modification du registre par un administrateur de la plateforme, approuvée par un second."
	}
	ev := audit.Act{
		RequestID: requestID, AgentID: agent, OrganisationID: authorOrg,
		Action: "register_changed", ResourceKind: "register", ResourceID: fmt.Sprint(reg.Version), Allowed: true,
		Explanation: "Nouvelle version " + fmt.Sprint(reg.Version) + " du registre des finalités et conventions : " + reason,
		Facts: []socle.Fact{{Kind: "register", Detail: map[string]string{
			"version": fmt.Sprint(reg.Version), "purposes": fmt.Sprint(len(reg.Purposes)), "agreements": fmt.Sprint(len(reg.Agreements)),
			"author": author, "approver": approver,
		}, Text: text}},
	}
	if err := s.record(ctx, ev, "the change could not be recorded in the audit log; it is not applied"); err != nil {
		return policy.Register{}, err
	}
	v := &socle.RegisterVersion{Version: reg.Version, JSON: b, Author: author, Reason: reason, CreatedAt: s.Now()}
	if err := s.store.AddRegister(ctx, v); err != nil {
		return policy.Register{}, fmt.Errorf("storing the register: %w", err)
	}
	if err := s.engine.SetRegister(reg); err != nil {
		return policy.Register{}, fmt.Errorf("applying the register: %w", err)
	}
	return reg, nil
}

// Decode reads a register as administrators send it (JSON), rejecting
// unknown fields.
func Decode(b []byte) (policy.Register, error) {
	var reg policy.Register
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&reg); err != nil {
		return policy.Register{}, socle.Errorf(socle.EINVALID, "register: %v", err)
	}
	return reg, nil
}

// record records act in the audit log before the act is carried out. A
// failed append answers EUNAVAILABLE with refusal, which says what did not
// happen; an act refused as invalid (text not UTF-8) keeps its EINVALID.
func (s *Service) record(ctx context.Context, act audit.Act, refusal string) error {
	err := audit.Append(ctx, s.auditor, s.Now(), act)
	if err == nil || socle.ErrorCode(err) == socle.EINVALID {
		return err
	}
	return socle.Errorf(socle.EUNAVAILABLE, "%s", refusal)
}
