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
	"socle/policy"
)

// Version is one stored version of the register.
type Version struct {
	Version   int       `json:"version"`
	JSON      string    `json:"-"` // the whole register, empty in history lists
	Author    string    `json:"author"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

// Store keeps the versions of the register.
type Store interface {
	// LatestRegister returns the newest version, ENOTFOUND when none.
	LatestRegister(ctx context.Context) (*Version, error)
	// AddRegister stores a new version, ECONFLICT when its number is taken.
	AddRegister(ctx context.Context, v *Version) error
	// RegisterVersions lists the versions, newest first, without JSON.
	RegisterVersions(ctx context.Context, limit int) ([]Version, error)
}

// Engine is the policy engine the register applies to.
type Engine interface {
	Register() policy.Register
	SetRegister(reg policy.Register) error
}

// Service loads and edits the register.
type Service struct {
	store   Store
	engine  Engine
	auditor socle.Auditor
	mu      sync.Mutex // serialises edits of this instance
	// Now is the clock, replaceable in tests.
	Now func() time.Time
}

// Open loads the newest stored register into engine, or stores the
// engine's current register as the first version when none is stored.
func Open(ctx context.Context, store Store, engine Engine, auditor socle.Auditor) (*Service, error) {
	s := &Service{store: store, engine: engine, auditor: auditor, Now: time.Now}
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
		first := &Version{Version: reg.Version, JSON: b, Reason: "Registre par défaut au premier démarrage", CreatedAt: s.Now()}
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

func (s *Service) apply(v *Version) error {
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
func (s *Service) Versions(ctx context.Context, actor socle.Actor, limit int) ([]Version, error) {
	if err := CheckAdmin(actor); err != nil {
		return nil, err
	}
	return s.store.RegisterVersions(ctx, limit)
}

// MinReason is the minimum length, in characters, of the reason of an edit.
const MinReason = 10

// Update validates reg, applies it and stores it as the next version. The
// edit is recorded in the audit log before it applies: an edit that cannot
// be recorded does not happen. reg.Version is ignored: the next number is
// assigned.
func (s *Service) Update(ctx context.Context, actor socle.Actor, requestID string, reg policy.Register, reason string) (policy.Register, error) {
	if err := CheckAdmin(actor); err != nil {
		return policy.Register{}, err
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < MinReason {
		return policy.Register{}, socle.Errorf(socle.EINVALID, "reason: explain the change in at least %d characters", MinReason)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if latest, err := s.store.LatestRegister(ctx); err != nil {
		return policy.Register{}, fmt.Errorf("loading the register: %w", err)
	} else {
		reg.Version = latest.Version + 1
	}
	if err := reg.Validate(); err != nil {
		return policy.Register{}, err
	}
	b, err := encode(reg)
	if err != nil {
		return policy.Register{}, err
	}
	ev := socle.AuditEvent{
		Time: s.Now().UTC(), RequestID: requestID, AgentID: actor.AgentID, OrganisationID: actor.OrganisationID,
		Action: "register_changed", ResourceKind: "register", ResourceID: fmt.Sprint(reg.Version), Allowed: true,
		Explanation: "Nouvelle version " + fmt.Sprint(reg.Version) + " du registre des finalités et conventions : " + reason,
		Facts: []socle.Fact{{Kind: "register", Detail: map[string]string{
			"version": fmt.Sprint(reg.Version), "purposes": fmt.Sprint(len(reg.Purposes)), "agreements": fmt.Sprint(len(reg.Agreements)),
		}, Text: "Modification du registre par un administrateur de la plateforme."}},
	}
	if err := s.auditor.Append(ctx, ev); err != nil {
		return policy.Register{}, socle.Errorf(socle.EUNAVAILABLE, "the change could not be recorded in the audit log; it is not applied")
	}
	v := &Version{Version: reg.Version, JSON: b, Author: actor.AgentID, Reason: reason, CreatedAt: s.Now()}
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
