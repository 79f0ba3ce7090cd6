package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/store"
)

func TestUsersAndTokens(t *testing.T) {
	e := newTestEnv(t)
	me := e.must(200, "GET", "/api/v4/user", e.root, nil).json(t)
	if me["username"] != "root" || me["is_admin"] != true {
		t.Fatalf("GET /user: %v", me)
	}
	if v := e.must(200, "GET", "/api/v4/version", e.root, nil).json(t); v["version"] != "12.5.0" {
		t.Fatalf("version: %v", v)
	}
	u := e.must(201, "POST", "/api/v4/users", e.root, `{"username":"alice","email":"alice@example.com","name":"Alice"}`).json(t)
	uid := int64(u["id"].(float64))
	e.must(409, "POST", "/api/v4/users", e.root, `{"username":"ALICE","email":"a2@example.com","name":"A"}`)
	if r := e.must(400, "POST", "/api/v4/users", e.root, `{"username":"bob"}`); !strings.Contains(string(r.body), `"email is missing, name is missing"`) {
		t.Fatalf("missing fields: %s", r.body)
	}

	tok := e.must(201, "POST", fmt.Sprintf("/api/v4/users/%d/personal_access_tokens", uid), e.root,
		`{"name":"ci","scopes":["api"],"expires_at":"2999-01-01"}`).json(t)
	alice := tok["token"].(string)
	if tok["expires_at"] != "2999-01-01" || tok["active"] != true || alice == "" {
		t.Fatalf("token entity: %v", tok)
	}
	e.must(400, "POST", fmt.Sprintf("/api/v4/users/%d/personal_access_tokens", uid), e.root, `{"name":"x","scopes":["root"]}`)
	// Only an admin creates users and tokens for others.
	e.must(403, "POST", "/api/v4/users", alice, `{"username":"eve","email":"e@example.com","name":"E"}`)
	e.must(403, "POST", fmt.Sprintf("/api/v4/users/%d/personal_access_tokens", uid), alice, `{"name":"x","scopes":["api"]}`)
	if got := e.must(200, "GET", "/api/v4/user", alice, nil).json(t); got["username"] != "alice" {
		t.Fatalf("token authenticates as %v", got["username"])
	}
	// Other ways to send the token.
	e.must(200, "GET", "/api/v4/user?private_token="+alice, "", nil)
	e.must(200, "GET", "/api/v4/user", "", nil, "Authorization", "Bearer "+alice)

	list := e.must(200, "GET", "/api/v4/personal_access_tokens", alice, nil)
	if list.header.Get("X-Total") != "1" || strings.Contains(string(list.body), alice) {
		t.Fatalf("alice's token list: %s %v", list.body, list.header)
	}
	tid := int64(tok["id"].(float64))
	e.must(404, "DELETE", "/api/v4/personal_access_tokens/1", alice, nil) // root's: not hers
	e.must(204, "DELETE", fmt.Sprintf("/api/v4/personal_access_tokens/%d", tid), alice, nil)
	e.must(401, "GET", "/api/v4/user", alice, nil)

	e.must(403, "DELETE", fmt.Sprintf("/api/v4/users/%d", uid), e.token(uid, []string{"api"}, nil), nil)
	e.must(204, "DELETE", fmt.Sprintf("/api/v4/users/%d", uid), e.root, nil)
	e.must(404, "GET", fmt.Sprintf("/api/v4/users/%d", uid), e.root, nil)
}

func TestGroupsProjectsMembers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newTestEnvOn(t, eng, defaultPolicy)
		owner, ownerToken := e.user("owner")
		_, otherToken := e.user("other")
		g := e.must(201, "POST", "/api/v4/groups", ownerToken, `{"name":"Group","path":"group"}`).json(t)
		sub := e.must(201, "POST", "/api/v4/groups", ownerToken, fmt.Sprintf(`{"name":"Sub","path":"sub","parent_id":%v}`, g["id"])).json(t)
		if sub["full_path"] != "group/sub" {
			t.Fatalf("nested group: %v", sub)
		}
		// A private parent the caller cannot see is not found, as GitLab.
		e.must(404, "POST", "/api/v4/groups", otherToken, fmt.Sprintf(`{"name":"x","path":"x","parent_id":%v}`, g["id"]))
		e.must(404, "GET", "/api/v4/groups/group%2Fsub", otherToken, nil)
		e.must(200, "GET", "/api/v4/groups/group%2Fsub", ownerToken, nil)

		p := e.must(201, "POST", "/api/v4/projects", ownerToken, fmt.Sprintf(`{"name":"My App","namespace_id":%v}`, sub["id"])).json(t)
		if p["path_with_namespace"] != "group/sub/my-app" {
			t.Fatalf("project path: %v", p["path_with_namespace"])
		}
		e.must(400, "POST", "/api/v4/projects", ownerToken, fmt.Sprintf(`{"path":"my-app","namespace_id":%v}`, sub["id"]))
		e.must(403, "POST", "/api/v4/projects", otherToken, fmt.Sprintf(`{"path":"z","namespace_id":%v}`, sub["id"]))
		if r := e.must(400, "POST", "/api/v4/projects", ownerToken, `{}`); !strings.Contains(string(r.body), "at least one parameter") {
			t.Fatalf("no name nor path: %s", r.body)
		}
		pid := int64(p["id"].(float64))
		byPath := e.must(200, "GET", "/api/v4/projects/group%2Fsub%2Fmy-app", ownerToken, nil).json(t)
		if byPath["id"] != p["id"] {
			t.Fatal("lookup by path found another project")
		}
		// Group ownership is inherited: the owner may configure services.
		e.must(200, "PUT", "/api/v4/projects/group%2Fsub%2Fmy-app/services/asana", ownerToken, `{"api_key":"k"}`)
		// A stranger sees nothing of a private project.
		e.must(404, "GET", fmt.Sprintf("/api/v4/projects/%d", pid), otherToken, nil)
		if l := e.must(200, "GET", "/api/v4/projects", otherToken, nil); string(l.body) != "[]\n" {
			t.Fatalf("stranger lists %s", l.body)
		}

		// Members: levels decide what a user may do with services.
		other, _ := e.st.UserByUsername(t.Context(), "other")
		members := fmt.Sprintf("/api/v4/projects/%d/members", pid)
		e.must(400, "POST", members, ownerToken, fmt.Sprintf(`{"user_id":%d,"access_level":35}`, other.ID))
		e.must(201, "POST", members, ownerToken, fmt.Sprintf(`{"user_id":%d,"access_level":30}`, other.ID))
		e.must(409, "POST", members, ownerToken, fmt.Sprintf(`{"user_id":%d,"access_level":30}`, other.ID))
		e.must(403, "GET", fmt.Sprintf("/api/v4/projects/%d/services/asana", pid), otherToken, nil)
		e.must(403, "PUT", fmt.Sprintf("%s/%d", members, other.ID), otherToken, `{"access_level":40}`)
		m := e.must(200, "PUT", fmt.Sprintf("%s/%d", members, other.ID), ownerToken, `{"access_level":40}`).json(t)
		if m["access_level"] != float64(40) || m["username"] != "other" {
			t.Fatalf("member entity: %v", m)
		}
		e.must(200, "GET", fmt.Sprintf("/api/v4/projects/%d/services/asana", pid), otherToken, nil)
		if l := e.must(200, "GET", members, otherToken, nil); !strings.Contains(string(l.body), `"username":"other"`) {
			t.Fatalf("members: %s", l.body)
		}
		e.must(204, "DELETE", fmt.Sprintf("%s/%d", members, other.ID), ownerToken, nil)
		e.must(404, "DELETE", fmt.Sprintf("%s/%d", members, other.ID), ownerToken, nil)
		e.must(404, "GET", fmt.Sprintf("/api/v4/projects/%d/services/asana", pid), otherToken, nil)

		// A maintainer cannot delete the project; the owner can.
		e.member(pid, other.ID, store.Maintainer)
		e.must(403, "DELETE", fmt.Sprintf("/api/v4/projects/%d", pid), otherToken, nil)
		e.must(202, "DELETE", fmt.Sprintf("/api/v4/projects/%d", pid), ownerToken, nil)
		e.must(404, "GET", fmt.Sprintf("/api/v4/projects/%d", pid), ownerToken, nil)
		_ = owner
	})
}

func TestPagination(t *testing.T) {
	e := newTestEnv(t)
	for i := 0; i < 5; i++ {
		e.project(fmt.Sprintf("p%d", i))
	}
	r := e.must(200, "GET", "/api/v4/projects?per_page=2&page=2", e.root, nil)
	h := r.header
	if h.Get("X-Total") != "5" || h.Get("X-Total-Pages") != "3" || h.Get("X-Next-Page") != "3" || h.Get("X-Prev-Page") != "1" {
		t.Fatalf("headers: %v", h)
	}
	if !strings.Contains(string(r.body), `"path":"p2"`) || strings.Contains(string(r.body), `"path":"p0"`) {
		t.Fatalf("page 2: %s", r.body)
	}
}

func TestOperations(t *testing.T) {
	e := newTestEnv(t)
	if r := e.must(200, "GET", "/-/health", "", nil); string(r.body) != "GitLab OK" {
		t.Fatalf("health: %s", r.body)
	}
	e.must(200, "GET", "/-/liveness", "", nil)
	if r := e.must(200, "GET", "/-/readiness", "", nil); !strings.Contains(string(r.body), `"status":"ok"`) {
		t.Fatalf("readiness: %s", r.body)
	}
	r := e.do("GET", "/api/v4/user", e.root, nil, "X-Request-Id", "abc-123")
	if r.header.Get("X-Request-Id") != "abc-123" {
		t.Fatal("request id not echoed")
	}
	if r2 := e.do("GET", "/api/v4/user", e.root, nil, "X-Request-Id", "bad id\n"); r2.header.Get("X-Request-Id") == "bad id\n" || r2.header.Get("X-Request-Id") == "" {
		t.Fatal("an unsafe request id must be replaced")
	}
	if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Fatalf("security headers: %v", r.header)
	}
	if !strings.Contains(e.logs.String(), `"request_id":"abc-123"`) {
		t.Fatal("access log lacks the request id")
	}
	m := string(e.must(200, "GET", "/metrics", "", nil).body)
	for _, want := range []string{`glint_http_requests_total{code="200",method="GET",route="/api/v4/user"}`, `glint_http_request_duration_seconds_bucket`} {
		if !strings.Contains(m, want) {
			t.Fatalf("metrics lack %s", want)
		}
	}
	// Database closed: readiness fails, the API answers, in GitLab's shape.
	e.st.Close()
	if r := e.do("GET", "/-/readiness", "", nil); r.status != 503 {
		t.Fatalf("readiness with the database closed: %d", r.status)
	}
}
