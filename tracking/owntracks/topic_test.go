package owntracks

import "testing"

func TestParseTopic(t *testing.T) {
	tests := []struct {
		topic string
		want  Topic
		ok    bool
	}{
		{"owntracks/dinkes/AMB-01", Topic{User: "dinkes", Device: "AMB-01"}, true},
		{"owntracks/AMB-01/pixel7", Topic{User: "AMB-01", Device: "pixel7"}, true},
		{"owntracks/dinkes/AMB-01/event", Topic{User: "dinkes", Device: "AMB-01", Sub: "event"}, true},
		{"owntracks/dinkes/AMB-01/waypoints", Topic{User: "dinkes", Device: "AMB-01", Sub: "waypoints"}, true},
		{"owntracks/dinkes/AMB-01/a/b", Topic{User: "dinkes", Device: "AMB-01", Sub: "a/b"}, true},
		{"owntracks/dinkes", Topic{}, false},
		{"owntracks//AMB-01", Topic{}, false},
		{"owntracks/dinkes/AMB-01/", Topic{}, false},
		{"siaga112/units/AMB-01/status", Topic{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			got, ok := ParseTopic(tt.topic)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("ParseTopic = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
