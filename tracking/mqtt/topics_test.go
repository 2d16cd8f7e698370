package mqtt

import (
	"errors"
	"testing"
	"time"
)

// A crew's status time is read by the same epoch rule as a fix's: rounded
// to the millisecond, not cut (the two disagreed before).
func TestDecodeStatusTime(t *testing.T) {
	now := time.Unix(1764201700, 0)
	tests := []struct {
		name    string
		payload string
		want    time.Time
		reason  Reason
	}{
		{"no tst: the server's clock", `{"status":"on_scene"}`, now, ""},
		{"whole seconds", `{"status":"on_scene","tst":1764201600}`, time.Unix(1764201600, 0).UTC(), ""},
		{"fraction rounded up", `{"status":"on_scene","tst":1764201600.0006}`, time.UnixMilli(1764201600001).UTC(), ""},
		{"zero", `{"status":"on_scene","tst":0}`, time.Time{}, ReasonOutOfRange},
		{"too far ahead", `{"status":"on_scene","tst":1764202100}`, time.Time{}, ReasonFuture},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, at, err := decodeStatus([]byte(tt.payload), now)
			if tt.reason != "" {
				var d *DropError
				if !errors.As(err, &d) || d.Reason != tt.reason {
					t.Fatalf("err %v, want reason %s", err, tt.reason)
				}
				return
			}
			if err != nil || !at.Equal(tt.want) {
				t.Fatalf("at %v, err %v; want %v", at, err, tt.want)
			}
		})
	}
}
