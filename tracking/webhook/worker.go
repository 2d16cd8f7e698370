package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"siaga112/tracking"
)

// Run writes published events to the outbox and delivers what is due, until
// ctx ends; then it waits for the attempts in flight. Deliveries left
// pending in a durable outbox are taken up by the next Run, also after a
// restart.
func (s *Service) Run(ctx context.Context) error {
	if err := s.Reload(ctx); err != nil {
		return err
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.writeLoop(ctx) }()
	go func() { defer wg.Done(); s.pruneLoop(ctx) }()
	s.deliverLoop(ctx)
	wg.Wait()
	return nil
}

// writeLoop moves events from the queue to the outbox in batches. While the
// outbox refuses (database down) it retries the batch, and the queue fills
// until Publish refuses, counted and logged.
func (s *Service) writeLoop(ctx context.Context) {
	for {
		var batch []event
		select {
		case <-ctx.Done():
			return
		case e := <-s.in:
			batch = append(batch, e)
		}
	fill:
		for len(batch) < 256 {
			select {
			case e := <-s.in:
				batch = append(batch, e)
			default:
				break fill
			}
		}
		var ds []tracking.Delivery
		for _, e := range batch {
			ds = append(ds, s.deliveriesFor(e)...)
		}
		if len(ds) == 0 {
			continue
		}
		for wait := 100 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := s.cfg.Outbox.Enqueue(wctx, ds)
			cancel()
			if err == nil {
				s.enqueued.Add(uint64(len(ds)))
				break
			}
			s.log.Error("webhook outbox write failed; retrying", "deliveries", len(ds), "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
}

// deliverLoop gives each webhook its own worker (hookworker.go) and wakes
// the workers whose deliveries are due: at every poll for retries, and at
// once when the write loop has enqueued new deliveries.
func (s *Service) deliverLoop(ctx context.Context) {
	workers := map[string]*hookWorker{}
	var wg sync.WaitGroup
	defer func() {
		for _, r := range workers {
			r.stop()
		}
		wg.Wait()
	}()
	tick := time.NewTicker(s.cfg.PollEvery)
	defer tick.Stop()
	for {
		s.syncReceivers(ctx, workers, &wg)
		s.wakeDue(ctx, workers, &wg)
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		case <-tick.C:
		}
	}
}

// syncReceivers starts a worker for each subscription in the cache and
// stops those of subscriptions gone from it.
func (s *Service) syncReceivers(ctx context.Context, workers map[string]*hookWorker, wg *sync.WaitGroup) {
	ids := s.hookIDs()
	for id, r := range workers {
		if !ids[id] {
			r.stop()
			delete(workers, id)
		}
	}
	for id := range ids {
		if workers[id] == nil {
			workers[id] = s.startReceiver(ctx, id, wg)
		}
	}
}

// wakeDue asks the outbox which webhooks have deliveries due and pokes
// their workers. Deliveries of a webhook this instance does not know are
// another instance's new subscription (the cache is reloaded) or of one
// deleted meanwhile (they fail).
func (s *Service) wakeDue(ctx context.Context, workers map[string]*hookWorker, wg *sync.WaitGroup) {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	due, err := s.cfg.Outbox.Due(cctx, s.cfg.Now())
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("webhook outbox poll failed", "err", err)
		}
		return
	}
	var unknown []string
	for _, id := range due {
		if r := workers[id]; r != nil {
			r.poke()
		} else {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) == 0 {
		return
	}
	if err := s.Reload(ctx); err != nil {
		s.log.Error("webhook subscriptions not reloaded", "err", err)
		return
	}
	s.syncReceivers(ctx, workers, wg)
	for _, id := range unknown {
		if r := workers[id]; r != nil {
			r.poke()
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ds, err := s.cfg.Outbox.Claim(cctx, id, s.cfg.Now(), s.lease(), 100)
		cancel()
		if err != nil {
			continue
		}
		for _, d := range ds {
			s.attempt(ctx, d) // fails at once: no such webhook
		}
	}
}

// lease is how long a claimed delivery is kept from other workers and
// instances: its attempt and a margin.
func (s *Service) lease() time.Duration { return s.cfg.Timeout + 30*time.Second }

func (s *Service) poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// attempt POSTs one delivery and records the outcome; it reports whether
// the receiver answered 2xx.
func (s *Service) attempt(ctx context.Context, d tracking.Delivery) bool {
	at := tracking.Attempt{At: s.cfg.Now().UTC()}
	start := time.Now() // monotonic, for the duration
	w, ok := s.hook(d.WebhookID)
	if !ok {
		at.Error = "the webhook was deleted"
		s.record(d, tracking.Outcome{Attempt: at, Status: tracking.DeliveryFailed})
		return false
	}
	s.attempts.Add(1)
	status, err := s.post(ctx, w, d)
	at.StatusCode, at.DurationMS = status, time.Since(start).Milliseconds()
	if err != nil {
		at.Error = truncate(err.Error(), 500)
	}
	o := tracking.Outcome{Attempt: at}
	now := s.cfg.Now()
	switch {
	case err == nil && status >= 200 && status < 300:
		o.Status = tracking.DeliveryDelivered
	case ctx.Err() != nil:
		// Shutting down: leave it pending, due at once for the next Run.
		o.Status, o.Next = tracking.DeliveryPending, now
	case now.Sub(d.CreatedAt) >= s.cfg.GiveUpAfter:
		o.Status = tracking.DeliveryFailed
		s.log.Warn("webhook delivery failed for good", "webhook", w.ID, "delivery", d.ID, "attempts", d.Attempts+1, "status", status, "err", at.Error)
	default:
		o.Status, o.Next = tracking.DeliveryPending, now.Add(s.backoff(d.Attempts+1))
	}
	s.record(d, o)
	if o.Status == tracking.DeliveryPending && ctx.Err() == nil {
		// The receiver is failing: its other deliveries wait for this one's
		// retry (those already leased are tried meanwhile, at most
		// PerReceiver).
		pctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := s.cfg.Outbox.Postpone(pctx, w.ID, o.Next); err != nil {
			s.log.Error("webhook postpone failed", "webhook", w.ID, "err", err)
		}
		cancel()
	}
	switch o.Status { // counted once recorded, so a reader of Stats finds the log
	case tracking.DeliveryDelivered:
		s.delivered.Add(1)
	case tracking.DeliveryFailed:
		s.failed.Add(1)
	}
	return o.Status == tracking.DeliveryDelivered
}

func (s *Service) record(d tracking.Delivery, o tracking.Outcome) {
	// Not ctx: the outcome of an attempt made is written even while stopping.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.cfg.Outbox.Record(ctx, d.ID, o); err != nil {
		s.log.Error("webhook outcome not recorded; the delivery will be retried after its lease", "delivery", d.ID, "err", err)
	}
}

// post sends one delivery; the answer's body is read (bounded) and dropped.
func (s *Service) post(ctx context.Context, w tracking.Webhook, d tracking.Delivery) (int, error) {
	stopping := ctx
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.Timeout)
	defer cancel()
	// A stop cancels the attempt only after shutdownGrace.
	defer context.AfterFunc(stopping, func() {
		t := time.AfterFunc(shutdownGrace, cancel)
		context.AfterFunc(ctx, func() { t.Stop() })
	})()
	payload, ctype, err := s.payload(w, d)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(payload))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("User-Agent", "siaga112-webhook/1")
	req.Header.Set(HeaderEvent, string(d.Event))
	req.Header.Set(HeaderDelivery, d.ID)
	req.Header.Set(HeaderSignature, Sign(w.Secret, payload))
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		return resp.StatusCode, fmt.Errorf("answered %s; redirects are not followed (point the webhook at the final address)", resp.Status)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// backoff is the delay before retry n (1-based): Backoff·2^(n-1), capped at
// MaxBackoff, drawn uniformly from its upper half so receivers that come back
// are not hit by every sender at once.
func (s *Service) backoff(n int) time.Duration {
	d := s.cfg.MaxBackoff
	if n-1 < 40 {
		d = min(s.cfg.Backoff<<(n-1), s.cfg.MaxBackoff)
	}
	if d <= 0 {
		d = s.cfg.MaxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

// pruneLoop keeps the delivery log to the retention, hourly.
func (s *Service) pruneLoop(ctx context.Context) {
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Minute)
		n, err := s.cfg.Outbox.Prune(pctx, s.cfg.Now().Add(-s.cfg.Retention))
		cancel()
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("webhook delivery log prune failed", "err", err)
		case n > 0:
			s.log.Info("webhook delivery log pruned", "deliveries", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}

// shutdownGrace is how long an attempt in flight may still take once the
// service stops: a receiver that is answering gets to finish, so the
// delivery is recorded delivered and not sent again after a restart.
const shutdownGrace = 2 * time.Second
