package delivery

import (
	"context"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

// gatedStore bounds how many of a node's attempts use the database at
// once. Attempts mostly wait on the network, so a node runs many at once
// (--delivery-workers); left alone, they would also all queue for the
// database together, and SQLite, whose one writer makes the others retry
// after sleeps, delivered fewer the more there were (bench delivery: 255/s
// with 16 workers, 179/s with 100, 144/s with 1,000). Through the gate, as
// many wait on the network as they like and at most storeSlots at a time
// on the database, which is what 16 workers used to do.
type gatedStore struct {
	store.Store
	slots chan struct{}
}

// DefaultStoreSlots is how many attempts use the database at once.
const DefaultStoreSlots = 16

func gateStore(st store.Store, n int) *gatedStore {
	if n <= 0 {
		n = DefaultStoreSlots
	}
	return &gatedStore{Store: st, slots: make(chan struct{}, n)}
}

// through runs f holding a slot.
func through[T any](ctx context.Context, g *gatedStore, f func() (T, error)) (T, error) {
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
	defer func() { <-g.slots }()
	return f()
}

func (g *gatedStore) DeliveryWork(ctx context.Context, id int64) (*store.Work, error) {
	return through(ctx, g, func() (*store.Work, error) { return g.Store.DeliveryWork(ctx, id) })
}

func (g *gatedStore) Service(ctx context.Context, projectID int64, slug string) (*store.Service, error) {
	return through(ctx, g, func() (*store.Service, error) { return g.Store.Service(ctx, projectID, slug) })
}

func (g *gatedStore) Target(ctx context.Context, projectID int64, service string) (*store.Target, error) {
	return through(ctx, g, func() (*store.Target, error) { return g.Store.Target(ctx, projectID, service) })
}

func (g *gatedStore) RecordAttempt(ctx context.Context, a store.Attempt, status, lastError string) error {
	_, err := through(ctx, g, func() (struct{}, error) { return struct{}{}, g.Store.RecordAttempt(ctx, a, status, lastError) })
	return err
}

func (g *gatedStore) ClaimProbe(ctx context.Context, projectID int64, service string, now, until time.Time) (bool, error) {
	return through(ctx, g, func() (bool, error) { return g.Store.ClaimProbe(ctx, projectID, service, now, until) })
}
