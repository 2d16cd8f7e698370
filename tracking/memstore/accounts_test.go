package memstore

import (
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/storetest"
)

func TestAccountsContract(t *testing.T) {
	storetest.RunAccounts(t, func(*testing.T) (tracking.AccountStore, func() tracking.AccountStore) { return NewAccounts(), nil })
}

func TestAuditContract(t *testing.T) {
	storetest.RunAudit(t, func(*testing.T) (tracking.Store, tracking.AccountStore) {
		s := New()
		return s, s.Accounts()
	})
}
