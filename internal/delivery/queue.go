package delivery

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
)

// deliveryArgs is the job River carries: only the delivery's id. The
// delivery row is the truth; a lost or duplicate job costs nothing.
type deliveryArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

func (deliveryArgs) Kind() string { return "glint_delivery" }

// uniqueDelivery keeps one live job per delivery, while a finished job
// does not stop a retried delivery from being queued again.
var uniqueDelivery = &river.UniqueOpts{
	ByArgs: true,
	ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled},
}

type deliveryWorker struct {
	river.WorkerDefaults[deliveryArgs]
	d       *Deliverer
	timeout time.Duration
}

func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[deliveryArgs]) error {
	res, err := w.d.Attempt(ctx, job.Args.DeliveryID)
	if errors.Is(err, ErrInterrupted) {
		// The node is stopping: the job is available again at once, for
		// this node after its restart or for another.
		return river.JobSnooze(0)
	}
	if err != nil {
		return err // the store failed: River retries the job itself
	}
	// Paused (the target's circuit is open): the job ends; the delivery
	// stays pending and is queued again when the circuit closes.
	if res.Retry {
		// Snoozing does not use up River's attempts: the retry policy is
		// the Deliverer's (attempts, deadline, Retry-After).
		return river.JobSnooze(res.RetryAfter)
	}
	return nil
}

func (w *deliveryWorker) Timeout(*river.Job[deliveryArgs]) time.Duration { return w.timeout }

// QueueConfig tunes River.
type QueueConfig struct {
	Workers int // concurrent deliveries on this node
	// FetchPoll is how often River looks for jobs without a notification.
	FetchPoll time.Duration
	// AttemptTimeout bounds one attempt (all of its requests).
	AttemptTimeout time.Duration
	// Sweep is how often pending deliveries without a job are queued again
	// (after a crash between the intake's commit and its enqueue).
	Sweep time.Duration
	// ShutdownTimeout is how long Stop lets attempts in flight finish
	// before it cuts them (they stay pending). Zero waits for them.
	ShutdownTimeout time.Duration
	// CircuitCheck is how often the node looks for paused targets whose
	// pause is over (to queue their probe) and for deliveries whose
	// deadline passed during a pause.
	CircuitCheck time.Duration
	Logger       *slog.Logger
}

// Queue feeds deliveries to River and River's workers to the Deliverer.
type Queue struct {
	enqueue func(ctx context.Context, params []river.InsertManyParams) error
	start   func(ctx context.Context) error
	stop    func(ctx context.Context) error
	st      store.DeliveryStore
	sweep   time.Duration
	check   time.Duration
	d       *Deliverer
	log     *slog.Logger
	cancel  context.CancelFunc
	done    chan struct{}

	// submitted carries the deliveries the intake just committed to the
	// batcher, while it runs (nil otherwise); mu guards it against Stop.
	mu          sync.RWMutex
	submitted   chan []int64
	batcherDone chan struct{}
}

// Batching of the intake's job inserts: at most maxBatch deliveries per
// insert, and room for submitBuffer events waiting for one.
const (
	maxBatch     = 500
	submitBuffer = 1024
)

func riverConfig(d *Deliverer, cfg QueueConfig) *river.Config {
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.FetchPoll <= 0 {
		cfg.FetchPoll = 200 * time.Millisecond
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = 30 * time.Second
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &deliveryWorker{d: d, timeout: cfg.AttemptTimeout})
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:           workers,
		FetchPollInterval: cfg.FetchPoll,
		FetchCooldown:     10 * time.Millisecond,
		MaxAttempts:       25,
		Logger:            logger.With("component", "river"),
		// Finished jobs are only bookkeeping: the delivery log is ours.
		CompletedJobRetentionPeriod: time.Hour,
		// A job left "running" by a node that died (SIGKILL, power cut)
		// keeps its delivery pending, and its uniqueness keeps the sweeper
		// from queueing it again, until River rescues it. An attempt
		// cannot outlive its timeout, so River's default of an hour is
		// only delay. (River wants JobTimeout, whose default is a minute,
		// below it; the worker's own Timeout is the same.)
		JobTimeout:           cfg.AttemptTimeout,
		RescueStuckJobsAfter: cfg.AttemptTimeout + 5*time.Second,
		// On Stop, fetching stops at once; attempts in flight then have
		// this long before their contexts are cancelled.
		SoftStopTimeout: cfg.ShutdownTimeout,
	}
}

func newQueue[TTx any](driver riverdriver.Driver[TTx], d *Deliverer, cfg QueueConfig) (*Queue, error) {
	client, err := river.NewClient(driver, riverConfig(d, cfg))
	if err != nil {
		return nil, err
	}
	sweep := cfg.Sweep
	if sweep <= 0 {
		sweep = 30 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	check := cfg.CircuitCheck
	if check <= 0 {
		check = time.Second
	}
	q := &Queue{
		enqueue: func(ctx context.Context, params []river.InsertManyParams) error {
			_, err := client.InsertMany(ctx, params)
			return err
		},
		start: client.Start,
		stop:  client.Stop,
		st:    d.st,
		sweep: sweep,
		check: check,
		d:     d,
		log:   log,
	}
	d.wake = q.wakeTarget
	return q, nil
}

// DefaultWorkers is the attempts a node runs at once: they mostly wait on
// the network, and River's workers are goroutines.
const DefaultWorkers = 256

// NewSQLiteQueue runs River on the SQLite database file at dsn through its
// own single-connection pool (SQLite has one writer; more connections only
// add SQLITE_BUSY), migrating River's tables first.
func NewSQLiteQueue(ctx context.Context, db *sql.DB, d *Deliverer, cfg QueueConfig) (*Queue, error) {
	driver := riversqlite.New(db)
	if err := migrateRiver(ctx, driver); err != nil {
		return nil, err
	}
	return newQueue(driver, d, cfg)
}

// riverMigrationLock names the advisory lock held while River migrates.
const riverMigrationLock = 0x676c696e74 // "glint"

// NewPostgresQueue runs River on PostgreSQL with its pgx driver. River's
// migrations run under an advisory lock so nodes starting together
// migrate once.
func NewPostgresQueue(ctx context.Context, pool *pgxpool.Pool, d *Deliverer, cfg QueueConfig) (*Queue, error) {
	driver := riverpgxv5.New(pool)
	err := sqlstore.WithAdvisoryLock(ctx, pool, riverMigrationLock, func() error { return migrateRiver(ctx, driver) })
	if err != nil {
		return nil, err
	}
	return newQueue[pgx.Tx](driver, d, cfg)
}

func migrateRiver[TTx any](ctx context.Context, driver riverdriver.Driver[TTx]) error {
	m, err := rivermigrate.New(driver, nil)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrating River's tables: %w", err)
	}
	return nil
}

// enqueueFresh queues a job without the uniqueness check: for a retry,
// whose previous job may still be finishing (and would make a unique
// insert a no-op).
func (q *Queue) enqueueFresh(ctx context.Context, deliveryID int64) error {
	return q.enqueue(ctx, []river.InsertManyParams{{Args: deliveryArgs{DeliveryID: deliveryID}}})
}

// Enqueue queues jobs for deliveries. A failure here loses nothing: the
// sweeper queues pending deliveries again.
func (q *Queue) Enqueue(ctx context.Context, deliveryIDs ...int64) error {
	if len(deliveryIDs) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(deliveryIDs))
	for i, id := range deliveryIDs {
		params[i] = river.InsertManyParams{Args: deliveryArgs{DeliveryID: id}, InsertOpts: &river.InsertOpts{UniqueOpts: *uniqueDelivery}}
	}
	return q.enqueue(ctx, params)
}

// Submit queues jobs for deliveries the intake has just committed,
// without waiting for the insert when the batcher runs: it inserts the
// jobs of many events at once, so that under load River's inserts cost one
// write transaction per batch, not one per event (on SQLite, whose one
// writer the intake and River share, they were half the intake's cost).
// Nothing is lost by not waiting: the delivery rows are committed, and
// the sweeper queues any pending delivery whose job a crash prevented.
// Before Start, after Stop, or when the batcher is behind by
// submitBuffer events, Submit inserts the jobs itself.
func (q *Queue) Submit(ctx context.Context, deliveryIDs ...int64) error {
	if len(deliveryIDs) == 0 {
		return nil
	}
	q.mu.RLock()
	if q.submitted != nil {
		select {
		case q.submitted <- deliveryIDs:
			q.mu.RUnlock()
			return nil
		default:
		}
	}
	q.mu.RUnlock()
	return q.Enqueue(ctx, deliveryIDs...)
}

// batcher inserts the jobs of submitted deliveries: whatever has arrived
// while the previous insert ran, up to maxBatch, in one InsertMany. It
// returns once submitted is closed and drained.
func (q *Queue) batcher(submitted <-chan []int64, done chan<- struct{}) {
	defer close(done)
	for ids := range submitted {
		batch := append(make([]int64, 0, maxBatch), ids...)
	collect:
		for len(batch) < maxBatch {
			select {
			case more, ok := <-submitted:
				if !ok {
					break collect
				}
				batch = append(batch, more...)
			default:
				break collect
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := q.Enqueue(ctx, batch...); err != nil {
			q.log.Warn("queueing deliveries failed; the sweeper will", "deliveries", len(batch), "err", err)
		}
		cancel()
	}
}

// Start starts River's workers, the intake's batcher, and the sweeper,
// which first queues every pending delivery (those accepted before a
// crash).
func (q *Queue) Start(ctx context.Context) error {
	if err := q.start(ctx); err != nil {
		return err
	}
	q.mu.Lock()
	q.submitted, q.batcherDone = make(chan []int64, submitBuffer), make(chan struct{})
	go q.batcher(q.submitted, q.batcherDone)
	q.mu.Unlock()
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	q.cancel, q.done = cancel, make(chan struct{})
	go q.sweeper(sctx)
	return nil
}

// circuits is the node's circuit loop (see checkCircuits).
func (q *Queue) circuits(ctx context.Context) {
	t := time.NewTicker(q.check)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := q.d.checkCircuits(ctx, q.Enqueue); err != nil && ctx.Err() == nil {
			q.log.Warn("checking paused targets", "err", err)
		}
	}
}

// wakeTarget queues a resumed target's pending deliveries, oldest first;
// those that still have a job (a retry waiting) keep it.
func (q *Queue) wakeTarget(ctx context.Context, projectID int64, service string) error {
	var after int64
	for {
		batch, err := q.st.TargetPending(ctx, projectID, service, after, maxBatch)
		if err != nil || len(batch) == 0 {
			return err
		}
		ids := make([]int64, len(batch))
		for i, dl := range batch {
			ids[i] = dl.ID
		}
		if err := q.Enqueue(ctx, ids...); err != nil {
			return err
		}
		after = ids[len(ids)-1]
	}
}

// Stop stops taking jobs, inserts the jobs still waiting in the batcher,
// and waits for those running (cut after QueueConfig.ShutdownTimeout).
func (q *Queue) Stop(ctx context.Context) error {
	// River stops fetching at once, then waits for the attempts in flight.
	stopped := make(chan error, 1)
	go func() { stopped <- q.stop(ctx) }()
	q.mu.Lock()
	submitted, batcherDone := q.submitted, q.batcherDone
	q.submitted = nil
	q.mu.Unlock()
	if submitted != nil {
		close(submitted)
		<-batcherDone
	}
	if q.cancel != nil {
		q.cancel()
		<-q.done
	}
	return <-stopped
}

func (q *Queue) sweeper(ctx context.Context) {
	var circuits sync.WaitGroup
	circuits.Go(func() { q.circuits(ctx) })
	defer close(q.done)
	defer circuits.Wait()
	t := time.NewTicker(q.sweep)
	defer t.Stop()
	for {
		if n, err := q.Requeue(ctx); err != nil && ctx.Err() == nil {
			q.log.Warn("re-queueing pending deliveries", "err", err)
		} else if n > 0 {
			q.log.Info("re-queued pending deliveries", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Requeue queues a job for every pending delivery; River's uniqueness
// skips those that already have one.
func (q *Queue) Requeue(ctx context.Context) (int, error) {
	var after int64
	total := 0
	for {
		batch, err := q.st.PendingDeliveries(ctx, after, 500)
		if err != nil || len(batch) == 0 {
			return total, err
		}
		ids := make([]int64, len(batch))
		for i, dl := range batch {
			ids[i] = dl.ID
		}
		if err := q.Enqueue(ctx, ids...); err != nil {
			return total, err
		}
		total += len(batch)
		after = ids[len(ids)-1]
	}
}
