package tracking

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"time"
)

// AuditEntry is one stored line of the audit trail: who (the
// authenticated principal, or "system"/a device for what the server and
// the trackers do), what, to which subject, when, and the subject as it
// stood after the change (never a password hash or a secret).
type AuditEntry struct {
	Seq     int64           `json:"seq"` // grows with every entry: the cursor of the next page
	At      time.Time       `json:"at"`
	Action  string          `json:"action"`
	Actor   string          `json:"actor"`
	Subject string          `json:"subject"` // incident id, unit id, number, "user:<name>", "token:<id>"
	Data    json.RawMessage `json:"data,omitempty"`
}

// AuditQuery selects entries, oldest first.
type AuditQuery struct {
	Subject  string    // "": every subject
	From, To time.Time // From <= At < To; zero: unbounded
	After    int64     // only entries with Seq > After
	Limit    int       // at most this many (0: all)
}

// AuditLog reads the audit trail back: the database's events table with
// --db, memory otherwise.
type AuditLog interface {
	AuditTrail(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
}

// Matches reports whether e is selected by q (Limit aside).
func (q AuditQuery) Matches(e AuditEntry) bool {
	return e.Seq > q.After && (q.Subject == "" || e.Subject == q.Subject) &&
		(q.From.IsZero() || !e.At.Before(q.From)) && (q.To.IsZero() || e.At.Before(q.To))
}

// Subjects of account changes in the trail.
func UserSubject(name string) string { return "user:" + name }
func TokenSubject(id string) string  { return "token:" + id }

// UserAuditData is what the trail keeps of a user: never the hash.
func UserAuditData(u User) map[string]any {
	return map[string]any{"name": u.Name, "role": u.Role, "disabled": u.Disabled}
}

// TokenAuditData is what the trail keeps of a token: never the hash.
func TokenAuditData(t Token) map[string]any {
	return map[string]any{"id": t.ID, "name": t.Name, "role": t.Role}
}

// FieldChange is one field a step changed: its value before (null when it
// was not set) and after (null when it was cleared or deleted).
type FieldChange struct {
	Field string `json:"field"`
	From  any    `json:"from"`
	To    any    `json:"to"`
}

// Step is one line of a subject's timeline.
type Step struct {
	Seq     int64         `json:"seq"`
	At      time.Time     `json:"at"`
	Action  string        `json:"action"`
	Actor   string        `json:"actor"`
	Changed []FieldChange `json:"changed"`
}

// Timeline turns a subject's entries (oldest first) into steps that say
// what each changed, field by field, against the one before; base is the
// entry before the first (a previous page), or nil.
func Timeline(entries []AuditEntry, base *AuditEntry) []Step {
	prev := map[string]any{}
	if base != nil {
		prev = flatten(base.Data)
	}
	out := make([]Step, 0, len(entries))
	for _, e := range entries {
		cur := flatten(e.Data)
		out = append(out, Step{Seq: e.Seq, At: e.At, Action: e.Action, Actor: e.Actor, Changed: diff(prev, cur)})
		if len(e.Data) > 0 {
			prev = cur
		}
	}
	return out
}

// ignored are fields about an answer, not the subject.
var ignored = map[string]bool{"persisted": true}

// flatten maps a JSON object's leaves to dotted paths; a list of
// assignments is keyed by unit ("assignments[AMB-1].status", a second
// assignment of the same unit "assignments[AMB-1#2]…"), other lists by
// index.
func flatten(data json.RawMessage) map[string]any {
	out := map[string]any{}
	var v any
	if len(data) == 0 || json.Unmarshal(data, &v) != nil {
		return out
	}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				if prefix == "" && ignored[k] {
					continue
				}
				walk(join(prefix, k), child)
			}
		case []any:
			seen := map[string]int{}
			for i, child := range x {
				key := fmt.Sprint(i)
				if m, ok := child.(map[string]any); ok {
					if id, ok := m["unit_id"].(string); ok {
						seen[id]++
						key = id
						if seen[id] > 1 {
							key = fmt.Sprintf("%s#%d", id, seen[id])
						}
					}
				}
				walk(prefix+"["+key+"]", child)
			}
			if len(x) == 0 {
				out[prefix] = []any{}
			}
		default:
			out[prefix] = x
		}
	}
	walk("", v)
	return out
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

// diff lists the fields whose values differ, by name. A field absent,
// null or empty on both sides is no change.
func diff(before, after map[string]any) []FieldChange {
	out := []FieldChange{}
	keys := make([]string, 0, len(before)+len(after))
	for k := range after {
		keys = append(keys, k)
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		b, a := before[k], after[k]
		if reflect.DeepEqual(a, b) || isEmpty(a) && isEmpty(b) {
			continue
		}
		out = append(out, FieldChange{Field: k, From: b, To: a})
	}
	return out
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	}
	return false
}
