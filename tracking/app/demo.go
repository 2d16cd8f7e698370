package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/paulmach/orb"

	"siaga112/mapdata"
	"siaga112/tracking"
	"siaga112/tracking/mqtt"
	"siaga112/tracking/sim"
	"siaga112/tracking/units"
)

// startDemo registers a simulated fleet and drives it over MQTT through the
// same ingest as real trackers, one fix per unit every 2 s. A dispatched
// unit drives to its incident and waits there until its assignment clears,
// so the whole flow can be tried on the map.
func startDemo(ctx context.Context, n int, svc *units.Service, brokerURL string, cfg Config, log *slog.Logger, done chan<- struct{}) error {
	f := sim.New(n, uint64(time.Now().UnixNano()), time.Now())
	for _, k := range mapdata.Serang().Kelurahan {
		f.Waypoints = append(f.Waypoints, k.Point) // drive between kelurahan, inside the city
	}
	for _, v := range f.Vehicles {
		if _, _, err := svc.Register(ctx, v.Reg, "demo"); err != nil {
			return fmt.Errorf("demo fleet: %w", err)
		}
	}
	pub, err := mqtt.NewPublisher(mqtt.PublisherConfig{
		URL: brokerURL, ClientID: cfg.MQTTClientID + "-demo", Username: cfg.MQTTUsername, Password: cfg.MQTTPassword,
	})
	if err != nil {
		return fmt.Errorf("demo fleet: %w", err)
	}
	log.Info("demo fleet driving", "units", n)
	go followDispatches(ctx, svc.Bus(), f)
	go func() {
		defer close(done)
		defer pub.Close()
		f.Drive(ctx, float64(n)/2, func(v *sim.Vehicle, p tracking.Position) {
			if err := pub.PublishFix(v.Reg.Agency, v.Reg.ID, p); err != nil {
				log.Warn("demo fix not published", "unit", v.Reg.ID, "err", err)
			}
		})
	}()
	return nil
}

// followDispatches sends the demo's vehicles to their incidents and back to
// their rounds when their assignments clear.
func followDispatches(ctx context.Context, bus *tracking.Bus, f *sim.Fleet) {
	byID := map[string]*sim.Vehicle{}
	for _, v := range f.Vehicles {
		byID[v.Reg.ID] = v
	}
	sentTo := map[string]string{} // unit → the incident it was sent to
	for ctx.Err() == nil {
		sub := bus.SubscribeKinds(1024, "incident")
		for open := true; open; {
			select {
			case <-ctx.Done():
				bus.Unsubscribe(sub)
				return
			case e, ok := <-sub.C:
				if open = ok; !ok || e.Incident == nil {
					continue // dropped: subscribe again
				}
				in := e.Incident
				for _, a := range in.Assignments {
					v, ours := byID[a.UnitID]
					switch {
					case !ours:
					case a.Open() && in.Status == tracking.IncidentOpen:
						v.Send(orb.Point{in.Lon, in.Lat})
						sentTo[a.UnitID] = in.ID
					case sentTo[a.UnitID] == in.ID: // done here, not sent elsewhere since
						v.Release()
						delete(sentTo, a.UnitID)
					}
				}
			}
		}
	}
}
