package tracking

import (
	"context"
	"time"
)

// HistoryRecord is one past incident, imported from the city's earlier 112
// system or taken from a closed live incident: enough to study response
// times by place, category and time.
type HistoryRecord struct {
	ID            string
	Category      Category
	Lat, Lon      float64
	KecamatanCode string
	KelurahanCode string
	ReceivedAt    time.Time
	DispatchedAt  *time.Time
	OnSceneAt     *time.Time
	ClosedAt      *time.Time
}

// HistoryStore keeps imported history. SaveHistory adds the records whose
// ids it does not hold yet, all or none, and says how many were new:
// importing the same file twice changes nothing.
type HistoryStore interface {
	SaveHistory(ctx context.Context, rs []HistoryRecord) (inserted int, err error)
	History(ctx context.Context) ([]HistoryRecord, error)
}
