package postgres

import (
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/storetest"
)

func TestRetiredUnitsContract(t *testing.T) {
	storetest.RunRetiredUnits(t, func(t *testing.T) tracking.Store { return openTest(t, testURL(t), Config{}) })
}
