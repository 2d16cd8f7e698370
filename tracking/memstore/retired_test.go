package memstore

import (
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/storetest"
)

func TestRetiredUnitsContract(t *testing.T) {
	storetest.RunRetiredUnits(t, func(*testing.T) tracking.Store { return New() })
}
