package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"siaga112/tracking/app"
	"siaga112/tracking/postgres/pgtest"
)

// Issue 22 item 18: with every PostgreSQL reply 1.5 s late, changes
// persist. Call-takers create incidents for 30 s; 30 s after that window
// at least half of those answered 201 are rows in PostgreSQL, and /healthz
// says the database is slow, never unreachable. Before, each change took
// several round trips, overran the writer's fixed 5 s timeout, was rolled
// back and retried: 1 of 30 was a row a minute later.
func TestSlowDatabasePersistsChanges(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 70 s")
	}
	const (
		latency = 1500 * time.Millisecond
		window  = 30 * time.Second
	)
	db := pgtest.URL(t)
	proxy := pgtest.StartProxy(t, pgtest.Target(db))
	a, err := app.New(context.Background(), app.Config{NoMQTT: true, OpenAPI: true, DB: proxy.Via(db)}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	api := httptest.NewServer(a.Web)
	defer api.Close()
	create := func(caller string) (string, int) {
		body := fmt.Sprintf(`{"category":"medical","lat":-6.110699,"lon":106.177791,"caller":"%s"}`, caller)
		resp, err := http.Post(api.URL+"/api/incidents", "application/json", strings.NewReader(body))
		if err != nil {
			t.Error(err)
			return "", 0
		}
		defer resp.Body.Close()
		var in struct{ ID string }
		json.NewDecoder(resp.Body).Decode(&in)
		return in.ID, resp.StatusCode
	}
	// The server has just started: the first incident's statements are
	// prepared under the slow database.
	proxy.SetLatency(latency)
	stop := make(chan struct{})
	var (
		mu       sync.Mutex
		answered []string
		refused  = map[int]int{}
		health   = map[string]int{} // what /healthz said of the database, by kind
		wg       sync.WaitGroup
	)
	for w := range 4 { // call-takers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id, code := create(fmt.Sprintf("0812%02d%04d", w, i))
				mu.Lock()
				if code == http.StatusCreated {
					answered = append(answered, id)
				} else {
					refused[code]++
				}
				mu.Unlock()
				if code != http.StatusCreated {
					time.Sleep(200 * time.Millisecond)
				}
			}
		}()
	}
	watch := func(until time.Time) {
		for time.Now().Before(until) {
			code, db := healthz(t, api.URL)
			kind := "ok"
			switch {
			case strings.Contains(db, "unreachable"):
				kind = "unreachable: " + db
			case strings.Contains(db, "slow"):
				kind = "slow"
			case code != 200:
				kind = fmt.Sprintf("%d %s", code, db)
			}
			mu.Lock()
			health[kind]++
			mu.Unlock()
			time.Sleep(250 * time.Millisecond)
		}
	}
	watch(time.Now().Add(window))
	close(stop)
	wg.Wait()
	mu.Lock()
	ids := append([]string(nil), answered...)
	mu.Unlock()
	watch(time.Now().Add(window)) // still slow: the writer catches up

	conn := pgtest.Conn(t, db) // straight to PostgreSQL, not through the proxy
	var rows int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM incidents WHERE id = ANY($1)`, ids).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	var doubled int
	conn.QueryRow(context.Background(), `SELECT count(*) FROM (SELECT subject FROM events WHERE action = 'incident.created' AND subject = ANY($1)
		GROUP BY subject HAVING count(*) > 1) d`, ids).Scan(&doubled)
	t.Logf("%d incidents answered 201 in %v at %v per reply (refused: %v); %d rows in PostgreSQL %v later; /healthz: %v; audit rows written twice: %d",
		len(ids), window, latency, refused, rows, window, health, doubled)
	if len(ids) == 0 {
		t.Fatal("no incident was answered")
	}
	if rows*2 < len(ids) {
		t.Errorf("%d of %d answered changes are rows in PostgreSQL %v after the window: want at least half", rows, len(ids), window)
	}
	if doubled > 0 {
		t.Errorf("%d changes were written twice", doubled)
	}
	for kind, n := range health {
		if kind != "ok" && kind != "slow" {
			t.Errorf("/healthz said %q %d times: a slow database is slow, not unreachable", kind, n)
		}
	}
	if health["slow"] == 0 {
		t.Errorf("/healthz never said the database was slow: %v", health)
	}
}
