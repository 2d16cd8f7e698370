package webhook

import (
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/storetest"
)

func TestMemoryContract(t *testing.T) {
	storetest.RunWebhookOutbox(t, func(*testing.T) tracking.WebhookOutbox { return NewMemory() })
}
