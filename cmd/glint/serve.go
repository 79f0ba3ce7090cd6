package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/glint-dev/glint/internal/api"
	"github.com/glint-dev/glint/internal/app"
	"github.com/glint-dev/glint/internal/delivery"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/readback"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/web"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "serve [flags]")
	cfg := dataFlags(fs)
	listen := fs.String("listen", env("GLINT_LISTEN", "127.0.0.1:8080"), "address to listen on (env GLINT_LISTEN)")
	baseURL := fs.String("base-url", env("GLINT_BASE_URL", ""), "external URL of this server, used in web_url fields (env GLINT_BASE_URL)")
	allowLocal := fs.Bool("allow-local-requests", envBool("GLINT_ALLOW_LOCAL_REQUESTS"),
		"allow service URLs and deliveries to loopback and private networks, as GitLab's admin setting (env GLINT_ALLOW_LOCAL_REQUESTS)")
	logFormat := fs.String("log-format", env("GLINT_LOG_FORMAT", "json"), "log format: json or text (env GLINT_LOG_FORMAT)")
	shutdownWait := fs.Duration("shutdown-timeout", envDuration("GLINT_SHUTDOWN_TIMEOUT", 30*time.Second),
		"how long SIGTERM or SIGINT waits for requests and delivery attempts in flight; attempts cut then stay pending (env GLINT_SHUTDOWN_TIMEOUT)")
	requestTimeout := fs.Duration("request-timeout", envDuration("GLINT_REQUEST_TIMEOUT", 30*time.Second),
		"longest a request may take: one still waiting on the database then is answered 503 (env GLINT_REQUEST_TIMEOUT)")
	dc := app.DeliveryConfig{}
	fs.IntVar(&dc.Workers, "delivery-workers", envInt("GLINT_DELIVERY_WORKERS", delivery.DefaultWorkers), "deliveries worked at once on this node (env GLINT_DELIVERY_WORKERS)")
	fs.IntVar(&dc.TargetLimit, "delivery-target-limit", envInt("GLINT_DELIVERY_TARGET_LIMIT", delivery.DefaultTargetLimit),
		"most attempts one target (a project's service) runs at once on this node (env GLINT_DELIVERY_TARGET_LIMIT)")
	fs.IntVar(&dc.CircuitFailures, "delivery-circuit-failures", envInt("GLINT_DELIVERY_CIRCUIT_FAILURES", delivery.DefaultCircuitFailures),
		"failed attempts in a row that pause a target (env GLINT_DELIVERY_CIRCUIT_FAILURES)")
	fs.DurationVar(&dc.CircuitPause, "delivery-circuit-pause", envDuration("GLINT_DELIVERY_CIRCUIT_PAUSE", delivery.DefaultCircuitPause),
		"first pause of a failing target, doubled after each failed probe (env GLINT_DELIVERY_CIRCUIT_PAUSE)")
	fs.DurationVar(&dc.CircuitMaxPause, "delivery-circuit-max-pause", envDuration("GLINT_DELIVERY_CIRCUIT_MAX_PAUSE", delivery.DefaultCircuitMaxPause),
		"longest pause of a failing target (env GLINT_DELIVERY_CIRCUIT_MAX_PAUSE)")
	fs.IntVar(&dc.MaxAttempts, "delivery-max-attempts", envInt("GLINT_DELIVERY_MAX_ATTEMPTS", 10), "attempts before a delivery fails (env GLINT_DELIVERY_MAX_ATTEMPTS)")
	fs.DurationVar(&dc.Deadline, "delivery-deadline", envDuration("GLINT_DELIVERY_DEADLINE", 24*time.Hour), "no attempt after this long since the event (env GLINT_DELIVERY_DEADLINE)")
	fs.DurationVar(&dc.AttemptTimeout, "delivery-timeout", envDuration("GLINT_DELIVERY_TIMEOUT", 10*time.Second), "timeout of each outbound call (env GLINT_DELIVERY_TIMEOUT)")
	fs.DurationVar(&dc.FetchPoll, "queue-poll", envDuration("GLINT_QUEUE_POLL", 200*time.Millisecond), "how often the queue looks for jobs without a notification (env GLINT_QUEUE_POLL)")
	fs.DurationVar(&dc.Sweep, "queue-sweep", envDuration("GLINT_QUEUE_SWEEP", 30*time.Second), "how often pending deliveries without a job are queued again (env GLINT_QUEUE_SWEEP)")
	fs.DurationVar(&dc.Retention, "delivery-retention", envDuration("GLINT_DELIVERY_RETENTION", 30*24*time.Hour), "how long finished deliveries stay in the log (env GLINT_DELIVERY_RETENTION)")
	smtp := addSMTPFlags(fs)
	var overrides overrideFlag
	fs.Var(&overrides, "endpoint-override",
		"`FROM=TO`: send the outbound HTTP calls meant for the origin FROM (scheme://host[:port]) to the origin TO instead,\n"+
			"e.g. https://api.pushover.net=http://relay.internal:8080; repeatable; replaces the environment's list\n"+
			"(env GLINT_ENDPOINT_OVERRIDES, comma-separated)")
	if err := parse(fs, args, stdout, stderr); err != nil {
		return err
	}
	if err := checkServeFlags(fs); err != nil {
		return err
	}
	log := newLogger(*logFormat, stderr)
	dc.Overrides = overrides
	for _, o := range overrides {
		log.Info("outbound endpoint override", "from", o.From, "to", o.To)
	}

	st, err := app.OpenStore(ctx, *cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := app.LoadKeys(ctx, *cfg, st)
	if err != nil {
		return err
	}
	token, err := app.Bootstrap(ctx, *cfg, st)
	if err != nil {
		return fmt.Errorf("first-start set-up: %w", err)
	}
	if token != "" {
		fmt.Fprintf(stdout, "Created the admin user root. Its personal access token (shown once, also in %s/root-token):\n%s\n", cfg.DataDir, token)
		pw, err := app.BootstrapPassword(ctx, *cfg, st)
		if err != nil {
			return fmt.Errorf("first-start set-up: %w", err)
		}
		fmt.Fprintf(stdout, "Its password for the web sign-in (shown once, also in %s):\n%s\n", cfg.InitialRootPasswordFile(), pw)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	if *baseURL == "" {
		*baseURL = "http://" + ln.Addr().String()
	}
	dc.AllowLocal, dc.BaseURL, dc.UserAgent, dc.ShutdownTimeout = *allowLocal, *baseURL, "glint/"+version, *shutdownWait
	if err := smtp.apply(&dc, *baseURL); err != nil {
		return err
	}
	dl, err := app.StartDelivery(ctx, *cfg, st, keys, dc, log, reg)
	if err != nil {
		return err
	}
	// The queue stops when the signal comes, beside the HTTP server's
	// drain (stopQueue), or on the way out if serving failed.
	var stopOnce sync.Once
	stopQueue := func() {
		stopOnce.Do(func() {
			// Attempts in flight have shutdownWait (River's soft stop),
			// then are cut; the margin is for recording that.
			sctx, cancel := context.WithTimeout(context.Background(), *shutdownWait+10*time.Second)
			defer cancel()
			if err := dl.Stop(sctx); err != nil {
				log.Warn("stopping the delivery queue", "err", err)
			}
		})
	}
	defer stopQueue()
	// Read-backs (CI commit statuses, Prometheus queries) go through the
	// same guarded client rules as deliveries.
	reads := readback.New(st, keys, outbound.New(outbound.Options{AllowLocal: dc.AllowLocal, Timeout: dc.AttemptTimeout, UserAgent: dc.UserAgent, Overrides: dc.Overrides}),
		readback.Config{BaseURL: *baseURL, Registry: reg}, log)
	policy := settings.Policy{AllowLocal: *allowLocal}
	pages := web.New(web.Options{Store: st, Sealer: keys, Policy: policy, Events: dl.Pipeline, Circuits: web.DeliveryCircuits(dl.Pipeline),
		BaseURL: *baseURL, Logger: log})
	handler := api.New(api.Options{
		Store: st, Sealer: keys, Policy: policy, Events: dl.Pipeline, ReadBacks: reads, Web: pages,
		Logger: log, Registry: reg, Version: version, BaseURL: *baseURL, RequestTimeout: *requestTimeout,
		Outbound: api.SourceClient(outbound.Options{AllowLocal: dc.AllowLocal, Timeout: dc.AttemptTimeout, UserAgent: dc.UserAgent, Overrides: dc.Overrides}),
	})
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("glint listening", "addr", ln.Addr().String(), "database", st.DialectName(), "version", version)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: no new delivery attempts; draining requests and attempts in flight", "timeout", *shutdownWait)
	var queue sync.WaitGroup
	queue.Go(stopQueue)
	sctx, cancel := context.WithTimeout(context.Background(), *shutdownWait)
	defer cancel()
	err = srv.Shutdown(sctx)
	queue.Wait()
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("requests still in flight were cut", "err", err)
	}
	log.Info("stopped")
	return nil
}

// overrideFlag is the repeatable --endpoint-override flag.
type overrideFlag []outbound.Override

func (f *overrideFlag) String() string {
	if f == nil {
		return ""
	}
	parts := make([]string, len(*f))
	for i, o := range *f {
		parts[i] = o.String()
	}
	return strings.Join(parts, ",")
}

// Set parses one more override, refusing a second one of an origin.
func (f *overrideFlag) Set(v string) error {
	list := make([]string, 0, len(*f)+1)
	for _, o := range *f {
		list = append(list, o.String())
	}
	all, err := outbound.ParseOverrides(append(list, v))
	if err != nil {
		return err
	}
	*f = all
	return nil
}

// SetEnv reads endpoint overrides from the comma-separated variable; an
// invalid one is an error rather than ignored, so that calls are never
// sent where the operator did not mean them to go.
func (f *overrideFlag) SetEnv(v string) error {
	var list []string
	for part := range strings.SplitSeq(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			list = append(list, part)
		}
	}
	o, err := outbound.ParseOverrides(list)
	if err != nil {
		return err
	}
	*f = o
	return nil
}

func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "text" {
		return slog.New(api.WithRequestID(slog.NewTextHandler(w, nil)))
	}
	return slog.New(api.WithRequestID(slog.NewJSONHandler(w, nil)))
}
