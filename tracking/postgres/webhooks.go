package postgres

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"siaga112/tracking"
)

// Webhooks is the durable tracking.WebhookOutbox: subscriptions, the
// deliveries owed and their attempts live in PostgreSQL, so what was
// enqueued before a restart is delivered after it. Unlike the Store's
// writes it does not queue while the database is down: the webhook
// service's own queue holds events meanwhile.
type Webhooks struct{ pool *pgxpool.Pool }

var _ tracking.WebhookOutbox = (*Webhooks)(nil)

// Webhooks returns the store's outbox (its tables come with the store's
// migrations).
func (s *Store) Webhooks() *Webhooks { return &Webhooks{pool: s.pool} }

func (w *Webhooks) AddWebhook(ctx context.Context, h tracking.Webhook) error {
	events := make([]string, len(h.Events))
	for i, e := range h.Events {
		events[i] = string(e)
	}
	_, err := w.pool.Exec(ctx, `INSERT INTO webhooks (id, url, events, secret, created_at, created_by, format) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		h.ID, h.URL, events, h.Secret, h.CreatedAt, h.CreatedBy, cmp.Or(h.Format, tracking.WebhookJSON))
	if err != nil {
		return fmt.Errorf("insert webhook: %w", err)
	}
	return nil
}

func (w *Webhooks) DeleteWebhook(ctx context.Context, id string) error {
	return pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM webhooks WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete webhook: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return tracking.Errorf(tracking.CodeNotFound, "no webhook %q", id)
		}
		_, err = tx.Exec(ctx, `UPDATE webhook_deliveries SET status = 'failed', last_error = 'the webhook was deleted', done_at = now()
			WHERE webhook_id = $1 AND status = 'pending'`, id)
		if err != nil {
			return fmt.Errorf("fail deleted webhook's deliveries: %w", err)
		}
		return nil
	})
}

func (w *Webhooks) Webhooks(ctx context.Context) ([]tracking.Webhook, error) {
	rows, err := w.pool.Query(ctx, `SELECT id, url, events, secret, created_at, created_by, format FROM webhooks ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("select webhooks: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (tracking.Webhook, error) {
		var h tracking.Webhook
		var events []string
		err := r.Scan(&h.ID, &h.URL, &events, &h.Secret, &h.CreatedAt, &h.CreatedBy, &h.Format)
		for _, e := range events {
			h.Events = append(h.Events, tracking.WebhookEvent(e))
		}
		h.CreatedAt = h.CreatedAt.UTC()
		return h, err
	})
}

func (w *Webhooks) Enqueue(ctx context.Context, ds []tracking.Delivery) error {
	rows := make([][]any, len(ds))
	for i, d := range ds {
		rows[i] = []any{d.ID, d.WebhookID, string(d.Event), []byte(d.Body), d.CreatedAt, string(d.Status), d.NextAttemptAt}
	}
	_, err := w.pool.CopyFrom(ctx, pgx.Identifier{"webhook_deliveries"},
		[]string{"id", "webhook_id", "event", "body", "created_at", "status", "next_attempt_at"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("enqueue deliveries: %w", err)
	}
	return nil
}

const deliveryColumns = `id, webhook_id, event, body, created_at, status, attempts, next_attempt_at, last_status, last_error, done_at`

func scanDelivery(r pgx.CollectableRow) (tracking.Delivery, error) {
	var d tracking.Delivery
	var event, status string
	var body []byte
	err := r.Scan(&d.ID, &d.WebhookID, &event, &body, &d.CreatedAt, &status, &d.Attempts, &d.NextAttemptAt, &d.LastStatus, &d.LastError, &d.DoneAt)
	d.Event, d.Status, d.Body = tracking.WebhookEvent(event), tracking.DeliveryStatus(status), body
	d.CreatedAt, d.NextAttemptAt = d.CreatedAt.UTC(), d.NextAttemptAt.UTC()
	if d.DoneAt != nil {
		t := d.DoneAt.UTC()
		d.DoneAt = &t
	}
	return d, err
}

func (w *Webhooks) Due(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := w.pool.Query(ctx, `SELECT DISTINCT webhook_id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1`, now)
	if err != nil {
		return nil, fmt.Errorf("due webhooks: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// Claim leases one webhook's due deliveries with FOR UPDATE SKIP LOCKED,
// so several workers or instances never take the same one.
func (w *Webhooks) Claim(ctx context.Context, webhookID string, now time.Time, lease time.Duration, limit int) ([]tracking.Delivery, error) {
	rows, err := w.pool.Query(ctx, `WITH claimed AS (UPDATE webhook_deliveries SET next_attempt_at = $2
		WHERE id IN (SELECT id FROM webhook_deliveries WHERE webhook_id = $4 AND status = 'pending' AND next_attempt_at <= $1
			ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING `+deliveryColumns+`) SELECT `+deliveryColumns+` FROM claimed ORDER BY created_at, id`, now, now.Add(lease), limit, webhookID)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	return pgx.CollectRows(rows, scanDelivery)
}

func (w *Webhooks) Record(ctx context.Context, id string, o tracking.Outcome) error {
	return pgx.BeginFunc(ctx, w.pool, func(tx pgx.Tx) error {
		var done *time.Time
		if o.Status != tracking.DeliveryPending {
			done = &o.Attempt.At
		}
		next := o.Next
		if next.IsZero() {
			next = o.Attempt.At
		}
		// A delivery failed meanwhile (webhook deleted) keeps its status.
		tag, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $2, last_error = $3,
			status = CASE WHEN status = 'pending' THEN $4 ELSE status END,
			next_attempt_at = CASE WHEN status = 'pending' THEN $5 ELSE next_attempt_at END,
			done_at = CASE WHEN status = 'pending' THEN $6 ELSE done_at END
			WHERE id = $1`, id, o.Attempt.StatusCode, o.Attempt.Error, string(o.Status), next, done)
		if err != nil {
			return fmt.Errorf("record delivery: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return tracking.Errorf(tracking.CodeNotFound, "no delivery %q", id)
		}
		_, err = tx.Exec(ctx, `INSERT INTO webhook_attempts (delivery_id, at, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5)`,
			id, o.Attempt.At, o.Attempt.StatusCode, o.Attempt.Error, o.Attempt.DurationMS)
		if err != nil {
			return fmt.Errorf("insert attempt: %w", err)
		}
		return nil
	})
}

func (w *Webhooks) Deliveries(ctx context.Context, webhookID string, limit int) ([]tracking.Delivery, error) {
	var exists bool
	if err := w.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webhooks WHERE id = $1)`, webhookID).Scan(&exists); err != nil {
		return nil, fmt.Errorf("find webhook: %w", err)
	}
	if !exists {
		return nil, tracking.Errorf(tracking.CodeNotFound, "no webhook %q", webhookID)
	}
	rows, err := w.pool.Query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE webhook_id = $1
		ORDER BY created_at DESC, id DESC LIMIT $2`, webhookID, limit)
	if err != nil {
		return nil, fmt.Errorf("select deliveries: %w", err)
	}
	ds, err := pgx.CollectRows(rows, scanDelivery)
	if err != nil || len(ds) == 0 {
		return ds, err
	}
	ids := make([]string, len(ds))
	index := map[string]int{}
	for i, d := range ds {
		ids[i], index[d.ID] = d.ID, i
	}
	rows, err = w.pool.Query(ctx, `SELECT delivery_id, at, status_code, error, duration_ms FROM webhook_attempts
		WHERE delivery_id = ANY($1) ORDER BY at`, ids)
	if err != nil {
		return nil, fmt.Errorf("select attempts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var a tracking.Attempt
		if err := rows.Scan(&id, &a.At, &a.StatusCode, &a.Error, &a.DurationMS); err != nil {
			return nil, err
		}
		a.At = a.At.UTC()
		ds[index[id]].Log = append(ds[index[id]].Log, a)
	}
	return ds, rows.Err()
}

func (w *Webhooks) Prune(ctx context.Context, before time.Time) (int, error) {
	tag, err := w.pool.Exec(ctx, `DELETE FROM webhook_deliveries WHERE status <> 'pending' AND done_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("prune deliveries: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

func (w *Webhooks) Postpone(ctx context.Context, webhookID string, until time.Time) error {
	_, err := w.pool.Exec(ctx, `UPDATE webhook_deliveries SET next_attempt_at = $2
		WHERE webhook_id = $1 AND status = 'pending' AND next_attempt_at < $2`, webhookID, until)
	if err != nil {
		return fmt.Errorf("postpone deliveries: %w", err)
	}
	return nil
}

func (w *Webhooks) Pending(ctx context.Context) (int, error) {
	var n int
	err := w.pool.QueryRow(ctx, `SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'`).Scan(&n)
	return n, err
}
