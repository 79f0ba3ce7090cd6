package delivery

import (
	"context"
	"errors"

	"github.com/glint-dev/glint/internal/dispatch"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration/registry"
	"github.com/glint-dev/glint/internal/store"
)

// Pipeline is the delivery half as the API sees it: events in, deliveries
// out.
type Pipeline struct {
	st    store.Store
	queue *Queue
	d     *Deliverer
}

// NewPipeline joins the store, the queue and the deliverer.
func NewPipeline(st store.Store, q *Queue, d *Deliverer) *Pipeline {
	return &Pipeline{st: st, queue: q, d: d}
}

// Accept parses an event, plans its deliveries and commits both before it
// returns: after a nil error the event survives a crash. A parse failure
// is an *event.Error. duplicate reports an X-Gitlab-Event-UUID seen before.
func (pl *Pipeline) Accept(ctx context.Context, p *store.Project, header, uuid string, body []byte) (deliveries int, duplicate bool, err error) {
	ev, err := event.Parse(header, body)
	if err != nil {
		return 0, false, err
	}
	services, err := pl.st.Services(ctx, p.ID)
	if err != nil {
		return 0, false, err
	}
	targets := dispatch.Targets(ev, services, registry.Acts)
	stored := &store.Event{ProjectID: p.ID, UUID: uuid, Kind: string(ev.Kind), Header: header, Payload: body}
	created, dup, err := pl.st.CreateEvent(ctx, stored, targets)
	if err != nil || dup {
		return 0, dup, err
	}
	ids := make([]int64, len(created))
	for i, dl := range created {
		ids[i] = dl.ID
	}
	// Committed: a failure to queue now is mended by the sweeper.
	if err := pl.queue.Submit(ctx, ids...); err != nil {
		pl.d.log.WarnContext(ctx, "queueing deliveries failed; the sweeper will", "event_id", stored.ID, "err", err)
	}
	return len(created), false, nil
}

// ErrPending refuses a retry of a delivery that is still being tried.
var ErrPending = errors.New("the delivery is still pending")

// Retry makes a finished delivery pending again and queues it.
func (pl *Pipeline) Retry(ctx context.Context, deliveryID int64) error {
	d, err := pl.st.Delivery(ctx, deliveryID)
	if err != nil {
		return err
	}
	if d.Status == store.DeliveryPending {
		return ErrPending
	}
	if err := pl.st.ResetDelivery(ctx, deliveryID); err != nil {
		return err
	}
	return pl.queue.enqueueFresh(ctx, deliveryID)
}

// Test sends a sample event to a service now; a success resumes the
// target if its circuit was open.
func (pl *Pipeline) Test(ctx context.Context, p *store.Project, slug, user string) (TestOutcome, error) {
	out, err := pl.d.Test(ctx, p, slug, user)
	if err == nil && out.Success {
		if _, err := pl.d.Resume(ctx, p.ID, slug, "a test succeeded"); err != nil {
			pl.d.log.WarnContext(ctx, "resuming the target after its test", "project_id", p.ID, "service", slug, "err", err)
		}
	}
	return out, err
}

// Circuit reads the circuit breaker of a project's service.
func (pl *Pipeline) Circuit(ctx context.Context, projectID int64, slug string) (CircuitState, error) {
	return pl.d.Circuit(ctx, projectID, slug)
}

// Resume closes the circuit of a project's service at once; why is logged.
func (pl *Pipeline) Resume(ctx context.Context, projectID int64, slug, why string) (CircuitState, error) {
	return pl.d.Resume(ctx, projectID, slug, why)
}
