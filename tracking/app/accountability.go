package app

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"siaga112/tracking"
	"siaga112/tracking/compliance"
	"siaga112/tracking/deadline"
	"siaga112/tracking/dispatch"
	"siaga112/tracking/webhook"
)

// Issue 16's wiring: the agencies (plans file + contacts admins change),
// the deadline clock, webhooks, and the compliance report's source.

// agencyDirectory is web.AgencyDirectory and web.ComplianceSource: the
// plans file's agencies with the contacts admins set over them.
type agencyDirectory struct {
	base     []tracking.Agency
	deadline time.Duration
	pg       contactStore // nil: contacts kept in memory
	incs     func(ctx context.Context, from, to time.Time) ([]tracking.Incident, error)
	now      func() time.Time

	mu       sync.Mutex
	contacts map[string][]tracking.Contact // set by admins, over the file's
}

type contactStore interface {
	AgencyContacts(ctx context.Context) (map[string][]tracking.Contact, error)
	SaveAgencyContacts(ctx context.Context, code string, cs []tracking.Contact, by string, at time.Time) error
}

func (d *agencyDirectory) load(ctx context.Context) error {
	d.contacts = map[string][]tracking.Contact{}
	if d.pg == nil {
		return nil
	}
	cs, err := d.pg.AgencyContacts(ctx)
	if err != nil {
		return err
	}
	d.contacts = cs
	return nil
}

func (d *agencyDirectory) Agencies(context.Context) ([]tracking.Agency, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]tracking.Agency, len(d.base))
	for i, a := range d.base {
		a.Leads = slices.Clone(a.Leads)
		a.Contacts = slices.Clone(a.Contacts)
		if cs, ok := d.contacts[a.Code]; ok {
			a.Contacts = slices.Clone(cs)
		}
		out[i] = a
	}
	return out, nil
}

func (d *agencyDirectory) SetContacts(ctx context.Context, code string, cs []tracking.Contact, by string) (tracking.Agency, error) {
	i := slices.IndexFunc(d.base, func(a tracking.Agency) bool { return a.Code == code })
	if i < 0 {
		return tracking.Agency{}, tracking.Errorf(tracking.CodeNotFound, "no agency %q", code)
	}
	if d.pg != nil {
		if err := d.pg.SaveAgencyContacts(ctx, code, cs, by, d.now()); err != nil && err != tracking.ErrQueued {
			return tracking.Agency{}, err
		}
	}
	d.mu.Lock()
	d.contacts[code] = slices.Clone(cs)
	d.mu.Unlock()
	a := d.base[i]
	a.Contacts = slices.Clone(cs)
	return a, nil
}

// ComplianceCases implements web.ComplianceSource.
func (d *agencyDirectory) ComplianceCases(ctx context.Context, from, to time.Time) ([]compliance.Case, error) {
	ins, err := d.incs(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]compliance.Case, 0, len(ins))
	for _, in := range ins {
		out = append(out, caseOf(in))
	}
	return out, nil
}

// caseOf: the done time is the lead agency's own "done", else the close.
func caseOf(in tracking.Incident) compliance.Case {
	c := compliance.CaseOf(in)
	if t := in.LeadDoneAt(); t != nil {
		c.DoneAt = t
	}
	return c
}

// complianceAgencies adapts the directory to ComplianceSource.Agencies.
type complianceSource struct{ *agencyDirectory }

func (c complianceSource) Agencies() []compliance.Agency {
	out := make([]compliance.Agency, len(c.base))
	for i, a := range c.base {
		out[i] = compliance.Agency{Code: a.Code, Name: a.Name}
	}
	return out
}

func (c complianceSource) Deadline() time.Duration { return c.deadline }

// incidentsReceived lists the incidents received in [from, to): from the
// database when there is one (closed ones older than memory holds too),
// else from dispatch's memory.
func (a *App) incidentsReceived(ctx context.Context, from, to time.Time) ([]tracking.Incident, error) {
	if a.Postgres != nil {
		return a.Postgres.IncidentsReceived(ctx, from, to)
	}
	var out []tracking.Incident
	for _, in := range a.Dispatch.List(dispatch.Filter{}) {
		if !in.ReceivedAt.Before(from) && in.ReceivedAt.Before(to) {
			out = append(out, in)
		}
	}
	return out, nil
}

// startAccountability starts the webhooks and the deadline clock in the
// background; Close stops them.
func (a *App) startAccountability(ctx context.Context, bus *tracking.Bus, reg *prometheus.Registry) error {
	var outbox tracking.WebhookOutbox = webhook.NewMemory()
	var marks tracking.DeadlineMarks = deadline.NewMemory()
	if a.Postgres != nil {
		outbox, marks = a.Postgres.Webhooks(), a.Postgres.DeadlineMarks()
	}
	a.Webhooks = webhook.New(webhook.Config{Outbox: outbox, Logger: a.log, Now: a.cfg.Now, Backoff: a.cfg.WebhookBackoff, PollEvery: a.cfg.WebhookPoll,
		AllowPrivate: a.cfg.WebhookAllowPrivate})
	if a.cfg.WebhookAllowPrivate {
		a.log.Warn("webhooks may target loopback, link-local and private addresses (--webhook-allow-private): an admin can make the server POST to its own ports and the internal network")
	}
	if err := a.Webhooks.Reload(ctx); err != nil {
		return err
	}
	reg.MustRegister(a.Webhooks)
	bg, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	a.onClose(func() { stop(); wg.Wait() })
	// Follow subscribes before New returns: no event after it is missed.
	sub := bus.Subscribe(webhook.FollowBuffer)
	wake := make(chan struct{}, 1)
	wg.Add(4)
	go func() {
		defer wg.Done()
		if err := a.Webhooks.Run(bg); err != nil && bg.Err() == nil {
			a.log.Error("webhooks stopped", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		a.Webhooks.FollowFrom(bg, bus, sub)
	}()
	// Wake the clock when an incident is created or acted on.
	clockSub := bus.Subscribe(1024)
	go func() {
		defer wg.Done()
		defer bus.Unsubscribe(clockSub)
		for {
			select {
			case <-bg.Done():
				return
			case e, ok := <-clockSub.C:
				if !ok {
					clockSub = bus.Subscribe(1024)
					continue
				}
				if e.Kind == "incident" {
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			}
		}
	}()
	a.Clock = deadline.New(a.cfg.AgencyDeadline, marks)
	svc := a.Dispatch
	cases := func(context.Context) ([]deadline.Case, error) {
		var out []deadline.Case
		for _, in := range svc.List(dispatch.Filter{Status: tracking.IncidentOpen}) {
			out = append(out, deadline.CaseOf(in))
		}
		return out, nil
	}
	fire := func(f deadline.Firing) {
		in, err := svc.Get(f.IncidentID)
		if err != nil {
			return
		}
		a.log.Warn("agency deadline "+string(f.Kind), "incident", in.ID, "agency", in.LeadAgency, "due_at", f.DueAt)
		bus.Publish(tracking.Event{Kind: "incident", Action: f.Action(), At: a.cfg.Now(), Incident: &in})
	}
	poll := min(time.Minute, max(a.Clock.Deadline()/100, 100*time.Millisecond))
	go func() {
		defer wg.Done()
		a.Clock.Run(bg, a.cfg.Now, cases, fire, wake, poll, func(err error) { a.log.Error("deadline clock", "err", err) })
	}()
	return nil
}
