package api

import (
	"context"
	"net/http"

	"github.com/glint-dev/glint/internal/delivery"
	"github.com/glint-dev/glint/internal/store"
)

// Circuits is the delivery half's circuit breakers, when it has them. The
// state is shown on its own route, so that GitLab's service entity stays
// as GitLab clients know it.
type Circuits interface {
	Circuit(ctx context.Context, projectID int64, slug string) (delivery.CircuitState, error)
	Resume(ctx context.Context, projectID int64, slug, why string) (delivery.CircuitState, error)
}

func (s *Server) circuits(w http.ResponseWriter) (Circuits, bool) {
	c, ok := s.opt.Events.(Circuits)
	if !ok {
		writeMessage(w, 503, "503 Service Unavailable")
	}
	return c, ok
}

// getCircuit is GET .../services/:slug/circuit.
func (s *Server) getCircuit(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	svc, ok := s.slug(w, r)
	if !ok {
		return
	}
	c, ok := s.circuits(w)
	if !ok {
		return
	}
	st, err := c.Circuit(r.Context(), p.ID, svc.Slug)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	writeJSON(w, 200, st)
}

// resumeCircuit is POST .../services/:slug/circuit/resume: the target's
// circuit closes and its waiting deliveries are queued again.
func (s *Server) resumeCircuit(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	svc, ok := s.slug(w, r)
	if !ok {
		return
	}
	c, ok := s.circuits(w)
	if !ok {
		return
	}
	st, err := c.Resume(r.Context(), p.ID, svc.Slug, "resumed through the API by "+identity(r).User.Username)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	writeJSON(w, 200, st)
}

// resumeAfterChange resumes a target whose settings were just changed (a
// PUT or DELETE of the service): the new settings deserve a try at once.
// The change is committed: a failure here is only logged.
func (s *Server) resumeAfterChange(r *http.Request, p *store.Project, slug, why string) {
	c, ok := s.opt.Events.(Circuits)
	if !ok {
		return
	}
	if _, err := c.Resume(r.Context(), p.ID, slug, why); err != nil {
		s.log.WarnContext(r.Context(), "resuming the service's deliveries", "project_id", p.ID, "service", slug, "err", err)
	}
}
