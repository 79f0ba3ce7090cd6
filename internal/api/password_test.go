package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/auth"
)

// TestCreateUserPassword: POST /users takes GitLab's password parameter,
// refuses one under 8 characters in GitLab's error shape, and stores only
// an argon2id hash of it.
func TestCreateUserPassword(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newTestEnvOn(t, eng, defaultPolicy)
		for _, body := range []string{
			`{"username":"short","email":"s@example.com","name":"S","password":"1234567"}`,
			`{"username":"short","email":"s@example.com","name":"S","password":""}`,
		} {
			r := e.must(400, "POST", "/api/v4/users", e.root, body)
			if got := strings.TrimSpace(string(r.body)); got != `{"message":{"password":["is too short (minimum is 8 characters)"]}}` {
				t.Fatalf("body %s", got)
			}
		}
		if _, _, err := e.st.UserByLogin(context.Background(), "short"); err == nil {
			t.Fatal("a refused user was stored")
		}
		e.must(201, "POST", "/api/v4/users", e.root, `{"username":"alice","email":"Alice@example.com","name":"Alice","password":"s3cret-pass"}`)
		for _, login := range []string{"alice", "ALICE", "alice@example.com"} {
			u, hash, err := e.st.UserByLogin(context.Background(), login)
			if err != nil || u.Username != "alice" {
				t.Fatalf("UserByLogin(%q): %v %v", login, u, err)
			}
			if !auth.CheckPassword(hash, "s3cret-pass") || auth.CheckPassword(hash, "s3cret-pasS") {
				t.Fatalf("stored hash %q does not check", hash)
			}
		}
		// Without a password the user exists but cannot sign in.
		e.must(201, "POST", "/api/v4/users", e.root, `{"username":"bob","email":"bob@example.com","name":"Bob"}`)
		if _, hash, err := e.st.UserByLogin(context.Background(), "bob"); err != nil || hash != "" {
			t.Fatalf("bob: %q %v", hash, err)
		}
	})
}
