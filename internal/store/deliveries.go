package store

import (
	"context"
	"time"
)

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
	// DeliverySkipped: the service's own filters (branches, pipeline
	// status, ...) left nothing to send for this event.
	DeliverySkipped = "skipped"
)

// Event is an event accepted by the intake, kept as it arrived.
type Event struct {
	ID        int64
	ProjectID int64
	UUID      string // X-Gitlab-Event-UUID, "" when none was sent
	Kind      string
	Header    string
	Payload   []byte
	CreatedAt time.Time
}

// Delivery is one (event, service) pair to carry out.
type Delivery struct {
	ID        int64
	EventID   int64
	ProjectID int64
	Service   string
	Status    string
	Attempts  int
	LastError string
	CreatedAt time.Time
	UpdatedAt time.Time
	// EventKind is the event's kind, filled by DeliveryPage (and so
	// Deliveries) only.
	EventKind string
}

// Work is what an attempt of a delivery needs, read together.
type Work struct {
	Delivery Delivery
	Event    Event
	Project  Project
	// Target is the delivery's target: a closed circuit when it has no
	// row.
	Target Target
	// Service is the project's service of the delivery, nil when the
	// project has none (active or not).
	Service *Service
}

// Attempt is one try of a delivery.
type Attempt struct {
	DeliveryID   int64
	Attempt      int
	StartedAt    time.Time
	Duration     time.Duration
	StatusCode   int
	ResponseBody string
	Error        string
	// Request summarises the last request sent (method, redacted URL,
	// size); "" when none was answered.
	Request string
}

// DeliveryStore keeps events and their deliveries: the durable half of the
// queue (the queue itself only carries delivery ids).
type DeliveryStore interface {
	// CreateEvent stores the event and one pending delivery per service,
	// in one transaction. A UUID already seen for the project stores
	// nothing and reports duplicate.
	CreateEvent(ctx context.Context, e *Event, services []string) (deliveries []Delivery, duplicate bool, err error)
	Event(ctx context.Context, id int64) (*Event, error)
	Delivery(ctx context.Context, id int64) (*Delivery, error)
	// DeliveryWork reads a delivery with what its attempt needs, at once.
	DeliveryWork(ctx context.Context, id int64) (*Work, error)
	// Deliveries pages a service's deliveries, newest first, with the total.
	Deliveries(ctx context.Context, projectID int64, service string, offset, limit int) ([]Delivery, int, error)
	Attempts(ctx context.Context, deliveryID int64) ([]Attempt, error)
	// RecordAttempt stores an attempt and the delivery's new status.
	RecordAttempt(ctx context.Context, a Attempt, status, lastError string) error
	// ResetDelivery makes a finished delivery pending again (retry).
	ResetDelivery(ctx context.Context, id int64) error
	// PendingDeliveries lists pending deliveries with ids above afterID,
	// but those of targets whose circuit is open (they wait for its probe).
	PendingDeliveries(ctx context.Context, afterID int64, limit int) ([]Delivery, error)
	// PendingStats counts pending deliveries and finds the oldest.
	PendingStats(ctx context.Context) (count int, oldest time.Time, err error)
	// PruneEvents deletes events older than before whose deliveries are all
	// finished, with their deliveries and attempts.
	PruneEvents(ctx context.Context, before time.Time) (int, error)

	TargetStore
}
