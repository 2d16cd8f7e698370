package memstore

import (
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(*testing.T) tracking.Store { return New() })
}
