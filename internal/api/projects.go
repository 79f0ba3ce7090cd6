package api

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/glint-dev/glint/internal/store"
)

var pathPattern = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9_.\-]*$`)

// validPath accepts GitLab-like path segments; ".git" endings and
// dot-only names are refused.
func validPath(p string) bool {
	return len(p) <= 255 && pathPattern.MatchString(p) && !strings.HasSuffix(p, ".git") && !strings.HasSuffix(p, ".atom")
}

var visibilities = []string{"private", "internal", "public"}

// slugify makes a path from a name when only the name is given.
func slugify(name string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(strings.TrimSpace(name)) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_', c == '.', c == '-':
			b.WriteRune(c)
		default:
			b.WriteRune('-')
		}
	}
	return strings.Trim(b.String(), "-.")
}

// groupLevel is the caller's level on a group and its ancestors.
func (s *Server) groupLevel(r *http.Request, g *store.Namespace) (int, error) {
	me := identity(r).User
	if me.Admin {
		return store.Owner, nil
	}
	best := 0
	for ns := g; ; {
		m, err := s.st.Member(r.Context(), store.NamespaceSource, ns.ID, me.ID)
		if err == nil && m.AccessLevel > best {
			best = m.AccessLevel
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return 0, err
		}
		if ns.ParentID == nil {
			return best, nil
		}
		if ns, err = s.st.Namespace(r.Context(), *ns.ParentID); err != nil {
			return 0, err
		}
	}
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	listPage(s, w, r, func(pg store.Page) ([]store.Namespace, int, error) {
		return s.st.VisibleGroups(r.Context(), viewer(r), pg)
	}, s.groupEntity)
}

func (s *Server) findGroup(w http.ResponseWriter, r *http.Request, raw string) (*store.Namespace, bool) {
	var g *store.Namespace
	var err error
	if id, perr := strconv.ParseInt(raw, 10, 64); perr == nil {
		g, err = s.st.Namespace(r.Context(), id)
	} else {
		g, err = s.st.NamespaceByFullPath(r.Context(), raw)
	}
	if err == nil && g.Kind != "group" {
		err = store.ErrNotFound
	}
	var level int
	if err == nil {
		level, err = s.groupLevel(r, g)
		if err == nil && level == 0 && g.Visibility == "private" {
			err = store.ErrNotFound
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		notFound(w, "Group")
		return nil, false
	}
	if err != nil {
		s.storeFailed(w, r, err)
		return nil, false
	}
	return g, true
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	if g, ok := s.findGroup(w, r, r.PathValue("group_id")); ok {
		writeJSON(w, 200, s.groupEntity(g))
	}
}

// createGroup makes a group, nested with parent_id; the creator becomes
// its owner.
func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readForm(w, r)
	if !ok {
		return
	}
	g := &store.Namespace{Name: f.str("name", true), Path: f.str("path", true), Description: f.str("description", false),
		Visibility: f.str("visibility", false)}
	parent := f.integer("parent_id", false)
	if f.failed(w) {
		return
	}
	if g.Visibility != "" && !slices.Contains(visibilities, g.Visibility) {
		writeError(w, 400, "visibility does not have a valid value")
		return
	}
	if !validPath(g.Path) {
		writeMessage(w, 400, map[string][]string{"path": {"can contain only letters, digits, '_', '-' and '.'"}})
		return
	}
	if parent != 0 {
		pg, ok := s.findGroup(w, r, strconv.FormatInt(parent, 10))
		if !ok {
			return
		}
		level, err := s.groupLevel(r, pg)
		if err != nil {
			s.storeFailed(w, r, err)
			return
		}
		if level < store.Maintainer {
			forbidden(w)
			return
		}
		g.ParentID = &pg.ID
	}
	err := s.st.CreateGroup(r.Context(), g)
	if errors.Is(err, store.ErrConflict) {
		writeMessage(w, 400, map[string][]string{"path": {"has already been taken"}})
		return
	}
	if err == nil {
		err = s.st.SetMember(r.Context(), store.NamespaceSource, g.ID, store.Member{UserID: identity(r).User.ID, AccessLevel: store.Owner})
	}
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	writeJSON(w, 201, s.groupEntity(g))
}

func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) {
	listPage(s, w, r, func(pg store.Page) ([]store.Project, int, error) {
		return s.st.VisibleProjects(r.Context(), viewer(r), pg)
	}, s.projectEntity)
}

// viewer is the user whose access the lists check: 0 for an admin, who
// sees everything.
func viewer(r *http.Request) int64 {
	if me := identity(r).User; !me.Admin {
		return me.ID
	}
	return 0
}

func (s *Server) getProject(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	writeJSON(w, 200, s.projectEntity(p))
}

// createProject makes a project in the caller's namespace, or in the group
// namespace_id names if the caller may create there (Maintainer or above).
func (s *Server) createProject(w http.ResponseWriter, r *http.Request) {
	f, ok := s.readForm(w, r)
	if !ok {
		return
	}
	me := identity(r).User
	p := &store.Project{Name: f.str("name", false), Path: f.str("path", false), Description: f.str("description", false),
		Visibility: f.str("visibility", false), DefaultBranch: f.str("default_branch", false), NamespaceID: f.integer("namespace_id", false),
		CreatorID: me.ID}
	if f.failed(w) {
		return
	}
	if p.Name == "" && p.Path == "" {
		writeError(w, 400, "name, path are missing, at least one parameter must be provided")
		return
	}
	if p.Path == "" {
		p.Path = slugify(p.Name)
	}
	if p.Name == "" {
		p.Name = p.Path
	}
	if p.Visibility != "" && !slices.Contains(visibilities, p.Visibility) {
		writeError(w, 400, "visibility does not have a valid value")
		return
	}
	if !validPath(p.Path) {
		writeMessage(w, 400, map[string][]string{"path": {"can contain only letters, digits, '_', '-' and '.'"}})
		return
	}
	inGroup := p.NamespaceID != 0 && p.NamespaceID != me.NamespaceID
	if !inGroup {
		p.NamespaceID = me.NamespaceID
	} else if !s.mayCreateIn(w, r, p.NamespaceID) {
		return
	}
	err := s.st.CreateProject(r.Context(), p)
	if errors.Is(err, store.ErrConflict) {
		writeMessage(w, 400, map[string][]string{"path": {"has already been taken"}, "name": {"has already been taken"}})
		return
	}
	if err == nil && inGroup {
		err = s.st.SetMember(r.Context(), store.ProjectSource, p.ID, store.Member{UserID: me.ID, AccessLevel: store.Maintainer})
	}
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	writeJSON(w, 201, s.projectEntity(p))
}

func (s *Server) mayCreateIn(w http.ResponseWriter, r *http.Request, nsID int64) bool {
	ns, err := s.st.Namespace(r.Context(), nsID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && ns.Kind != "group") {
		notFound(w, "Namespace")
		return false
	}
	if err != nil {
		s.storeFailed(w, r, err)
		return false
	}
	level, err := s.groupLevel(r, ns)
	if err != nil {
		s.storeFailed(w, r, err)
		return false
	}
	if level < store.Maintainer {
		writeMessage(w, 403, "403 Forbidden")
		return false
	}
	return true
}

func (s *Server) deleteProject(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	if err := s.st.DeleteProject(r.Context(), p.ID); err != nil {
		s.storeFailed(w, r, err)
		return
	}
	writeJSON(w, 202, map[string]string{"message": "202 Accepted"})
}
