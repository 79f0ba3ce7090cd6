package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/store"
)

// statusRecorder remembers what a handler answered, for logs and metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

type requestIDKey struct{}

// RequestID returns the id of the request being served.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// validRequestID accepts a caller's X-Request-Id only if it is short and
// plain, so it can go into logs and headers as it is.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c == '-' || c == '_' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			return false
		}
	}
	return true
}

// middleware wraps every request: request id, security headers, panic
// recovery, metrics and the access log.
func (s *Server) middleware(next *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = newRequestID()
		}
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("X-Content-Type-Options", "nosniff")
		ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), requestIDKey{}, id), s.opt.RequestTimeout)
		defer cancel()
		r = r.WithContext(ctx)
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.ErrorContext(ctx, "panic serving request", "panic", p)
				if rec.status == 0 {
					serverError(rec)
				}
			}
			_, pattern := next.Handler(r)
			route := routeLabel(pattern)
			elapsed := time.Since(start)
			s.metrics.observe(r.Method, route, rec.status, elapsed)
			s.log.LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path), // the query may hold private_token: never logged
				slog.String("route", route),
				slog.Int("status", rec.status),
				slog.Int("bytes", rec.bytes),
				slog.Duration("duration", elapsed),
				slog.String("remote", r.RemoteAddr))
		}()
		_, pattern := next.Handler(r)
		if msg := checkBoundary(r, pattern); msg != "" {
			writeError(rec, 400, msg)
			return
		}
		next.ServeHTTP(rec, r)
	})
}

// routeLabel keeps the metric's route label bounded: the pattern, not the
// path.
func routeLabel(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		return pattern[i+1:]
	}
	return pattern
}

// knownSlug answers 404 for a slug that is not a service, before anything
// else, as GitLab's per-slug PUT routes do.
func (s *Server) knownSlug(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := catalog.Lookup(r.PathValue("slug")); !ok {
			routeNotFound(w)
			return
		}
		next(w, r)
	}
}

// projectHandler is a handler that runs with the resolved project and the
// caller's access level on it.
type projectHandler func(w http.ResponseWriter, r *http.Request, p *store.Project, level int)

// project resolves :id (a number or a URL-encoded full path), hides it
// from callers who cannot see it (404) and refuses callers below min (403).
func (s *Server) project(min int, next projectHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, level, err := s.findProjectWithAccess(r.Context(), r.PathValue("id"), identity(r).User)
		if errors.Is(err, store.ErrNotFound) {
			notFound(w, "Project")
			return
		}
		if err != nil {
			s.storeFailed(w, r, err)
			return
		}
		if !auth.CanSeeProject(level, p) {
			notFound(w, "Project")
			return
		}
		if level < min {
			forbidden(w)
			return
		}
		next(w, r, p, level)
	}
}

// ParseProjectID classifies a project :id as GitLab does: all digits is a
// numeric id; something with a slash is a full path; anything else finds
// nothing.
func ParseProjectID(raw string) (id int64, path string, ok bool) {
	if raw == "" {
		return 0, "", false
	}
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil && n > 0 && strings.Trim(raw, "0123456789") == "" {
		return n, "", true
	}
	if strings.Contains(raw, "/") && !strings.HasPrefix(raw, "/") && !strings.HasSuffix(raw, "/") && !strings.Contains(raw, "//") {
		return 0, raw, true
	}
	return 0, "", false
}

// pathProject resolves the :id of the path, answering 404 or 503 itself.
func (s *Server) pathProject(w http.ResponseWriter, r *http.Request) (*store.Project, bool) {
	p, err := s.findProject(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		notFound(w, "Project")
		return nil, false
	}
	if err != nil {
		s.storeFailed(w, r, err)
		return nil, false
	}
	return p, true
}

// findProjectWithAccess finds the project :id names with u's access level
// on it. An admin's level needs no query (auth.ProjectAccess: Owner), so
// only the project is read; anyone else's level is read with the project,
// in one round trip rather than two.
func (s *Server) findProjectWithAccess(ctx context.Context, raw string, u *store.User) (*store.Project, int, error) {
	if u.Admin {
		p, err := s.findProject(ctx, raw)
		if err != nil {
			return nil, store.NoAccess, err
		}
		level, err := auth.ProjectAccess(ctx, s.st, u, p)
		return p, level, err
	}
	id, path, ok := ParseProjectID(raw)
	if !ok {
		return nil, store.NoAccess, store.ErrNotFound
	}
	return s.st.ProjectWithAccess(ctx, id, path, u.ID)
}

func (s *Server) findProject(ctx context.Context, raw string) (*store.Project, error) {
	id, path, ok := ParseProjectID(raw)
	switch {
	case !ok:
		return nil, store.ErrNotFound
	case path != "":
		return s.st.ProjectByFullPath(ctx, path)
	default:
		return s.st.Project(ctx, id)
	}
}
