package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/store"
)

// TestStrictInput: path parameters, pagination, text and headers, each
// with the exact answer, the same on both engines (issue 12, items 1-3).
func TestStrictInput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newTestEnvOn(t, eng, defaultPolicy)
		pid := e.project("demo")
		e.must(200, "PUT", fmt.Sprintf("/api/v4/projects/%d/intake_token", pid), e.root, nil)
		proj := fmt.Sprintf("/api/v4/projects/%d", pid)
		svc := proj + "/services/"
		long := strings.Repeat("é", 256)
		cases := []struct {
			name, method, path string
			body               any
			header             []string
			status             int
			want               string
		}{
			// 1. path parameters
			{"member id word", "GET", proj + "/members/abc", nil, nil, 400, `{"error":"user_id is invalid"}`},
			{"member id exponent", "GET", proj + "/members/1e3", nil, nil, 400, `{"error":"user_id is invalid"}`},
			{"member id fraction", "GET", proj + "/members/1.5", nil, nil, 400, `{"error":"user_id is invalid"}`},
			{"member id NUL", "GET", proj + "/members/%00", nil, nil, 400, `{"error":"user_id is invalid"}`},
			{"member id out of range", "GET", proj + "/members/99999999999999999999", nil, nil, 404, `{"message":"404 Member Not Found"}`},
			{"member id negative", "DELETE", proj + "/members/-1", nil, nil, 404, `{"message":"404 Member Not Found"}`},
			{"member put id word", "PUT", proj + "/members/abc", `{"access_level":30}`, nil, 400, `{"error":"user_id is invalid"}`},
			{"user id word", "GET", "/api/v4/users/abc", nil, nil, 400, `{"error":"id is invalid"}`},
			{"user id huge", "GET", "/api/v4/users/99999999999999999999", nil, nil, 404, `{"message":"404 User Not Found"}`},
			{"user id zero", "DELETE", "/api/v4/users/0", nil, nil, 404, `{"message":"404 User Not Found"}`},
			{"token user id word", "POST", "/api/v4/users/x/personal_access_tokens", `{"name":"n","scopes":["api"]}`, nil, 400, `{"error":"user_id is invalid"}`},
			{"token id word", "GET", "/api/v4/personal_access_tokens/1.5", nil, nil, 400, `{"error":"id is invalid"}`},
			{"token id huge", "DELETE", "/api/v4/personal_access_tokens/99999999999999999999", nil, nil, 404, `{"message":"404 Personal Access Token Not Found"}`},
			{"delivery id word", "GET", svc + "slack/deliveries/abc", nil, nil, 400, `{"error":"delivery_id is invalid"}`},
			{"delivery id NUL", "GET", svc + "slack/deliveries/%00", nil, nil, 400, `{"error":"delivery_id is invalid"}`},
			{"delivery id huge", "GET", svc + "slack/deliveries/99999999999999999999", nil, nil, 404, `{"message":"404 Delivery Not Found"}`},
			{"retry id word", "POST", svc + "slack/deliveries/1e3/retry", nil, nil, 400, `{"error":"delivery_id is invalid"}`},
			{"project id word", "GET", "/api/v4/projects/abc", nil, nil, 404, `{"message":"404 Project Not Found"}`},
			{"project id huge", "GET", "/api/v4/projects/99999999999999999999", nil, nil, 404, `{"message":"404 Project Not Found"}`},
			{"project path not UTF-8", "GET", "/api/v4/projects/root%2F%FF", nil, nil, 400, `{"error":"id is invalid"}`},
			{"group path NUL", "GET", "/api/v4/groups/a%00b", nil, nil, 400, `{"error":"group_id is invalid"}`},
			// 2. pagination
			{"page word", "GET", "/api/v4/projects?page=abc", nil, nil, 400, `{"error":"page is invalid"}`},
			{"per_page fraction", "GET", "/api/v4/users?per_page=1.5", nil, nil, 400, `{"error":"per_page is invalid"}`},
			{"page overflow", "GET", "/api/v4/projects?page=92233720368547760&per_page=100", nil, nil, 200, `[]`},
			{"page beyond int64", "GET", proj + "/members?page=999999999999999999999999", nil, nil, 200, `[]`},
			{"deliveries page overflow", "GET", svc + "slack/deliveries?page=92233720368547760&per_page=100", nil, nil, 200, `[]`},
			{"tokens user_id word", "GET", "/api/v4/personal_access_tokens?user_id=x", nil, nil, 400, `{"error":"user_id is invalid"}`},
			// 3. text and headers
			{"query NUL", "GET", "/api/v4/users?username=a%00", nil, nil, 400, `{"error":"username is invalid"}`},
			{"query not UTF-8", "GET", "/api/v4/users?username=%FF", nil, nil, 400, `{"error":"username is invalid"}`},
			{"query name not UTF-8", "GET", "/api/v4/users?%FF=1", nil, nil, 400, `{"error":"query is invalid"}`},
			{"json NUL in name", "POST", "/api/v4/projects", `{"name":"a\u0000b"}`, nil, 400, `{"error":"name is invalid"}`},
			{"json NUL nested", "PUT", svc + "asana", `{"api_key":"k","x":["\u0000"]}`, nil, 400, `{"error":"x is invalid"}`},
			{"json not UTF-8", "POST", "/api/v4/projects", "{\"name\":\"a\xffb\"}", nil, 400, `{"error":"name is invalid"}`},
			{"form NUL", "POST", "/api/v4/users", "username=a%00&email=e&name=n", []string{"Content-Type", "application/x-www-form-urlencoded"}, 400, `{"error":"username is invalid"}`},
			{"multipart not UTF-8", "PUT", svc + "asana",
				"--b\r\nContent-Disposition: form-data; name=\"api_key\"\r\n\r\n\xff\r\n--b--\r\n", []string{"Content-Type", "multipart/form-data; boundary=b"}, 400, `{"error":"api_key is invalid"}`},
			{"token header not UTF-8", "GET", "/api/v4/user", nil, []string{"Private-Token", "\xff"}, 400, `{"error":"Private-Token is invalid"}`},
			{"token header too long", "GET", "/api/v4/user", nil, []string{"Private-Token", strings.Repeat("x", 1025)}, 400,
				`{"error":"Private-Token is too long (maximum is 1024 characters)"}`},
			{"event uuid 0xff", "POST", fmt.Sprintf("/hooks/gitlab/%d", pid), `{"object_kind":"push"}`, []string{"X-Gitlab-Event", "Push Hook", "X-Gitlab-Event-UUID", "\xff"}, 400,
				`{"error":"X-Gitlab-Event-Uuid is invalid"}`},
			{"event header NUL", "POST", fmt.Sprintf("/hooks/gitlab/%d", pid), `{"object_kind":"push"}`, []string{"X-Gitlab-Event", "Push\x00Hook"}, 400,
				`{"error":"X-Gitlab-Event is invalid"}`},
			{"project name too long", "POST", "/api/v4/projects", `{"name":"` + long + `","path":"p"}`, nil, 400,
				`{"message":{"name":["is too long (maximum is 255 characters)"]}}`},
			{"group description too long", "POST", "/api/v4/groups", `{"name":"g","path":"g","description":"` + strings.Repeat("d", 2001) + `"}`, nil, 400,
				`{"message":{"description":["is too long (maximum is 2000 characters)"]}}`},
			{"service value too long", "PUT", svc + "asana", `{"api_key":"k","restrict_to_branch":"` + strings.Repeat("b", 16385) + `"}`, nil, 400,
				`{"message":{"restrict_to_branch":["is too long (maximum is 16384 characters)"]}}`},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.do(c.method, c.path, e.root, c.body, c.header...)
				if r.status != c.status || strings.TrimSpace(string(r.body)) != c.want {
					t.Fatalf("got %d %.300s\nwant %d %s", r.status, r.body, c.status, c.want)
				}
			})
		}
		// Nothing of the above was written.
		if ps, n, err := e.st.VisibleProjects(t.Context(), 0, store.Page{Limit: 100}); err != nil || n != 1 || len(ps) != 1 {
			t.Fatalf("projects after bad input: %d %v", n, err)
		}
	})
}

// TestPaginationHeaders: GitLab's headers on a page, on the last page and
// past the end.
func TestPaginationHeaders(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newTestEnvOn(t, eng, defaultPolicy)
		for i := range 5 {
			e.project(fmt.Sprintf("p%d", i))
		}
		cases := []struct {
			query                              string
			total, pages, per, page, next, prv string
			count                              int
			link                               string
		}{
			{"?per_page=2", "5", "3", "2", "1", "2", "", 2,
				`<http://glint.test/api/v4/projects?page=2&per_page=2>; rel="next", <http://glint.test/api/v4/projects?page=1&per_page=2>; rel="first", <http://glint.test/api/v4/projects?page=3&per_page=2>; rel="last"`},
			{"?per_page=2&page=3&private_token=x", "5", "3", "2", "3", "", "2", 1,
				`<http://glint.test/api/v4/projects?page=2&per_page=2>; rel="prev", <http://glint.test/api/v4/projects?page=1&per_page=2>; rel="first", <http://glint.test/api/v4/projects?page=3&per_page=2>; rel="last"`},
			{"?per_page=2&page=9", "5", "3", "2", "9", "", "", 0,
				`<http://glint.test/api/v4/projects?page=1&per_page=2>; rel="first", <http://glint.test/api/v4/projects?page=3&per_page=2>; rel="last"`},
			{"?per_page=0&page=-4", "5", "1", "20", "1", "", "", 5,
				`<http://glint.test/api/v4/projects?page=1&per_page=20>; rel="first", <http://glint.test/api/v4/projects?page=1&per_page=20>; rel="last"`},
			{"?per_page=1000", "5", "1", "100", "1", "", "", 5,
				`<http://glint.test/api/v4/projects?page=1&per_page=100>; rel="first", <http://glint.test/api/v4/projects?page=1&per_page=100>; rel="last"`},
		}
		for _, c := range cases {
			t.Run(c.query, func(t *testing.T) {
				r := e.must(200, "GET", "/api/v4/projects"+c.query, e.root, nil)
				h := r.header
				got := []string{h.Get("X-Total"), h.Get("X-Total-Pages"), h.Get("X-Per-Page"), h.Get("X-Page"), h.Get("X-Next-Page"), h.Get("X-Prev-Page")}
				want := []string{c.total, c.pages, c.per, c.page, c.next, c.prv}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("headers %q, want %q", got, want)
				}
				if h.Get("Link") != c.link {
					t.Errorf("Link %s\nwant %s", h.Get("Link"), c.link)
				}
				var list []any
				if err := jsonUnmarshal(r.body, &list); err != nil || len(list) != c.count {
					t.Errorf("%d items, want %d (%v)", len(list), c.count, err)
				}
			})
		}
	})
}

// TestListsCheckAccessInQuery: a user sees public and internal projects,
// and private ones only through a membership (direct, or of a group above).
func TestListsCheckAccessInQuery(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newTestEnvOn(t, eng, defaultPolicy)
		e.must(201, "POST", "/api/v4/projects", e.root, `{"path":"private1"}`)
		e.must(201, "POST", "/api/v4/projects", e.root, `{"path":"public1","visibility":"public"}`)
		direct := e.project("direct")
		g := e.must(201, "POST", "/api/v4/groups", e.root, `{"name":"g","path":"g"}`).json(t)
		sub := e.must(201, "POST", "/api/v4/groups", e.root, fmt.Sprintf(`{"name":"s","path":"s","parent_id":%v}`, g["id"])).json(t)
		e.must(201, "POST", "/api/v4/projects", e.root, fmt.Sprintf(`{"path":"deep","namespace_id":%v}`, sub["id"]))
		u, tok := e.user("viewer")
		e.member(direct, u.ID, store.Guest)
		if err := e.st.SetMember(t.Context(), store.NamespaceSource, int64(g["id"].(float64)), store.Member{UserID: u.ID, AccessLevel: store.Reporter}); err != nil {
			t.Fatal(err)
		}
		r := e.must(200, "GET", "/api/v4/projects?per_page=2", tok, nil)
		var list []map[string]any
		if err := jsonUnmarshal(r.body, &list); err != nil {
			t.Fatal(err)
		}
		if r.header.Get("X-Total") != "3" || len(list) != 2 || list[0]["path"] != "public1" || list[1]["path"] != "direct" {
			t.Fatalf("total %s, page %v", r.header.Get("X-Total"), list)
		}
		r = e.must(200, "GET", "/api/v4/groups", tok, nil)
		if r.header.Get("X-Total") != "2" {
			t.Fatalf("groups seen: %s %s", r.header.Get("X-Total"), r.body)
		}
		_, other := e.user("other")
		if r := e.must(200, "GET", "/api/v4/projects", other, nil); r.header.Get("X-Total") != "1" {
			t.Fatalf("a stranger sees %s projects: %s", r.header.Get("X-Total"), r.body)
		}
		if r := e.must(200, "GET", "/api/v4/groups", other, nil); r.header.Get("X-Total") != "0" || strings.TrimSpace(string(r.body)) != "[]" {
			t.Fatalf("a stranger sees groups: %s", r.body)
		}
	})
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
