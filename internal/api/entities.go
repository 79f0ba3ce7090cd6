package api

import (
	"github.com/glint-dev/glint/internal/store"
)

// The JSON shapes of GitLab's entities, for the fields glint has.

type userEntity struct {
	ID        int64   `json:"id"`
	Username  string  `json:"username"`
	Name      string  `json:"name"`
	State     string  `json:"state"`
	AvatarURL *string `json:"avatar_url"`
	WebURL    string  `json:"web_url"`
	CreatedAt string  `json:"created_at"`
	Email     string  `json:"email,omitempty"`
	IsAdmin   *bool   `json:"is_admin,omitempty"`
}

func (s *Server) userEntity(u *store.User, full bool) userEntity {
	e := userEntity{ID: u.ID, Username: u.Username, Name: u.Name, State: "active",
		WebURL: s.opt.BaseURL + "/" + u.Username, CreatedAt: timestamp(u.CreatedAt)}
	if full {
		admin := u.Admin
		e.Email, e.IsAdmin = u.Email, &admin
	}
	return e
}

type tokenEntity struct {
	ID         int64    `json:"id"`
	Name       string   `json:"name"`
	Revoked    bool     `json:"revoked"`
	CreatedAt  string   `json:"created_at"`
	Scopes     []string `json:"scopes"`
	UserID     int64    `json:"user_id"`
	LastUsedAt *string  `json:"last_used_at"`
	Active     bool     `json:"active"`
	ExpiresAt  *string  `json:"expires_at"`
	Token      string   `json:"token,omitempty"`
}

func (s *Server) tokenEntity(t *store.Token) tokenEntity {
	expired := t.ExpiresAt != nil && !s.opt.Now().Before(*t.ExpiresAt)
	scopes := t.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return tokenEntity{ID: t.ID, Name: t.Name, Revoked: t.Revoked, CreatedAt: timestamp(t.CreatedAt), Scopes: scopes,
		UserID: t.UserID, LastUsedAt: optTimestamp(t.LastUsedAt), Active: !t.Revoked && !expired, ExpiresAt: optDate(t.ExpiresAt)}
}

type namespaceEntity struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Path     string `json:"path"`
	Kind     string `json:"kind"`
	FullPath string `json:"full_path"`
	ParentID *int64 `json:"parent_id"`
	WebURL   string `json:"web_url"`
}

func (s *Server) namespaceEntity(n *store.Namespace) namespaceEntity {
	return namespaceEntity{ID: n.ID, Name: n.Name, Path: n.Path, Kind: n.Kind, FullPath: n.FullPath, ParentID: n.ParentID,
		WebURL: s.opt.BaseURL + "/" + n.FullPath}
}

type groupEntity struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Path        string `json:"path"`
	Description string `json:"description"`
	Visibility  string `json:"visibility"`
	FullName    string `json:"full_name"`
	FullPath    string `json:"full_path"`
	ParentID    *int64 `json:"parent_id"`
	WebURL      string `json:"web_url"`
	CreatedAt   string `json:"created_at"`
}

func (s *Server) groupEntity(g *store.Namespace) groupEntity {
	return groupEntity{ID: g.ID, Name: g.Name, Path: g.Path, Description: g.Description, Visibility: g.Visibility,
		FullName: g.FullPath, FullPath: g.FullPath, ParentID: g.ParentID, WebURL: s.opt.BaseURL + "/groups/" + g.FullPath,
		CreatedAt: timestamp(g.CreatedAt)}
}

type projectEntity struct {
	ID                int64           `json:"id"`
	Description       string          `json:"description"`
	Name              string          `json:"name"`
	NameWithNamespace string          `json:"name_with_namespace"`
	Path              string          `json:"path"`
	PathWithNamespace string          `json:"path_with_namespace"`
	CreatedAt         string          `json:"created_at"`
	DefaultBranch     string          `json:"default_branch"`
	HTTPURLToRepo     string          `json:"http_url_to_repo"`
	WebURL            string          `json:"web_url"`
	Visibility        string          `json:"visibility"`
	LastActivityAt    string          `json:"last_activity_at"`
	CreatorID         int64           `json:"creator_id"`
	Namespace         namespaceEntity `json:"namespace"`
}

func (s *Server) projectEntity(p *store.Project) projectEntity {
	full := p.FullPath()
	return projectEntity{ID: p.ID, Description: p.Description, Name: p.Name, NameWithNamespace: p.Namespace.Name + " / " + p.Name,
		Path: p.Path, PathWithNamespace: full, CreatedAt: timestamp(p.CreatedAt), DefaultBranch: p.DefaultBranch,
		HTTPURLToRepo: s.opt.BaseURL + "/" + full + ".git", WebURL: s.opt.BaseURL + "/" + full, Visibility: p.Visibility,
		LastActivityAt: timestamp(p.LastActivityAt), CreatorID: p.CreatorID, Namespace: s.namespaceEntity(&p.Namespace)}
}

type memberEntity struct {
	userEntity
	AccessLevel int     `json:"access_level"`
	ExpiresAt   *string `json:"expires_at"`
}

func (s *Server) memberEntity(m *store.Member) memberEntity {
	return memberEntity{userEntity: s.userEntity(&m.User, false), AccessLevel: m.AccessLevel, ExpiresAt: optDate(m.ExpiresAt)}
}
