package api

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/store"
)

func (s *Server) currentUser(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, s.userEntity(identity(r).User, true))
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	admin := identity(r).User.Admin
	listPage(s, w, r, func(pg store.Page) ([]store.User, int, error) {
		return s.st.ListUsers(r.Context(), r.URL.Query().Get("username"), pg)
	}, func(u *store.User) userEntity { return s.userEntity(u, admin) })
}

// pathUser finds the user the path parameter name (GitLab's "id" or
// "user_id") names.
func (s *Server) pathUser(w http.ResponseWriter, r *http.Request, name string) (*store.User, bool) {
	id, ok := pathID(w, r, name, "User")
	if !ok {
		return nil, false
	}
	u, err := s.st.User(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		notFound(w, "User")
		return nil, false
	}
	if err != nil {
		s.storeFailed(w, r, err)
		return nil, false
	}
	return u, true
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	if u, ok := s.pathUser(w, r, "id"); ok {
		writeJSON(w, 200, s.userEntity(u, identity(r).User.Admin))
	}
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	if !s.requireAdmin(w, r) {
		return
	}
	f, ok := s.readForm(w, r)
	if !ok {
		return
	}
	u := &store.User{Email: f.str("email", true), Name: f.str("name", true), Username: f.str("username", true), Admin: f.boolean("admin")}
	password, passwordSent := f.str("password", false), f.raw["password"] != nil
	if f.failed(w) {
		return
	}
	if !validPath(u.Username) {
		writeMessage(w, 400, map[string][]string{"username": {"can contain only letters, digits, '_', '-' and '.'"}})
		return
	}
	if passwordSent {
		if problem := auth.PasswordProblem(password); problem != "" {
			writeMessage(w, 400, map[string][]string{"password": {problem}})
			return
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			s.storeFailed(w, r, err)
			return
		}
		u.PasswordHash = hash
	}
	err := s.st.CreateUser(r.Context(), u)
	if errors.Is(err, store.ErrConflict) {
		writeMessage(w, 409, "Username has already been taken")
		return
	}
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	writeJSON(w, 201, s.userEntity(u, true))
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) {
	if !s.requireAdmin(w, r) {
		return
	}
	u, ok := s.pathUser(w, r, "id")
	if !ok {
		return
	}
	if err := s.st.DeleteUser(r.Context(), u.ID); err != nil {
		s.storeFailed(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// createToken is the admin-only POST /users/:id/personal_access_tokens.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	if !s.requireAdmin(w, r) {
		return
	}
	u, ok := s.pathUser(w, r, "user_id")
	if !ok {
		return
	}
	f, ok := s.readForm(w, r)
	if !ok {
		return
	}
	name, scopes, expires := f.str("name", true), f.list("scopes", true), f.date("expires_at")
	if f.failed(w) {
		return
	}
	for _, sc := range scopes {
		if !slices.Contains(auth.ValidScopes, sc) {
			writeError(w, 400, "scopes does not have a valid value")
			return
		}
	}
	text, t, err := IssueToken(r, s.st, u.ID, name, scopes, expires)
	if err != nil {
		s.storeFailed(w, r, err)
		return
	}
	e := s.tokenEntity(t)
	e.Token = text
	writeJSON(w, 201, e)
}

// IssueToken creates a token and returns its text, which is not kept.
func IssueToken(r *http.Request, st store.Store, userID int64, name string, scopes []string, expires *time.Time) (string, *store.Token, error) {
	text := auth.NewToken()
	t := &store.Token{UserID: userID, Name: name, Hash: auth.Hash(text), Scopes: scopes, ExpiresAt: expires}
	return text, t, st.CreateToken(r.Context(), t)
}

// listTokens shows the caller's tokens; an admin sees everyone's, or one
// user's with ?user_id=.
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) {
	me := identity(r).User
	uid := me.ID
	if me.Admin {
		n, ok := queryInt(r.URL.Query(), "user_id", 0)
		if !ok {
			writeError(w, 400, "user_id is invalid")
			return
		}
		uid = int64(n)
	}
	listPage(s, w, r, func(pg store.Page) ([]store.Token, int, error) {
		return s.st.ListTokens(r.Context(), uid, pg)
	}, s.tokenEntity)
}

func (s *Server) pathToken(w http.ResponseWriter, r *http.Request) (*store.Token, bool) {
	id, ok := pathID(w, r, "id", "Personal Access Token")
	if !ok {
		return nil, false
	}
	t, err := s.st.Token(r.Context(), id)
	me := identity(r).User
	if err == nil && !me.Admin && t.UserID != me.ID {
		err = store.ErrNotFound
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.storeFailed(w, r, err)
		return nil, false
	}
	if err != nil {
		notFound(w, "Personal Access Token")
		return nil, false
	}
	return t, true
}

func (s *Server) getToken(w http.ResponseWriter, r *http.Request) {
	if t, ok := s.pathToken(w, r); ok {
		writeJSON(w, 200, s.tokenEntity(t))
	}
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	t, ok := s.pathToken(w, r)
	if !ok {
		return
	}
	if err := s.st.RevokeToken(r.Context(), t.ID); err != nil {
		s.storeFailed(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
