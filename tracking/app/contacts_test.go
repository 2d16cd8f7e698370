package app

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/memstore"
)

// refusing refuses every change of records while armed, as a database
// refuses a write.
type refusing struct {
	*memstore.Store
	armed atomic.Bool
}

var errRefused = errors.New("refused by the test's store")

func (r *refusing) Submit(c tracking.Change, done func(error)) {
	if r.armed.Load() && len(c.Records) > 0 {
		done(errRefused)
		return
	}
	r.Store.Submit(c, done)
}

// Issue 23: agency contacts are a change like any other. One the store
// refuses leaves the contacts in force; one it takes is there after a
// restart; another instance's older copy never overwrites a newer one.
func TestContactsAreChanges(t *testing.T) {
	ctx := context.Background()
	store := &refusing{Store: memstore.New()}
	directory := func() *agencyDirectory {
		d := &agencyDirectory{base: []tracking.Agency{{Code: "dinkes", Name: "Dinas Kesehatan"}}, store: store, now: time.Now}
		if err := d.load(ctx); err != nil {
			t.Fatal(err)
		}
		return d
	}
	contacts := func(d *agencyDirectory) []tracking.Contact {
		as, _ := d.Agencies(ctx)
		return as[0].Contacts
	}
	d := directory()
	first := []tracking.Contact{{Kind: tracking.ContactPhone, Value: "+6281200000001"}}
	if _, err := d.SetContacts(ctx, "dinkes", first, "admin"); err != nil {
		t.Fatal(err)
	}
	store.armed.Store(true)
	if _, err := d.SetContacts(ctx, "dinkes", []tracking.Contact{{Kind: tracking.ContactEmail, Value: "piket@example.org"}}, "admin"); !errors.Is(err, errRefused) {
		t.Fatalf("refused change answered %v", err)
	}
	if got := contacts(d); len(got) != 1 || got[0] != first[0] {
		t.Fatalf("contacts after the refusal: %+v", got)
	}
	store.armed.Store(false)
	if got := contacts(directory()); len(got) != 1 || got[0] != first[0] {
		t.Fatalf("contacts after a restart: %+v", got)
	}
	trail := store.Audit()
	if last := trail[len(trail)-1]; last.Audit.Action != "agency.contacts" || last.Audit.Actor != "admin" || last.Subject != "dinkes" {
		t.Fatalf("trail entry %+v", last)
	}

	rs, upTo, _ := store.Records(ctx, 0, tracking.RecordContacts)
	newer := tracking.Record{Kind: tracking.RecordContacts, Key: "dinkes", Version: upTo + 1, Contacts: []tracking.Contact{{Kind: tracking.ContactEmail, Value: "b@example.org"}}}
	d.Absorb([]tracking.Record{newer}, 0)
	d.Absorb(rs, 0) // an older read, late
	if got := contacts(d); len(got) != 1 || got[0].Value != "b@example.org" {
		t.Fatalf("contacts after a newer and then an older copy: %+v", got)
	}
}
