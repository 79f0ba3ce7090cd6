package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/store"
)

// Cookie names: GitLab's session cookie, and the token of the sign-in form
// (the only form shown before a session exists: a double-submitted cookie).
const (
	sessionCookie = "_gitlab_session"
	signInCookie  = "_glint_sign_in"
	// csrfField is Rails' (and so GitLab's) form field for the token.
	csrfField = "authenticity_token"
)

func randomID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (h *Handler) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.secure}
}

// session loads the request's session; without one it sends the browser
// to the sign-in page (or answers 401 to a POST) and returns false.
func (h *Handler) session(w http.ResponseWriter, r *http.Request) (*viewer, bool) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		idHash := auth.Hash(c.Value)
		s, u, err := h.st.SessionUser(r.Context(), idHash, h.opt.Now())
		if err == nil {
			return &viewer{user: u, sessionID: idHash, csrf: s.CSRFToken}, true
		}
		if !errors.Is(err, store.ErrNotFound) {
			h.failed(w, r, nil, err)
			return nil, false
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
		return nil, false
	}
	http.Redirect(w, r, "/users/sign_in?redirect_to="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
	return nil, false
}

// checkCSRF refuses a POST whose form token is not the session's, as
// Rails does (422).
func (h *Handler) checkCSRF(w http.ResponseWriter, r *http.Request, want string) bool {
	got := r.PostFormValue(csrfField)
	if got == "" {
		got = r.Header.Get("X-CSRF-Token")
	}
	if want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 {
		return true
	}
	h.log.WarnContext(r.Context(), "web form refused: CSRF token missing or wrong", "path", r.URL.Path)
	h.render(w, r, http.StatusUnprocessableEntity, "error", nil, errorPage{Code: 422,
		Title: "The change you requested was rejected.", Message: "The form's token is missing or out of date: reload the page and try again."})
	return false
}

// dummyHash is checked against when the login names nobody.
var dummyHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(randomID())
	if err != nil {
		panic(err)
	}
	return h
})

// signInForm is what the sign-in page shows.
type signInForm struct {
	Login, RedirectTo, Error string
}

// signIn is GET and POST /users/sign_in with GitLab's form fields,
// user[login] (username or email) and user[password].
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.showSignIn(w, r, http.StatusOK, signInForm{RedirectTo: safeRedirect(r.URL.Query().Get("redirect_to"))})
	case http.MethodPost:
		h.postSignIn(w, r)
	default:
		http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
	}
}

func (h *Handler) showSignIn(w http.ResponseWriter, r *http.Request, status int, f signInForm) {
	// One token per browser: a second tab (or a redirect to this page)
	// must not invalidate the form of the first.
	token := ""
	if c, err := r.Cookie(signInCookie); err == nil && len(c.Value) == len(randomID()) {
		token = c.Value
	} else {
		token = randomID()
	}
	http.SetCookie(w, h.cookie(signInCookie, token, 3600))
	h.render(w, r, status, "sign_in", &viewer{csrf: token}, f)
}

func (h *Handler) postSignIn(w http.ResponseWriter, r *http.Request) {
	want := ""
	if c, err := r.Cookie(signInCookie); err == nil {
		want = c.Value
	}
	if !h.checkCSRF(w, r, want) {
		return
	}
	ctx := r.Context()
	f := signInForm{Login: strings.TrimSpace(r.PostFormValue("user[login]")), RedirectTo: safeRedirect(r.PostFormValue("redirect_to"))}
	password := r.PostFormValue("user[password]")
	keys := []string{"account:" + strings.ToLower(f.Login), "address:" + clientAddress(r)}
	limited, err := h.rateLimited(ctx, keys)
	if err != nil {
		h.failed(w, r, nil, err)
		return
	}
	if limited {
		f.Error = "Too many failed sign-in attempts. Try again in a few minutes."
		h.showSignIn(w, r, http.StatusTooManyRequests, f)
		return
	}
	u, hash, err := h.st.UserByLogin(ctx, f.Login)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.failed(w, r, nil, err)
		return
	}
	if err != nil {
		// No such user: spend the time a check takes all the same, so
		// that the answer's delay does not tell which logins exist.
		hash = dummyHash()
	}
	if err != nil || !auth.CheckPassword(hash, password) {
		now := h.opt.Now()
		if err := h.st.RecordLoginFailure(ctx, keys, now, now.Add(-h.opt.SignInWindow)); err != nil {
			h.failed(w, r, nil, err)
			return
		}
		f.Error = "Invalid login or password."
		h.showSignIn(w, r, http.StatusUnauthorized, f)
		return
	}
	_ = h.st.ClearLoginFailures(ctx, keys[0])
	id := randomID()
	s := &store.Session{IDHash: auth.Hash(id), UserID: u.ID, CSRFToken: randomID(), ExpiresAt: h.opt.Now().Add(h.opt.SessionTTL)}
	if err := h.st.CreateSession(ctx, s); err != nil {
		h.failed(w, r, nil, err)
		return
	}
	if n, err := h.st.PruneSessions(ctx, h.opt.Now()); err == nil && n > 0 {
		h.log.InfoContext(ctx, "pruned expired web sessions", "sessions", n)
	}
	h.log.InfoContext(ctx, "signed in", "user", u.Username)
	http.SetCookie(w, h.cookie(sessionCookie, id, int(h.opt.SessionTTL.Seconds())))
	http.SetCookie(w, h.cookie(signInCookie, "", -1))
	to := f.RedirectTo
	if to == "" {
		to = "/"
	}
	http.Redirect(w, r, to, http.StatusFound)
}

// rateLimited reports whether the account or the address has failed too
// often within the window. The counts live in the database, so every node
// applies the same limit.
func (h *Handler) rateLimited(ctx context.Context, keys []string) (bool, error) {
	since := h.opt.Now().Add(-h.opt.SignInWindow)
	for i, limit := range []int{h.opt.AccountFailures, h.opt.AddressFailures} {
		n, err := h.st.LoginFailures(ctx, keys[i], since)
		if err != nil || n >= limit {
			return err == nil, err
		}
	}
	return false, nil
}

// signOut ends the session (POST /users/sign_out).
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request, v *viewer) {
	if r.Method != http.MethodPost {
		http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := h.st.DeleteSession(r.Context(), v.sessionID); err != nil {
		h.failed(w, r, v, err)
		return
	}
	http.SetCookie(w, h.cookie(sessionCookie, "", -1))
	http.Redirect(w, r, "/users/sign_in", http.StatusFound)
}

// safeRedirect keeps a redirect on this site: a path, never "//host".
func safeRedirect(to string) string {
	if !strings.HasPrefix(to, "/") || strings.HasPrefix(to, "//") || strings.HasPrefix(to, "/\\") || strings.HasPrefix(to, "/users/sign_") {
		return ""
	}
	return to
}

// clientAddress is the peer's IP address (glint does not trust forwarding
// headers).
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// findProject finds a project by full path with the user's access, and
// hides what the user may not see (ErrNotFound), as the API does.
func (h *Handler) findProject(ctx context.Context, fullPath string, u *store.User) (*store.Project, int, error) {
	var p *store.Project
	var level int
	var err error
	if u.Admin {
		p, err = h.st.ProjectByFullPath(ctx, fullPath)
		if err == nil {
			level, err = auth.ProjectAccess(ctx, h.st, u, p)
		}
	} else {
		p, level, err = h.st.ProjectWithAccess(ctx, 0, fullPath, u.ID)
	}
	if err != nil {
		return nil, 0, err
	}
	if !auth.CanSeeProject(level, p) {
		return nil, 0, store.ErrNotFound
	}
	return p, level, nil
}
