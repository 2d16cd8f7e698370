package tracking

import (
	"slices"
	"strings"
	"time"
)

// PlaceEntry is one entry of the centre's place book: a name the extract
// lacks or spells otherwise, where an incident goes when a caller says it.
type PlaceEntry struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Aliases   []string  `json:"aliases"`
	Kind      string    `json:"kind"`
	Lat       float64   `json:"lat"`
	Lon       float64   `json:"lon"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

// Clone returns a copy that shares nothing with e.
func (e PlaceEntry) Clone() PlaceEntry {
	e.Aliases = append([]string{}, e.Aliases...)
	return e
}

// PlaceKinds are the kinds of a book entry; the first is the default.
var PlaceKinds = []string{"landmark", "building", "facility", "street", "other"}

// MaxPlaceAliases bounds an entry's aliases.
const MaxPlaceAliases = 20

// PlaceSubject is a book entry's subject in the audit trail.
func PlaceSubject(id string) string { return "place:" + id }

// PlaceRecord is the record that saves e (a Change's Records), or deletes
// it.
func PlaceRecord(e PlaceEntry, deleted bool) Record {
	r := Record{Kind: RecordPlace, Key: e.ID, Deleted: deleted}
	if !deleted {
		c := e.Clone()
		r.Place = &c
	}
	return r
}

// ValidPlaceID: letters, digits and "-", at most 64, never "reverse" (a
// route of its own).
func ValidPlaceID(id string) bool {
	if id == "" || len(id) > 64 || strings.EqualFold(id, "reverse") {
		return false
	}
	for _, r := range id {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// CheckPlaceEntry refuses an entry a dispatcher could not find again or a
// screen could not show, naming the field. The point's place in the city
// is the caller's to check (CodeOutsideArea).
func CheckPlaceEntry(e PlaceEntry) error {
	if strings.TrimSpace(e.Name) == "" {
		return Errorf(CodeInvalid, "field \"name\" is blank: a place needs the name callers use")
	}
	if err := CheckText("name", e.Name, MaxText, false); err != nil {
		return err
	}
	if len(e.Aliases) > MaxPlaceAliases {
		return Errorf(CodeInvalid, "field \"aliases\" has %d names; at most %d are kept", len(e.Aliases), MaxPlaceAliases)
	}
	for i, a := range e.Aliases {
		if strings.TrimSpace(a) == "" {
			return Errorf(CodeInvalid, "field \"aliases\" has a blank name at %d", i)
		}
		if err := CheckText("aliases", a, MaxText, false); err != nil {
			return err
		}
	}
	if !slices.Contains(PlaceKinds, e.Kind) {
		return Errorf(CodeInvalid, "field \"kind\" is %q; use one of %s", clipText(e.Kind), strings.Join(PlaceKinds, ", "))
	}
	if err := CheckLatLon(e.Lat, e.Lon); err != nil {
		return err
	}
	if e.Lat == 0 && e.Lon == 0 {
		return Errorf(CodeInvalid, "lat 0, lon 0 is no place in the city (a receiver without a fix)")
	}
	return nil
}

// clipText shortens what an error sentence repeats.
func clipText(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// PlaceFields are the fields of a new book entry or of a change to one;
// nil: not given.
type PlaceFields struct {
	Name    *string   `json:"name"`
	Aliases *[]string `json:"aliases"`
	Kind    *string   `json:"kind"`
	Lat     *float64  `json:"lat"`
	Lon     *float64  `json:"lon"`
}

// Empty: nothing is given.
func (f PlaceFields) Empty() bool {
	return f.Name == nil && f.Aliases == nil && f.Kind == nil && f.Lat == nil && f.Lon == nil
}

// Apply sets the fields given on e (names trimmed).
func (f PlaceFields) Apply(e *PlaceEntry) {
	if f.Name != nil {
		e.Name = strings.TrimSpace(*f.Name)
	}
	if f.Aliases != nil {
		e.Aliases = make([]string, 0, len(*f.Aliases))
		for _, a := range *f.Aliases {
			e.Aliases = append(e.Aliases, strings.TrimSpace(a))
		}
	}
	if f.Kind != nil {
		e.Kind = *f.Kind
	}
	if f.Lat != nil {
		e.Lat = *f.Lat
	}
	if f.Lon != nil {
		e.Lon = *f.Lon
	}
}
