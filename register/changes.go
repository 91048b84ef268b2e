package register

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"socle"
	"socle/audit"
	"socle/policy"
)

// sensitive is the set of the categories sealed with per-person keys.
var sensitive = socle.SetOf(socle.CatHealth, socle.CatJustice, socle.CatBank)

// Widening lists the agreements of next that give a sensitive category
// (health, justice, bank) that prev did not give on the same terms: a new
// agreement, a sensitive category added to one, or an agreement that gives
// one whose scope changed (organisation, purpose, population, roles,
// situations). Narrowing edits list nothing.
func Widening(prev, next policy.Register) []string {
	var out []string
	for _, a := range next.Agreements {
		read, write := a.Read&sensitive, a.Write&sensitive
		if read|write == 0 {
			continue
		}
		i := slices.IndexFunc(prev.Agreements, func(p policy.Agreement) bool { return p.ID == a.ID })
		if i < 0 {
			out = append(out, a.ID)
			continue
		}
		p := prev.Agreements[i]
		if !sameScope(p, a) || read&^p.Read != 0 || write&^p.Write != 0 {
			out = append(out, a.ID)
		}
	}
	return out
}

func sameScope(p, a policy.Agreement) bool {
	return p.OrgKind == a.OrgKind && p.OrganisationID == a.OrganisationID && p.Purpose == a.Purpose && p.Population == a.Population &&
		slices.Equal(slices.Sorted(slices.Values(p.Roles)), slices.Sorted(slices.Values(a.Roles))) &&
		slices.Equal(slices.Sorted(slices.Values(p.Situations)), slices.Sorted(slices.Values(a.Situations)))
}

// propose stores an edit that widens access, to be approved by a second
// platform administrator. The caller holds s.mu.
func (s *Service) propose(ctx context.Context, actor socle.Actor, requestID string, base int, reg policy.Register, reason string, widened []string) (*socle.Change, error) {
	if s.fourEyes == nil {
		return nil, socle.Errorf(socle.EUNAVAILABLE, "this edit widens access to sensitive categories and needs a second administrator's approval, which is not configured here")
	}
	b, err := encode(reg)
	if err != nil {
		return nil, err
	}
	ch := &socle.Change{
		ID: socle.NewID("chg"), Kind: socle.ChangeRegister, Base: base, Payload: b, Reason: reason,
		Summary:     fmt.Sprintf("Registre des conventions, version %d : accès élargi aux données sensibles (santé, justice, banque) par les conventions %s.", reg.Version, strings.Join(widened, ", ")),
		RequestedBy: actor.AgentID, RequestedFrom: "", RequestedAt: s.Now().UTC(), Status: socle.ChangePending,
	}
	ev := audit.Act{
		RequestID: requestID, AgentID: actor.AgentID, OrganisationID: actor.OrganisationID,
		Action: "register_change_requested", ResourceKind: "change", ResourceID: ch.ID, Allowed: true,
		Explanation: "Demande de modification du registre, en attente d'un second administrateur : " + reason,
		Facts:       []socle.Fact{{Kind: "register", Detail: map[string]string{"base": fmt.Sprint(base), "widened": strings.Join(widened, ",")}, Text: ch.Summary}},
	}
	if err := s.record(ctx, ev, "the request could not be recorded in the audit log; it is not stored"); err != nil {
		return nil, err
	}
	if err := s.store.CreateChange(ctx, ch); err != nil {
		return nil, fmt.Errorf("storing the register change: %w", err)
	}
	s.fourEyes.NotifyPrivacyOfficers(ctx, "", "Demande de modification du registre", ch.Summary+" Motif : "+reason+". Elle ne s'applique qu'après l'approbation d'un second administrateur de la plateforme.")
	return ch, nil
}

// Pending lists the register edits waiting for a second administrator.
func (s *Service) Pending(ctx context.Context, actor socle.Actor) ([]*socle.Change, error) {
	if err := CheckAdmin(actor); err != nil {
		return nil, err
	}
	return s.store.PendingChanges(ctx, socle.ChangeRegister, "")
}

// pending returns the pending register change id.
func (s *Service) pending(ctx context.Context, actor socle.Actor, id string) (*socle.Change, error) {
	if err := CheckAdmin(actor); err != nil {
		return nil, err
	}
	ch, err := s.store.Change(ctx, id)
	if err != nil {
		return nil, err
	}
	if ch.Kind != socle.ChangeRegister {
		return nil, socle.Errorf(socle.ENOTFOUND, "change not found")
	}
	if ch.Status != socle.ChangePending {
		return nil, socle.Errorf(socle.ECONFLICT, "this change was already decided")
	}
	return ch, nil
}

// Approve applies a pending register edit as its second pair of eyes: a
// platform administrator other than its author who passes the four-eyes
// rule. An edit made on a version that is no longer the newest is refused
// (ECONFLICT): it would undo the edits made since.
func (s *Service) Approve(ctx context.Context, actor socle.Actor, requestID, id string) (policy.Register, error) {
	ch, err := s.pending(ctx, actor, id)
	if err != nil {
		return policy.Register{}, err
	}
	if s.fourEyes == nil {
		return policy.Register{}, socle.Errorf(socle.EUNAVAILABLE, "approvals are not configured here")
	}
	if err := s.fourEyes.CheckApprover(ctx, actor, ch); err != nil {
		return policy.Register{}, err
	}
	reg, err := policy.ReadRegister(strings.NewReader(ch.Payload))
	if err != nil {
		return policy.Register{}, fmt.Errorf("reading the register of change %s: %w", ch.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	latest, err := s.store.LatestRegister(ctx)
	if err != nil {
		return policy.Register{}, fmt.Errorf("loading the register: %w", err)
	}
	if latest.Version != ch.Base {
		return policy.Register{}, socle.Errorf(socle.ECONFLICT, "the register changed since this request (version %d, now %d): refuse it and edit again", ch.Base, latest.Version)
	}
	ok, err := s.store.DecideChange(ctx, ch.ID, socle.ChangeApproved, actor.AgentID, s.Now().UTC())
	if err != nil {
		return policy.Register{}, err
	}
	if !ok {
		return policy.Register{}, socle.Errorf(socle.ECONFLICT, "this change was already decided")
	}
	reg.Version = latest.Version + 1
	if reg, err = s.commit(ctx, requestID, ch.RequestedBy, actor.OrganisationID, reg, ch.Reason, actor.AgentID); err != nil {
		return policy.Register{}, err
	}
	s.fourEyes.NotifyPrivacyOfficers(ctx, "", "Registre modifié", fmt.Sprintf("La demande suivante a été approuvée par un second administrateur et s'applique désormais (version %d) : %s", reg.Version, ch.Summary))
	return reg, nil
}

// Reject refuses (or, for its author, withdraws) a pending register edit.
func (s *Service) Reject(ctx context.Context, actor socle.Actor, requestID, id string) error {
	ch, err := s.pending(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := s.record(ctx, audit.Act{RequestID: requestID, AgentID: actor.AgentID, OrganisationID: actor.OrganisationID,
		Action: "register_change_rejected", ResourceKind: "change", ResourceID: ch.ID, Allowed: true},
		"the refusal could not be recorded in the audit log; it is not applied"); err != nil {
		return err
	}
	ok, err := s.store.DecideChange(ctx, ch.ID, socle.ChangeRejected, actor.AgentID, s.Now().UTC())
	if err != nil {
		return err
	}
	if !ok {
		return socle.Errorf(socle.ECONFLICT, "this change was already decided")
	}
	return nil
}
