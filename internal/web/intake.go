package web

import (
	"net/http"
	"strconv"

	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/store"
)

// recentEvents is how many received events the intake page lists.
const recentEvents = 20

type intakeData struct {
	URL       string
	HasSecret bool
	NewSecret string // shown once, right after "Generate secret"
	Events    []store.Event
}

// intake is /-/hooks: the URL to paste into GitLab's webhook settings,
// the secret token, and the last events received.
func (h *Handler) intake(w http.ResponseWriter, r *http.Request) {
	h.showIntake(w, r, "")
}

func (h *Handler) showIntake(w http.ResponseWriter, r *http.Request, newSecret string) {
	pc := projectOf(r)
	evs, err := h.st.RecentEvents(r.Context(), pc.project.ID, recentEvents)
	if err != nil {
		h.failed(w, r, pc.viewer, err)
		return
	}
	h.render(w, r, http.StatusOK, "hooks", pc.viewer, intakeData{
		URL:       h.opt.BaseURL + "/hooks/gitlab/" + strconv.FormatInt(pc.project.ID, 10),
		HasSecret: pc.project.IntakeTokenHash != "" || newSecret != "",
		NewSecret: newSecret,
		Events:    evs,
	})
}

// generateSecret makes a new intake secret, as the API's PUT
// .../intake_token does: only its hash is kept, so the page that answers
// the POST is the only place it is ever shown.
func (h *Handler) generateSecret(w http.ResponseWriter, r *http.Request) {
	pc := projectOf(r)
	token := auth.NewToken()
	if err := h.st.SetIntakeTokenHash(r.Context(), pc.project.ID, auth.Hash(token)); err != nil {
		h.failed(w, r, pc.viewer, err)
		return
	}
	h.log.InfoContext(r.Context(), "intake secret generated from the web", "project_id", pc.project.ID, "user", pc.user.Username)
	h.showIntake(w, r, token)
}
