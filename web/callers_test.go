package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/memstore"
)

// Issue 22 (3): a blocked number stays blocked however it is written. Each
// spelling once got 201 and showed up as a new, clean caller.
func TestEverySpellingOfABlockedNumberIsRefused(t *testing.T) {
	r := newDispatchServer(t)
	for range 6 {
		if status, body := do(t, "POST", r.url+"/api/calls/081355556666/prank", ""); status != 200 {
			t.Fatalf("prank: %d %s", status, body)
		}
	}
	for _, tt := range []struct{ name, caller string }{
		{"national", "081355556666"},
		{"plus trunk", "+081355556666"},
		{"00 then trunk", "00 0813 5555 6666"},
		{"zeros", "000081355556666"},
		{"000 62", "000 62 813 5555 6666"},
		{"plus 62", "+62 813-5555-6666"},
		{"0062", "006281355556666"},
		{"bare 62", "6281355556666"},
		{"62 and trunk", "+62 (0)813 5555 6666"},
		{"plus zeros 62 trunk", "+00 62 0813 5555 6666"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := do(t, "POST", r.url+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"`+tt.caller+`"}`)
			if status != 403 || !strings.Contains(string(body), "081355556666 is blocked") {
				t.Fatalf("%q: %d %s; want 403 naming 081355556666", tt.caller, status, body)
			}
			_, body = do(t, "GET", r.url+"/api/callers/"+url.PathEscape(tt.caller), "")
			if v := decode[map[string]any](t, body); v["number"] != "081355556666" || v["blocked_until"] == nil {
				t.Fatalf("%q is shown as another caller: %s", tt.caller, body)
			}
		})
	}
	// A foreign number keeps its country code: another caller.
	if status, body := do(t, "POST", r.url+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"0065 9123 4567"}`); status != 201 || !strings.Contains(string(body), `"caller":"+6591234567"`) {
		t.Fatalf("foreign caller: %d %s", status, body)
	}
}

// Issue 22 (8): GET /api/callers pages. 521 records used to come back as
// one 93 KB answer.
func TestCallersPages(t *testing.T) {
	r := newDispatchServer(t)
	ctx := context.Background()
	var want []string
	for i := range 230 {
		n := fmt.Sprintf("0812%07d", i*7919%10_000_000)
		if i%50 == 0 {
			n = fmt.Sprintf("+65%08d", i) // foreign numbers sort first
		}
		v, err := r.svc.RecordPrank(ctx, n, "admin")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, v.Number)
	}
	for _, n := range []string{"081200000001", "081200000002", "081200000003"} {
		for range 11 {
			if _, err := r.svc.RecordPrank(ctx, n, "admin"); err != nil {
				t.Fatal(err)
			}
		}
		want = append(want, n)
	}
	slices.Sort(want)
	want = slices.Compact(want)

	get := func(t *testing.T, path string) (*http.Response, []map[string]any) {
		t.Helper()
		resp, body := send(t, "GET", r.url+path, "", "", nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
		}
		return resp, decode[[]map[string]any](t, []byte(body))
	}
	// The default page is 100, with the way to the next.
	resp, page := get(t, "/api/callers")
	if len(page) != 100 || resp.Header.Get("X-Next-Cursor") != page[99]["number"] || !strings.Contains(resp.Header.Get("Link"), `rel="next"`) {
		t.Fatalf("first page: %d callers, X-Next-Cursor %q, Link %q", len(page), resp.Header.Get("X-Next-Cursor"), resp.Header.Get("Link"))
	}
	// Following Link rel="next" walks every number once, in order.
	walk := func(t *testing.T, path string) []string {
		var got []string
		for pages := 0; path != ""; pages++ {
			if pages > 100 {
				t.Fatal("the pages never end")
			}
			resp, page := get(t, path)
			for _, c := range page {
				got = append(got, c["number"].(string))
			}
			path = ""
			if l := resp.Header.Get("Link"); l != "" {
				path = strings.TrimSuffix(strings.TrimPrefix(l, "<"), `>; rel="next"`)
				if resp.Header.Get("X-Next-Cursor") != got[len(got)-1] {
					t.Fatalf("X-Next-Cursor %q after %q", resp.Header.Get("X-Next-Cursor"), got[len(got)-1])
				}
			}
		}
		return got
	}
	if got := walk(t, "/api/callers?limit=70"); !slices.Equal(got, want) {
		t.Fatalf("walked %d numbers, want %d (%v…)", len(got), len(want), got[:min(5, len(got))])
	}
	if got := walk(t, "/api/callers?proposed=true&limit=2"); !slices.Equal(got, []string{"081200000001", "081200000002", "081200000003"}) {
		t.Fatalf("ministry list: %v", got)
	}
	// The cursor as a person types it: "+" unescaped.
	if _, page := get(t, "/api/callers?limit=1&cursor="+want[0]); len(page) != 1 || page[0]["number"] != want[1] {
		t.Fatalf("after %s: %v", want[0], page)
	}
	// Past the end: an empty page, no next.
	if resp, page := get(t, "/api/callers?cursor=0899999999999"); len(page) != 0 || resp.Header.Get("Link") != "" {
		t.Fatalf("past the end: %v %q", page, resp.Header.Get("Link"))
	}
	if _, body := send(t, "GET", r.url+"/api/callers?cursor=0899999999999", "", "", nil, nil); strings.TrimSpace(body) != "[]" {
		t.Fatalf("an empty page is %s, want []", body)
	}
	if _, page := get(t, "/api/callers?limit=500"); len(page) != len(want) {
		t.Fatalf("limit=500: %d", len(page))
	}
	for _, q := range []string{"limit=0", "limit=abc", "limit=501", "limit=-1", "limit=1e2", "cursor=abc", "cursor=%3Cscript%3E",
		"cursor=" + strings.Repeat("9", 40), "cursor=%2B", "proposed=maybe"} {
		t.Run(q, func(t *testing.T) {
			resp, body := send(t, "GET", r.url+"/api/callers?"+q, "", "", nil, nil)
			if resp.StatusCode != 400 || !strings.Contains(body, `"error"`) {
				t.Fatalf("%d %s; want 400", resp.StatusCode, body)
			}
		})
	}
}

// Issue 22 (9): logging calls is limited per principal (--call-rate), the
// prank shortcut in the same bucket; past it 429 with Retry-After. More
// than 1,000 calls from one token in half a second all got 201.
func TestCallRate(t *testing.T) {
	acc := newAccounts(t, memstore.NewAccounts())
	r := newStackWith(t, StackOptions{Accounts: acc, CallRate: 30})
	gateway := issue(t, acc, "phone-gateway", tracking.RoleDispatcher)
	other := issue(t, acc, "call-taker", tracking.RoleDispatcher)
	call := func(tok string, i int) *http.Response {
		resp, _ := send(t, "POST", r.url+"/api/calls", fmt.Sprintf(`{"number":"0813%07d","outcome":"information"}`, i), tok, nil, nil)
		return resp
	}
	created, refused := 0, 0
	var last *http.Response
	for i := range 100 {
		switch last = call(gateway, i); last.StatusCode {
		case 201:
			created++
		case 429:
			refused++
			if ra, err := strconv.Atoi(last.Header.Get("Retry-After")); err != nil || ra < 1 {
				t.Fatalf("429 with Retry-After %q", last.Header.Get("Retry-After"))
			}
		default:
			t.Fatalf("call %d: %d", i, last.StatusCode)
		}
	}
	// Bursts up to the limit; the clock of the test may let one or two more in.
	if created < 30 || created > 32 || refused == 0 {
		t.Fatalf("%d created, %d refused; want a burst of 30 then 429", created, refused)
	}
	resp, body := send(t, "POST", r.url+"/api/calls/0811777/prank", "", gateway, nil, nil)
	if resp.StatusCode != 429 || !strings.Contains(body, "--call-rate") {
		t.Fatalf("the prank shortcut past the limit: %d %s", resp.StatusCode, body)
	}
	// Another principal has its own bucket.
	if resp := call(other, 1); resp.StatusCode != 201 {
		t.Fatalf("another token: %d", resp.StatusCode)
	}
	if resp, body := send(t, "POST", r.url+"/api/calls/0811777/prank", "", other, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("another token's prank: %d %s", resp.StatusCode, body)
	}
}
