package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/store"
)

// dashboardData is the projects page: what the user can see, filtered.
type dashboardData struct {
	Filter   string
	Projects []store.Project
}

// dashboard is "/": the projects the user can see, with GitLab's filter.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, v *viewer) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	all, err := h.st.Projects(r.Context())
	if err != nil {
		h.failed(w, r, v, err)
		return
	}
	d := dashboardData{Filter: strings.TrimSpace(r.URL.Query().Get("name"))}
	for i := range all {
		p := &all[i]
		level, err := auth.ProjectAccess(r.Context(), h.st, v.user, p)
		if err != nil {
			h.failed(w, r, v, err)
			return
		}
		if !auth.CanSeeProject(level, p) {
			continue
		}
		if d.Filter != "" && !strings.Contains(strings.ToLower(p.Name+" "+p.FullPath()), strings.ToLower(d.Filter)) {
			continue
		}
		d.Projects = append(d.Projects, *p)
	}
	h.render(w, r, http.StatusOK, "dashboard", v, d)
}

// showProject is /<namespace>/<project>.
func (h *Handler) showProject(w http.ResponseWriter, r *http.Request, pc *projectCtx) {
	r = r.WithContext(context.WithValue(r.Context(), projectKey{}, pc))
	h.render(w, r, http.StatusOK, "project", pc.viewer, nil)
}
