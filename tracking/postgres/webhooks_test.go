package postgres

import (
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/storetest"
)

func TestWebhookOutboxContract(t *testing.T) {
	storetest.RunWebhookOutbox(t, func(t *testing.T) tracking.WebhookOutbox { return openTest(t, testURL(t), Config{}).Webhooks() })
}
