// Package auth holds glint's identity rules: personal access tokens (made
// here, stored only as hashes), their scopes and expiry, and who may do what
// on a project.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"time"

	"github.com/glint-dev/glint/internal/store"
)

// Scopes a personal access token may carry.
const (
	ScopeAPI      = "api"
	ScopeReadAPI  = "read_api"
	ScopeReadUser = "read_user"
	ScopeSudo     = "sudo"
)

// ValidScopes lists every scope glint knows.
var ValidScopes = []string{ScopeAPI, ScopeReadAPI, ScopeReadUser, ScopeSudo}

// Why a token is refused.
var (
	ErrUnknownToken = errors.New("unknown token")
	// The descriptions are GitLab's, sent to clients as they are.
	ErrRevoked = &TokenError{"Token was revoked. You have to re-authorize from the user."}
	ErrExpired = &TokenError{"Token is expired. You can either do re-authorization or token refresh."}
)

// TokenError is a refused token; its description goes to the client in
// OAuth's error_description.
type TokenError struct{ Description string }

func (e *TokenError) Error() string { return e.Description }

const tokenPrefix = "glpat-"

const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// NewToken returns a fresh token text: a prefix and 20 random characters
// (about 119 bits).
func NewToken() string { return tokenPrefix + randomText(20) }

// randomText returns n random characters of the alphabet.
func randomText(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// Hash is what is stored of a token. Tokens are long random strings, so a
// plain SHA-256 is enough: there is nothing to guess.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Identity is an authenticated caller.
type Identity struct {
	User  *store.User
	Token *store.Token
}

// HasScope reports whether the token grants scope.
func (id *Identity) HasScope(scope string) bool { return slices.Contains(id.Token.Scopes, scope) }

// CanRead reports whether the token allows a read of the API.
func (id *Identity) CanRead() bool { return id.HasScope(ScopeAPI) || id.HasScope(ScopeReadAPI) }

// CanWrite reports whether the token allows changes through the API.
func (id *Identity) CanWrite() bool { return id.HasScope(ScopeAPI) }

// Authenticate finds the user behind a token text.
func Authenticate(ctx context.Context, st store.Store, token string, now time.Time) (*Identity, error) {
	if token == "" {
		return nil, ErrUnknownToken
	}
	t, u, err := st.TokenUser(ctx, Hash(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnknownToken
	}
	if err != nil {
		return nil, err
	}
	if t.Revoked {
		return nil, ErrRevoked
	}
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return nil, ErrExpired
	}
	// Record use at most once a minute, so reads stay reads.
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		_ = st.TouchToken(ctx, t.ID, now)
	}
	return &Identity{User: u, Token: t}, nil
}

// ProjectAccess is the caller's access level on a project; admins count as
// owners.
func ProjectAccess(ctx context.Context, st store.Store, u *store.User, p *store.Project) (int, error) {
	if u.Admin {
		return store.Owner, nil
	}
	return st.AccessLevel(ctx, u.ID, p.ID)
}

// CanSeeProject: members see private projects; any signed-in user sees
// internal and public ones.
func CanSeeProject(level int, p *store.Project) bool {
	return level > store.NoAccess || p.Visibility == "public" || p.Visibility == "internal"
}

// CanAdminProject is GitLab's admin_project ability: Maintainer or above.
func CanAdminProject(level int) bool { return level >= store.Maintainer }

// ValidAccessLevel reports a level GitLab knows.
func ValidAccessLevel(l int) bool {
	switch l {
	case store.Guest, store.Reporter, store.Developer, store.Maintainer, store.Owner:
		return true
	}
	return false
}
