package postgres

import (
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/storetest"
)

// The contract, with a restart: a second store opened on the same schema
// sees the users, token hashes and live sessions.
func TestAccountsContract(t *testing.T) {
	storetest.RunAccounts(t, func(t *testing.T) (tracking.AccountStore, func() tracking.AccountStore) {
		u := testURL(t)
		return openTest(t, u, Config{}), func() tracking.AccountStore { return openTest(t, u, Config{}) }
	})
}

// The audit trail in the events table: changes and account changes, with
// their actors and times, read back by subject, range and page.
func TestAuditContract(t *testing.T) {
	storetest.RunAudit(t, func(t *testing.T) (tracking.Store, tracking.AccountStore) {
		s := openTest(t, testURL(t), Config{})
		return s, s
	})
}
