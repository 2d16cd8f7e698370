package memstore

import (
	"testing"

	"siaga112/tracking/storetest"
)

func TestPlacesContract(t *testing.T) {
	storetest.RunPlaces(t, func(*testing.T) storetest.Placer { return New() })
}
