package memstore

import (
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/storetest"
)

func TestRecordsContract(t *testing.T) {
	storetest.RunRecords(t, func(*testing.T) (tracking.RecordStore, func() tracking.RecordStore) { return New(), nil })
}

func TestAuditContract(t *testing.T) {
	storetest.RunAudit(t, func(*testing.T) tracking.Store { return New() })
}
