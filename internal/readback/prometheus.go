package readback

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/prometheus"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// PrometheusRequest builds a query's request from the service's settings
// (prometheus.Query or prometheus.QueryRange, bound to their arguments).
type PrometheusRequest func(settings map[string]any) (integration.Request, error)

// Prometheus passes a query through to the project's Prometheus server
// (not cached: GitLab's dashboards cache theirs, glint's callers ask for
// what they want) and answers Prometheus' data, or a *prometheus.Error
// with GitLab's text. ErrInactive when the service is not active.
func (s *Service) Prometheus(ctx context.Context, p *store.Project, build PrometheusRequest) (json.RawMessage, error) {
	svc, _ := catalog.Lookup("prometheus")
	rec, err := store.ActiveService(ctx, s.st, p.ID, svc.Slug)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInactive
	}
	if err != nil {
		return nil, err
	}
	conf, err := settings.Resolve(svc, rec, s.sealer)
	if err != nil {
		return nil, &prometheus.Error{Text: "cannot open the service's settings"}
	}
	req, err := build(conf)
	if err != nil {
		return nil, &prometheus.Error{Text: err.Error()}
	}
	return prometheus.Read(s.client.Fetch(ctx, req), prometheus.APIURL(conf))
}
