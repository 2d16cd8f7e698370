package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// GET /api/incidents pages newest first; the cursor walks every incident
// once. Before, one answer held every incident ever (127 MB at 50,000).
func TestIncidentsPaginate(t *testing.T) {
	r := newDispatchServer(t)
	const n = 7
	var ids []string
	for i := range n {
		_, body := do(t, "POST", r.url+"/api/incidents", fmt.Sprintf(`{"category":"medical",%s,"caller":"0811%03d"}`, inKaligandu, i))
		ids = append(ids, decode[map[string]any](t, body)["id"].(string))
	}
	var seen []string
	url := r.url + "/api/incidents?limit=3"
	for pages := 0; url != ""; pages++ {
		if pages > n {
			t.Fatal("the cursor does not advance")
		}
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		var page []map[string]any
		if err := decodeJSON(resp, &page); err != nil {
			t.Fatal(err)
		}
		for _, in := range page {
			seen = append(seen, in["id"].(string))
		}
		url = ""
		if c := resp.Header.Get("X-Next-Cursor"); c != "" {
			url = r.url + "/api/incidents?limit=3&cursor=" + c
		}
	}
	if len(seen) != n || seen[0] != ids[n-1] || seen[n-1] != ids[0] {
		t.Fatalf("paged %v, want %v newest first", seen, ids)
	}
	if _, body := do(t, "GET", r.url+"/api/incidents", ""); len(decode[[]any](t, body)) != n {
		t.Fatalf("default page: %s", body)
	}
	for _, q := range []string{"limit=0", "limit=1001", "limit=x", "cursor=%00"} {
		if status, _ := do(t, "GET", r.url+"/api/incidents?"+q, ""); status != 400 {
			t.Fatalf("?%s: %d, want 400", q, status)
		}
	}
}

// One principal creating incidents past its rate is answered 429.
func TestIncidentCreationIsRateLimited(t *testing.T) {
	r := newStackWith(t, StackOptions{IncidentRate: 5})
	for i := range 5 {
		if status, body := do(t, "POST", r.url+"/api/incidents", fmt.Sprintf(`{"category":"medical",%s,"caller":"0811%03d"}`, inKaligandu, i)); status != 201 {
			t.Fatalf("incident %d: %d %s", i, status, body)
		}
	}
	status, body := do(t, "POST", r.url+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"0811999"}`)
	if status != 429 || !strings.Contains(string(body), "--incident-rate") {
		t.Fatalf("past the rate: %d %s", status, body)
	}
}

func decodeJSON(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}
