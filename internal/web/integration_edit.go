package web

import (
	"errors"
	"net/http"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/delivery"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// editData is the edit page.
type editData struct {
	Form    *integrationForm
	Circuit CircuitState
	Notice  string
	Test    *delivery.TestOutcome
	Saved   bool
}

// pathService reads the slug of the path, answering 404 for an unknown one.
func (h *Handler) pathService(w http.ResponseWriter, r *http.Request) (*catalog.Service, bool) {
	svc, ok := catalog.Lookup(r.PathValue("slug"))
	if !ok {
		h.notFound(w, r, projectOf(r).viewer)
	}
	return svc, ok
}

// storedOrDefault is the stored service or a new one with its defaults, as
// the API shows it.
func (h *Handler) storedOrDefault(r *http.Request, svc *catalog.Service, p *store.Project) (*store.Service, error) {
	return settings.Load(r.Context(), h.st, svc, p.ID)
}

func (h *Handler) editIntegration(w http.ResponseWriter, r *http.Request) {
	pc := projectOf(r)
	svc, ok := h.pathService(w, r)
	if !ok {
		return
	}
	rec, err := h.storedOrDefault(r, svc, pc.project)
	if err != nil {
		h.failed(w, r, pc.viewer, err)
		return
	}
	h.showEdit(w, r, http.StatusOK, &editData{Form: newForm(svc, rec), Notice: notice(r)})
}

func (h *Handler) showEdit(w http.ResponseWriter, r *http.Request, status int, d *editData) {
	pc := projectOf(r)
	var err error
	if d.Circuit, err = h.circuit(r, pc.project.ID, d.Form.Service.Slug); err != nil {
		h.failed(w, r, pc.viewer, err)
		return
	}
	h.render(w, r, status, "edit", pc.viewer, d)
}

// save applies the posted form with the API's functions: settings.Decode,
// then settings.Apply inside the store's UpdateService. On a validation
// error it shows the form again with the messages beside their fields and
// returns nil.
func (h *Handler) save(w http.ResponseWriter, r *http.Request, svc *catalog.Service) *store.Service {
	pc := projectOf(r)
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		http.Error(w, "400 Bad Request", http.StatusBadRequest)
		return nil
	}
	current, err := h.storedOrDefault(r, svc, pc.project)
	if err != nil {
		h.failed(w, r, pc.viewer, err)
		return nil
	}
	var saved *store.Service
	change, err := decodeForm(svc, current, r.PostForm)
	var others []store.Service
	if err == nil && svc.IssueTracker {
		others, err = h.st.Services(ctx, pc.project.ID)
	}
	if err == nil {
		saved, err = h.st.UpdateService(ctx, pc.project.ID, svc.Slug, func(rec *store.Service) error {
			if err := settings.Apply(svc, rec, change, h.opt.Sealer, h.opt.Policy); err != nil {
				return err
			}
			if !rec.Active {
				return nil
			}
			// GitLab's settings pages save with the manual_change
			// context, which refuses a second active issue tracker (the
			// API does not: settings.OneIssueTracker).
			return settings.OneIssueTracker(svc, others)
		})
	}
	var verr *settings.ValidationError
	var perr *settings.ParamError
	if errors.As(err, &verr) || errors.As(err, &perr) {
		f := newForm(svc, current)
		f.refill(r.PostForm, err)
		h.showEdit(w, r, http.StatusUnprocessableEntity, &editData{Form: f})
		return nil
	}
	if err != nil {
		h.failed(w, r, pc.viewer, err)
		return nil
	}
	h.log.InfoContext(ctx, "integration settings saved from the web", "project_id", pc.project.ID, "service", svc.Slug, "user", pc.user.Username)
	return saved
}

// updateIntegration is "Save changes".
func (h *Handler) updateIntegration(w http.ResponseWriter, r *http.Request) {
	svc, ok := h.pathService(w, r)
	if !ok {
		return
	}
	rec := h.save(w, r, svc)
	if rec == nil {
		return
	}
	key := "saved"
	if !rec.Active {
		key = "inactive"
	}
	http.Redirect(w, r, projectOf(r).Path()+"/-/settings/integrations/"+svc.Slug+"/edit?notice="+key, http.StatusSeeOther)
}

// testIntegration is "Test settings": it saves the form as "Save changes"
// does, then sends the sample push with the delivery pipeline's Test (the
// API's POST .../test) and shows the target's answer.
func (h *Handler) testIntegration(w http.ResponseWriter, r *http.Request) {
	pc := projectOf(r)
	svc, ok := h.pathService(w, r)
	if !ok {
		return
	}
	if h.opt.Events == nil {
		h.render(w, r, http.StatusServiceUnavailable, "error", pc.viewer, errorPage{Code: 503, Title: "Service Unavailable", Message: "Deliveries are not running on this node."})
		return
	}
	rec := h.save(w, r, svc)
	if rec == nil {
		return
	}
	out, err := h.opt.Events.Test(r.Context(), pc.project, svc.Slug, pc.user.Username)
	if err != nil {
		h.failed(w, r, pc.viewer, err)
		return
	}
	if len(out.Response) > maxShownBody {
		out.Response = out.Response[:maxShownBody]
	}
	h.showEdit(w, r, http.StatusOK, &editData{Form: newForm(svc, rec), Test: &out, Saved: true})
}

// maxShownBody is how much of a target's answer a page shows.
const maxShownBody = 4096
