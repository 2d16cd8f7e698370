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
	store    tracking.RecordStore // contacts are records, changed through it
	incs     func(ctx context.Context, from, to time.Time) ([]tracking.Incident, error)
	now      func() time.Time

	mu       sync.Mutex
	contacts map[string][]tracking.Contact // set by admins, over the file's
	versions tracking.Versions
}

// load reads the contacts admins set (restart recovery).
func (d *agencyDirectory) load(ctx context.Context) error {
	d.contacts = map[string][]tracking.Contact{}
	rs, _, err := d.store.Records(ctx, 0, tracking.RecordContacts)
	if err != nil {
		return err
	}
	d.Absorb(rs, 0)
	return nil
}

// Absorb takes contact records read back from the store (another
// instance's changes): each applies only if newer than what memory holds.
func (d *agencyDirectory) Absorb(rs []tracking.Record, upTo int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range rs {
		if r.Kind == tracking.RecordContacts && !r.Deleted && d.versions.Take(r) {
			d.contacts[r.Key] = slices.Clone(r.Contacts)
		}
	}
	if upTo > 0 {
		d.versions.Forget(upTo)
	}
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
	r := tracking.Record{Kind: tracking.RecordContacts, Key: code, Contacts: slices.Clone(cs)}
	if r.Contacts == nil {
		r.Contacts = []tracking.Contact{}
	}
	now := d.now()
	v, err := tracking.Journal{Store: d.store}.Commit(tracking.Change{Audit: tracking.Audit{Action: "agency.contacts", Actor: by, At: now}, At: now, Records: []tracking.Record{r}})
	if err != nil {
		return tracking.Agency{}, err
	}
	r.Version = v
	d.Absorb([]tracking.Record{r}, 0)
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
		AllowPrivate: a.cfg.WebhookAllowPrivate, CAP: interopEncoder(a.cfg, a.Dispatch.Plans()).CAP})
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
	sub := webhook.Subscribe(bus)
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
	clockSub := bus.SubscribeKinds(1024, "incident")
	go func() {
		defer wg.Done()
		defer bus.Unsubscribe(clockSub)
		for {
			select {
			case <-bg.Done():
				return
			case e, ok := <-clockSub.C:
				if !ok {
					clockSub = bus.SubscribeKinds(1024, "incident")
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
