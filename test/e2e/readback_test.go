package e2e

// Process-level tests of what glint reads back rather than sends: the
// build status of a commit from the six CI services GitLab asks (stand-ins
// on 127.0.0.1 answering as the real ones: XML for Bamboo and TeamCity,
// JSON for Buildkite, Drone and MockCI, HTML for Jenkins), the issue
// trackers' probe and issue links, and the Tests and queries of External
// Wiki and Prometheus, all through a running glint's API.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/integration/readbacktest"
	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
)

const readbackSHA = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"

type commitStatusJSON struct {
	Status    string  `json:"status"`
	BuildPage *string `json:"build_page"`
}

// ciStandIn answers each CI's status request by path.
type ciStandIn struct {
	mu      sync.Mutex
	answers map[string]string // path -> body
	asked   []string
}

func (c *ciStandIn) serve(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.asked = append(c.asked, r.Method+" "+r.URL.Path)
	body, ok := c.answers[r.URL.Path]
	c.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Write([]byte(body))
}

func TestReadBacksEndToEnd(t *testing.T) {
	ci := &ciStandIn{answers: map[string]string{
		"/bamboo/rest/api/latest/result/byChangeset/" + readbackSHA:                   `<results><results size="1"><result key="PRJ-PLAN-3"><planResultKey><key>PRJ-PLAN-3</key></planResultKey><buildState>Successful</buildState></result></results></results>`,
		"/status/e2eStatusTok.json":                                                   `{"status":"running"}`,
		"/drone/gitlab/root/ci/commits/" + readbackSHA:                                `{"status":"killed"}`,
		"/tc/httpAuth/app/rest/builds/branch:unspecified:any,revision:" + readbackSHA: `<build id="99" status="FAILURE"/>`,
		"/job/app/scm/bySHA1/" + readbackSHA:                                          `<html><body><h1 class="build-caption"><img src="/static/blue_anime.gif"></h1></body></html>`,
		"/mock/root/ci/status/" + readbackSHA + ".json":                               `{"status":"success-with-warnings"}`,
		"/wiki":         "<html>the wiki</html>",
		"/tracker":      "",
		"/api/v1/query": `{"status":"success","data":{"resultType":"vector","result":[]}}`,
	}}
	base := readbacktest.StandIn(t, false, ci.serve)
	tlsBase := readbacktest.StandIn(t, true, ci.serve)

	p := deliveryNode(t, "readbacks", t.TempDir(), nil, "--endpoint-override", "https://gitlab.buildkite.com="+tlsBase)
	token := rootToken(t, p)
	pj := createProject(t, p, token, "ci")
	svc := func(slug string) string { return p.url(fmt.Sprintf("/api/v4/projects/%d/services/%s", pj.ID, slug)) }
	settings := map[string]url.Values{
		"bamboo":             {"bamboo_url": {base + "/bamboo"}, "build_key": {"PRJ-PLAN"}, "username": {"u"}, "password": {"p"}},
		"buildkite":          {"token": {"e2eHookTok:e2eStatusTok"}, "project_url": {"https://buildkite.com/acme/ci"}},
		"drone-ci":           {"token": {"e2eDrone"}, "drone_url": {base + "/drone/"}},
		"teamcity":           {"teamcity_url": {base + "/tc"}, "build_type": {"Ci_Build"}, "username": {"u"}, "password": {"p"}},
		"jenkins-deprecated": {"project_url": {base + "/job/app"}},
		"mock-ci":            {"mock_service_url": {base + "/mock"}},
	}
	want := map[string]struct{ status, page string }{
		"bamboo":             {"success", base + "/bamboo/browse/PRJ-PLAN-3"},
		"buildkite":          {"running", "https://buildkite.com/acme/ci/builds?commit=" + readbackSHA},
		"drone-ci":           {"canceled", base + "/drone/gitlab/root/ci/redirect/commits/" + readbackSHA + "?branch=master"},
		"teamcity":           {"failed", base + "/tc/viewLog.html?buildId=99&buildTypeId=Ci_Build"},
		"jenkins-deprecated": {"running", base + "/job/app/scm/bySHA1/" + readbackSHA},
		"mock-ci":            {"success-with-warnings", base + "/mock/root/ci/status/" + readbackSHA},
	}
	for slug, form := range settings {
		call(t, "PUT", svc(slug), token, form, 200, nil)
		var got commitStatusJSON
		u := svc(slug) + "/commit_status?sha=" + readbackSHA + "&ref=master"
		waitFor(t, 10*time.Second, slug+" status", func() (bool, string) {
			call(t, "GET", u, token, nil, 200, &got)
			return got.Status != "pending", got.Status
		})
		w := want[slug]
		if got.Status != w.status || got.BuildPage == nil || *got.BuildPage != w.page {
			page := "<nil>"
			if got.BuildPage != nil {
				page = *got.BuildPage
			}
			t.Errorf("%s: status %q page %q, want %q %q", slug, got.Status, page, w.status, w.page)
		}
	}
	// A CI that fails is "error", never a 5xx; another commit is another key.
	var got commitStatusJSON
	waitFor(t, 10*time.Second, "unknown commit", func() (bool, string) {
		call(t, "GET", svc("drone-ci")+"/commit_status?sha=0000&ref=master", token, nil, 200, &got)
		return got.Status != "pending", got.Status
	})
	if got.Status != "error" {
		t.Errorf("drone 404: %q", got.Status)
	}
	call(t, "GET", svc("slack")+"/commit_status?sha=x", token, nil, 404, nil)

	// MockCI sends nothing on events, even with push_events on.
	hookToken := setIntakeToken(t, p, token, pj.ID)
	call(t, "PUT", svc("redmine"), token, url.Values{"project_url": {base + "/tracker"}, "issues_url": {base + "/issues/:id"}, "new_issue_url": {base + "/new"}}, 200, nil)
	mustHook(t, p, pj.ID, hookToken, "Push Hook", "", fixture(t, "push.json"), 202)
	waitFor(t, 10*time.Second, "the tracker's probe", func() (bool, string) {
		ci.mu.Lock()
		defer ci.mu.Unlock()
		return strings.Contains(strings.Join(ci.asked, "\n"), "HEAD /tracker"), strings.Join(ci.asked, ", ")
	})
	var deliveries []deliveryJSON
	waitFor(t, 10*time.Second, "the probe's delivery", func() (bool, string) {
		call(t, "GET", svc("redmine")+"/deliveries", token, nil, 200, &deliveries)
		return len(deliveries) == 1 && deliveries[0].Status == "delivered", fmt.Sprint(deliveries)
	})
	var mock []deliveryJSON
	call(t, "GET", svc("mock-ci")+"/deliveries", token, nil, 200, &mock)
	if len(mock) != 0 {
		t.Errorf("MockCI got %d deliveries", len(mock))
	}

	// The tracker's issue links and Test.
	var link map[string]string
	call(t, "GET", svc("redmine")+"/issue_url?ref=%2342", token, nil, 200, &link)
	if link["issue_url"] != base+"/issues/42" {
		t.Errorf("issue_url: %v", link)
	}
	call(t, "GET", svc("redmine")+"/issue_url?ref=nope", token, nil, 404, nil)
	var outcome map[string]any
	call(t, "POST", svc("redmine")+"/test", token, nil, 200, &outcome)
	if outcome["success"] != true || outcome["response"] != "RedmineService received response 200 when attempting to connect to "+base+"/tracker" {
		t.Errorf("redmine test: %v", outcome)
	}

	// External Wiki and Prometheus: their Tests and Prometheus' queries.
	call(t, "PUT", svc("external-wiki"), token, url.Values{"external_wiki_url": {base + "/wiki"}}, 200, nil)
	call(t, "POST", svc("external-wiki")+"/test", token, nil, 200, &outcome)
	if outcome["success"] != true || outcome["response"] != "<html>the wiki</html>" {
		t.Errorf("wiki test: %v", outcome)
	}
	call(t, "PUT", svc("prometheus"), token, url.Values{"api_url": {base}}, 200, nil)
	call(t, "POST", svc("prometheus")+"/test", token, nil, 200, &outcome)
	if outcome["success"] != true || outcome["response"] != "Checked API endpoint" {
		t.Errorf("prometheus test: %v", outcome)
	}
	r := call(t, "GET", svc("prometheus")+"/query?query=up", token, nil, 200, nil)
	var data map[string]any
	if err := json.Unmarshal(r.body, &data); err != nil || data["resultType"] != "vector" {
		t.Errorf("query: %s", r.body)
	}
	call(t, "GET", svc("prometheus")+"/query_range?query=up", token, nil, 502, nil) // the stand-in has no query_range: 404 -> GitLab's "404 - ..."
}

// TestReadBacksTwoNodesPostgres: the reactive cache lives in the
// database: a commit status fetched through one node is answered by the
// other from the cache, without asking the CI again.
func TestReadBacksTwoNodesPostgres(t *testing.T) {
	dsn := pgtest.Postgres(t)
	env := []string{"GLINT_SECRET_KEY=" + newSecretKey(t)}
	a := serve(t, "A", filepath.Join(t.TempDir(), "A"), env, "--database", dsn, "--allow-local-requests")
	a.waitReady(30 * time.Second)
	b := serve(t, "B", filepath.Join(t.TempDir(), "B"), env, "--database", dsn, "--allow-local-requests")
	b.waitReady(30 * time.Second)
	token := rootToken(t, a)

	var mu sync.Mutex
	hits := 0
	base := readbacktest.StandIn(t, false, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		w.Write([]byte(`{"status":"failed"}`))
	})
	pj := createProject(t, a, token, "shared")
	call(t, "PUT", a.url(fmt.Sprintf("/api/v4/projects/%d/services/mock-ci", pj.ID)), token, url.Values{"mock_service_url": {base}}, 200, nil)
	path := fmt.Sprintf("/api/v4/projects/%d/services/mock-ci/commit_status?sha=%s&ref=master", pj.ID, readbackSHA)
	var got commitStatusJSON
	waitFor(t, 10*time.Second, "node A's status", func() (bool, string) {
		call(t, "GET", a.url(path), token, nil, 200, &got)
		return got.Status != "pending", got.Status
	})
	call(t, "GET", b.url(path), token, nil, 200, &got)
	if got.Status != "failed" || got.BuildPage == nil || *got.BuildPage != base+"/root/shared/status/"+readbackSHA {
		t.Errorf("node B: %+v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if hits != 1 {
		t.Errorf("the CI was asked %d times, want once for both nodes", hits)
	}
}
