package webhook

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// hookWorker is one webhook's worker: it claims only that webhook's due
// deliveries and attempts at most PerReceiver of them at a time, so a
// receiver that accepts and never answers holds its own slots until its
// timeout and delays nobody else's deliveries (deadline warnings included).
type hookWorker struct {
	wake   chan struct{}
	cancel context.CancelFunc
}

func (r *hookWorker) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// stop ends the worker; its attempts in flight are cancelled and left
// pending (a deleted webhook's deliveries have failed already).
func (r *hookWorker) stop() { r.cancel() }

func (s *Service) startReceiver(ctx context.Context, id string, wg *sync.WaitGroup) *hookWorker {
	ctx, cancel := context.WithCancel(ctx)
	r := &hookWorker{wake: make(chan struct{}, 1), cancel: cancel}
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.receive(ctx, id, r.wake)
	}()
	r.poke() // deliveries may be due already
	return r
}

// receive claims and attempts webhook id's deliveries until ctx ends. While
// the receiver fails, one probe at a time: its other deliveries were
// postponed to the probe's retry.
func (s *Service) receive(ctx context.Context, id string, wake <-chan struct{}) {
	slots := make(chan struct{}, s.cfg.PerReceiver)
	done := make(chan struct{}, 1)
	var failing atomic.Bool
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		for {
			free := cap(slots) - len(slots)
			if failing.Load() {
				free = min(free, 1-len(slots))
			}
			if free <= 0 {
				break
			}
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			ds, err := s.cfg.Outbox.Claim(cctx, id, s.cfg.Now(), s.lease(), free)
			cancel()
			if err != nil {
				if ctx.Err() == nil {
					s.log.Error("webhook outbox claim failed", "webhook", id, "err", err)
				}
				break
			}
			if len(ds) == 0 {
				break
			}
			for _, d := range ds {
				slots <- struct{}{}
				wg.Add(1)
				go func() {
					defer func() {
						<-slots
						wg.Done()
						select {
						case done <- struct{}{}:
						default:
						}
					}()
					failing.Store(!s.attempt(ctx, d))
				}()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-done:
		}
	}
}
