// Package web serves glint's pages at GitLab's paths: the sign-in, the
// projects, a project's integrations settings (the form generated from the
// catalog), each service's delivery log with its attempts and retry, the
// webhook intake, and a target's circuit state.
//
// It is built as the API is: the same store, the same settings functions
// (settings.Decode/Apply), the same delivery pipeline (Test, Retry) and the
// same permission rules (auth). Pages are html/template, embedded with
// their assets; forms work without JavaScript. No page ever holds a stored
// secret: secret fields are empty password inputs.
//
// It imports no HTTP handler of package api.
package web

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/glint-dev/glint/internal/delivery"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

//go:embed templates assets
var files embed.FS

// Events is the delivery half, as the pages need it (delivery.Pipeline).
type Events interface {
	Retry(ctx context.Context, deliveryID int64) error
	Test(ctx context.Context, p *store.Project, slug, user string) (delivery.TestOutcome, error)
}

// CircuitState is a target's (project + service) circuit breaker state.
type CircuitState struct {
	Open        bool      // deliveries are paused
	Failures    int       // failures in a row
	PausedUntil time.Time // when Open: until when
}

// Circuits gives the circuit state of targets and resumes paused ones.
// Nil means no breaker: every target shows as closed.
type Circuits interface {
	State(ctx context.Context, projectID int64, slug string) (CircuitState, error)
	Resume(ctx context.Context, projectID int64, slug string) error
}

// Options configure the pages.
type Options struct {
	Store    store.Store
	Sealer   settings.Sealer
	Policy   settings.Policy
	Events   Events   // nil: Test settings and Retry answer 503
	Circuits Circuits // nil: every circuit is closed
	// BaseURL is the external URL: the intake URL shown, and whether the
	// session cookie is Secure (https).
	BaseURL string
	Logger  *slog.Logger
	Now     func() time.Time
	// SessionTTL is how long a sign-in lasts (GitLab's default: a week).
	SessionTTL time.Duration
	// SignInLimits: failed sign-ins allowed per account and per address
	// within SignInWindow before further tries are refused (429).
	AccountFailures, AddressFailures int
	SignInWindow                     time.Duration
}

// maxFormBytes bounds a form post.
const maxFormBytes = 1 << 20

// Handler serves the pages.
type Handler struct {
	opt    Options
	st     store.Store
	log    *slog.Logger
	pages  map[string]pageTemplate
	assets http.Handler
	secure bool
	mux    *http.ServeMux // the project's "/-/" routes
}

// New builds the pages.
func New(opt Options) *Handler {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.SessionTTL <= 0 {
		opt.SessionTTL = 7 * 24 * time.Hour
	}
	if opt.AccountFailures <= 0 {
		opt.AccountFailures = 10 // Devise's lockable default in GitLab
	}
	if opt.AddressFailures <= 0 {
		opt.AddressFailures = 50
	}
	if opt.SignInWindow <= 0 {
		opt.SignInWindow = 10 * time.Minute
	}
	opt.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	assets, err := fs.Sub(files, "assets")
	if err != nil {
		panic(err)
	}
	h := &Handler{opt: opt, st: opt.Store, log: opt.Logger, pages: parsePages(),
		assets: http.StripPrefix("/assets/", http.FileServerFS(assets)),
		secure: strings.HasPrefix(opt.BaseURL, "https://")}
	h.mux = h.projectRoutes()
	return h
}

// ServeHTTP routes a page request: assets and the sign-in are open; every
// other page needs a session.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	hd.Set("X-Content-Type-Options", "nosniff")
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/assets/"):
		hd.Set("Cache-Control", "public, max-age=3600")
		h.assets.ServeHTTP(w, r)
		return
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	}
	switch {
	case path == "/users/sign_in":
		h.signIn(w, r)
		return
	case path == "/favicon.ico":
		http.NotFound(w, r)
		return
	}
	hd.Set("Cache-Control", "no-store")
	v, ok := h.session(w, r)
	if !ok {
		return
	}
	if r.Method == http.MethodPost && !h.checkCSRF(w, r, v.csrf) {
		return
	}
	switch {
	case path == "/users/sign_out":
		h.signOut(w, r, v)
	case path == "/":
		h.dashboard(w, r, v)
	default:
		h.projectPage(w, r, v)
	}
}

// viewer is the signed-in user of a request.
type viewer struct {
	user      *store.User
	sessionID string // hash of the cookie's id
	csrf      string
}

// projectPage serves /<namespace>/<project> and the project's "/-/" pages.
func (h *Handler) projectPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	full, rest, hasDash := strings.Cut(strings.Trim(r.URL.Path, "/"), "/-/")
	if !strings.Contains(full, "/") {
		h.notFound(w, r, v)
		return
	}
	p, level, err := h.findProject(r.Context(), full, v.user)
	if errors.Is(err, store.ErrNotFound) {
		h.notFound(w, r, v)
		return
	}
	if err != nil {
		h.failed(w, r, v, err)
		return
	}
	pc := &projectCtx{viewer: v, project: p, level: level}
	if !hasDash {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
			return
		}
		h.showProject(w, r, pc)
		return
	}
	// Settings, deliveries and the intake: Maintainer or above, as the API.
	if !pc.canAdmin() {
		h.render(w, r, http.StatusForbidden, "error", v, errorPage{Code: 403, Title: "Access Denied",
			Message: "You don't have the permission to access this page."})
		return
	}
	r2 := r.Clone(context.WithValue(r.Context(), projectKey{}, pc))
	r2.URL.Path = "/" + rest
	r2.URL.RawPath = ""
	if _, pattern := h.mux.Handler(r2); pattern == "" {
		h.notFound(w, r, v)
		return
	}
	h.mux.ServeHTTP(w, r2)
}

type projectKey struct{}

// projectCtx is the project of a project page and the viewer's access.
type projectCtx struct {
	*viewer
	project *store.Project
	level   int
}

func (pc *projectCtx) canAdmin() bool { return pc.user.Admin || pc.level >= store.Maintainer }

// Path is the project's page path.
func (pc *projectCtx) Path() string { return "/" + pc.project.FullPath() }

func projectOf(r *http.Request) *projectCtx { return r.Context().Value(projectKey{}).(*projectCtx) }

// projectRoutes are the paths after /<namespace>/<project>/-/.
func (h *Handler) projectRoutes() *http.ServeMux {
	m := http.NewServeMux()
	const base = "/settings/integrations"
	m.HandleFunc("GET "+base, h.integrations)
	m.HandleFunc("GET "+base+"/{slug}/edit", h.editIntegration)
	m.HandleFunc("POST "+base+"/{slug}", h.updateIntegration)
	m.HandleFunc("POST "+base+"/{slug}/test", h.testIntegration)
	m.HandleFunc("POST "+base+"/{slug}/resume", h.resumeIntegration)
	m.HandleFunc("GET "+base+"/{slug}/deliveries", h.deliveries)
	m.HandleFunc("GET "+base+"/{slug}/deliveries/{id}", h.showDelivery)
	m.HandleFunc("POST "+base+"/{slug}/deliveries/{id}/retry", h.retryDelivery)
	// GitLab 12.5's paths, kept working as GitLab redirects them.
	m.HandleFunc("GET /services/{slug}/edit", h.oldEditPath)
	m.HandleFunc("GET /hooks", h.intake)
	m.HandleFunc("POST /hooks/secret", h.generateSecret)
	return m
}
