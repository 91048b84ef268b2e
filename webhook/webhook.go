// Package webhook tells partners' systems that a record they may read
// changed: each subscription of a client turns the change feed, read
// through the gate as that client (decided and audited like any read of the
// feed), into deliveries kept in a persisted queue, POSTed to the
// subscriber with a detached JWS signature (RFC 7515 appendix F) by the key
// Socle publishes in its JWKS, and retried with exponential backoff and
// jitter for 24 hours. A delivery carries references (kind, id, version,
// time), never data: the subscriber reads the record through the gate.
//
// One process must deliver at a time: with several servers over one
// PostgreSQL, run the Service under a lease (cmd/socle does). Queueing is
// safe anyway (a subscription's cursor moves once per change); two
// deliverers could post the same delivery twice, which receivers must
// tolerate (the delivery id is in every request).
package webhook

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"socle"
	"socle/gate"
	"socle/oauth"
)

// Headers of a delivery.
const (
	// HeaderSignature holds the detached JWS over the body.
	HeaderSignature = "Socle-Signature"
	// HeaderDelivery holds the delivery id, the same on every attempt.
	HeaderDelivery = "Socle-Delivery"
)

// Defaults of Config.
const (
	DefaultMaxAge    = 24 * time.Hour
	DefaultBaseDelay = 30 * time.Second
	DefaultMaxDelay  = time.Hour
)

// Signer signs a delivery's body; *oauth.Service is one, with the key its
// JWKS publishes.
type Signer interface {
	SignDetached(payload []byte, extra map[string]any) (string, error)
}

// Clients finds the OAuth client of a subscription and its organisation.
type Clients interface {
	OAuthClient(ctx context.Context, id string) (*socle.OAuthClient, error)
	Organisation(ctx context.Context, id string) (*socle.Organisation, error)
}

// Config tunes a Service; the zero value uses the defaults.
type Config struct {
	// MaxAge is how long a delivery is retried before it fails.
	MaxAge time.Duration
	// BaseDelay is the wait after the first failure, doubled after each
	// other, up to MaxDelay, each with ±20% jitter.
	BaseDelay, MaxDelay time.Duration
	// HTTPClient posts the deliveries; when nil, one with a 10 s timeout
	// that dials only public addresses (ssrf.go). Tests only.
	HTTPClient *http.Client
	// AllowLoopbackHTTP accepts receivers on the loopback interface, over
	// http:// too (tests, the demo); otherwise a subscription needs https
	// to a host that resolves to public addresses only.
	AllowLoopbackHTTP bool
	// RootCAs are the authorities whose certificates the receivers' https
	// endpoints may present: the system's when nil; TrustedRoots adds a
	// private authority to them. Verification is never skipped.
	RootCAs *x509.CertPool
	// Resolver resolves the hosts of subscription URLs; net.DefaultResolver
	// when nil.
	Resolver *net.Resolver
	Now      func() time.Time
	Logger   *slog.Logger
}

// Service manages subscriptions and delivers their changes.
type Service struct {
	store   socle.WebhookStore
	gate    *gate.Gate
	clients Clients
	signer  Signer
	cfg     Config
}

// New returns a Service; every part is required.
func New(store socle.WebhookStore, g *gate.Gate, clients Clients, signer Signer, cfg Config) (*Service, error) {
	if store == nil || g == nil || clients == nil || signer == nil {
		return nil, fmt.Errorf("webhook: a store, a gate, the clients and a signer are required")
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.BaseDelay <= 0 {
		cfg.BaseDelay = DefaultBaseDelay
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = DefaultMaxDelay
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = guardedClient(cfg.AllowLoopbackHTTP, cfg.RootCAs)
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Service{store: store, gate: g, clients: clients, signer: signer, cfg: cfg}, nil
}

// requireClient admits partner systems only: a subscription belongs to a
// client.
func requireClient(actor socle.Actor) error {
	if !actor.Authenticated() {
		return socle.Errorf(socle.EUNAUTHENTICATED, "authentication required")
	}
	if actor.ClientID == "" {
		return socle.Errorf(socle.EFORBIDDEN, "subscriptions belong to partner systems: use an OAuth client's access token")
	}
	return nil
}

// Subscribe registers a subscription of the actor's client to the changes
// it may read for purpose, from now on. The token must grant
// "<purpose>:read"; the URL must be https (or loopback http when allowed).
func (s *Service) Subscribe(ctx context.Context, actor socle.Actor, rawURL, purpose string) (*socle.Subscription, error) {
	if err := requireClient(actor); err != nil {
		return nil, err
	}
	var p socle.Problems
	if err := s.checkURL(ctx, rawURL); err != nil {
		p.Add("url", "%v", err)
	}
	if purpose == "" {
		p.Add("purpose", "required")
	}
	if err := p.Err("subscription"); err != nil {
		return nil, err
	}
	if !oauth.ScopeAllows(actor, purpose, socle.ActionRead) {
		return nil, socle.Errorf(socle.EFORBIDDEN, "the access token does not grant the scope %s", oauth.Scope(purpose, socle.ActionRead))
	}
	last, err := s.store.LastChange(ctx)
	if err != nil {
		return nil, fmt.Errorf("webhook: subscribing: %w", err)
	}
	sub := &socle.Subscription{ClientID: actor.ClientID, URL: rawURL, Purpose: purpose, Cursor: last, Created: s.cfg.Now()}
	if err := s.store.CreateSubscription(ctx, sub); err != nil {
		return nil, fmt.Errorf("webhook: subscribing: %w", err)
	}
	return sub, nil
}

// checkURL accepts an absolute https URL whose host resolves to public
// addresses only (ssrf.go), or, when allowed, a loopback one over http.
func (s *Service) checkURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return fmt.Errorf("an absolute URL without credentials nor fragment")
	}
	host := u.Hostname()
	switch u.Scheme {
	case "https":
	case "http":
		if ip, err := netip.ParseAddr(host); !s.cfg.AllowLoopbackHTTP || !(host == "localhost" || err == nil && ip.Unmap().IsLoopback()) {
			return fmt.Errorf("https required")
		}
	default:
		return fmt.Errorf("https required")
	}
	return checkHost(ctx, s.cfg.Resolver, host, s.cfg.AllowLoopbackHTTP)
}

// Subscriptions lists the subscriptions of the actor's client.
func (s *Service) Subscriptions(ctx context.Context, actor socle.Actor) ([]*socle.Subscription, error) {
	if err := requireClient(actor); err != nil {
		return nil, err
	}
	subs, err := s.store.Subscriptions(ctx, actor.ClientID)
	if err != nil {
		return nil, fmt.Errorf("webhook: listing subscriptions: %w", err)
	}
	return subs, nil
}

// own returns a subscription of the actor's client; another client's is
// ENOTFOUND, like an absent one.
func (s *Service) own(ctx context.Context, actor socle.Actor, id string) (*socle.Subscription, error) {
	if err := requireClient(actor); err != nil {
		return nil, err
	}
	sub, err := s.store.Subscription(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	if sub.ClientID != actor.ClientID {
		return nil, socle.Errorf(socle.ENOTFOUND, "subscription not found")
	}
	return sub, nil
}

// Unsubscribe deletes a subscription of the actor's client and its
// deliveries.
func (s *Service) Unsubscribe(ctx context.Context, actor socle.Actor, id string) error {
	if _, err := s.own(ctx, actor, id); err != nil {
		return err
	}
	if err := s.store.DeleteSubscription(ctx, id); err != nil {
		return fmt.Errorf("webhook: unsubscribing: %w", err)
	}
	return nil
}

// Deliveries returns the delivery log of a subscription of the actor's
// client, newest first, from the delivery after before when set.
func (s *Service) Deliveries(ctx context.Context, actor socle.Actor, id, before string, limit int) ([]*socle.Delivery, error) {
	if _, err := s.own(ctx, actor, id); err != nil {
		return nil, err
	}
	ds, err := s.store.Deliveries(ctx, id, before, limit)
	if err != nil {
		return nil, fmt.Errorf("webhook: delivery log: %w", err)
	}
	return ds, nil
}

// Replay sends a delivery of the actor's client again, at the next round,
// whatever its status; a replay failing is retried within the window that
// started with the delivery.
func (s *Service) Replay(ctx context.Context, actor socle.Actor, deliveryID string) (*socle.Delivery, error) {
	if err := requireClient(actor); err != nil {
		return nil, err
	}
	d, err := s.store.Delivery(ctx, deliveryID)
	if err != nil {
		return nil, fmt.Errorf("webhook: replay: %w", err)
	}
	if _, err := s.own(ctx, actor, d.SubscriptionID); err != nil {
		return nil, socle.Errorf(socle.ENOTFOUND, "delivery not found")
	}
	d.Status, d.NextAt = socle.DeliveryPending, s.cfg.Now()
	if err := s.store.UpdateDelivery(ctx, d); err != nil {
		return nil, fmt.Errorf("webhook: replay: %w", err)
	}
	return d, nil
}

// Run queues and delivers every interval until ctx ends.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Queue(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("webhook: queueing", "err", err)
		}
		if _, err := s.Deliver(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("webhook: delivering", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Queue turns the changes past each subscription's cursor into deliveries:
// the feed is read through the gate as the subscription's client, so that
// only what it may read is queued, and that reading is audited.
func (s *Service) Queue(ctx context.Context) error {
	last, err := s.store.LastChange(ctx)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	subs, err := s.store.Subscriptions(ctx, "")
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	for _, sub := range subs {
		for sub.Cursor < last {
			next, err := s.queueOne(ctx, sub)
			if err != nil {
				s.cfg.Logger.Warn("webhook: queueing a subscription", "subscription", sub.ID, "err", err)
				break
			}
			sub.Cursor = next
		}
	}
	return nil
}

// queueOne queues one page of the feed for sub and returns the new cursor.
func (s *Service) queueOne(ctx context.Context, sub *socle.Subscription) (int64, error) {
	actor, err := s.actor(ctx, sub.ClientID)
	if err != nil {
		return 0, err
	}
	page, _, err := s.gate.Changes(ctx, gate.Request{Actor: actor, Purpose: sub.Purpose, RequestID: "webhook-" + sub.ID}, sub.Cursor, gate.MaxChanges)
	if err != nil {
		return 0, fmt.Errorf("reading the feed: %w", err)
	}
	if page.Next <= sub.Cursor {
		return 0, fmt.Errorf("the feed did not move past %d", sub.Cursor)
	}
	now := s.cfg.Now()
	ds := make([]*socle.Delivery, 0, len(page.Changes))
	for _, c := range page.Changes {
		ds = append(ds, &socle.Delivery{Change: c, Status: socle.DeliveryPending, NextAt: now, Created: now})
	}
	if err := s.store.EnqueueDeliveries(ctx, sub.ID, page.Next, ds); err != nil {
		return 0, err
	}
	return page.Next, nil
}

// ClientActor is the client clientID as its subscriptions act, for the
// operators' commands (socle subscription): what a token of the client
// with every configured scope would carry.
func (s *Service) ClientActor(ctx context.Context, clientID string) (socle.Actor, error) {
	return s.actor(ctx, clientID)
}

// actor is a subscription's client as the gate sees it: its organisation,
// its territory and its configured scopes, as a token would carry them.
func (s *Service) actor(ctx context.Context, clientID string) (socle.Actor, error) {
	c, err := s.clients.OAuthClient(ctx, clientID)
	if err != nil {
		return socle.Actor{}, fmt.Errorf("client of the subscription: %w", err)
	}
	if c.Disabled {
		return socle.Actor{}, fmt.Errorf("client %s is disabled", c.ID)
	}
	org, err := s.clients.Organisation(ctx, c.OrganisationID)
	if err != nil {
		return socle.Actor{}, fmt.Errorf("organisation of the client: %w", err)
	}
	return socle.Actor{ClientID: c.ID, OrganisationID: org.ID, OrgKind: org.Kind, OrgName: org.Name,
		Departements: org.Departements, Scopes: c.Scopes, Strength: socle.AuthClient}, nil
}

// Payload is the body of a delivery.
type Payload struct {
	DeliveryID     string             `json:"delivery_id"`
	SubscriptionID string             `json:"subscription_id"`
	Purpose        string             `json:"purpose"`
	Change         socle.RecordChange `json:"change"`
}

// Deliver attempts the deliveries due now and returns how many it
// delivered.
func (s *Service) Deliver(ctx context.Context) (int, error) {
	due, err := s.store.DueDeliveries(ctx, s.cfg.Now(), 100)
	if err != nil {
		return 0, fmt.Errorf("webhook: %w", err)
	}
	delivered := 0
	for _, d := range due {
		if ctx.Err() != nil {
			return delivered, ctx.Err()
		}
		ok, err := s.attempt(ctx, d)
		if err != nil {
			return delivered, err
		}
		if ok {
			delivered++
		}
	}
	return delivered, nil
}

// attempt posts one delivery and records the outcome; its error is a
// failure of the store, not of the receiver.
func (s *Service) attempt(ctx context.Context, d *socle.Delivery) (bool, error) {
	sub, err := s.store.Subscription(ctx, d.SubscriptionID)
	if err != nil {
		return false, fmt.Errorf("webhook: subscription of a delivery: %w", err)
	}
	body, err := json.Marshal(Payload{DeliveryID: d.ID, SubscriptionID: sub.ID, Purpose: sub.Purpose, Change: d.Change})
	if err != nil {
		return false, fmt.Errorf("webhook: encoding a delivery: %w", err)
	}
	now := s.cfg.Now()
	status, postErr := s.post(ctx, sub.URL, d.ID, body, now)
	d.Attempts++
	d.LastStatus, d.LastError = status, ""
	switch {
	case postErr == nil && status >= 200 && status < 300:
		d.Status, d.NextAt, d.DeliveredAt = socle.DeliveryDelivered, time.Time{}, now
	default:
		if postErr != nil {
			d.LastError = postErr.Error()
		} else {
			d.LastError = fmt.Sprintf("the receiver answered %d", status)
		}
		next := now.Add(s.backoff(d.Attempts))
		if next.Sub(d.Created) > s.cfg.MaxAge {
			d.Status, d.NextAt = socle.DeliveryFailed, time.Time{}
		} else {
			d.Status, d.NextAt = socle.DeliveryPending, next
		}
	}
	if err := s.store.UpdateDelivery(ctx, d); err != nil {
		return false, fmt.Errorf("webhook: recording an attempt: %w", err)
	}
	return d.Status == socle.DeliveryDelivered, nil
}

// post sends the signed body and returns the receiver's status.
func (s *Service) post(ctx context.Context, target, deliveryID string, body []byte, now time.Time) (int, error) {
	sig, err := s.signer.SignDetached(body, map[string]any{"iat": now.Unix(), "socle_delivery": deliveryID})
	if err != nil {
		return 0, fmt.Errorf("signing: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("building the request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderSignature, sig)
	req.Header.Set(HeaderDelivery, deliveryID)
	req.Header.Set("User-Agent", "Socle-Webhook/1")
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		// The URL was the partner's; the error names no personal data.
		return 0, fmt.Errorf("posting: %s", strings.TrimSpace(err.Error()))
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// backoff is the wait after the n-th failed attempt: BaseDelay doubled at
// each failure up to MaxDelay, with ±20% jitter so that receivers coming
// back are not hit by every retry at once.
func (s *Service) backoff(n int) time.Duration {
	d := s.cfg.BaseDelay
	for i := 1; i < n && d < s.cfg.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, s.cfg.MaxDelay)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}
