package geofence

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"siaga112/tracking"
)

// Rule turns an event into a suggested status change: when a unit of one of
// UnitTypes (any when empty) whose status is one of From has an On event at
// a fence of Kind (and, with OwnAgency, of the unit's own agency), suggest To.
type Rule struct {
	Name      string              `json:"name"`
	On        EventType           `json:"on"`
	Kind      Kind                `json:"kind"`
	UnitTypes []tracking.UnitType `json:"unit_types,omitempty"`
	From      []tracking.Status   `json:"from"`
	To        tracking.Status     `json:"to"`
	OwnAgency bool                `json:"own_agency,omitempty"`
}

// Rules are tried in order; the first that matches wins.
type Rules []Rule

// MaxRules bounds a rules file.
const MaxRules = 100

// DefaultRules: a transporting unit entering a hospital is at the hospital;
// a returning unit entering a station of its own agency is available.
func DefaultRules() Rules {
	return Rules{
		{Name: "arrived at hospital", On: Enter, Kind: Hospital, From: []tracking.Status{tracking.Transporting}, To: tracking.AtHospital},
		{Name: "back at station", On: Enter, Kind: Station, From: []tracking.Status{tracking.Returning}, To: tracking.Available, OwnAgency: true},
	}
}

// ParseRules reads rules as a JSON array (the fields of Rule) and validates
// them.
func ParseRules(b []byte) (Rules, error) {
	if len(b) > 1<<20 {
		return nil, tracking.Errorf(tracking.CodeInvalid, "the rules file is larger than 1 MiB")
	}
	var rs Rules
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rs); err != nil {
		return nil, tracking.Errorf(tracking.CodeInvalid, "the rules are not a JSON array of rules: %v", err)
	}
	if err := rs.Validate(); err != nil {
		return nil, err
	}
	return rs, nil
}

// Validate checks every rule, naming the first bad one.
func (rs Rules) Validate() error {
	if len(rs) > MaxRules {
		return tracking.Errorf(tracking.CodeInvalid, "%d rules, more than the %d allowed", len(rs), MaxRules)
	}
	for i, r := range rs {
		if err := r.validate(); err != nil {
			return tracking.Errorf(tracking.CodeInvalid, "rule %d: %v", i+1, err)
		}
	}
	return nil
}

func (r Rule) validate() error {
	if _, err := cleanText("name", r.Name, true); err != nil {
		return err
	}
	if r.On != Enter && r.On != Leave {
		return fmt.Errorf("%q: on must be \"enter\" or \"leave\", not %q", r.Name, clip(string(r.On)))
	}
	if parseKind(string(r.Kind)) == "" {
		return fmt.Errorf("%q: kind %q is not one of hospital, station, depot, other", r.Name, clip(string(r.Kind)))
	}
	for _, t := range r.UnitTypes {
		if _, err := tracking.ParseUnitType(string(t)); err != nil {
			return fmt.Errorf("%q: %v", r.Name, err)
		}
	}
	if len(r.From) == 0 {
		return fmt.Errorf("%q: from lists no status", r.Name)
	}
	for _, s := range append(slices.Clone(r.From), r.To) {
		if _, err := tracking.ParseStatus(string(s)); err != nil {
			return fmt.Errorf("%q: %v", r.Name, err)
		}
	}
	if slices.Contains(r.From, r.To) {
		return fmt.Errorf("%q: to %q is also in from", r.Name, r.To)
	}
	return nil
}

// Suggestion is a status change the fixes suggest; Detected says it was
// seen, not reported by the crew, so the dispatcher can tell the two apart.
type Suggestion struct {
	Unit      string          `json:"unit_id"`
	From      tracking.Status `json:"from"`
	To        tracking.Status `json:"to"`
	Rule      string          `json:"rule"`
	Fence     string          `json:"fence_id"`
	FenceName string          `json:"fence_name"`
	At        time.Time       `json:"at"`
	Detected  bool            `json:"detected"`
}

// Suggest applies the first matching rule to u's event e.
func (rs Rules) Suggest(u tracking.Unit, e Event) (Suggestion, bool) {
	for _, r := range rs {
		if r.On != e.Type || r.Kind != e.Kind || !slices.Contains(r.From, u.Status) {
			continue
		}
		if len(r.UnitTypes) > 0 && !slices.Contains(r.UnitTypes, u.Type) {
			continue
		}
		if r.OwnAgency && (e.Agency == "" || e.Agency != u.Agency) {
			continue
		}
		return Suggestion{Unit: u.ID, From: u.Status, To: r.To, Rule: r.Name, Fence: e.Fence, FenceName: e.Name, At: e.At, Detected: true}, true
	}
	return Suggestion{}, false
}
