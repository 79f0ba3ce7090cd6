package app

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/glint-dev/glint/internal/delivery"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/mail"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
	"github.com/glint-dev/glint/internal/store/sqlstore"
)

// DeliveryConfig configures the delivery half of a node.
type DeliveryConfig struct {
	Workers        int
	MaxAttempts    int
	Deadline       time.Duration
	AttemptTimeout time.Duration
	FetchPoll      time.Duration
	Sweep          time.Duration
	Retention      time.Duration
	AllowLocal     bool
	BaseURL        string
	UserAgent      string
	// Overrides send the calls meant for one origin to another (a relay,
	// a self-hosted compatible server, a test server); see
	// outbound.Override.
	Overrides []outbound.Override
	// SMTP is the instance's mail server; an empty Host means none, and
	// emails then fail with outbound.ErrNoSMTP.
	SMTP mail.Config
	// Email is the instance's sender, Reply-To and subject suffix.
	Email integration.Email
	// TargetLimit, CircuitFailures, CircuitPause, CircuitMaxPause: see
	// delivery.Config (zero: the defaults).
	TargetLimit     int
	CircuitFailures int
	CircuitPause    time.Duration
	CircuitMaxPause time.Duration
	// ShutdownTimeout is how long Stop lets attempts in flight finish;
	// those still running then are cut and stay pending.
	ShutdownTimeout time.Duration
}

// Delivery is a running delivery half.
type Delivery struct {
	Pipeline *delivery.Pipeline
	queue    *delivery.Queue
	closeDB  func()
	cancel   context.CancelFunc
	done     chan struct{}
}

// StartDelivery starts River on the node's database and the workers that
// deliver, plus the pruning of old delivery logs.
func StartDelivery(ctx context.Context, c Config, st *sqlstore.DB, sealer settings.Sealer, dc DeliveryConfig, log *slog.Logger, reg prometheus.Registerer) (*Delivery, error) {
	opts := outbound.Options{AllowLocal: dc.AllowLocal, Timeout: dc.AttemptTimeout, UserAgent: dc.UserAgent, Overrides: dc.Overrides}
	if dc.SMTP.Host != "" {
		smtp := dc.SMTP
		if smtp.Timeout == 0 {
			smtp.Timeout = dc.AttemptTimeout
		}
		m, err := mail.New(smtp)
		if err != nil {
			return nil, err
		}
		opts.Mailer = m
	}
	client := outbound.New(opts)
	var metrics *delivery.Metrics
	if reg != nil {
		metrics = delivery.NewMetrics(reg, st)
	}
	qc := delivery.QueueConfig{Workers: dc.Workers, FetchPoll: dc.FetchPoll, AttemptTimeout: 2*dc.AttemptTimeout + 5*time.Second, Sweep: dc.Sweep,
		ShutdownTimeout: dc.ShutdownTimeout, Logger: log}
	d := delivery.NewDeliverer(st, sealer, client, delivery.Config{MaxAttempts: dc.MaxAttempts, Deadline: dc.Deadline, BaseURL: dc.BaseURL,
		TargetLimit: dc.TargetLimit, CircuitFailures: dc.CircuitFailures, CircuitPause: dc.CircuitPause, CircuitMaxPause: dc.CircuitMaxPause,
		ProbeTimeout: qc.AttemptTimeout, Email: dc.Email}, log, metrics)
	out := &Delivery{}
	var q *delivery.Queue
	var err error
	if st.DialectName() == "postgres" {
		pcfg, perr := pgxpool.ParseConfig(c.Database)
		if perr != nil {
			return nil, perr
		}
		pcfg.MaxConns = int32(max(c.PoolSize/2, 4))
		pool, perr := pgxpool.NewWithConfig(ctx, pcfg)
		if perr != nil {
			return nil, perr
		}
		out.closeDB = pool.Close
		q, err = delivery.NewPostgresQueue(ctx, pool, d, qc)
	} else {
		db, oerr := sql.Open("sqlite", sqlstore.SQLiteDSN(c.SQLitePath()))
		if oerr != nil {
			return nil, oerr
		}
		// One connection: SQLite has one writer, and River's pool fighting
		// for it only yields SQLITE_BUSY.
		db.SetMaxOpenConns(1)
		out.closeDB = func() { db.Close() }
		q, err = delivery.NewSQLiteQueue(ctx, db, d, qc)
	}
	if err != nil {
		out.closeDB()
		return nil, fmt.Errorf("starting the delivery queue: %w", err)
	}
	// The queue outlives the signal context: Stop drains it after the HTTP server.
	if err := q.Start(context.WithoutCancel(ctx)); err != nil {
		out.closeDB()
		return nil, err
	}
	out.queue, out.Pipeline = q, delivery.NewPipeline(st, q, d)
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	out.cancel, out.done = cancel, make(chan struct{})
	go prune(pctx, st, dc.Retention, log, out.done)
	return out, nil
}

// Stop stops the workers: no job is fetched from the moment it is called;
// attempts in flight have until the configured ShutdownTimeout, then are
// cut (and stay pending).
func (d *Delivery) Stop(ctx context.Context) error {
	d.cancel()
	<-d.done
	err := d.queue.Stop(ctx)
	d.closeDB()
	return err
}

// prune deletes finished events older than the retention, hourly.
func prune(ctx context.Context, st store.DeliveryStore, retention time.Duration, log *slog.Logger, done chan struct{}) {
	defer close(done)
	if retention <= 0 {
		return
	}
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := st.PruneEvents(ctx, time.Now().Add(-retention)); err != nil && ctx.Err() == nil {
			log.Warn("pruning the delivery log", "err", err)
		} else if n > 0 {
			log.Info("pruned the delivery log", "events", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
