package memstore

import (
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) tracking.Store { return New() })
}

func TestETATrips(t *testing.T) {
	storetest.RunETATrips(t, func(*testing.T) storetest.ETATripStores {
		s, p := New(), NewPositions(0, 0)
		return storetest.ETATripStores{Store: s, Positions: p, Trips: Trips{Store: s, Positions: p}}
	})
}

func TestPhoneContract(t *testing.T) {
	storetest.RunPhone(t, func(*testing.T) storetest.Phoner { return New() })
}
