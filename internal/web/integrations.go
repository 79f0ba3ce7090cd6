package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/store"
)

// integrationRow is one line of the integrations list.
type integrationRow struct {
	Service   *catalog.Service
	Title     string
	Active    bool
	UpdatedAt time.Time
	Chart     *chart
}

type integrationsData struct {
	Active, Inactive []integrationRow
}

// integrations is /-/settings/integrations: the active integrations (with
// their last 24 hours of deliveries) and the available ones.
func (h *Handler) integrations(w http.ResponseWriter, r *http.Request) {
	pc := projectOf(r)
	ctx := r.Context()
	recs, err := h.st.Services(ctx, pc.project.ID)
	if err != nil {
		h.failed(w, r, pc.viewer, err)
		return
	}
	stored := map[string]*store.Service{}
	for i := range recs {
		stored[recs[i].Slug] = &recs[i]
	}
	charts, err := h.charts(ctx, pc.project.ID)
	if err != nil {
		h.failed(w, r, pc.viewer, err)
		return
	}
	var d integrationsData
	for _, svc := range catalog.All() {
		row := integrationRow{Service: svc, Title: svc.Title}
		if rec := stored[svc.Slug]; rec != nil {
			row.Active, row.UpdatedAt = rec.Active, rec.UpdatedAt
			if t, ok := rec.Properties[svc.TitleFromField].(string); ok && svc.TitleFromField != "" && t != "" {
				row.Title = t
			}
		}
		if row.Active {
			row.Chart = charts.of(svc.Slug)
			d.Active = append(d.Active, row)
		} else {
			d.Inactive = append(d.Inactive, row)
		}
	}
	byTitle := func(a, b integrationRow) int {
		return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
	}
	slices.SortFunc(d.Active, byTitle)
	slices.SortFunc(d.Inactive, byTitle)
	h.render(w, r, http.StatusOK, "integrations", pc.viewer, d)
}

// oldEditPath is GitLab 12.5's /-/services/<slug>/edit, now under
// settings.
func (h *Handler) oldEditPath(w http.ResponseWriter, r *http.Request) {
	pc := projectOf(r)
	if _, ok := catalog.Lookup(r.PathValue("slug")); !ok {
		h.notFound(w, r, pc.viewer)
		return
	}
	http.Redirect(w, r, pc.Path()+"/-/settings/integrations/"+r.PathValue("slug")+"/edit", http.StatusMovedPermanently)
}
