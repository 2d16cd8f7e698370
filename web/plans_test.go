package web

import (
	"testing"

	"siaga112/tracking"
)

func TestEveryUnitTypeHasNames(t *testing.T) {
	for _, v := range unitTypeViews() {
		if v.Name == "" || v.NameEN == "" || v.Shape == "" {
			t.Errorf("unit type %s lacks a name or shape: %+v", v.Type, v)
		}
	}
	if len(unitTypeNames) != len(tracking.UnitTypes) {
		t.Errorf("%d names for %d unit types", len(unitTypeNames), len(tracking.UnitTypes))
	}
}
