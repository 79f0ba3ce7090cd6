package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/auth"
	"github.com/glint-dev/glint/internal/store"
)

// TestBadInput lists every kind of bad request and the exact answer GitLab
// gives (or, where GitLab has none, glint's in GitLab's shape), and then
// checks that none of them wrote anything.
func TestBadInput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newTestEnvOn(t, eng, defaultPolicy)
		pid := e.project("demo")
		dev, devToken := e.user("dev")
		e.member(pid, dev.ID, store.Developer)
		_, strangerToken := e.user("stranger")
		reporter, reporterToken := e.user("reporter")
		e.member(pid, reporter.ID, store.Reporter)
		maint, maintToken := e.user("maint")
		e.member(pid, maint.ID, store.Maintainer)
		readOnly := e.token(maint.ID, []string{auth.ScopeReadAPI}, nil)
		past := time.Now().Add(-time.Hour)
		expired := e.token(maint.ID, []string{auth.ScopeAPI}, &past)
		revoked := e.token(maint.ID, []string{auth.ScopeAPI}, nil)
		tok, _ := e.st.TokenByHash(context.Background(), auth.Hash(revoked))
		if err := e.st.RevokeToken(context.Background(), tok.ID); err != nil {
			t.Fatal(err)
		}
		svc := fmt.Sprintf("/api/v4/projects/%d/services/", pid)
		huge := `{"api_key":"` + strings.Repeat("x", 1<<20) + `"}`

		cases := []struct {
			name, method, path, token string
			body                      any
			header                    []string
			status                    int
			want                      string
		}{
			{"no token", "GET", svc + "slack", "", nil, nil, 401, `{"message":"401 Unauthorized"}`},
			{"unknown token", "GET", svc + "slack", "glpat-nope", nil, nil, 401, `{"message":"401 Unauthorized"}`},
			{"revoked token", "GET", svc + "slack", revoked, nil, nil, 401,
				`{"error":"invalid_token","error_description":"Token was revoked. You have to re-authorize from the user."}`},
			{"expired token", "GET", svc + "slack", expired, nil, nil, 401,
				`{"error":"invalid_token","error_description":"Token is expired. You can either do re-authorization or token refresh."}`},
			{"read_api token writes", "PUT", svc + "asana", readOnly, `{"api_key":"k"}`, nil, 403,
				`{"error":"insufficient_scope","error_description":"The request requires higher privileges than provided by the access token.","scope":"api"}`},
			{"stranger", "GET", svc + "slack", strangerToken, nil, nil, 404, `{"message":"404 Project Not Found"}`},
			{"stranger unknown slug", "GET", svc + "nope", strangerToken, nil, nil, 404, `{"message":"404 Project Not Found"}`},
			{"developer", "GET", svc + "slack", devToken, nil, nil, 403, `{"message":"403 Forbidden"}`},
			{"reporter put", "PUT", svc + "asana", reporterToken, `{"api_key":"k"}`, nil, 403, `{"message":"403 Forbidden"}`},
			{"developer delete", "DELETE", svc + "asana", devToken, nil, nil, 403, `{"message":"403 Forbidden"}`},
			{"developer list", "GET", fmt.Sprintf("/api/v4/projects/%d/services", pid), devToken, nil, nil, 403, `{"message":"403 Forbidden"}`},
			{"unknown project", "GET", "/api/v4/projects/99999/services/slack", e.root, nil, nil, 404, `{"message":"404 Project Not Found"}`},
			{"unknown project path", "GET", "/api/v4/projects/root%2Fnope/services/slack", e.root, nil, nil, 404, `{"message":"404 Project Not Found"}`},
			{"id garbage", "GET", "/api/v4/projects/abc/services/slack", e.root, nil, nil, 404, `{"message":"404 Project Not Found"}`},
			// A non-admin's project and access level are read together:
			// the same answers.
			{"unknown project, non-admin", "GET", "/api/v4/projects/99999/services/slack", maintToken, nil, nil, 404, `{"message":"404 Project Not Found"}`},
			{"unknown project path, non-admin", "GET", "/api/v4/projects/root%2Fnope/services/slack", maintToken, nil, nil, 404, `{"message":"404 Project Not Found"}`},
			{"id garbage, non-admin", "GET", "/api/v4/projects/abc/services/slack", maintToken, nil, nil, 404, `{"message":"404 Project Not Found"}`},
			{"stranger by path", "GET", "/api/v4/projects/root%2Fdemo/services/slack", strangerToken, nil, nil, 404, `{"message":"404 Project Not Found"}`},
			{"developer by path", "GET", "/api/v4/projects/ROOT%2Fdemo/services/slack", devToken, nil, nil, 403, `{"message":"403 Forbidden"}`},
			{"id negative", "GET", "/api/v4/projects/-1/services/slack", e.root, nil, nil, 404, `{"message":"404 Project Not Found"}`},
			{"id decimal", "GET", "/api/v4/projects/1.5/services/slack", e.root, nil, nil, 404, `{"message":"404 Project Not Found"}`},
			{"id huge", "GET", "/api/v4/projects/99999999999999999999999/services/slack", e.root, nil, nil, 404, `{"message":"404 Project Not Found"}`},
			{"id slashes only", "GET", "/api/v4/projects/%2F%2F/services/slack", e.root, nil, nil, 404, `{"message":"404 Project Not Found"}`},
			{"get unknown slug", "GET", svc + "nope", e.root, nil, nil, 400, `{"error":"service_slug does not have a valid value"}`},
			{"delete unknown slug", "DELETE", svc + "nope", e.root, nil, nil, 400, `{"error":"service_slug does not have a valid value"}`},
			{"put unknown slug unauthenticated", "PUT", svc + "nope", "", `{}`, nil, 404, `{"error":"404 Not Found"}`},
			{"put unknown slug", "PUT", svc + "nope", e.root, `{}`, nil, 404, `{"error":"404 Not Found"}`},
			{"unknown route", "GET", "/api/v4/nothing/here", e.root, nil, nil, 404, `{"error":"404 Not Found"}`},
			{"missing required", "PUT", svc + "asana", e.root, `{"restrict_to_branch":"master"}`, nil, 400, `{"error":"api_key is missing"}`},
			{"missing several", "PUT", svc + "buildkite", e.root, `{}`, nil, 400, `{"error":"token is missing, project_url is missing"}`},
			{"required null", "PUT", svc + "asana", e.root, `{"api_key":null}`, nil, 400, `{"error":"api_key is missing"}`},
			{"bool invalid", "PUT", svc + "slack", e.root, `{"webhook":"https://hooks.slack.com/a","notify_only_broken_pipelines":"maybe"}`, nil, 400,
				`{"error":"notify_only_broken_pipelines is invalid"}`},
			{"strict event flag invalid", "PUT", svc + "slack", e.root, `{"webhook":"https://hooks.slack.com/a","push_events":"maybe"}`, nil, 400,
				`{"error":"push_events is invalid"}`},
			{"int invalid", "PUT", svc + "irker", e.root, `{"recipients":"#a","server_port":"abc"}`, nil, 400, `{"error":"server_port is invalid"}`},
			{"int fraction", "PUT", svc + "irker", e.root, `{"recipients":"#a","server_port":66.5}`, nil, 400, `{"error":"server_port is invalid"}`},
			{"string given object", "PUT", svc + "slack", e.root, `{"webhook":{"a":1}}`, nil, 400, `{"error":"webhook is invalid"}`},
			{"string given array", "PUT", svc + "asana", e.root, `{"api_key":["a"]}`, nil, 400, `{"error":"api_key is invalid"}`},
			{"value not allowed", "PUT", svc + "slack", e.root, `{"webhook":"https://hooks.slack.com/a","branches_to_be_notified":"some"}`, nil, 400,
				`{"error":"branches_to_be_notified does not have a valid value"}`},
			{"malformed json", "PUT", svc + "asana", e.root, `{"api_key":`, nil, 400, `{"error":"message body does not match declared format"}`},
			{"json not an object", "PUT", svc + "asana", e.root, `["api_key"]`, nil, 400, `{"error":"message body does not match declared format"}`},
			{"json trailing garbage", "PUT", svc + "asana", e.root, `{"api_key":"k"} x`, nil, 400, `{"error":"message body does not match declared format"}`},
			{"form not UTF-8", "PUT", svc + "asana", e.root, "api_key=%FF", []string{"Content-Type", "application/x-www-form-urlencoded"}, 400,
				`{"error":"api_key is invalid"}`},
			{"query not UTF-8", "PUT", svc + "asana?api_key=%FF", e.root, nil, nil, 400, `{"error":"api_key is invalid"}`},
			{"body too large", "PUT", svc + "asana", e.root, huge, nil, 413, `{"message":"413 Request Entity Too Large"}`},
			{"url not a url", "PUT", svc + "slack", e.root, `{"webhook":"not a url"}`, nil, 400, `{"message":{"webhook":["must be a valid URL"]}}`},
			{"url wrong scheme", "PUT", svc + "jira", e.root, `{"url":"ftp://jira.example.com","username":"u","password":"p"}`, nil, 400,
				`{"message":{"url":["must be a valid URL"]}}`},
			{"url loopback", "PUT", svc + "slack", e.root, `{"webhook":"http://127.0.0.1:8080/x"}`, nil, 400,
				`{"message":{"webhook":["is blocked: requests to the local network are not allowed"]}}`},
			{"url localhost", "PUT", svc + "drone-ci", e.root, `{"token":"t","drone_url":"http://localhost/"}`, nil, 400,
				`{"message":{"drone_url":["is blocked: requests to the local network are not allowed"]}}`},
			{"url private v6 mapped", "PUT", svc + "buildkite", e.root, `{"token":"t","project_url":"http://[::ffff:10.0.0.1]/"}`, nil, 400,
				`{"message":{"project_url":["is blocked: requests to the local network are not allowed"]}}`},
			{"required blank", "PUT", svc + "asana", e.root, `{"api_key":""}`, nil, 400, `{"message":{"api_key":["can't be blank"]}}`},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.do(c.method, c.path, c.token, c.body, c.header...)
				if r.status != c.status || strings.TrimSpace(string(r.body)) != c.want {
					t.Fatalf("got %d %s\nwant %d %s", r.status, r.body, c.status, c.want)
				}
				if ct := r.header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type %q", ct)
				}
			})
		}
		services, err := e.st.Services(context.Background(), pid)
		if err != nil {
			t.Fatal(err)
		}
		if len(services) != 0 {
			t.Fatalf("bad requests wrote %d services: %+v", len(services), services)
		}
	})
}

func TestDeleteHonoursIfUnmodifiedSince(t *testing.T) {
	e := newTestEnv(t)
	pid := e.project("demo")
	path := fmt.Sprintf("/api/v4/projects/%d/services/asana", pid)
	e.must(200, "PUT", path, e.root, `{"api_key":"k"}`)
	old := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	r := e.must(412, "DELETE", path, e.root, nil, "If-Unmodified-Since", old)
	if got := strings.TrimSpace(string(r.body)); got != `{"message":"412 Precondition Failed"}` {
		t.Fatalf("body %s", got)
	}
	if !e.must(200, "GET", path, e.root, nil).json(t)["active"].(bool) {
		t.Fatal("a refused DELETE deactivated the service")
	}
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	e.must(204, "DELETE", path, e.root, nil, "If-Unmodified-Since", future)
}
