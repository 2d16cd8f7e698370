package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking/app"
	"siaga112/tracking/postgres/pgtest"
)

const placesToken = "places-admin-token-0123456789"

func placesApp(t *testing.T, db string) (*app.App, string) {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{NoMQTT: true, AdminToken: placesToken, DB: db}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Web)
	t.Cleanup(func() { ts.Close(); a.Close() })
	return a, ts.URL
}

func placesCall(t *testing.T, method, u, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+placesToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// found reports whether a search for q on base answers id first.
func found(t *testing.T, base, q, id string) bool {
	code, body := placesCall(t, "GET", base+"/api/places?q="+url.QueryEscape(q), "")
	var fc struct {
		Features []struct {
			ID string `json:"id"`
		} `json:"features"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &fc) != nil {
		t.Fatalf("search %q: %d %s", q, code, body)
	}
	return len(fc.Features) > 0 && fc.Features[0].ID == id
}

func createPlace(t *testing.T, base, body string) (id string, persisted bool) {
	t.Helper()
	code, b := placesCall(t, "POST", base+"/api/places", body)
	var f struct {
		ID        string `json:"id"`
		Persisted bool   `json:"persisted"`
	}
	if code != 201 || json.Unmarshal([]byte(b), &f) != nil {
		t.Fatalf("create: %d %s", code, b)
	}
	return f.ID, f.Persisted
}

// Two instances on one database: an entry made on one is found on the
// other within a second, changes and deletions too; the trail names the
// actor; the book outlives both.
func TestPlaceBookTwoInstances(t *testing.T) {
	db := pgtest.URL(t)
	_, baseA := placesApp(t, db)
	_, baseB := placesApp(t, db)
	fid, persisted := createPlace(t, baseA, `{"name":"Posko Banjir Kaligandu","aliases":["Tenda Biru"],"kind":"facility","lat":-6.1107,"lon":106.1778}`)
	if !persisted {
		t.Error("persisted false with the database up")
	}
	id := strings.TrimPrefix(fid, "placebook:")
	start := time.Now()
	within(t, time.Second, "B finds the entry made on A", func() bool { return found(t, baseB, "tenda biru", fid) })
	t.Logf("made on A, found on B after %v", time.Since(start).Round(time.Millisecond))
	if code, b := placesCall(t, "PATCH", baseB+"/api/places/"+id, `{"aliases":["Posko Utama"]}`); code != 200 {
		t.Fatalf("patch on B: %d %s", code, b)
	}
	within(t, time.Second, "A follows B's change", func() bool { return found(t, baseA, "posko utama", fid) && !found(t, baseA, "tenda biru", fid) })
	keep, _ := createPlace(t, baseB, `{"name":"Gapura Kaibon","lat":-6.0335,"lon":106.1571}`)
	if code, b := placesCall(t, "DELETE", baseA+"/api/places/"+id, ""); code != 204 {
		t.Fatalf("delete on A: %d %s", code, b)
	}
	within(t, time.Second, "B drops the deleted entry", func() bool {
		code, _ := placesCall(t, "GET", baseB+"/api/places/"+id, "")
		return code == 404 && !found(t, baseB, "posko utama", fid)
	})
	code, trail := placesCall(t, "GET", baseA+"/api/audit?subject=place:"+id, "")
	if code != 200 {
		t.Fatalf("audit: %d %s", code, trail)
	}
	for _, want := range []string{`"action":"place.created","actor":"admin"`, `"action":"place.changed","actor":"admin"`, `"action":"place.deleted","actor":"admin"`} {
		if !strings.Contains(trail, want) {
			t.Errorf("audit lacks %s: %s", want, trail)
		}
	}
	// A third instance, started later, loads the book.
	_, baseC := placesApp(t, db)
	if !found(t, baseC, "gapura kaibon", keep) {
		t.Error("the book is not loaded back at start")
	}
}

// While the database is unreachable the book takes entries (persisted:
// false) and search finds them; they are written when it returns. A change
// the database refuses is taken back.
func TestPlaceBookOutageAndRefusal(t *testing.T) {
	db := pgtest.URL(t)
	proxy := pgtest.StartProxy(t, pgtest.Target(db))
	a, base := placesApp(t, proxy.Via(db))
	proxy.Cut()
	fid, persisted := createPlace(t, base, `{"name":"Tugu Jam Alun-alun","lat":-6.1200,"lon":106.1500}`)
	if persisted {
		t.Error(`"persisted": true during an outage`)
	}
	if !found(t, base, "tugu jam", fid) {
		t.Error("an entry queued for the database is not found")
	}
	proxy.Restore()
	within(t, 10*time.Second, "the queue drains", func() bool { return a.Postgres.Queued() == 0 && a.Postgres.Healthy() == nil })
	if _, baseB := placesApp(t, db); !found(t, baseB, "tugu jam", fid) {
		t.Error("the queued entry never reached the database")
	}

	// The database refuses one name: the entry is taken back.
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `CREATE FUNCTION refuse_place() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN IF NEW.name = 'Ditolak' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$;
		CREATE TRIGGER refuse_place BEFORE INSERT OR UPDATE ON places FOR EACH ROW EXECUTE FUNCTION refuse_place()`); err != nil {
		t.Fatal(err)
	}
	if code, b := placesCall(t, "POST", base+"/api/places", `{"name":"Ditolak","lat":-6.12,"lon":106.15}`); code != 500 {
		t.Fatalf("a refused entry: %d %s", code, b)
	}
	if code, b := placesCall(t, "GET", base+"/api/places?q=ditolak", ""); code != 200 || strings.Contains(b, "Ditolak") {
		t.Errorf("a refused entry is still found: %s", b)
	}
	id := strings.TrimPrefix(fid, "placebook:")
	if code, b := placesCall(t, "PATCH", base+"/api/places/"+id, `{"name":"Ditolak"}`); code != 500 {
		t.Fatalf("a refused change: %d %s", code, b)
	}
	if !found(t, base, "tugu jam", fid) {
		t.Error("a refused change is not taken back")
	}
}

// within waits up to d for cond, failing with what.
func within(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
