package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/glint-dev/glint/internal/integration/readbacktest"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

var localPolicy = settings.Policy{AllowLocal: true}

// TestCommitStatus: GET .../services/:slug/commit_status answers the CI's
// status of a commit to Developers and above, "error" (never a 5xx) when
// the CI fails, 404 for a service without read-back or not active, and
// GitLab's 400 for a missing sha; the same on every engine.
func TestCommitStatus(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newTestEnvOn(t, eng, localPolicy)
		id := e.project("app")
		var mu sync.Mutex
		answer := map[string]string{}
		base := readbacktest.StandIn(t, false, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			body, ok := answer[r.URL.Path]
			mu.Unlock()
			if !ok {
				w.WriteHeader(500)
				return
			}
			w.Write([]byte(body))
		})
		answer["/root/app/status/aaa.json"] = `{"status":"running"}`
		svc := fmt.Sprintf("/api/v4/projects/%d/services/", id)
		e.must(200, "PUT", svc+"mock-ci", e.root, map[string]any{"mock_service_url": base})

		got := e.must(200, "GET", svc+"mock-ci/commit_status?sha=aaa&ref=main", e.root, nil).json(t)
		if got["status"] != "running" || got["build_page"] != base+"/root/app/status/aaa" {
			t.Errorf("running: %v", got)
		}
		got = e.must(200, "GET", svc+"mock-ci/commit_status?sha=bbb", e.root, nil).json(t)
		if got["status"] != "error" || got["build_page"] != base+"/root/app/status/bbb" {
			t.Errorf("CI answering 500: %v", got)
		}

		dev, devToken := e.user("dev")
		rep, repToken := e.user("rep")
		e.member(id, dev.ID, store.Developer)
		e.member(id, rep.ID, store.Reporter)
		e.must(200, "GET", svc+"mock-ci/commit_status?sha=aaa", devToken, nil)
		e.must(403, "GET", svc+"mock-ci/commit_status?sha=aaa", repToken, nil)

		if r := e.must(400, "GET", svc+"mock-ci/commit_status", e.root, nil); !strings.Contains(string(r.body), "sha is missing") {
			t.Errorf("no sha: %s", r.body)
		}
		e.must(404, "GET", svc+"slack/commit_status?sha=aaa", e.root, nil)
		e.must(404, "GET", svc+"bamboo/commit_status?sha=aaa", e.root, nil)
		e.must(400, "GET", svc+"nosuch/commit_status?sha=aaa", e.root, nil)
	})
}

// TestIssueTrackers: issue_url renders references of the tracker's
// pattern. A second active tracker is accepted, as GitLab's Services API
// accepts it (its one_issue_tracker validation runs on its settings pages
// only: settings.OneIssueTracker).
func TestIssueTrackers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newTestEnvOn(t, eng, localPolicy)
		id := e.project("app")
		svc := fmt.Sprintf("/api/v4/projects/%d/services/", id)
		tracker := map[string]any{"project_url": "https://tracker.example.com/p", "issues_url": "https://tracker.example.com/i/:id", "new_issue_url": "https://tracker.example.com/new"}
		e.must(200, "PUT", svc+"redmine", e.root, tracker)
		e.must(200, "PUT", svc+"bugzilla", e.root, tracker)

		got := e.must(200, "GET", svc+"redmine/issue_url?ref="+url.QueryEscape("#42"), e.root, nil).json(t)
		if got["issue_url"] != "https://tracker.example.com/i/42" {
			t.Errorf("#42: %v", got)
		}
		got = e.must(200, "GET", svc+"redmine/issue_url?ref=PROJ-7", e.root, nil).json(t)
		if got["issue_url"] != "https://tracker.example.com/i/7" {
			t.Errorf("PROJ-7: %v", got)
		}
		e.must(404, "GET", svc+"redmine/issue_url?ref=nope", e.root, nil)
		e.must(400, "GET", svc+"redmine/issue_url", e.root, nil)
		e.must(404, "GET", svc+"slack/issue_url?ref=%2342", e.root, nil)

		e.must(204, "DELETE", svc+"redmine", e.root, nil)
		e.must(404, "GET", svc+"redmine/issue_url?ref=%2342", e.root, nil)
		e.must(404, "GET", svc+"custom-issue-tracker/issue_url?ref=%2342", e.root, nil)
		e.must(200, "PUT", svc+"youtrack", e.root, tracker)
		got = e.must(200, "GET", svc+"youtrack/issue_url?ref=gl-030", e.root, nil).json(t)
		if got["issue_url"] != "https://tracker.example.com/i/gl-030" {
			t.Errorf("gl-030: %v", got)
		}
	})
}

// TestPrometheusQueries: query and query_range pass through to api_url
// with GitLab's step rule, for Maintainers; Prometheus' data comes back
// as it is, its query errors as 400 with their text, other failures as
// 502 with GitLab's "<code> - <body>".
func TestPrometheusQueries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newTestEnvOn(t, eng, localPolicy)
		id := e.project("app")
		var mu sync.Mutex
		var asked []string
		base := readbacktest.StandIn(t, false, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			asked = append(asked, r.URL.Path+"?"+r.URL.RawQuery)
			mu.Unlock()
			switch r.URL.Query().Get("query") {
			case "bad(":
				w.WriteHeader(400)
				w.Write([]byte(`{"status":"error","errorType":"bad_data","error":"parse error"}`))
			case "down":
				w.WriteHeader(503)
				w.Write([]byte("Service Unavailable"))
			case "nodata":
				w.Write([]byte(`{"status":"warning"}`))
			default:
				w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`))
			}
		})
		svc := fmt.Sprintf("/api/v4/projects/%d/services/prometheus", id)
		e.must(200, "PUT", svc, e.root, map[string]any{"api_url": base})

		r := e.must(200, "GET", svc+"/query?query=up&time=1577836800", e.root, nil)
		if string(r.body) != `{"resultType":"vector","result":[]}` {
			t.Errorf("data: %s", r.body)
		}
		if r := e.must(400, "GET", svc+"/query?query=bad(", e.root, nil); strings.TrimSpace(string(r.body)) != `{"message":"parse error"}` {
			t.Errorf("query error: %s", r.body)
		}
		if r := e.must(502, "GET", svc+"/query?query=down", e.root, nil); strings.TrimSpace(string(r.body)) != `{"message":"503 - Service Unavailable"}` {
			t.Errorf("503: %s", r.body)
		}
		if r := e.must(200, "GET", svc+"/query?query=nodata", e.root, nil); string(r.body) != "null" {
			t.Errorf("no success status: %s", r.body)
		}
		e.must(400, "GET", svc+"/query", e.root, nil)
		e.must(400, "GET", svc+"/query?query=up&time=yesterday", e.root, nil)
		e.must(200, "GET", svc+"/query_range?query=up&start=1577808000&end=1577894400", e.root, nil)
		e.must(200, "GET", svc+"/query_range?query=up&start=1577808000&end=1577811600&step=15", e.root, nil)
		e.must(200, "GET", svc+"/query_range?query=up&start=1577808000&end=1577811600&step=300", e.root, nil)
		mu.Lock()
		want := []string{
			"/api/v1/query?query=up&time=1577836800.0",
			"/api/v1/query_range?query=up&start=1577808000.0&end=1577894400.0&step=144",
			"/api/v1/query_range?query=up&start=1577808000.0&end=1577811600.0&step=60",
			"/api/v1/query_range?query=up&start=1577808000.0&end=1577811600.0&step=300",
		}
		got := []string{asked[0], asked[len(asked)-3], asked[len(asked)-2], asked[len(asked)-1]}
		mu.Unlock()
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("request %d: %s, want %s", i, got[i], want[i])
			}
		}

		dev, devToken := e.user("dev")
		e.member(id, dev.ID, store.Developer)
		e.must(403, "GET", svc+"/query?query=up", devToken, nil)
	})
}
