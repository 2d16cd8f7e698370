package mqtt

import (
	"fmt"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"siaga112/tracking"
)

// Publisher sends telemetry as a tracker would: the simulator and the demo
// fleet use it.
type Publisher struct {
	client paho.Client
	qos    byte
}

// PublisherConfig says where to publish and how.
type PublisherConfig struct {
	URL, ClientID, Username, Password string
	QoS                               byte
}

// NewPublisher connects to the broker.
func NewPublisher(cfg PublisherConfig) (*Publisher, error) {
	opts := paho.NewClientOptions().AddBroker(cfg.URL).SetClientID(cfg.ClientID).
		SetUsername(cfg.Username).SetPassword(cfg.Password).
		SetCleanSession(true).SetAutoReconnect(true).SetConnectTimeout(5 * time.Second).
		SetWriteTimeout(5 * time.Second)
	c := paho.NewClient(opts)
	tok := c.Connect()
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		return nil, fmt.Errorf("connect publisher to %s: %v", cfg.URL, errOrTimeout(tok.Error()))
	}
	return &Publisher{client: c, qos: cfg.QoS}, nil
}

func errOrTimeout(err error) error {
	if err == nil {
		return fmt.Errorf("timed out")
	}
	return err
}

// PublishFix sends one OwnTracks location for a unit. At QoS 0 it does not
// wait; at QoS 1 it waits for the broker's acknowledgement.
func (p *Publisher) PublishFix(agency, unitID string, pos tracking.Position) error {
	// A fresh buffer each time: paho queues the slice itself, not a copy.
	payload := AppendLocation(make([]byte, 0, 160), pos, "")
	tok := p.client.Publish(LocationTopic(agency, unitID), p.qos, false, payload)
	if p.qos == 0 {
		return nil
	}
	tok.Wait()
	return tok.Error()
}

// Publish sends a raw payload (status messages, last wills, tests).
func (p *Publisher) Publish(topic string, payload []byte) error {
	tok := p.client.Publish(topic, p.qos, false, payload)
	tok.Wait()
	return tok.Error()
}

// Close waits up to 1 s for queued messages and disconnects.
func (p *Publisher) Close() { p.client.Disconnect(1000) }
