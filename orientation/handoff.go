package orientation

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"socle"
	"socle/gate"
)

// HandoffDirectory finds who is told of a request's deadline: the
// advisers of the receiving structure, and those of the département that
// holds the orientation committee.
type HandoffDirectory interface {
	AgentsWithRole(ctx context.Context, role socle.Role, organisationID string, limit int) ([]*socle.Agent, error)
	Organisations(ctx context.Context, f socle.OrganisationFilter) ([]*socle.Organisation, error)
}

// Notifier sends an in-app notification (and a mail) to an agent
// (identity.Service).
type Notifier interface {
	Notify(ctx context.Context, agentID, subject, body string) error
}

// Deadlines is the periodic job of the orientation requests' deadlines:
// it reminds the receiving structure before the deadline and hands the
// request to the départemental committee after it, then tells them. The
// messages name no person: the request is read in Socle.
type Deadlines struct {
	Parcours *gate.Parcours
	// Rules are the deadlines; zero means the Parcours' own.
	Rules     socle.HandoffDeadlines
	Directory HandoffDirectory
	// Notifier, when set, tells the advisers concerned.
	Notifier Notifier
	Logger   *slog.Logger
}

// Sweep runs the deadlines once, on the gate's clock, and returns what it
// marked.
func (d *Deadlines) Sweep(ctx context.Context) ([]gate.HandoffMark, error) {
	rules := d.Rules
	if rules == (socle.HandoffDeadlines{}) {
		rules = d.Parcours.HandoffDeadlines()
	}
	marks, err := d.Parcours.SweepOrientationRequests(ctx, rules)
	if err != nil {
		return nil, fmt.Errorf("orientation deadlines: %w", err)
	}
	if d.Notifier == nil || d.Directory == nil {
		return marks, nil
	}
	for _, m := range marks {
		if err := d.tell(ctx, m); err != nil {
			// The mark is recorded: the queues show it whatever the mail.
			d.logger().Warn("orientation deadlines: notifying", "request", m.RequestID, "err", err)
		}
	}
	return marks, nil
}

// tell notifies the advisers a mark concerns.
func (d *Deadlines) tell(ctx context.Context, m gate.HandoffMark) error {
	orgs := []string{m.ToOrganisationID}
	subject := "Demande d'orientation à traiter avant le " + m.Deadline.French()
	body := "Une demande d'orientation adressée à votre structure attend votre réponse au plus tard le " + m.Deadline.French() +
		". Ouvrez « Demandes d'orientation reçues » dans Socle pour y répondre."
	if m.Step == socle.HandoffEscalate {
		subject = "Demande d'orientation transmise à la commission"
		body = "Une demande d'orientation est restée sans réponse au " + m.Deadline.French() +
			" : elle est transmise à la commission départementale d'orientation. Ouvrez « Commission d'orientation » dans Socle."
		deps, err := d.Directory.Organisations(ctx, socle.OrganisationFilter{Kind: socle.KindDepartement, Departement: m.Departement, Limit: 10})
		if err != nil {
			return err
		}
		orgs = orgs[:0]
		for _, o := range deps {
			orgs = append(orgs, o.ID)
		}
	}
	for _, org := range orgs {
		agents, err := d.Directory.AgentsWithRole(ctx, socle.RoleAdviser, org, 50)
		if err != nil {
			return err
		}
		for _, a := range agents {
			if err := d.Notifier.Notify(ctx, a.ID, subject, body); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *Deadlines) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.Default()
	}
	return d.Logger
}

// Run sweeps every interval until ctx ends; a failed sweep is logged and
// retried at the next tick.
func (d *Deadlines) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := d.Sweep(ctx); err != nil && ctx.Err() == nil {
			d.logger().Error("orientation deadlines", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
