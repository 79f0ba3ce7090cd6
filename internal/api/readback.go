package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/prometheus"
	"github.com/glint-dev/glint/internal/integration/registry"
	"github.com/glint-dev/glint/internal/readback"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// ReadBacks is the read-back half, as the API needs it (readback.Service).
type ReadBacks interface {
	CommitStatus(ctx context.Context, p *store.Project, slug, sha, ref string) (integration.CommitStatus, error)
	Prometheus(ctx context.Context, p *store.Project, build readback.PrometheusRequest) (json.RawMessage, error)
}

// commitStatusEntity is what commit_status answers; build_page is null
// while the status is not known yet.
type commitStatusEntity struct {
	Status    string  `json:"status"`
	BuildPage *string `json:"build_page"`
}

// commitStatus is GET .../services/:slug/commit_status?sha=&ref=: the CI
// service's status of a commit, as GitLab's merge request widget reads it
// (Developer or above).
func (s *Server) commitStatus(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	svc, ok := s.slug(w, r)
	if !ok {
		return
	}
	if _, ok := registry.StatusReader(svc.Slug); !ok {
		notFound(w, "Commit Status")
		return
	}
	sha := r.URL.Query().Get("sha")
	if sha == "" {
		writeError(w, 400, "sha is missing")
		return
	}
	if s.opt.ReadBacks == nil {
		unavailable(w)
		return
	}
	st, err := s.opt.ReadBacks.CommitStatus(r.Context(), p, svc.Slug, sha, r.URL.Query().Get("ref"))
	switch {
	case errors.Is(err, readback.ErrInactive):
		notFound(w, "Service")
		return
	case err != nil:
		s.storeFailed(w, r, err)
		return
	}
	out := commitStatusEntity{Status: st.Status}
	if st.BuildPage != "" {
		out.BuildPage = &st.BuildPage
	}
	writeJSON(w, 200, out)
}

// issueURL is GET .../services/:slug/issue_url?ref=: the link GitLab
// renders for an issue reference of the project's external tracker.
func (s *Server) issueURL(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	svc, ok := s.slug(w, r)
	if !ok {
		return
	}
	render, ok := registry.IssueURL(svc.Slug)
	if !ok {
		notFound(w, "Issue URL")
		return
	}
	ref := r.URL.Query().Get("ref")
	if ref == "" {
		writeError(w, 400, "ref is missing")
		return
	}
	rec, err := store.ActiveService(r.Context(), s.st, p.ID, svc.Slug)
	if errors.Is(err, store.ErrNotFound) {
		notFound(w, "Service")
		return
	}
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	conf, err := settings.Resolve(svc, rec, s.opt.Sealer)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	link, ok := render(conf, ref)
	if !ok {
		notFound(w, "Issue")
		return
	}
	writeJSON(w, 200, map[string]string{"ref": ref, "issue_url": link})
}

// prometheusQuery is GET .../services/prometheus/query?query=&time=.
func (s *Server) prometheusQuery(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	q := r.URL.Query()
	query := q.Get("query")
	if query == "" {
		writeError(w, 400, "query is missing")
		return
	}
	at, ok := timeParam(w, q.Get("time"), "time", s.opt.Now())
	if !ok {
		return
	}
	s.prometheus(w, r, p, func(conf map[string]any) (integration.Request, error) {
		return prometheus.Query(conf, query, at)
	})
}

// prometheusQueryRange is GET .../services/prometheus/query_range
// ?query=&start=&end=&step=: start defaults to 8 hours before end, end to
// now, and the step is GitLab's rule, max(60, ceil((end-start)/600)), or
// the step asked when that is larger.
func (s *Server) prometheusQueryRange(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	q := r.URL.Query()
	query := q.Get("query")
	if query == "" {
		writeError(w, 400, "query is missing")
		return
	}
	end, ok := timeParam(w, q.Get("end"), "end", s.opt.Now())
	if !ok {
		return
	}
	start, ok := timeParam(w, q.Get("start"), "start", time.Unix(0, int64(end*1e9)).Add(-8*time.Hour))
	if !ok {
		return
	}
	if start > end {
		writeError(w, 400, "start is after end")
		return
	}
	step := prometheus.Step(start, end)
	if raw := q.Get("step"); raw != "" {
		asked, ok := prometheus.ParseTime(raw)
		if !ok || asked <= 0 {
			writeError(w, 400, "step is invalid")
			return
		}
		step = max(step, int(asked+0.999999))
	}
	s.prometheus(w, r, p, func(conf map[string]any) (integration.Request, error) {
		return prometheus.QueryRange(conf, query, start, end, step)
	})
}

// timeParam reads a time parameter (Unix seconds or RFC 3339), def when
// absent; it answers 400 itself when the value is neither.
func timeParam(w http.ResponseWriter, raw, name string, def time.Time) (float64, bool) {
	if raw == "" {
		return float64(def.UnixNano()) / 1e9, true
	}
	t, ok := prometheus.ParseTime(raw)
	if !ok {
		writeError(w, 400, name+" is invalid")
	}
	return t, ok
}

// prometheus runs a query and answers Prometheus' data (200), GitLab's
// query error text (400: the query is at fault) or its other texts (502:
// the Prometheus server failed or could not be reached).
func (s *Server) prometheus(w http.ResponseWriter, r *http.Request, p *store.Project, build readback.PrometheusRequest) {
	if s.opt.ReadBacks == nil {
		unavailable(w)
		return
	}
	data, err := s.opt.ReadBacks.Prometheus(r.Context(), p, build)
	var perr *prometheus.Error
	switch {
	case errors.Is(err, readback.ErrInactive):
		notFound(w, "Service")
	case errors.As(err, &perr) && perr.Query:
		writeMessage(w, 400, perr.Text)
	case errors.As(err, &perr):
		writeMessage(w, 502, perr.Text)
	case err != nil:
		s.storeFailed(w, r, err)
	default:
		if data == nil {
			data = json.RawMessage("null") // a 200 whose status is not "success": no data, as GitLab's nil
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		_, _ = w.Write(data)
	}
}
