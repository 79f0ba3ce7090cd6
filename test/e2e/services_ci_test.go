package e2e

// Process-level tests of the CI, package and tracker services: Atlassian
// Bamboo, Buildkite, Drone CI, JetBrains TeamCity, Jenkins CI, Jenkins CI
// (Deprecated), Packagist, GitHub (pipeline statuses), Asana, Assembla and
// Pivotal Tracker. As in TestServicesEndToEnd, the GitLab webhook fixtures
// posted to one running glint reach a stand-in for each service's target
// on 127.0.0.1 as exactly the requests the service's Build makes, and a
// target refusing shows it in the delivery log and in "Test settings".
// The services with a URL setting point it at their stand-in; those with
// a fixed endpoint (Buildkite, GitHub, Asana, Assembla, Pivotal Tracker)
// reach it through --endpoint-override.

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

// Secrets of the CI services, none of which may show in the delivery log
// or the test's answers.
const (
	bambooPassword    = "e2eB4mb00P4ss"
	buildkiteWebhook  = "e2eBk1t3W3bh00k"
	buildkiteStatus   = "e2eBk1t3St4tus"
	droneToken        = "e2eDr0n3T0k3n"
	teamcityPassword  = "e2eT34mC1tyP4ss"
	jenkinsPassword   = "e2eJ3nk1nsP4ss"
	jenkinsURLPass    = "e2eJ3nk1nsH00kP4ss" // in the deprecated service's project_url
	packagistToken    = "e2eP4ck4g1stT0k3n"
	githubToken       = "e2eG1thubT0k3n"
	asanaKey          = "e2eAs4n4K3y"
	assemblaToken     = "e2eAss3mbl4T0k3n"
	pivotalTokenValue = "e2eP1v0t4lT0k3n"
)

// ciFixtures are serviceFixtures and the variants these services tell
// apart: commits naming Asana tasks, the same pushed to a branch the
// restrict_to_branch settings leave out, a tag push bringing a commit, a
// merge request whose mergeability was already checked, and pipelines
// GitHub maps to "error" and to no state at all.
var ciFixtures = append(slices.Clip(serviceFixtures),
	serviceFixture{"push_tasks", "push.json", "Push Hook", withAsanaTasks},
	serviceFixture{"push_other_branch", "push.json", "Push Hook", func(m map[string]any) {
		withAsanaTasks(m)
		m["ref"] = "refs/heads/e2e-feature"
	}},
	serviceFixture{"tag_push_commits", "tag_push.json", "Tag Push Hook", func(m map[string]any) {
		m["commits"] = []any{map[string]any{
			"id": m["after"], "message": "Release v1.0.0", "timestamp": "2019-11-22T12:00:00+00:00",
			"url":    "http://example.com/jsmith/example/commit/" + m["after"].(string),
			"author": map[string]any{"name": "John Smith", "email": "john@example.com"}, "added": []any{}, "modified": []any{"VERSION"}, "removed": []any{},
		}}
		m["total_commits_count"] = 1
	}},
	serviceFixture{"merge_request_checked", "merge_request.json", "Merge Request Hook", func(m map[string]any) {
		attrs(m)["merge_status"] = "can_be_merged"
		attrs(m)["action"] = "update"
	}},
	serviceFixture{"pipeline_canceled", "pipeline.json", "Pipeline Hook", func(m map[string]any) {
		attrs(m)["status"], attrs(m)["detailed_status"] = "canceled", "canceled"
	}},
	serviceFixture{"pipeline_scheduled", "pipeline.json", "Pipeline Hook", func(m map[string]any) {
		attrs(m)["status"], attrs(m)["detailed_status"] = "scheduled", "delayed"
	}},
)

// withAsanaTasks makes the push's two commits name Asana tasks: 1234 and
// 2222 (by URL) are commented on, 5678 commented on and completed.
func withAsanaTasks(m map[string]any) {
	commits := m["commits"].([]any)
	commits[0].(map[string]any)["message"] = "Update Catalan translation, see #1234 and https://app.asana.com/0/1111/2222"
	commits[1].(map[string]any)["message"] = "Fixes #5678: fixed readme"
}

// The fixtures of ciFixtures by event kind.
var (
	ciPushes    = []string{"push", "push_branch_deleted", "push_tasks", "push_other_branch"}
	ciTagPushes = []string{"tag_push", "tag_push_commits"}
	ciMRs       = []string{"merge_request", "merge_request_checked"}
	ciPipelines = []string{"pipeline", "pipeline_failed", "pipeline_running", "pipeline_canceled", "pipeline_scheduled"}
)

func basicAuth(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// gitlabHookPayload decodes a service hook's body: a GitLab payload of
// one of kinds.
func gitlabHookPayload(r integrationtest.Request, kinds ...string) (map[string]any, bool) {
	var m map[string]any
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.Unmarshal(r.Body, &m) != nil {
		return nil, false
	}
	kind, _ := m["object_kind"].(string)
	return m, slices.Contains(kinds, kind)
}

// str is the string at a dotted path of a decoded JSON object.
func str(m map[string]any, path string) string {
	var v any = m
	for name := range strings.SplitSeq(path, ".") {
		obj, _ := v.(map[string]any)
		v = obj[name]
	}
	s, _ := v.(string)
	return s
}

var (
	asanaStoryPath = regexp.MustCompile(`^/api/1\.0/tasks/(\w+)/stories$`)
	asanaTaskPath  = regexp.MustCompile(`^/api/1\.0/tasks/(\w+)$`)
	githubStatus   = regexp.MustCompile(`^/repos/owner/repo/statuses/[0-9a-f]{40}$`)
)

// The stand-ins' answers to what they take, after the real services'
// (the bodies are representative: glint only shows them).
const (
	bambooOK     = `<response><success>A build of E2E-PLAN was triggered by remote http call.</success></response>`
	buildkiteOK  = `{"message":"Webhook received"}`
	droneOK      = `{"id":1,"number":1,"status":"pending"}`
	teamcityOK   = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><build id="100" buildTypeId="E2E_Build" state="queued" href="/httpAuth/app/rest/buildQueue/id:100"/>`
	jenkinsOldOK = "Scheduled a build of e2e-project"
	packagistOK  = `{"status":"success","jobs":["e2e5d2b2b0a1"]}`
	githubOK     = `{"url":"https://api.github.com/repos/owner/repo/statuses/bcbb5ec396a2c0f828686f14fac9b80b780504f2","id":1,"context":"ci/gitlab/127.0.0.1"}`
	asanaOK      = `{"data":{"gid":"5678","resource_type":"task","completed":true}}`
	assemblaOK   = "OK"
	pivotalOK    = `[]`
)

// TestCIServicesEndToEnd: for the CI, package and tracker services, one
// glint delivers the GitLab fixtures (and ciFixtures' variants) to a
// stand-in for each service's target, which receives exactly what the
// service's Build makes for glint's project, and nothing for the events
// the service does not take; each delivery is logged delivered, or
// skipped where the service's rules leave nothing to send (Drone's and
// TeamCity's push validations, restrict_to_branch, GitHub's unmapped
// statuses, commits naming no Asana task). "Test settings" sends the
// sample push as Build makes it, or answers that there is nothing to send
// (GitHub, which takes pipelines only; Asana, whose sample commit names no
// task). Then each target refuses as the real service does: an event it
// takes fails, showing the target's answer, and so does "Test settings"
// where it sends something. No secret shows in the log or the answers.
func TestCIServicesEndToEnd(t *testing.T) {
	began := time.Now()

	bambooAuth := basicAuth("e2e-bamboo", bambooPassword)
	bamboo := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		q, err := url.ParseQuery(r.Query)
		switch {
		case r.Method != "GET" || r.Path != "/bamboo/updateAndBuild.action" || err != nil:
			return 404, "", "not the update-and-build action"
		case r.Header.Get("Authorization") != bambooAuth || q.Get("os_authType") != "basic":
			return 401, bambooRefusal, "no basic auth of the user"
		case q.Get("buildKey") != "E2E-PLAN" || len(q) != 2:
			return 404, "", "not the plan's build key"
		case len(r.Body) != 0:
			return 400, "", "a body"
		}
		return 200, bambooOK, ""
	}, func(integrationtest.Request) (int, string) { return 401, bambooRefusal })

	buildkite := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		switch {
		case r.Method != "POST" || r.Path != "/deliver/"+buildkiteWebhook || r.Query != "":
			return 404, `{"message":"Not Found"}`, "not the project's webhook"
		case r.Header.Get("X-Gitlab-Event") != "Service Hook":
			return 400, `{"message":"Unsupported event"}`, "not a service hook"
		}
		if _, ok := gitlabHookPayload(r, "push"); !ok {
			return 400, `{"message":"Unsupported event"}`, "not a push payload"
		}
		return 200, buildkiteOK, ""
	}, func(integrationtest.Request) (int, string) { return 404, `{"message":"Not Found"}` })

	drone := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		switch {
		case r.Method != "POST" || r.Path != "/drone/api/hook":
			return 404, "404 page not found\n", "not the hook"
		case r.Query != "owner=root&name=svc-drone-ci&access_token="+droneToken:
			return 401, "Unauthorized\n", "not the repository and its token"
		}
		if _, ok := gitlabHookPayload(r, "push", "tag_push", "merge_request"); !ok {
			return 400, "Unsupported hook\n", "not a push, tag push or merge request payload"
		}
		return 200, droneOK, ""
	}, func(integrationtest.Request) (int, string) { return 401, "Unauthorized\n" })

	teamcityAuth := basicAuth("e2e-tc", teamcityPassword)
	teamcity := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		var b struct {
			XMLName   xml.Name `xml:"build"`
			Branch    *string  `xml:"branchName,attr"`
			BuildType struct {
				ID string `xml:"id,attr"`
			} `xml:"buildType"`
		}
		switch {
		case r.Method != "POST" || r.Path != "/teamcity/httpAuth/app/rest/buildQueue":
			return 404, "", "not the build queue"
		case r.Header.Get("Authorization") != teamcityAuth:
			return 401, teamcityRefusal, "no basic auth of the user"
		case r.Header.Get("Content-Type") != "application/xml" || xml.Unmarshal(r.Body, &b) != nil:
			return 415, "", "not an XML build"
		case b.BuildType.ID != "E2E_Build":
			return 404, "No build type nor template is found by id '" + b.BuildType.ID + "'.", "not the build type"
		case b.Branch == nil || *b.Branch == "":
			return 400, "", "no branch"
		}
		return 200, teamcityOK, ""
	}, func(integrationtest.Request) (int, string) { return 401, teamcityRefusal })

	jenkinsAuth := basicAuth("e2e-jenkins", jenkinsPassword)
	jenkins := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		switch {
		case r.Method != "POST" || r.Path != "/jenkins/project/e2e-project" || r.Query != "":
			return 404, "", "not the project's endpoint"
		case r.Header.Get("Authorization") != jenkinsAuth:
			return 401, jenkinsRefusal, "no basic auth of the user"
		}
		m, ok := gitlabHookPayload(r, "push", "tag_push", "merge_request")
		hook := map[string]string{"push": "Push Hook", "tag_push": "Tag Push Hook", "merge_request": "Merge Request Hook"}[str(m, "object_kind")]
		if !ok || r.Header.Get("X-Gitlab-Event") != hook {
			return 400, "", "not a push, tag push or merge request under its own header"
		}
		return 200, "", ""
	}, func(integrationtest.Request) (int, string) { return 401, jenkinsRefusal })

	jenkinsOldAuth := basicAuth("e2e-hook", jenkinsURLPass)
	jenkinsOld := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		switch {
		case r.Method != "POST" || r.Path != "/ci/gitlab/build_now" || r.Query != "":
			return 404, "", "not the GitLab Hook plugin's build_now"
		case r.Header.Get("Authorization") != jenkinsOldAuth:
			return 401, jenkinsRefusal, "no basic auth from the project URL"
		case r.Header.Get("X-Gitlab-Event") != "Service Hook":
			return 400, "", "not a service hook"
		}
		if m, ok := gitlabHookPayload(r, "push"); !ok || str(m, "repository.url") == "" {
			return 400, "", "not a push naming its repository"
		}
		return 200, jenkinsOldOK, ""
	}, func(integrationtest.Request) (int, string) { return 401, jenkinsRefusal })

	packagist := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		switch {
		case r.Method != "POST" || r.Path != "/api/update-package":
			return 404, "", "not the update-package API"
		case r.Query != "username=e2e-packagist&apiToken="+packagistToken:
			return 403, packagistRefusal, "not the user's API token"
		}
		m, ok := gitlabHookPayload(r, "push", "tag_push", "merge_request")
		if !ok || !strings.HasSuffix(str(m, "project.git_http_url"), ".git") {
			return 406, `{"status":"error","message":"Missing payload parameter"}`, "no GitLab payload with project.git_http_url"
		}
		return 202, packagistOK, ""
	}, func(integrationtest.Request) (int, string) { return 403, packagistRefusal })

	github := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		var s map[string]any
		switch {
		case r.Header.Get("Authorization") != "token "+githubToken:
			return 401, githubRefusal, "not the token"
		case r.Header.Get("User-Agent") == "":
			return 403, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header.", "no User-Agent"
		case r.Method != "POST" || !githubStatus.MatchString(r.Path) || r.Query != "":
			return 404, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`, "not the statuses of a commit of owner/repo"
		case !strings.HasPrefix(r.Header.Get("Accept"), "application/vnd.github") || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &s) != nil:
			return 400, `{"message":"Problems parsing JSON"}`, "not JSON for the v3 API"
		}
		state, context, description := str(s, "state"), str(s, "context"), str(s, "description")
		target, err := url.Parse(str(s, "target_url"))
		switch {
		case !slices.Contains([]string{"pending", "success", "failure", "error"}, state):
			return 422, githubInvalid("state"), "no valid state"
		case context == "" || utf8.RuneCountInString(context) > 255:
			return 422, githubInvalid("context"), "no valid context"
		case utf8.RuneCountInString(description) > 140:
			return 422, githubInvalid("description"), "description too long"
		case err != nil || (target.Scheme != "http" && target.Scheme != "https"):
			return 422, githubInvalid("target_url"), "target_url not a URL"
		}
		return 201, githubOK, ""
	}, func(integrationtest.Request) (int, string) { return 401, githubRefusal })

	asana := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		var body struct {
			Data map[string]any `json:"data"`
		}
		story, task := asanaStoryPath.FindStringSubmatch(r.Path), asanaTaskPath.FindStringSubmatch(r.Path)
		switch {
		case r.Header.Get("Authorization") != "Bearer "+asanaKey:
			return 401, asanaRefusal, "not the api key"
		case r.Method == "GET" && task != nil:
			// GitLab reads each task first (Task.find_by_id).
			if !slices.Contains([]string{"1234", "2222", "5678"}, task[1]) {
				return 404, asanaError("task: Unknown object: " + task[1]), ""
			}
			return 200, `{"data":{"gid":"` + task[1] + `","resource_type":"task","completed":false}}`, ""
		case r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &body) != nil || body.Data == nil:
			return 400, asanaError("Could not parse request data, invalid JSON"), "not JSON with data"
		}
		switch {
		case r.Method == "POST" && story != nil:
			if !slices.Contains([]string{"1234", "2222", "5678"}, story[1]) {
				return 404, asanaError("task: Unknown object: " + story[1]), "an unknown task"
			}
			if text, _ := body.Data["text"].(string); text == "" {
				return 400, asanaError("text: Missing input"), "no text"
			}
			return 201, `{"data":{"gid":"90001","resource_type":"story","type":"comment"}}`, ""
		case r.Method == "PUT" && task != nil:
			if !slices.Contains([]string{"1234", "2222", "5678"}, task[1]) {
				return 404, asanaError("task: Unknown object: " + task[1]), "an unknown task"
			}
			if body.Data["completed"] != true || len(body.Data) != 1 {
				return 400, asanaError("completed: Not a boolean"), "not a completion"
			}
			return 200, `{"data":{"gid":"` + task[1] + `","resource_type":"task","completed":true}}`, ""
		}
		return 404, asanaError("No matching route for request"), "neither a task's stories nor a task"
	}, func(integrationtest.Request) (int, string) { return 401, asanaRefusal })

	assembla := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		var body struct {
			Payload map[string]any `json:"payload"`
		}
		switch {
		case r.Method != "POST" || r.Path != "/spaces/e2e-space/github_tool":
			return 404, "Not Found", "not the space's GitHub tool"
		case r.Query != "secret_key="+assemblaToken:
			return 403, assemblaRefusal, "not the space's secret key"
		case r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &body) != nil || len(body.Payload) == 0:
			return 400, "Bad Request", "not JSON with a payload"
		case str(body.Payload, "object_kind") != "push" || str(body.Payload, "ref") == "" || body.Payload["commits"] == nil:
			return 400, "Bad Request", "the payload is not a push with its commits"
		}
		return 200, assemblaOK, ""
	}, func(integrationtest.Request) (int, string) { return 403, assemblaRefusal })

	pivotal := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		var body struct {
			SourceCommit map[string]any `json:"source_commit"`
		}
		switch {
		case r.Method != "POST" || r.Path != "/services/v5/source_commits" || r.Query != "":
			return 404, `{"code":"route_not_found","kind":"error","error":"The path you requested has no valid endpoint."}`, "not the source commits endpoint"
		case r.Header.Get("X-TrackerToken") != pivotalTokenValue:
			return 403, pivotalRefusal, "not the token"
		case r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &body) != nil:
			return 400, `{"code":"invalid_parameter","kind":"error","error":"One or more request parameters was missing or invalid."}`, "not JSON"
		case str(body.SourceCommit, "commit_id") == "" || str(body.SourceCommit, "message") == "":
			return 400, `{"code":"invalid_parameter","kind":"error","error":"One or more request parameters was missing or invalid."}`, "no commit id or message"
		}
		return 200, pivotalOK, ""
	}, func(integrationtest.Request) (int, string) { return 403, pivotalRefusal })

	all := slices.Concat(ciPushes, ciTagPushes, ciMRs)
	cases := []*serviceCase{
		// Every push triggers Bamboo, branch deletions too.
		{slug: "bamboo", target: bamboo, okStatus: 200, okBody: bambooOK, secrets: []string{bambooPassword, bambooAuth},
			props:   map[string]any{"bamboo_url": bamboo.rec.URL + "/bamboo/", "build_key": "E2E-PLAN", "username": "e2e-bamboo", "password": bambooPassword},
			accepts: ciPushes, sends: ciPushes},
		// Buildkite takes its merge request and tag push flags but, in
		// 12.5, acts on pushes only.
		{slug: "buildkite", target: buildkite, okStatus: 200, okBody: buildkiteOK, secrets: []string{buildkiteWebhook, buildkiteStatus},
			props:   map[string]any{"token": buildkiteWebhook + ":" + buildkiteStatus, "project_url": "https://buildkite.com/e2e/project", "enable_ssl_verification": true},
			accepts: all, sends: ciPushes},
		// Drone: pushes and tag pushes that bring commits, merge requests
		// awaiting their mergeability check.
		{slug: "drone-ci", target: drone, okStatus: 200, okBody: droneOK, secrets: []string{droneToken},
			props:   map[string]any{"token": droneToken, "drone_url": drone.rec.URL + "/drone", "enable_ssl_verification": true},
			accepts: all, sends: []string{"push", "push_tasks", "push_other_branch", "tag_push_commits", "merge_request"}},
		// TeamCity takes pushes and merge requests (TeamcityService's
		// supported_events %w(push merge_request)); a merge request is
		// built only while its mergeability is unchecked.
		{slug: "teamcity", target: teamcity, okStatus: 200, okBody: teamcityOK, secrets: []string{teamcityPassword, teamcityAuth},
			props:   map[string]any{"teamcity_url": teamcity.rec.URL + "/teamcity", "build_type": "E2E_Build", "username": "e2e-tc", "password": teamcityPassword},
			accepts: append(slices.Clip(ciPushes), ciMRs...), sends: []string{"push", "push_tasks", "push_other_branch", "merge_request"}},
		{slug: "jenkins", target: jenkins, okStatus: 200, okBody: "", secrets: []string{jenkinsPassword, jenkinsAuth},
			props:   map[string]any{"jenkins_url": jenkins.rec.URL + "/jenkins", "project_name": "e2e-project", "username": "e2e-jenkins", "password": jenkinsPassword},
			accepts: all, sends: all},
		// The deprecated one takes its merge request flag, but pushes only.
		{slug: "jenkins-deprecated", target: jenkinsOld, okStatus: 200, okBody: jenkinsOldOK, secrets: []string{jenkinsURLPass, jenkinsOldAuth},
			props: map[string]any{"project_url": strings.Replace(jenkinsOld.rec.URL, "http://", "http://e2e-hook:"+jenkinsURLPass+"@", 1) + "/ci/job/e2e-project/",
				"multiproject_enabled": false, "pass_unstable": false},
			accepts: slices.Concat(ciPushes, ciMRs), sends: ciPushes},
		{slug: "packagist", target: packagist, okStatus: 202, okBody: packagistOK, secrets: []string{packagistToken},
			props:   map[string]any{"username": "e2e-packagist", "token": packagistToken, "server": packagist.rec.URL},
			accepts: all, sends: all},
		// GitHub: pipelines only; a status it has no state for sends nothing.
		{slug: "github", target: github, okStatus: 201, okBody: githubOK, secrets: []string{githubToken}, refuse: "pipeline",
			props:   map[string]any{"token": githubToken, "repository_url": "https://github.com/owner/repo", "static_context": true},
			accepts: ciPipelines, sends: []string{"pipeline", "pipeline_failed", "pipeline_running", "pipeline_canceled"}},
		// Asana: only commits naming tasks, on the branches it inspects;
		// each delivery that sends ends in completing task 5678.
		{slug: "asana", target: asana, okStatus: 200, okBody: asanaOK, secrets: []string{asanaKey}, refuse: "push_tasks",
			props:   map[string]any{"api_key": asanaKey, "restrict_to_branch": "master,release"},
			answer:  func(integration.Request) []byte { return []byte(`{"data":{"gid":"1234","resource_type":"task"}}`) },
			accepts: ciPushes, sends: []string{"push_tasks"}},
		// Assembla takes every push as it is.
		{slug: "assembla", target: assembla, okStatus: 200, okBody: assemblaOK, secrets: []string{assemblaToken},
			props:   map[string]any{"token": assemblaToken, "subdomain": "e2e-space"},
			accepts: ciPushes, sends: ciPushes},
		// Pivotal Tracker: a request per commit, on the branches listed.
		{slug: "pivotaltracker", target: pivotal, okStatus: 200, okBody: pivotalOK, secrets: []string{pivotalTokenValue},
			props:   map[string]any{"token": pivotalTokenValue, "restrict_to_branch": " release , master "},
			accepts: ciPushes, sends: []string{"push", "push_tasks"}},
	}

	overrides := map[string]*httpTarget{
		"https://webhook.buildkite.com":  buildkite,
		"https://api.github.com":         github,
		"https://app.asana.com":          asana,
		"https://atlas.assembla.com":     assembla,
		"https://www.pivotaltracker.com": pivotal,
	}
	args := []string{"--delivery-max-attempts", "2", "--delivery-timeout", "3s"}
	for from, tg := range overrides {
		args = append(args, "--endpoint-override", from+"="+tg.rec.URL)
	}
	p := deliveryNode(t, "ci services", t.TempDir(), nil, args...)
	token := rootToken(t, p)
	for from := range overrides {
		if !strings.Contains(p.stderr.String(), "from="+from) {
			t.Errorf("no override of %s logged:\n%s", from, tail(p.stderr.String(), 2000))
		}
	}

	checkServices(t, p, token, cases, ciFixtures)

	// A refused request stops the rest of its delivery. Asana got the 7
	// requests of push_tasks (each of its 3 tasks read, then commented on,
	// one completed), nothing for the sample push, and only the first of
	// the refused push_tasks' 7; Pivotal Tracker 2 for push and 2
	// for push_tasks, 1 for the sample push (one commit) twice, and only
	// the first of the refused push's 2.
	for _, s := range []struct {
		slug string
		tg   *httpTarget
		want int
	}{{"asana", asana, 7 + 1}, {"pivotaltracker", pivotal, 2 + 2 + 1 + 1 + 1}} {
		if got := s.tg.received(); len(got) != s.want {
			t.Errorf("%s: %d requests in all, want %d: %v", s.slug, len(got), s.want, got)
		}
	}
	t.Logf("%d services, %d fixtures each, in %s", len(cases), len(ciFixtures), time.Since(began).Round(time.Millisecond))
	p.stop()

	// Nor does glint's own log hold a secret.
	secrets := []string{token}
	for _, c := range cases {
		secrets = append(secrets, c.intake)
		secrets = append(secrets, c.secrets...)
	}
	assertNoSecrets(t, "glint's log", [][]byte{[]byte(p.stderr.String())}, secrets...)
}

// The stand-ins' refusals of a caller they do not know, after the real
// services' (status and, where known, body).
const (
	bambooRefusal    = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><status><status-code>401</status-code><message>Client must be authenticated to access this resource.</message></status>`
	teamcityRefusal  = "Authentication required\nTo login manually go to \"/login.html\" page"
	jenkinsRefusal   = "Invalid password/token for user: e2e-jenkins"
	packagistRefusal = `{"status":"error","message":"Invalid credentials"}`
	githubRefusal    = `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`
	asanaRefusal     = `{"errors":[{"message":"Not Authorized","help":"For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors"}]}`
	assemblaRefusal  = `{"error":"Invalid secret key"}`
	pivotalRefusal   = `{"code":"invalid_authentication","kind":"error","error":"Invalid authentication credentials were presented.","possible_fix":"Recheck your name (or email) and password, or API Token."}`
)

func githubInvalid(field string) string {
	return fmt.Sprintf(`{"message":"Validation Failed","errors":[{"resource":"Status","code":"invalid","field":%q}],"documentation_url":"https://docs.github.com/rest/commits/statuses#create-a-commit-status"}`, field)
}

func asanaError(message string) string {
	return fmt.Sprintf(`{"errors":[{"message":%q}]}`, message)
}
