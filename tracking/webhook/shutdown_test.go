package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"siaga112/tracking"
)

// A stop while a receiver is answering lets the attempt finish: the
// delivery is recorded delivered, so the next Run (after a restart) does
// not send it again.
func TestStopLetsTheAttemptInFlightFinish(t *testing.T) {
	tests := []struct {
		name   string
		answer time.Duration // how long the receiver takes
		want   tracking.DeliveryStatus
	}{
		{name: "answer within the grace", answer: 300 * time.Millisecond, want: tracking.DeliveryDelivered},
		{name: "answer after the grace", answer: shutdownGrace + time.Second, want: tracking.DeliveryPending},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			arrived := make(chan struct{}, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrived <- struct{}{}
				select {
				case <-time.After(tc.answer):
				case <-r.Context().Done():
				}
			}))
			defer srv.Close()
			out := NewMemory()
			s := New(Config{Outbox: out, PollEvery: 10 * time.Millisecond, Timeout: 10 * time.Second, AllowPrivate: true})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { s.Run(ctx); close(done) }()
			w := subscribe(t, s, srv.URL, tracking.EventIncidentOverdue)
			s.Publish(tracking.EventIncidentOverdue, time.Now(), map[string]string{"id": "INC-1"})
			select {
			case <-arrived:
			case <-time.After(10 * time.Second):
				t.Fatal("no attempt within 10 s")
			}
			cancel() // the server stops while the receiver is answering
			<-done
			ds, _ := out.Deliveries(context.Background(), w.ID, 10)
			if len(ds) != 1 || ds[0].Status != tc.want {
				t.Fatalf("deliveries %+v, want one %s", ds, tc.want)
			}
		})
	}
}
