package postgres

import (
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/storetest"
)

// The contract, with a restart: a second store opened on the same schema
// reads the same records, versions and tombstones.
func TestRecordsContract(t *testing.T) {
	storetest.RunRecords(t, func(t *testing.T) (tracking.RecordStore, func() tracking.RecordStore) {
		u := testURL(t)
		return openTest(t, u, Config{}), func() tracking.RecordStore { return openTest(t, u, Config{}) }
	})
}

// The audit trail in the events table: changes and account changes, with
// their actors and times, read back by subject, range and page.
func TestAuditContract(t *testing.T) {
	storetest.RunAudit(t, func(t *testing.T) tracking.Store { return openTest(t, testURL(t), Config{}) })
}
