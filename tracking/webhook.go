package tracking

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
)

// WebhookEvent names what a webhook subscribes to; the set is closed.
type WebhookEvent string

const (
	EventIncidentCreated         WebhookEvent = "incident.created"
	EventIncidentDispatched      WebhookEvent = "incident.dispatched"
	EventIncidentDeadlineWarning WebhookEvent = "incident.deadline_warning"
	EventIncidentOverdue         WebhookEvent = "incident.overdue"
	EventIncidentClosed          WebhookEvent = "incident.closed"
	EventCallerBlocked           WebhookEvent = "caller.blocked"
	EventCallerProposed          WebhookEvent = "caller.proposed"
)

// WebhookEvents is the closed set, in documentation order.
var WebhookEvents = []WebhookEvent{
	EventIncidentCreated, EventIncidentDispatched, EventIncidentDeadlineWarning,
	EventIncidentOverdue, EventIncidentClosed, EventCallerBlocked, EventCallerProposed,
}

// Webhook is one subscription: events POSTed, signed with Secret, to URL.
type Webhook struct {
	ID     string         `json:"id"`
	URL    string         `json:"url"`
	Events []WebhookEvent `json:"events"`
	// Format is how incident.* deliveries are written: "json" (the
	// default) or "cap" (OASIS CAP 1.2, application/cap+xml).
	Format    string    `json:"format"`
	Secret    string    `json:"-"` // never answered back
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// Wants reports whether the webhook subscribes to e.
func (w Webhook) Wants(e WebhookEvent) bool { return slices.Contains(w.Events, e) }

// Webhook formats.
const (
	WebhookJSON = "json"
	WebhookCAP  = "cap"
)

// Limits of a subscription.
const (
	MaxWebhookURL    = 2048
	MinWebhookSecret = 16
	MaxWebhookSecret = 256
)

// ValidateWebhook checks a subscription as an admin typed it and returns it
// normalized (events deduplicated, in the closed set's order).
//
// Refused here: anything but http and https, credentials in the URL (they
// would land in logs and delivery records) and fragments. Targets inside
// the server's own or internal networks are refused by the webhook
// service, which resolves the host (tracking/webhook/guard.go).
func ValidateWebhook(w Webhook) (Webhook, error) {
	if len(w.URL) > MaxWebhookURL {
		return w, Errorf(CodeInvalid, "the url is longer than %d characters", MaxWebhookURL)
	}
	if strings.IndexFunc(w.URL, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }) >= 0 {
		return w, Errorf(CodeInvalid, "the url holds spaces or control characters")
	}
	u, err := url.Parse(w.URL)
	if err != nil {
		return w, Errorf(CodeInvalid, "the url is not a URL: %v", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return w, Errorf(CodeInvalid, "the url must start with http:// or https://")
	case u.Host == "" || u.Hostname() == "":
		return w, Errorf(CodeInvalid, "the url has no host")
	case u.User != nil:
		return w, Errorf(CodeInvalid, "the url must not carry a user name or password; sign with the secret instead")
	case u.Fragment != "" || strings.Contains(w.URL, "#"):
		return w, Errorf(CodeInvalid, "the url must not have a #fragment")
	}
	if len(w.Events) == 0 {
		return w, Errorf(CodeInvalid, "events is empty: name at least one of %s", eventNames())
	}
	var events []WebhookEvent
	for _, e := range w.Events {
		if !slices.Contains(WebhookEvents, e) {
			return w, Errorf(CodeInvalid, "unknown event %q: use %s", truncate(string(e), 60), eventNames())
		}
	}
	for _, e := range WebhookEvents {
		if slices.Contains(w.Events, e) {
			events = append(events, e)
		}
	}
	w.Events = events
	switch w.Format {
	case "", WebhookJSON:
		w.Format = WebhookJSON
	case WebhookCAP:
		for _, e := range w.Events {
			if !strings.HasPrefix(string(e), "incident.") {
				return w, Errorf(CodeInvalid, "format \"cap\" carries incidents only: event %q cannot be sent as CAP (subscribe a \"json\" webhook to it)", e)
			}
		}
	default:
		return w, Errorf(CodeInvalid, "format must be \"json\" or \"cap\", not %q", truncate(w.Format, 20))
	}
	if n := len(w.Secret); n < MinWebhookSecret || n > MaxWebhookSecret {
		return w, Errorf(CodeInvalid, "the secret must be %d to %d characters long", MinWebhookSecret, MaxWebhookSecret)
	}
	return w, nil
}

func eventNames() string {
	s := make([]string, len(WebhookEvents))
	for i, e := range WebhookEvents {
		s[i] = string(e)
	}
	return strings.Join(s, ", ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// DeliveryStatus is where one delivery is.
type DeliveryStatus string

const (
	DeliveryPending   DeliveryStatus = "pending"   // waiting for its next attempt
	DeliveryDelivered DeliveryStatus = "delivered" // a 2xx answer
	DeliveryFailed    DeliveryStatus = "failed"    // gave up (a day of retries, or the webhook was deleted)
)

// Delivery is one event for one webhook: a row of the outbox.
type Delivery struct {
	ID            string          `json:"id"`
	WebhookID     string          `json:"webhook_id"`
	Event         WebhookEvent    `json:"event"`
	Body          json.RawMessage `json:"body"` // exactly the bytes POSTed and signed
	CreatedAt     time.Time       `json:"created_at"`
	Status        DeliveryStatus  `json:"status"`
	Attempts      int             `json:"attempts"`
	NextAttemptAt time.Time       `json:"next_attempt_at"`
	LastStatus    int             `json:"last_status_code,omitempty"`
	LastError     string          `json:"last_error,omitempty"`
	DoneAt        *time.Time      `json:"done_at,omitempty"`
	Log           []Attempt       `json:"attempts_log,omitempty"`
}

// Attempt is one try at a delivery, for the delivery log.
type Attempt struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code,omitempty"` // 0: no answer
	Error      string    `json:"error,omitempty"`
	DurationMS int64     `json:"duration_ms"`
}

// Outcome is what the worker decided after an attempt.
type Outcome struct {
	Attempt Attempt
	Status  DeliveryStatus
	Next    time.Time // the next attempt, when Status is pending
}

// WebhookOutbox keeps subscriptions and the deliveries owed to them. A
// durable one (PostgreSQL) survives restarts: what was enqueued and not yet
// delivered is delivered after the restart.
type WebhookOutbox interface {
	AddWebhook(ctx context.Context, w Webhook) error
	// DeleteWebhook removes the subscription; its pending deliveries fail.
	DeleteWebhook(ctx context.Context, id string) error
	Webhooks(ctx context.Context) ([]Webhook, error)
	// Enqueue stores new pending deliveries, all or none.
	Enqueue(ctx context.Context, ds []Delivery) error
	// Due lists the webhooks that have pending deliveries due at now.
	Due(ctx context.Context, now time.Time) ([]string, error)
	// Claim returns up to limit of one webhook's pending deliveries due at
	// now, oldest first, and leases them until now+lease so that no other
	// worker (of this process or another) takes them meanwhile. Each
	// webhook is claimed for on its own, so one receiver's backlog never
	// stands before another's deliveries.
	Claim(ctx context.Context, webhookID string, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// Record logs an attempt and moves the delivery on.
	Record(ctx context.Context, deliveryID string, o Outcome) error
	// Deliveries lists a webhook's latest deliveries, newest first, each
	// with its attempts (not_found for an unknown webhook).
	Deliveries(ctx context.Context, webhookID string, limit int) ([]Delivery, error)
	// Pending counts the deliveries still owed.
	Pending(ctx context.Context) (int, error)
	// Postpone moves a webhook's pending deliveries due before until to
	// until: a receiver that fails gets one probe per backoff instead of
	// every delivery timing out in turn and holding the workers.
	Postpone(ctx context.Context, webhookID string, until time.Time) error
	// Prune deletes the deliveries delivered or failed before before, with
	// their attempts, and says how many.
	Prune(ctx context.Context, before time.Time) (int, error)
}
