package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

// pageTemplate is a page's template, parsed with the layout.
type pageTemplate = *template.Template

var pageNames = []string{"sign_in", "error", "dashboard", "project", "integrations", "edit", "deliveries", "delivery", "hooks"}

var funcs = template.FuncMap{
	"time": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"ms":  func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) },
	"add": func(a, b int) int { return a + b },
}

func parsePages() map[string]pageTemplate {
	out := make(map[string]pageTemplate, len(pageNames))
	for _, name := range pageNames {
		out[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}

// page is what every template gets.
type page struct {
	User    *store.User
	CSRF    string
	Project *store.Project
	Admin   bool // the viewer may change the project's settings
	Data    any
}

// render writes a page. v may be nil (no one signed in).
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, v *viewer, data any) {
	pg := page{Data: data}
	if v != nil {
		pg.User, pg.CSRF = v.user, v.csrf
	}
	if pc, ok := r.Context().Value(projectKey{}).(*projectCtx); ok {
		pg.Project, pg.Admin = pc.project, pc.canAdmin()
	}
	var b bytes.Buffer
	if err := h.pages[name].Execute(&b, pg); err != nil {
		h.log.ErrorContext(r.Context(), "rendering a page", "page", name, "err", err)
		http.Error(w, "500 Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// errorPage is GitLab's error page.
type errorPage struct {
	Code           int
	Title, Message string
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request, v *viewer) {
	h.render(w, r, http.StatusNotFound, "error", v, errorPage{Code: 404, Title: "Page Not Found",
		Message: "The page you're looking for could not be found."})
}

// failed answers a store error: 503 when the database is out of reach,
// 500 otherwise, and logs it.
func (h *Handler) failed(w http.ResponseWriter, r *http.Request, v *viewer, err error) {
	if errors.Is(err, store.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		h.log.WarnContext(r.Context(), "database unavailable", "err", err)
		h.render(w, r, http.StatusServiceUnavailable, "error", v, errorPage{Code: 503, Title: "Service Unavailable",
			Message: "The database cannot be reached. Try again in a moment."})
		return
	}
	h.log.ErrorContext(r.Context(), "internal error", "err", err)
	h.render(w, r, http.StatusInternalServerError, "error", v, errorPage{Code: 500, Title: "Something went wrong",
		Message: "Something went wrong on our end."})
}

// notice is a message after a redirect, chosen by a fixed key so that
// nothing from the query string is echoed.
func notice(r *http.Request) string {
	return notices[r.URL.Query().Get("notice")]
}

var notices = map[string]string{
	"saved":    "settings saved and active.",
	"inactive": "settings saved, but not active.",
	"retried":  "The delivery was queued again.",
	"pending":  "The delivery is still pending: it cannot be retried yet.",
	"resumed":  "Deliveries resumed.",
}

// humanize spells a field name as GitLab's form labels do.
func humanize(name string) string {
	s := strings.ReplaceAll(name, "_", " ")
	s = strings.ReplaceAll(s, " url", " URL")
	if strings.HasPrefix(s, "url") {
		s = "URL" + s[3:]
	}
	if strings.HasPrefix(s, "api ") {
		s = "API " + s[4:]
	}
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
