// Package webhook delivers siaga112's events to outside systems (WhatsApp or
// SMS gateways, e-mail relays, the city's dashboards): signed JSON POSTs,
// through an outbox that survives restarts when it is PostgreSQL, retried
// with exponential backoff for a day. Publishing never waits for the
// network or the database: a slow or dead receiver never slows dispatch.
package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"siaga112/tracking"
)

// Config tunes the service; zero values take the defaults.
type Config struct {
	Outbox tracking.WebhookOutbox // required
	Logger *slog.Logger
	Now    func() time.Time
	// Client posts the deliveries (default: Timeout, no redirects
	// followed, internal addresses refused at connect unless
	// AllowPrivate). Tests may pass their own; it then has no guard.
	Client *http.Client
	// AllowPrivate lets webhooks target loopback, link-local and private
	// addresses (--webhook-allow-private; guard.go).
	AllowPrivate bool
	// LookupIP resolves a subscription's host to check it (default the
	// system resolver; tests pass their own).
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
	// Timeout bounds one attempt, answer included (default 10 s).
	Timeout time.Duration
	// PerReceiver bounds the attempts in flight to one webhook (default
	// 2). Each webhook has its own worker, so a receiver that hangs holds
	// only its own slots.
	PerReceiver int
	// Queue bounds the events waiting to be written to the outbox
	// (default 10,000); past it Publish refuses, counts and logs.
	Queue int
	// Backoff is the first retry's delay (default 30 s); each retry doubles
	// it up to MaxBackoff (default 1 h), with jitter.
	Backoff, MaxBackoff time.Duration
	// GiveUpAfter: a delivery still failing this long after it was
	// enqueued is marked failed (default 24 h).
	GiveUpAfter time.Duration
	// PollEvery is how often the worker looks for due retries (default 1 s).
	PollEvery time.Duration
	// CAP writes an incident as CAP 1.2 for webhooks of format "cap"
	// (tracking/interop's Encoder.CAP); nil: they get JSON.
	CAP func(tracking.Incident) ([]byte, error)
	// Retention: deliveries done (delivered or failed) longer ago than
	// this leave the log, checked hourly (default 30 days).
	Retention time.Duration
}

// Stats are the service's counters since it started.
type Stats struct {
	Published uint64 `json:"published"` // events accepted by Publish
	Refused   uint64 `json:"refused"`   // events refused: the queue was full
	Enqueued  uint64 `json:"enqueued"`  // deliveries written to the outbox
	Attempts  uint64 `json:"attempts"`
	Delivered uint64 `json:"delivered"`
	Failed    uint64 `json:"failed"`    // gave up
	Queued    int    `json:"queued"`    // events waiting for the outbox now
	BusDrops  uint64 `json:"bus_drops"` // times Follow was dropped by the bus
}

// Service is the webhooks: subscriptions, publishing and delivery.
type Service struct {
	cfg  Config
	log  *slog.Logger
	in   chan event
	kick chan struct{}

	mu    sync.RWMutex
	hooks []tracking.Webhook // cache of the outbox's subscriptions

	published, refused, enqueued, attempts, delivered, failed, busDrops atomic.Uint64
	lastAlarm                                                           atomic.Int64
}

type event struct {
	name tracking.WebhookEvent
	at   time.Time
	data json.RawMessage
}

// New returns the service; Run starts its workers.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.PerReceiver <= 0 {
		cfg.PerReceiver = 2
	}
	if cfg.LookupIP == nil {
		cfg.LookupIP = lookupIP
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 10_000
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 30 * time.Second
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = time.Hour
	}
	if cfg.GiveUpAfter <= 0 {
		cfg.GiveUpAfter = 24 * time.Hour
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 30 * 24 * time.Hour
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = time.Second
	}
	if cfg.Client == nil {
		cfg.Client = guardedClient(cfg.Timeout, cfg.AllowPrivate)
	}
	return &Service{cfg: cfg, log: cfg.Logger.With("component", "webhook"),
		in: make(chan event, cfg.Queue), kick: make(chan struct{}, 1)}
}

// Subscribe validates and stores a subscription; a target inside the
// server's own or internal networks is refused (guard.go).
func (s *Service) Subscribe(ctx context.Context, w tracking.Webhook) (tracking.Webhook, error) {
	w, err := tracking.ValidateWebhook(w)
	if err != nil {
		return w, err
	}
	if err := s.checkTarget(ctx, w.URL); err != nil {
		return w, err
	}
	w.ID, w.CreatedAt = "wh_"+randomHex(8), s.cfg.Now().UTC()
	if err := s.cfg.Outbox.AddWebhook(ctx, w); err != nil {
		return w, fmt.Errorf("add webhook: %w", err)
	}
	return w, s.Reload(ctx)
}

// Unsubscribe deletes a subscription; its pending deliveries fail.
func (s *Service) Unsubscribe(ctx context.Context, id string) error {
	if err := s.cfg.Outbox.DeleteWebhook(ctx, id); err != nil {
		return err
	}
	return s.Reload(ctx)
}

// Webhooks lists the subscriptions (secrets are never answered back).
func (s *Service) Webhooks(ctx context.Context) ([]tracking.Webhook, error) {
	return s.cfg.Outbox.Webhooks(ctx)
}

// Deliveries is a webhook's delivery log, newest first.
func (s *Service) Deliveries(ctx context.Context, webhookID string, limit int) ([]tracking.Delivery, error) {
	return s.cfg.Outbox.Deliveries(ctx, webhookID, min(max(limit, 1), 500))
}

// Reload refreshes the cached subscriptions from the outbox (Run does it at
// start; another instance's changes show after a Reload).
func (s *Service) Reload(ctx context.Context) error {
	hooks, err := s.cfg.Outbox.Webhooks(ctx)
	if err != nil {
		return fmt.Errorf("load webhooks: %w", err)
	}
	s.mu.Lock()
	s.hooks = hooks
	s.mu.Unlock()
	s.poke() // the delivery loop starts and stops the receivers' workers
	return nil
}

// hookIDs lists the cached subscriptions' ids.
func (s *Service) hookIDs() map[string]bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := make(map[string]bool, len(s.hooks))
	for _, w := range s.hooks {
		ids[w.ID] = true
	}
	return ids
}

func (s *Service) hook(id string) (tracking.Webhook, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	i := slices.IndexFunc(s.hooks, func(w tracking.Webhook) bool { return w.ID == id })
	if i < 0 {
		return tracking.Webhook{}, false
	}
	return s.hooks[i], true
}

// Publish queues an event for every webhook subscribed to it. It never
// blocks: when the queue is full the event is refused, counted and logged
// (at most every 10 s), and Publish returns false.
func (s *Service) Publish(name tracking.WebhookEvent, at time.Time, data any) bool {
	raw, err := json.Marshal(data)
	if err != nil {
		s.log.Error("webhook event not encodable", "event", name, "err", err)
		return false
	}
	select {
	case s.in <- event{name: name, at: at.UTC(), data: raw}:
		s.published.Add(1)
		return true
	default:
		n := s.refused.Add(1)
		now := time.Now().UnixNano()
		if last := s.lastAlarm.Load(); now-last > int64(10*time.Second) && s.lastAlarm.CompareAndSwap(last, now) {
			s.log.Error("webhook queue full: events refused; the outbox is not keeping up", "event", name, "refused_total", n, "queue", s.cfg.Queue)
		}
		return false
	}
}

// Stats reads the counters.
func (s *Service) Stats() Stats {
	return Stats{Published: s.published.Load(), Refused: s.refused.Load(), Enqueued: s.enqueued.Load(),
		Attempts: s.attempts.Load(), Delivered: s.delivered.Load(), Failed: s.failed.Load(), Queued: len(s.in), BusDrops: s.busDrops.Load()}
}

// body is what a delivery POSTs: the delivery id repeats the header so a
// receiver can deduplicate (delivery is at least once).
type body struct {
	ID    string                `json:"id"`
	Event tracking.WebhookEvent `json:"event"`
	At    time.Time             `json:"at"`
	Data  json.RawMessage       `json:"data"`
}

// deliveriesFor turns an event into one delivery per subscribed webhook.
func (s *Service) deliveriesFor(e event) []tracking.Delivery {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []tracking.Delivery
	now := s.cfg.Now().UTC()
	for _, w := range s.hooks {
		if !w.Wants(e.name) {
			continue
		}
		id := "dl_" + randomHex(12)
		b, _ := json.Marshal(body{ID: id, Event: e.name, At: e.at, Data: e.data})
		out = append(out, tracking.Delivery{ID: id, WebhookID: w.ID, Event: e.name, Body: b,
			CreatedAt: now, Status: tracking.DeliveryPending, NextAttemptAt: now})
	}
	return out
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
