// Package readback answers what GitLab reads back from services rather
// than sends to them: the build status of a commit from the CI services
// (commit_status and build_page, through a reactive cache shared by every
// node), and Prometheus queries passed through to the configured server.
//
// The reactive cache follows GitLab's ReactiveCaching
// (app/models/concerns/reactive_caching.rb; spec §0): a key's value is
// computed in the background, never in the request; a read of a key with
// no value starts the computation and answers "not yet" (GitLab's nil,
// which glint answers as status "pending"), a value older than the
// refresh interval (1 minute) is answered and refreshed in the background,
// and a value older than the lifetime (10 minutes) is no longer answered.
// One node computes a key at a time, holding a lease in the database
// (GitLab's exclusive lease, 2 minutes); keys not read for a lifetime are
// deleted. glint waits for a computation it has just started up to
// Config.FirstWait, so a CI that answers quickly is answered on the first
// call.
//
// It uses the store, the catalog, the settings and the integrations'
// pure status readers; it knows nothing of HTTP handlers.
package readback

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/delivery"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/registry"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// Defaults of GitLab's ReactiveCaching.
const (
	DefaultRefresh   = time.Minute
	DefaultLifetime  = 10 * time.Minute
	DefaultLease     = 2 * time.Minute
	DefaultFirstWait = 3 * time.Second
)

// Config tunes the cache; zero values are the defaults.
type Config struct {
	// Refresh: a value older than this is refreshed in the background.
	Refresh time.Duration
	// Lifetime: a value older than this is not answered, and a key not
	// read for this long is deleted.
	Lifetime time.Duration
	// Lease bounds one computation; a node that dies holding it is
	// replaced after it.
	Lease time.Duration
	// FirstWait is how long a call waits for the computation it started
	// before it answers "pending"; negative means not at all (GitLab's
	// behaviour).
	FirstWait time.Duration
	// BaseURL is glint's external URL (project facts for the readers).
	BaseURL string
	// Registry receives the read-back metrics; nil means none.
	Registry prometheus.Registerer
}

// Errors of the service lookups.
var (
	// ErrNotReadBack: the service is not one GitLab reads back from.
	ErrNotReadBack = errors.New("readback: the service has no read-back")
	// ErrInactive: the service is not configured and active.
	ErrInactive = errors.New("readback: the service is not active")
)

// Service answers read-backs.
type Service struct {
	st     store.Store
	sealer settings.Sealer
	client *outbound.Client
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	m      *metrics

	wg       sync.WaitGroup
	mu       sync.Mutex
	inflight map[string]chan struct{}
}

// New builds a Service. client is the guarded outbound client.
func New(st store.Store, sealer settings.Sealer, client *outbound.Client, cfg Config, log *slog.Logger) *Service {
	if cfg.Refresh <= 0 {
		cfg.Refresh = DefaultRefresh
	}
	if cfg.Lifetime <= 0 {
		cfg.Lifetime = DefaultLifetime
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.FirstWait == 0 {
		cfg.FirstWait = DefaultFirstWait
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{st: st, sealer: sealer, client: client, cfg: cfg, log: log, now: time.Now, m: newMetrics(cfg.Registry),
		inflight: map[string]chan struct{}{}}
}

// Wait waits for the computations in flight (at shutdown, in tests).
func (s *Service) Wait() { s.wg.Wait() }

// CommitStatus answers the CI service's status of a commit on a ref, from
// the reactive cache: {"pending", ""} while the first computation runs.
// Every failure of the CI is StatusError; an error is returned only for
// a service without read-back, not active, or a store failure.
func (s *Service) CommitStatus(ctx context.Context, p *store.Project, slug, sha, ref string) (integration.CommitStatus, error) {
	reader, ok := registry.StatusReader(slug)
	svc, known := catalog.Lookup(slug)
	if !ok || !known {
		return integration.CommitStatus{}, ErrNotReadBack
	}
	rec, err := store.ActiveService(ctx, s.st, p.ID, slug)
	if errors.Is(err, store.ErrNotFound) {
		return integration.CommitStatus{}, ErrInactive
	}
	if err != nil {
		return integration.CommitStatus{}, err
	}
	// The key changes with the settings: a new URL is not answered from
	// the old one's cache.
	sum := sha256.Sum256([]byte(strconv.FormatInt(rec.ID, 10) + "\x00" + strconv.FormatInt(rec.UpdatedAt.UnixMicro(), 10) + "\x00" + sha + "\x00" + ref))
	key := "commit_status:" + slug + ":" + strconv.FormatInt(p.ID, 10) + ":" + hex.EncodeToString(sum[:16])
	project := delivery.ProjectInfo(p, s.cfg.BaseURL)
	compute := func(ctx context.Context) []byte {
		out := integration.CommitStatus{Status: integration.StatusError}
		conf, err := settings.Resolve(svc, rec, s.sealer)
		if err == nil {
			var q integration.StatusQuery
			if q, err = reader(conf, project, sha, ref); err == nil {
				out = q.Read(s.client.Fetch(ctx, q.Request))
			}
		}
		if err != nil {
			s.log.WarnContext(ctx, "commit status read-back", "service", slug, "project_id", p.ID, "err", err)
		}
		s.m.fetch(slug, out.Status == integration.StatusError)
		b, _ := json.Marshal(out)
		return b
	}
	value, cache, err := s.get(ctx, key, compute)
	s.m.read(slug, cache)
	if err != nil || value == nil {
		return integration.CommitStatus{Status: integration.StatusPending}, err
	}
	var out integration.CommitStatus
	if json.Unmarshal(value, &out) != nil {
		return integration.CommitStatus{Status: integration.StatusError}, nil
	}
	return out, nil
}

// get answers the key's value from the cache, starting or refreshing its
// computation as the package comment says; nil means not computed yet.
// cache says what the cache held: "fresh", "stale" (answered, and
// refreshed in the background) or "none".
func (s *Service) get(ctx context.Context, key string, compute func(context.Context) []byte) ([]byte, string, error) {
	now := s.now()
	e, err := s.st.CacheRead(ctx, key, now)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, "none", err
	}
	var value []byte
	if e != nil && e.Value != nil && now.Sub(e.ComputedAt) < s.cfg.Lifetime {
		value = e.Value
		if now.Sub(e.ComputedAt) < s.cfg.Refresh {
			return value, "fresh", nil
		}
	}
	done, err := s.start(ctx, key, compute)
	if value != nil {
		return value, "stale", nil
	}
	if err != nil || done == nil || s.cfg.FirstWait < 0 {
		return nil, "none", err
	}
	timer := time.NewTimer(s.cfg.FirstWait)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		return nil, "none", nil
	case <-ctx.Done():
		return nil, "none", nil
	}
	e, err = s.st.CacheRead(ctx, key, s.now())
	if err != nil || e.Value == nil {
		return nil, "none", nil
	}
	return e.Value, "none", nil
}

// start begins the key's computation on this node unless one runs here
// already or another node holds the lease; the channel is closed when
// this node's computation ends (nil when another node computes).
func (s *Service) start(ctx context.Context, key string, compute func(context.Context) []byte) (<-chan struct{}, error) {
	s.mu.Lock()
	if ch, ok := s.inflight[key]; ok {
		s.mu.Unlock()
		return ch, nil
	}
	s.mu.Unlock()
	now := s.now()
	got, err := s.st.CacheLease(ctx, key, now, now.Add(s.cfg.Lease))
	if err != nil || !got {
		return nil, err
	}
	ch := make(chan struct{})
	s.mu.Lock()
	s.inflight[key] = ch
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() {
			s.mu.Lock()
			delete(s.inflight, key)
			s.mu.Unlock()
			close(ch)
		}()
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.Lease)
		defer cancel()
		value := compute(cctx)
		at := s.now()
		if err := s.st.CacheWrite(cctx, key, value, at); err != nil {
			s.log.WarnContext(cctx, "reactive cache write", "err", err)
			return
		}
		if _, err := s.st.CachePrune(cctx, at.Add(-s.cfg.Lifetime)); err != nil {
			s.log.WarnContext(cctx, "reactive cache prune", "err", err)
		}
	}()
	return ch, nil
}
