// Command fleetsim simulates a fleet of units driving around Kota Serang and
// publishes their OwnTracks fixes over MQTT: a demo for the map and a load
// generator for the ingest. Its last line is "sent N fixes in D (R/s)".
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/mqtt"
	"siaga112/tracking/sim"
)

func main() {
	var o options
	flag.StringVar(&o.API, "api", "", "siaga112 base URL, e.g. http://127.0.0.1:8080; when set, the units are registered there first")
	flag.StringVar(&o.Token, "token", "", "bearer token for --api")
	flag.StringVar(&o.Broker, "broker", "tcp://127.0.0.1:1883", "MQTT broker URL")
	flag.StringVar(&o.Username, "username", "", "MQTT username")
	flag.StringVar(&o.Password, "password", "", "MQTT password")
	flag.IntVar(&o.Units, "units", 100, "number of simulated units (types in turn)")
	flag.Float64Var(&o.Rate, "rate", 100, "total fixes per second across all units")
	flag.DurationVar(&o.Duration, "duration", 10*time.Second, "how long to publish (0: until interrupted)")
	flag.IntVar(&o.QoS, "qos", 0, "MQTT QoS of the fixes: 0 or 1")
	flag.IntVar(&o.Conns, "conns", 4, "MQTT connections to publish over")
	flag.Uint64Var(&o.Seed, "seed", 1, "random seed of the fleet")
	flag.Float64Var(&o.Incidents, "incidents", 0, "also POST this many incidents per second to --api, and report their latency")
	flag.Float64Var(&o.Calls, "calls", 0, "also play the phone edge on --api at this many calls per second (admission, then ringing, answered and ended) and report their latency; the token must be an admin's")
	flag.IntVar(&o.Watchers, "ws-clients", 0, "also hold this many /api/live WebSocket clients on --api and report telemetry-to-client latency, with the server's RSS and goroutines")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "fleetsim:", err)
		os.Exit(2)
	}
}

type options struct {
	API, Token, Broker, Username, Password string
	Units, QoS, Conns                      int
	Rate                                   float64
	Duration                               time.Duration
	Seed                                   uint64
	Incidents, Calls                       float64
	Watchers                               int
}

func (o options) validate() error {
	switch {
	case o.Units < 1:
		return fmt.Errorf("--units must be at least 1")
	case o.Rate <= 0:
		return fmt.Errorf("--rate must be positive")
	case o.QoS != 0 && o.QoS != 1:
		return fmt.Errorf("--qos must be 0 or 1")
	case o.Conns < 1 || o.Conns > 64:
		return fmt.Errorf("--conns must be between 1 and 64")
	case o.Incidents < 0 || (o.Incidents > 0 && o.API == ""):
		return fmt.Errorf("--incidents needs --api and must not be negative")
	case o.Calls < 0 || (o.Calls > 0 && o.API == ""):
		return fmt.Errorf("--calls needs --api and must not be negative")
	case o.Watchers < 0 || o.Watchers > 1000 || (o.Watchers > 0 && o.API == ""):
		return fmt.Errorf("--ws-clients needs --api and must be 0 to 1000")
	}
	return nil
}

// run registers the fleet (with --api), publishes until the duration or ctx
// ends, and prints the closing line to out and progress to log.
func run(ctx context.Context, o options, out, log io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	log = &lockedWriter{w: log} // progress and the incident load both write
	fleet := sim.New(o.Units, o.Seed, time.Now())
	if o.API != "" {
		if err := register(ctx, strings.TrimRight(o.API, "/"), o.Token, fleet.Vehicles); err != nil {
			return err
		}
		fmt.Fprintf(log, "registered %d units at %s\n", o.Units, o.API)
	}

	shards := fleet.Split(o.Conns)
	pubs := make([]*mqtt.Publisher, 0, len(shards))
	defer func() {
		for _, p := range pubs {
			p.Close()
		}
	}()
	for i := range shards {
		p, err := mqtt.NewPublisher(mqtt.PublisherConfig{
			URL: o.Broker, ClientID: fmt.Sprintf("fleetsim-%d-%d-%d", os.Getpid(), time.Now().UnixNano(), i),
			Username: o.Username, Password: o.Password, QoS: byte(o.QoS),
		})
		if err != nil {
			return err
		}
		pubs = append(pubs, p)
	}

	runCtx := ctx
	if o.Duration > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, o.Duration)
		defer cancel()
	}
	api := strings.TrimRight(o.API, "/")
	var watch *watchers
	if o.Watchers > 0 {
		if rss, g, err := serverStats(api, o.Token); err == nil {
			fmt.Fprintf(log, "server at start: RSS %.1f MB, %d goroutines\n", rss, g)
		}
		watch = startWatchers(runCtx, api, o.Token, o.Watchers, log)
	}
	var sent, failed atomic.Uint64
	progressDone := make(chan struct{})
	go func() { progress(runCtx, log, &sent); close(progressDone) }()
	start := time.Now()
	var wg sync.WaitGroup
	for i, shard := range shards {
		wg.Go(func() {
			shard.Drive(runCtx, o.Rate/float64(len(shards)), func(v *sim.Vehicle, p tracking.Position) {
				if err := pubs[i].PublishFix(v.Reg.Agency, v.Reg.ID, p); err != nil {
					failed.Add(1)
					return
				}
				sent.Add(1)
			})
		})
	}
	if o.Incidents > 0 {
		wg.Go(func() {
			if err := incidentLoad(runCtx, strings.TrimRight(o.API, "/"), o.Token, o.Incidents, o.Seed, log); err != nil {
				fmt.Fprintln(log, "incident load:", err)
			}
		})
	}
	if o.Calls > 0 {
		wg.Go(func() {
			if err := callLoad(runCtx, api, o.Token, o.Calls, o.Seed, log); err != nil {
				fmt.Fprintln(log, "call load:", err)
			}
		})
	}
	wg.Wait()
	<-progressDone
	for _, p := range pubs {
		p.Close() // flushes what paho still holds, so "sent" means sent
	}
	pubs = nil
	elapsed := time.Since(start)
	if n := failed.Load(); n > 0 {
		fmt.Fprintf(log, "%d fixes failed to publish\n", n)
	}
	if watch != nil {
		watch.report(log, o.Watchers)
		if rss, g, err := serverStats(api, o.Token); err == nil {
			fmt.Fprintf(log, "server at end: RSS %.1f MB, %d goroutines\n", rss, g)
		}
	}
	n := sent.Load()
	fmt.Fprintf(out, "sent %d fixes in %s (%.0f/s)\n", n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
	return nil
}

// progress prints the rate once a second, so an operator sees it work.
func progress(ctx context.Context, log io.Writer, sent *atomic.Uint64) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var last uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n := sent.Load()
			fmt.Fprintf(log, "… %d fixes sent (%d in the last second)\n", n, n-last)
			last = n
		}
	}
}

// register puts every unit through PUT /api/units/{id}, 8 at a time.
func register(ctx context.Context, api, token string, vs []*sim.Vehicle) error {
	client := &http.Client{Timeout: 10 * time.Second}
	jobs := make(chan *sim.Vehicle)
	errs := make(chan error, len(vs))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for v := range jobs {
				errs <- registerOne(ctx, client, api, token, v.Reg)
			}
		})
	}
	for _, v := range vs {
		jobs <- v
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func registerOne(ctx context.Context, client *http.Client, api, token string, r tracking.Registration) error {
	body, _ := json.Marshal(map[string]string{"type": string(r.Type), "agency": r.Agency, "callsign": r.Callsign})
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, api+"/api/units/"+r.ID, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("register %s: %w", r.ID, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("register %s: %s: %s", r.ID, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// lockedWriter serialises writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
