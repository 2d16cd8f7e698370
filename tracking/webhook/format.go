package webhook

import (
	"encoding/json"
	"fmt"

	"siaga112/tracking"
)

// payload is what one delivery POSTs and signs: the delivery's JSON, or,
// for a webhook of format "cap", the incident it carries written as CAP
// 1.2. The delivery log keeps the JSON either way.
func (s *Service) payload(w tracking.Webhook, d tracking.Delivery) ([]byte, string, error) {
	if w.Format != tracking.WebhookCAP || s.cfg.CAP == nil {
		return d.Body, "application/json", nil
	}
	var b struct {
		Data tracking.Incident `json:"data"`
	}
	if err := json.Unmarshal(d.Body, &b); err != nil || b.Data.ID == "" {
		return nil, "", fmt.Errorf("delivery %s carries no incident to write as CAP (%v)", d.ID, err)
	}
	xml, err := s.cfg.CAP(b.Data)
	if err != nil {
		return nil, "", fmt.Errorf("write incident %s as CAP: %w", b.Data.ID, err)
	}
	return xml, "application/cap+xml", nil
}
