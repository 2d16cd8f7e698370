package webhook

import (
	"context"
	"slices"
	"sync"
	"time"

	"siaga112/tracking"
)

// maxLog bounds the attempts kept per delivery in memory (a day of
// exponential retries is about 30).
const maxLog = 100

// Memory is an in-memory tracking.WebhookOutbox: for tests and for a server
// without a database (its outbox does not survive a restart).
type Memory struct {
	mu         sync.Mutex
	webhooks   []tracking.Webhook
	deliveries map[string]*tracking.Delivery
	order      []string // delivery ids, oldest first
}

var _ tracking.WebhookOutbox = (*Memory)(nil)

// NewMemory returns an empty outbox.
func NewMemory() *Memory { return &Memory{deliveries: map[string]*tracking.Delivery{}} }

func (m *Memory) AddWebhook(_ context.Context, w tracking.Webhook) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range m.webhooks {
		if x.ID == w.ID {
			return tracking.Errorf(tracking.CodeConflict, "webhook %s exists", w.ID)
		}
	}
	w.Events = slices.Clone(w.Events)
	m.webhooks = append(m.webhooks, w)
	return nil
}

func (m *Memory) DeleteWebhook(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := slices.IndexFunc(m.webhooks, func(w tracking.Webhook) bool { return w.ID == id })
	if i < 0 {
		return tracking.Errorf(tracking.CodeNotFound, "no webhook %q", id)
	}
	m.webhooks = slices.Delete(m.webhooks, i, i+1)
	for _, d := range m.deliveries {
		if d.WebhookID == id && d.Status == tracking.DeliveryPending {
			now := time.Now()
			d.Status, d.LastError, d.DoneAt = tracking.DeliveryFailed, "the webhook was deleted", &now
		}
	}
	return nil
}

func (m *Memory) Webhooks(context.Context) ([]tracking.Webhook, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]tracking.Webhook, len(m.webhooks))
	for i, w := range m.webhooks {
		w.Events = slices.Clone(w.Events)
		out[i] = w
	}
	return out, nil
}

func (m *Memory) Enqueue(_ context.Context, ds []tracking.Delivery) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range ds {
		if _, dup := m.deliveries[d.ID]; dup {
			return tracking.Errorf(tracking.CodeConflict, "delivery %s exists", d.ID)
		}
	}
	for _, d := range ds {
		d.Body = slices.Clone(d.Body)
		d.Log = nil
		m.deliveries[d.ID] = &d
		m.order = append(m.order, d.ID)
	}
	return nil
}

func (m *Memory) Due(_ context.Context, now time.Time) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids []string
	for _, id := range m.order {
		d := m.deliveries[id]
		if d.Status == tracking.DeliveryPending && !d.NextAttemptAt.After(now) && !slices.Contains(ids, d.WebhookID) {
			ids = append(ids, d.WebhookID)
		}
	}
	return ids, nil
}

func (m *Memory) Claim(_ context.Context, webhookID string, now time.Time, lease time.Duration, limit int) ([]tracking.Delivery, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var due []*tracking.Delivery
	for _, id := range m.order {
		d := m.deliveries[id]
		if d.WebhookID == webhookID && d.Status == tracking.DeliveryPending && !d.NextAttemptAt.After(now) {
			due = append(due, d)
		}
	}
	slices.SortStableFunc(due, func(a, b *tracking.Delivery) int { return a.NextAttemptAt.Compare(b.NextAttemptAt) })
	var out []tracking.Delivery
	for _, d := range due[:min(limit, len(due))] {
		d.NextAttemptAt = now.Add(lease)
		c := *d
		c.Body, c.Log = slices.Clone(d.Body), nil
		out = append(out, c)
	}
	return out, nil
}

func (m *Memory) Record(_ context.Context, id string, o tracking.Outcome) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.deliveries[id]
	if !ok {
		return tracking.Errorf(tracking.CodeNotFound, "no delivery %q", id)
	}
	d.Attempts++
	d.LastStatus, d.LastError = o.Attempt.StatusCode, o.Attempt.Error
	if len(d.Log) >= maxLog {
		d.Log = slices.Delete(d.Log, 0, 1)
	}
	d.Log = append(d.Log, o.Attempt)
	if d.Status != tracking.DeliveryPending { // deleted meanwhile
		return nil
	}
	d.Status = o.Status
	if o.Status == tracking.DeliveryPending {
		d.NextAttemptAt = o.Next
	} else {
		at := o.Attempt.At
		d.DoneAt = &at
	}
	return nil
}

func (m *Memory) Deliveries(_ context.Context, webhookID string, limit int) ([]tracking.Delivery, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !slices.ContainsFunc(m.webhooks, func(w tracking.Webhook) bool { return w.ID == webhookID }) {
		return nil, tracking.Errorf(tracking.CodeNotFound, "no webhook %q", webhookID)
	}
	var out []tracking.Delivery
	for i := len(m.order) - 1; i >= 0 && len(out) < limit; i-- {
		d := m.deliveries[m.order[i]]
		if d.WebhookID == webhookID {
			c := *d
			c.Body, c.Log = slices.Clone(d.Body), slices.Clone(d.Log)
			out = append(out, c)
		}
	}
	return out, nil
}

func (m *Memory) Prune(_ context.Context, before time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	m.order = slices.DeleteFunc(m.order, func(id string) bool {
		d := m.deliveries[id]
		if d.Status != tracking.DeliveryPending && d.DoneAt != nil && d.DoneAt.Before(before) {
			delete(m.deliveries, id)
			n++
			return true
		}
		return false
	})
	return n, nil
}

func (m *Memory) Postpone(_ context.Context, webhookID string, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range m.deliveries {
		if d.WebhookID == webhookID && d.Status == tracking.DeliveryPending && d.NextAttemptAt.Before(until) {
			d.NextAttemptAt = until
		}
	}
	return nil
}

func (m *Memory) Pending(context.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, d := range m.deliveries {
		if d.Status == tracking.DeliveryPending {
			n++
		}
	}
	return n, nil
}
