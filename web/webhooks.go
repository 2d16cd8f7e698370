package web

import (
	"context"
	"net/http"
	"strconv"

	"siaga112/tracking"
)

// WebhookService is what the webhook routes need (tracking/webhook.Service
// implements it).
type WebhookService interface {
	Subscribe(ctx context.Context, w tracking.Webhook) (tracking.Webhook, error)
	Unsubscribe(ctx context.Context, id string) error
	Webhooks(ctx context.Context) ([]tracking.Webhook, error)
	Deliveries(ctx context.Context, webhookID string, limit int) ([]tracking.Delivery, error)
}

// The webhook routes, for the lead to register (admins only):
//
//	POST   /api/webhooks                 {"url","events":[…],"secret"} → 201 the webhook (no secret)
//	GET    /api/webhooks                 → the webhooks
//	DELETE /api/webhooks/{id}            → 204; its pending deliveries fail
//	GET    /api/webhooks/{id}/deliveries → the delivery log, newest first (?limit=, default 50, at most 500)

type webhookRequest struct {
	URL    string                  `json:"url"`
	Events []tracking.WebhookEvent `json:"events"`
	Secret string                  `json:"secret"`
	Format string                  `json:"format"`
}

func (s *Server) postWebhook(svc WebhookService) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req webhookRequest
		if err := decodeBody(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		by := "admin"
		if p, ok := principalOf(r); ok {
			by = p.Name
		}
		hook, err := svc.Subscribe(r.Context(), tracking.Webhook{URL: req.URL, Events: req.Events, Secret: req.Secret, Format: req.Format, CreatedBy: by})
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.log.Info("webhook added", "id", hook.ID, "url", hook.URL, "events", hook.Events, "by", by)
		writeJSON(w, http.StatusCreated, hook)
	}
}

func (s *Server) listWebhooks(svc WebhookService) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hooks, err := svc.Webhooks(r.Context())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if hooks == nil {
			hooks = []tracking.Webhook{}
		}
		writeJSON(w, http.StatusOK, hooks)
	}
}

func (s *Server) deleteWebhook(svc WebhookService) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := svc.Unsubscribe(r.Context(), r.PathValue("id")); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) webhookDeliveries(svc WebhookService) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		limit := 50
		if v := r.URL.Query().Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 500 {
				s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "limit must be a whole number from 1 to 500"))
				return
			}
			limit = n
		}
		ds, err := svc.Deliveries(r.Context(), r.PathValue("id"), limit)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if ds == nil {
			ds = []tracking.Delivery{}
		}
		writeJSON(w, http.StatusOK, ds)
	}
}
