// Package api serves glint's HTTP interface: GitLab's /api/v4 subset
// (users, tokens, groups, projects, members and the Services API, driven by
// the catalog), and the operational endpoints. It knows the store through
// its interface and never builds SQL.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/gitlabapi"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// Options configure a Server.
type Options struct {
	Store    store.Store
	Sealer   settings.Sealer
	Policy   settings.Policy
	Logger   *slog.Logger
	Registry prometheus.Registerer
	Version  string
	// BaseURL is the external URL used in web_url fields.
	BaseURL string
	// RequestTimeout bounds each request's context, and with it every
	// database call made for the request, so that a database that stops
	// answering yields 503 rather than a hang. Zero means 30 seconds.
	RequestTimeout time.Duration
	// Events is the delivery half; nil leaves intake and tests off (503).
	Events Events
	// ReadBacks answers commit statuses and Prometheus queries; nil
	// leaves them off (503).
	ReadBacks ReadBacks
	// Now is the clock; tests may replace it.
	Now func() time.Time
	// Outbound sends the calls to a project's GitLab source (slash
	// commands), made by SourceClient; nil is SourceClient's with local
	// addresses reached only when Policy.AllowLocal.
	Outbound gitlabapi.Reader
	// Web serves every path the API does not (the pages, package web);
	// nil leaves them 404.
	Web http.Handler
}

// Server is the HTTP interface.
type Server struct {
	opt     Options
	st      store.Store
	log     *slog.Logger
	metrics *metrics
	handler http.Handler
	// patterns are the routes as registered, for Routes.
	patterns []string
}

// New builds the server and its routes.
func New(opt Options) *Server {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	opt.Logger = slog.New(WithRequestID(opt.Logger.Handler()))
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Registry == nil {
		opt.Registry = prometheus.NewRegistry()
	}
	if opt.BaseURL == "" {
		opt.BaseURL = "http://localhost"
	}
	if opt.RequestTimeout <= 0 {
		opt.RequestTimeout = 30 * time.Second
	}
	opt.BaseURL = strings.TrimRight(opt.BaseURL, "/")
	if opt.Outbound == nil {
		opt.Outbound = SourceClient(outbound.Options{AllowLocal: opt.Policy.AllowLocal, UserAgent: "glint/" + opt.Version})
	}
	s := &Server{opt: opt, st: opt.Store, log: opt.Logger, metrics: newMetrics(opt.Registry)}
	s.handler = s.middleware(s.routes())
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	handle := func(pattern string, h http.HandlerFunc) {
		s.patterns = append(s.patterns, pattern)
		m.Handle(pattern, h)
	}

	handle("GET /-/health", s.health)
	handle("GET /-/liveness", s.health)
	handle("GET /-/readiness", s.readiness)

	handle("GET /api/v4/version", s.authed(s.version))
	handle("GET /api/v4/user", s.authed(s.currentUser))

	handle("GET /api/v4/users", s.authed(s.listUsers))
	handle("POST /api/v4/users", s.authed(s.createUser))
	handle("GET /api/v4/users/{id}", s.authed(s.getUser))
	handle("DELETE /api/v4/users/{id}", s.authed(s.deleteUser))
	handle("POST /api/v4/users/{user_id}/personal_access_tokens", s.authed(s.createToken))
	handle("GET /api/v4/personal_access_tokens", s.authed(s.listTokens))
	handle("GET /api/v4/personal_access_tokens/{id}", s.authed(s.getToken))
	handle("DELETE /api/v4/personal_access_tokens/{id}", s.authed(s.revokeToken))

	handle("GET /api/v4/groups", s.authed(s.listGroups))
	handle("POST /api/v4/groups", s.authed(s.createGroup))
	handle("GET /api/v4/groups/{group_id}", s.authed(s.getGroup))

	handle("GET /api/v4/projects", s.authed(s.listProjects))
	handle("POST /api/v4/projects", s.authed(s.createProject))
	handle("GET /api/v4/projects/{id}", s.authed(s.project(store.NoAccess, s.getProject)))
	handle("DELETE /api/v4/projects/{id}", s.authed(s.project(store.Owner, s.deleteProject)))

	handle("GET /api/v4/projects/{id}/members", s.authed(s.project(store.NoAccess, s.listMembers)))
	handle("GET /api/v4/projects/{id}/members/{user_id}", s.authed(s.project(store.NoAccess, s.getMember)))
	handle("POST /api/v4/projects/{id}/members", s.authed(s.project(store.Maintainer, s.addMember)))
	handle("PUT /api/v4/projects/{id}/members/{user_id}", s.authed(s.project(store.Maintainer, s.editMember)))
	handle("DELETE /api/v4/projects/{id}/members/{user_id}", s.authed(s.project(store.Maintainer, s.removeMember)))

	for _, base := range []string{"/api/v4/projects/{id}/services", "/api/v4/projects/{id}/integrations"} {
		handle("GET "+base, s.authed(s.project(store.Maintainer, s.listServices)))
		handle("GET "+base+"/{slug}", s.authed(s.project(store.Maintainer, s.getService)))
		// GitLab has one route per slug for PUT: an unknown slug is no
		// route at all, answered 404 before authentication.
		handle("PUT "+base+"/{slug}", s.knownSlug(s.authed(s.project(store.Maintainer, s.putService))))
		handle("DELETE "+base+"/{slug}", s.authed(s.project(store.Maintainer, s.deleteService)))
		handle("POST "+base+"/{slug}/test", s.authed(s.project(store.Maintainer, s.testService)))
		handle("GET "+base+"/{slug}/deliveries", s.authed(s.project(store.Maintainer, s.listDeliveries)))
		handle("GET "+base+"/{slug}/deliveries/{delivery_id}", s.authed(s.project(store.Maintainer, s.getDelivery)))
		handle("POST "+base+"/{slug}/deliveries/{delivery_id}/retry", s.authed(s.project(store.Maintainer, s.retryDelivery)))
		// Read-backs (readback.go).
		handle("GET "+base+"/{slug}/commit_status", s.authed(s.project(store.Developer, s.commitStatus)))
		handle("GET "+base+"/{slug}/issue_url", s.authed(s.project(store.Guest, s.issueURL)))
		handle("GET "+base+"/prometheus/query", s.authed(s.project(store.Maintainer, s.prometheusQuery)))
		handle("GET "+base+"/prometheus/query_range", s.authed(s.project(store.Maintainer, s.prometheusQueryRange)))
		handle("GET "+base+"/{slug}/circuit", s.authed(s.project(store.Maintainer, s.getCircuit)))
		handle("POST "+base+"/{slug}/circuit/resume", s.authed(s.project(store.Maintainer, s.resumeCircuit)))
	}
	// Slash commands from Slack and Mattermost: no user authentication,
	// the service's token instead (slash.go).
	handle("POST /api/v4/projects/{id}/services/slack_slash_commands/trigger", s.slashTrigger("slack-slash-commands"))
	handle("POST /api/v4/projects/{id}/services/mattermost_slash_commands/trigger", s.slashTrigger("mattermost-slash-commands"))
	handle("PUT /api/v4/projects/{id}/intake_token", s.authed(s.project(store.Maintainer, s.setIntakeToken)))
	handle("GET /api/v4/projects/{id}/gitlab_source", s.authed(s.project(store.Maintainer, s.getGitLabSource)))
	handle("PUT /api/v4/projects/{id}/gitlab_source", s.authed(s.project(store.Maintainer, s.putGitLabSource)))
	handle("DELETE /api/v4/projects/{id}/gitlab_source", s.authed(s.project(store.Maintainer, s.deleteGitLabSource)))
	handle("POST /hooks/gitlab/{id}", s.intake)

	handle("/api/v4/", func(w http.ResponseWriter, r *http.Request) { routeNotFound(w) })
	handle("/hooks/", func(w http.ResponseWriter, r *http.Request) { routeNotFound(w) })
	handle("GET /metrics", s.metrics.handler().ServeHTTP)
	if s.opt.Web != nil {
		m.Handle("/", s.opt.Web)
	}
	return m
}

// Routes lists the patterns of every route, as registered ("GET
// /api/v4/users/{id}"): the HTTP fuzz test covers each, new ones included.
func (s *Server) Routes() []string { return slices.Clone(s.patterns) }

type ctxKey int

const identityKey ctxKey = 0

func identity(r *http.Request) *auth.Identity { return r.Context().Value(identityKey).(*auth.Identity) }

// tokenFrom reads the token as GitLab does: PRIVATE-TOKEN header,
// private_token or access_token parameter, or a Bearer authorization.
func tokenFrom(r *http.Request) string {
	if t := r.Header.Get("Private-Token"); t != "" {
		return t
	}
	q := r.URL.Query()
	if t := q.Get("private_token"); t != "" {
		return t
	}
	if t := q.Get("access_token"); t != "" {
		return t
	}
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authed authenticates the caller and checks the token's scope for the
// request's method.
func (s *Server) authed(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := auth.Authenticate(r.Context(), s.st, tokenFrom(r), s.opt.Now())
		switch {
		case errors.Is(err, auth.ErrUnknownToken):
			unauthorized(w)
			return
		case errors.Is(err, auth.ErrRevoked), errors.Is(err, auth.ErrExpired):
			writeJSON(w, 401, map[string]string{"error": "invalid_token", "error_description": err.Error()})
			return
		case err != nil:
			s.storeFailed(w, r, err)
			return
		}
		readOnly := r.Method == http.MethodGet || r.Method == http.MethodHead
		allowed := id.CanWrite() || (readOnly && id.CanRead()) ||
			(readOnly && r.URL.Path == "/api/v4/user" && id.HasScope(auth.ScopeReadUser))
		if !allowed {
			writeJSON(w, 403, map[string]string{
				"error":             "insufficient_scope",
				"error_description": "The request requires higher privileges than provided by the access token.",
				"scope":             "api",
			})
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), identityKey, id)))
	}
}

// storeFailed answers a store error: 503 when the database is out of
// reach, 500 otherwise, and logs it.
func (s *Server) storeFailed(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		s.log.WarnContext(r.Context(), "database unavailable", "err", err)
		unavailable(w)
		return
	}
	s.log.ErrorContext(r.Context(), "internal error", "err", err)
	serverError(w)
}

func (s *Server) requireAdmin(w http.ResponseWriter, r *http.Request) bool {
	if !identity(r).User.Admin {
		forbidden(w)
		return false
	}
	return true
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("GitLab OK"))
}

func (s *Server) readiness(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.st.Ping(ctx); err != nil {
		writeJSON(w, 503, map[string]any{"status": "failed", "db_check": []map[string]string{{"status": "failed", "message": "database unreachable"}}})
		return
	}
	writeJSON(w, 200, map[string]any{"status": "ok", "db_check": []map[string]string{{"status": "ok"}}})
}

func (s *Server) version(w http.ResponseWriter, r *http.Request) {
	// Clients compare this with GitLab releases: glint speaks 12.5's API.
	writeJSON(w, 200, map[string]string{"version": "12.5.0", "revision": "glint-" + s.opt.Version})
}
