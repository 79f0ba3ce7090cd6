package api

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/glint-dev/glint/internal/netguard"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// gitlabSourceEntity is what GET and PUT .../gitlab_source answer: never
// the token.
type gitlabSourceEntity struct {
	URL       string `json:"url"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func gitlabSourceJSON(src *store.GitLabSource) gitlabSourceEntity {
	return gitlabSourceEntity{URL: src.URL, CreatedAt: timestamp(src.CreatedAt), UpdatedAt: timestamp(src.UpdatedAt)}
}

// getGitLabSource is GET /projects/:id/gitlab_source.
func (s *Server) getGitLabSource(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	src, err := s.st.GitLabSource(r.Context(), p.ID)
	if errors.Is(err, store.ErrNotFound) {
		notFound(w, "GitLab Source")
		return
	}
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	writeJSON(w, 200, gitlabSourceJSON(src))
}

// putGitLabSource is PUT /projects/:id/gitlab_source with url (the
// GitLab's base URL) and token (read-only; sealed, never shown).
func (s *Server) putGitLabSource(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	f, ok := s.readForm(w, r)
	if !ok {
		return
	}
	rawURL, token := strings.TrimSpace(f.str("url", true)), f.str("token", true)
	if f.failed(w) {
		return
	}
	if u, err := url.Parse(rawURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		writeError(w, 400, "url is invalid: give the GitLab's base URL, http(s)://host[/path]")
		return
	}
	if err := netguard.CheckURL(rawURL, s.opt.Policy.AllowLocal); err != nil {
		// A loopback or private address, unless --allow-local-requests,
		// as service URLs (the fetch is guarded again at connect time).
		writeError(w, 400, "url "+err.Error())
		return
	}
	if strings.TrimSpace(token) == "" {
		writeError(w, 400, "token is missing")
		return
	}
	sealed, err := s.opt.Sealer.Seal(token, settings.GitLabSourceTokenAD)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	src := &store.GitLabSource{ProjectID: p.ID, URL: strings.TrimRight(rawURL, "/"), SealedToken: sealed}
	if err := s.st.PutGitLabSource(r.Context(), src); err != nil {
		s.storeFailed(w, r, err)
		return
	}
	writeJSON(w, 200, gitlabSourceJSON(src))
}

// deleteGitLabSource is DELETE /projects/:id/gitlab_source.
func (s *Server) deleteGitLabSource(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	err := s.st.DeleteGitLabSource(r.Context(), p.ID)
	if errors.Is(err, store.ErrNotFound) {
		notFound(w, "GitLab Source")
		return
	}
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
