package tracking

import (
	"strings"
	"testing"
)

func TestValidateWebhook(t *testing.T) {
	const sec = "0123456789abcdef"
	ok := []WebhookEvent{EventIncidentOverdue}
	for _, tc := range []struct {
		name string
		w    Webhook
		want string // "" when valid; else a fragment of the error
	}{
		{"https", Webhook{URL: "https://gw.example/hook", Events: ok, Secret: sec}, ""},
		{"internal gateway allowed", Webhook{URL: "http://10.0.0.5:8080/sms", Events: ok, Secret: sec}, ""},
		{"ftp", Webhook{URL: "ftp://gw.example/x", Events: ok, Secret: sec}, "http:// or https://"},
		{"file", Webhook{URL: "file:///etc/passwd", Events: ok, Secret: sec}, "http:// or https://"},
		{"javascript", Webhook{URL: "javascript:alert(1)", Events: ok, Secret: sec}, "http:// or https://"},
		{"userinfo", Webhook{URL: "https://u:p@gw.example/", Events: ok, Secret: sec}, "user name"},
		{"no host", Webhook{URL: "https:///x", Events: ok, Secret: sec}, "no host"},
		{"fragment", Webhook{URL: "https://gw.example/#x", Events: ok, Secret: sec}, "fragment"},
		{"control", Webhook{URL: "https://gw.example/\x00", Events: ok, Secret: sec}, "control"},
		{"space", Webhook{URL: "https://gw.example/ x", Events: ok, Secret: sec}, "control"},
		{"huge", Webhook{URL: "https://gw.example/" + strings.Repeat("a", 3000), Events: ok, Secret: sec}, "longer"},
		{"no events", Webhook{URL: "https://gw.example/", Secret: sec}, "events is empty"},
		{"unknown event", Webhook{URL: "https://gw.example/", Events: []WebhookEvent{"<script>"}, Secret: sec}, "unknown event"},
		{"short secret", Webhook{URL: "https://gw.example/", Events: ok, Secret: "short"}, "secret"},
		{"long secret", Webhook{URL: "https://gw.example/", Events: ok, Secret: strings.Repeat("s", 257)}, "secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ValidateWebhook(tc.w)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || CodeOf(err) != CodeInvalid):
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestValidateWebhookNormalizesEvents(t *testing.T) {
	w, err := ValidateWebhook(Webhook{URL: "https://gw.example/", Secret: "0123456789abcdef",
		Events: []WebhookEvent{EventCallerProposed, EventIncidentCreated, EventCallerProposed}})
	if err != nil || len(w.Events) != 2 || w.Events[0] != EventIncidentCreated || w.Events[1] != EventCallerProposed {
		t.Fatalf("events %v (%v)", w.Events, err)
	}
}

func FuzzValidateWebhook(f *testing.F) {
	for _, s := range []string{"https://gw.example/hook", "http://10.0.0.1/", "ftp://x", "https://u@x/", "http://[::1]:80/", "%zz"} {
		f.Add(s, "incident.created")
	}
	f.Fuzz(func(t *testing.T, url, event string) {
		w, err := ValidateWebhook(Webhook{URL: url, Events: []WebhookEvent{WebhookEvent(event)}, Secret: "0123456789abcdef"})
		if err != nil {
			if CodeOf(err) != CodeInvalid {
				t.Fatalf("uncoded refusal: %v", err)
			}
			return
		}
		if u := strings.ToLower(w.URL); !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			t.Fatalf("accepted %q", w.URL)
		}
	})
}
