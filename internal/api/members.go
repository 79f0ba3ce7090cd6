package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/store"
)

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	listPage(s, w, r, func(pg store.Page) ([]store.Member, int, error) {
		return s.st.ListMembers(r.Context(), store.ProjectSource, p.ID, pg)
	}, s.memberEntity)
}

func (s *Server) getMember(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	uid, ok := pathID(w, r, "user_id", "Member")
	if !ok {
		return
	}
	m, err := s.st.Member(r.Context(), store.ProjectSource, p.ID, uid)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.storeFailed(w, r, err)
		return
	}
	if err != nil {
		notFound(w, "Member")
		return
	}
	writeJSON(w, 200, s.memberEntity(m))
}

// memberForm reads user_id (from the body on POST, the path on PUT),
// access_level and expires_at.
func (s *Server) memberForm(w http.ResponseWriter, r *http.Request, fromPath bool) (*store.Member, bool) {
	f, ok := s.readForm(w, r)
	if !ok {
		return nil, false
	}
	if fromPath {
		uid, ok := pathID(w, r, "user_id", "Member")
		if !ok {
			return nil, false
		}
		f.raw["user_id"] = json.Number(strconv.FormatInt(uid, 10))
	}
	m := &store.Member{UserID: f.integer("user_id", true), AccessLevel: int(f.integer("access_level", true)), ExpiresAt: f.date("expires_at")}
	if f.failed(w) {
		return nil, false
	}
	if !auth.ValidAccessLevel(m.AccessLevel) {
		writeError(w, 400, "access_level does not have a valid value")
		return nil, false
	}
	u, err := s.st.User(r.Context(), m.UserID)
	if errors.Is(err, store.ErrNotFound) {
		notFound(w, "User")
		return nil, false
	}
	if err != nil {
		s.storeFailed(w, r, err)
		return nil, false
	}
	m.User = *u
	return m, true
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request, p *store.Project, level int) {
	m, ok := s.memberForm(w, r, false)
	if !ok {
		return
	}
	if m.AccessLevel > level {
		forbidden(w)
		return
	}
	_, err := s.st.Member(r.Context(), store.ProjectSource, p.ID, m.UserID)
	if err == nil {
		writeMessage(w, 409, "Member already exists")
		return
	}
	s.saveMember(w, r, p, m, 201)
}

func (s *Server) editMember(w http.ResponseWriter, r *http.Request, p *store.Project, level int) {
	m, ok := s.memberForm(w, r, true)
	if !ok {
		return
	}
	if _, err := s.st.Member(r.Context(), store.ProjectSource, p.ID, m.UserID); errors.Is(err, store.ErrNotFound) {
		notFound(w, "Member")
		return
	}
	if m.AccessLevel > level {
		forbidden(w)
		return
	}
	s.saveMember(w, r, p, m, 200)
}

func (s *Server) saveMember(w http.ResponseWriter, r *http.Request, p *store.Project, m *store.Member, status int) {
	if err := s.st.SetMember(r.Context(), store.ProjectSource, p.ID, *m); err != nil {
		s.storeFailed(w, r, err)
		return
	}
	writeJSON(w, status, s.memberEntity(m))
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request, p *store.Project, _ int) {
	uid, ok := pathID(w, r, "user_id", "Member")
	if !ok {
		return
	}
	err := s.st.RemoveMember(r.Context(), store.ProjectSource, p.ID, uid)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.storeFailed(w, r, err)
		return
	}
	if err != nil {
		notFound(w, "Member")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
