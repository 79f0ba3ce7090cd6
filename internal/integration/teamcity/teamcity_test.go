package teamcity_test

import (
	"encoding/xml"
	"net/http"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/teamcity"
)

const password = "s3cr3tT34mC1ty"

var base = map[string]any{"teamcity_url": "https://teamcity.example.com/", "build_type": "Proj_Build", "username": "ci-bot", "password": password}

const blank = "0000000000000000000000000000000000000000"

func TestGolden(t *testing.T) {
	integrationtest.Goldens(t, teamcity.Build, []integrationtest.Case{
		{Golden: "push", File: "push.json", Settings: base},
		{Golden: "merge_request", File: "merge_request.json", Settings: base},
		{Golden: "push_escaped", File: "push.json", Settings: integrationtest.Props(base, "build_type", `Proj_"Build"&<x>'`),
			Change: func(m map[string]any) { m["ref"] = `refs/heads/feature/a&b<c>"d"'e'` }},
	})
}

// build is what TeamCity is asked to queue.
type build struct {
	XMLName    xml.Name `xml:"build"`
	BranchName string   `xml:"branchName,attr"`
	BuildType  struct {
		ID string `xml:"id,attr"`
	} `xml:"buildType"`
}

// TestPushRules: a push builds when it has commits and does not delete
// the branch; the branch is the ref's short name.
func TestPushRules(t *testing.T) {
	tests := []struct {
		name   string
		change func(m map[string]any)
		branch string // "" for no request
	}{
		{"commits", nil, "master"},
		{"new branch with commits", func(m map[string]any) { m["before"], m["ref"] = blank, "refs/heads/feature/x" }, "feature/x"},
		{"no commits", func(m map[string]any) { m["total_commits_count"], m["commits"] = 0, []any{} }, ""},
		{"branch deleted", func(m map[string]any) { m["after"] = blank }, ""},
		{"branch deleted, commits counted", func(m map[string]any) { m["after"], m["total_commits_count"] = blank, 3 }, ""},
	}
	for _, tt := range tests {
		reqs := integrationtest.Build(t, teamcity.Build, "push.json", "", tt.change, base)
		checkBranch(t, tt.name, reqs, tt.branch)
	}
}

// TestMergeRequestRules: a merge request builds its source branch when it
// is opened and its mergeability is to be checked again.
func TestMergeRequestRules(t *testing.T) {
	tests := []struct {
		state, mergeStatus, branch string // branch "" for no request
	}{
		{"opened", "unchecked", "ms-viewport"},
		{"opened", "cannot_be_merged_recheck", "ms-viewport"},
		{"opened", "can_be_merged", ""},
		{"opened", "cannot_be_merged", ""},
		{"opened", "", ""},
		{"closed", "unchecked", ""},
		{"merged", "unchecked", ""},
		{"locked", "unchecked", ""},
	}
	for _, tt := range tests {
		change := func(m map[string]any) {
			a := integrationtest.Attrs(m)
			a["state"], a["merge_status"] = tt.state, tt.mergeStatus
		}
		reqs := integrationtest.Build(t, teamcity.Build, "merge_request.json", "", change, base)
		checkBranch(t, tt.state+"/"+tt.mergeStatus, reqs, tt.branch)
	}
}

func checkBranch(t *testing.T, name string, reqs []integration.Request, branch string) {
	t.Helper()
	if branch == "" {
		if len(reqs) != 0 {
			t.Errorf("%s: %d requests, want none", name, len(reqs))
		}
		return
	}
	if len(reqs) != 1 {
		t.Fatalf("%s: %d requests, want 1", name, len(reqs))
	}
	var b build
	if err := xml.Unmarshal(reqs[0].Body, &b); err != nil || b.BranchName != branch || b.BuildType.ID != "Proj_Build" {
		t.Errorf("%s: body %s (%v), want branch %q", name, reqs[0].Body, err, branch)
	}
	if reqs[0].InsecureSkipVerify {
		t.Errorf("%s: TLS verification off; GitLab's POST verifies", name)
	}
}

// TestRequest: the URL joins with one slash, Basic auth is always sent,
// and the body escapes exactly & < > " as Ruby's encode(xml: :attr).
func TestRequest(t *testing.T) {
	reqs := integrationtest.Build(t, teamcity.Build, "push.json", "", func(m map[string]any) { m["ref"] = `refs/heads/a'b"c&d<e>f` },
		integrationtest.Props(base, "teamcity_url", "http://ci.example.com/teamcity//", "username", nil, "password", nil))
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.URL != "http://ci.example.com/teamcity/httpAuth/app/rest/buildQueue" {
		t.Errorf("%s %s", r.Method, r.URL)
	}
	if got := r.Header.Get("Authorization"); got != "Basic Og==" {
		t.Errorf("Authorization %q, want the empty credentials GitLab sends", got)
	}
	if want := `<build branchName="a'b&quot;c&amp;d&lt;e&gt;f"><buildType id="Proj_Build"/></build>`; string(r.Body) != want {
		t.Errorf("body\n %s\nwant\n %s", r.Body, want)
	}
}

// TestEvents: tag pushes and events other than push and merge request
// build nothing.
func TestEvents(t *testing.T) {
	for _, file := range []string{"tag_push.json", "issue.json", "note_commit.json", "note_merge_request.json",
		"pipeline.json", "wiki_page.json", "deployment.json", "job.json"} {
		if reqs := integrationtest.Build(t, teamcity.Build, file, "", nil, base); len(reqs) != 0 {
			t.Errorf("%s: %d requests", file, len(reqs))
		}
	}
	// A tag pushed with commits is still a tag push.
	withCommits := func(m map[string]any) { m["total_commits_count"] = 2 }
	if reqs := integrationtest.Build(t, teamcity.Build, "tag_push.json", "", withCommits, base); len(reqs) != 0 {
		t.Errorf("tag push: %d requests", len(reqs))
	}
}

func TestSettingErrors(t *testing.T) {
	integrationtest.Refuses(t, teamcity.Build, "teamcity: ", []string{password},
		integrationtest.Props(base, "teamcity_url", nil),
		integrationtest.Props(base, "teamcity_url", "teamcity.example.com"),
		integrationtest.Props(base, "teamcity_url", "file:///etc/passwd"),
		integrationtest.Props(base, "teamcity_url", "https://ci-bot:"+password+"@teamcity.example.com/?"+password),
		integrationtest.Props(base, "teamcity_url", "https://teamcity.example.com/#"+password),
		integrationtest.Props(base, "build_type", nil),
		integrationtest.Props(base, "build_type", "Proj\nBuild"),
		integrationtest.Props(base, "build_type", "Proj\x00"+password))
	// A branch XML cannot carry is refused, naming the branch only.
	ev := integrationtest.Event(t, "push.json", "", func(m map[string]any) { m["ref"] = "refs/heads/a\tb" })
	if reqs, err := teamcity.Build(ev, base, integrationtest.Project); err == nil || reqs != nil {
		t.Errorf("tab in branch: %d requests, %v", len(reqs), err)
	} else {
		integrationtest.AssertNoSecret(t, password, err.Error())
	}
}

// TestSendToServer: TeamCity's buildQueue wants Basic auth, an XML
// content type and a build element naming a build type; it answers 200
// with the queued build.
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	rec.Answer(func(r integrationtest.Request) (int, string) {
		if r.Method != http.MethodPost || r.Path != "/teamcity/httpAuth/app/rest/buildQueue" {
			return http.StatusNotFound, "Not Found"
		}
		user, pass, ok := (&http.Request{Header: r.Header}).BasicAuth()
		if !ok || user != "ci-bot" || pass != password {
			return http.StatusUnauthorized, "Authentication required\nTo login manually go to \"/login.html\" page"
		}
		if r.Header.Get("Content-Type") != "application/xml" {
			return http.StatusUnsupportedMediaType, "Unsupported Media Type"
		}
		var b build
		if err := xml.Unmarshal(r.Body, &b); err != nil || b.BuildType.ID == "" {
			return http.StatusBadRequest, "Error has occurred during request processing (Bad Request)."
		}
		return http.StatusOK, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<build id="1" buildTypeId="` + b.BuildType.ID + `" state="queued" branchName="` + b.BranchName +
			`" href="/httpAuth/app/rest/buildQueue/id:1" webUrl="https://teamcity.example.com/viewQueued.html?itemId=1"/>`
	})
	settings := integrationtest.Props(base, "teamcity_url", rec.URL+"/teamcity")
	for _, file := range []string{"push.json", "merge_request.json"} {
		reqs := integrationtest.Build(t, teamcity.Build, file, "", nil, settings)
		if status, sent := integrationtest.SendAll(t, reqs); status != http.StatusOK || sent != 1 {
			t.Errorf("%s: answer %d after %d requests", file, status, sent)
		}
	}
	reqs := integrationtest.Build(t, teamcity.Build, "push.json", "", nil, integrationtest.Props(settings, "password", "wrong"))
	if status, _ := integrationtest.SendAll(t, reqs); status != http.StatusUnauthorized {
		t.Errorf("wrong password: answer %d", status)
	}
	if got := rec.Requests(); len(got) != 3 {
		t.Errorf("received %d requests", len(got))
	}
}
