package web

import (
	"net/http"
)

// circuit is the target's circuit state; closed when no breaker is wired.
func (h *Handler) circuit(r *http.Request, projectID int64, slug string) (CircuitState, error) {
	if h.opt.Circuits == nil {
		return CircuitState{}, nil
	}
	return h.opt.Circuits.State(r.Context(), projectID, slug)
}

// resumeIntegration is the Resume button of a paused target.
func (h *Handler) resumeIntegration(w http.ResponseWriter, r *http.Request) {
	pc := projectOf(r)
	svc, ok := h.pathService(w, r)
	if !ok {
		return
	}
	if h.opt.Circuits != nil {
		if err := h.opt.Circuits.Resume(r.Context(), pc.project.ID, svc.Slug); err != nil {
			h.failed(w, r, pc.viewer, err)
			return
		}
		h.log.InfoContext(r.Context(), "deliveries resumed from the web", "project_id", pc.project.ID, "service", svc.Slug, "user", pc.user.Username)
	}
	http.Redirect(w, r, pc.Path()+"/-/settings/integrations/"+svc.Slug+"/deliveries?notice=resumed", http.StatusSeeOther)
}
