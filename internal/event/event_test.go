package event_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edit decodes a fixture, lets change alter it, and encodes it again.
func edit(t testing.TB, name string, change func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(fixture(t, name), &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func obj(m map[string]any, key string) map[string]any { return m[key].(map[string]any) }

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file, header string
		body         []byte // instead of the file, when set
		kind         event.Kind
		flag         catalog.Event
		ref          string
		check        func(t *testing.T, ev *event.Event)
	}{
		{file: "push.json", header: "Push Hook", kind: event.Push, flag: catalog.Push, ref: "master",
			check: func(t *testing.T, ev *event.Event) {
				p := ev.Push
				eq(t, p.Before, "95790bf891e76fee5e1747ab589903a6a1f80f22")
				eq(t, p.After, "da1560886d4f094c3e6c9ef40349f7d38b5d27d7")
				eq(t, p.UserName, "John Smith")
				eq(t, p.UserUsername, "jsmith")
				eq(t, p.Project.PathWithNamespace, "mike/diaspora")
				eq(t, p.Project.WebURL, "http://example.com/mike/diaspora")
				eq(t, p.Project.DefaultBranch, "master")
				eq(t, p.TotalCommitsCount, 4)
				eq(t, len(p.Commits), 2)
				c := p.Commits[0]
				eq(t, c.ID, "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327")
				eq(t, c.Message, "Update Catalan translation to e38cb41.")
				eq(t, c.Timestamp, "2011-12-12T14:27:31+02:00")
				eq(t, c.URL, "http://example.com/mike/diaspora/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327")
				eq(t, c.Author, event.Author{Name: "Jordi Mallach", Email: "jordi@softcatala.org"})
				eq(t, strings.Join(c.Added, ","), "CHANGELOG")
				eq(t, strings.Join(c.Modified, ","), "app/controller/application.rb")
				eq(t, len(c.Removed), 0)
				eq(t, p.Message == nil, true)
			}},
		{file: "tag_push.json", header: "Tag Push Hook", kind: event.TagPush, flag: catalog.TagPush, ref: "v1.0.0",
			check: func(t *testing.T, ev *event.Event) {
				eq(t, ev.Push.Before, event.BlankSHA)
				eq(t, ev.Push.Ref, "refs/tags/v1.0.0")
				eq(t, ev.Push.TotalCommitsCount, 0)
			}},
		{file: "issue.json", header: "Issue Hook", kind: event.Issue, flag: catalog.Issue,
			check: func(t *testing.T, ev *event.Event) {
				a := ev.Issue.ObjectAttributes
				eq(t, a.IID, int64(23))
				eq(t, a.Title, "New API: create/update/delete file")
				eq(t, a.URL, "http://example.com/diaspora/issues/23")
				eq(t, a.State, "opened")
				eq(t, a.Action, "open")
				eq(t, a.Description, "Create new API for manipulations with repository")
				eq(t, ev.Issue.User, event.User{Name: "Administrator", Username: "root",
					AvatarURL: "http://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=40&d=identicon"})
				eq(t, ev.Issue.Labels[0].Title, "API")
				eq(t, ev.Issue.Assignees[0].Username, "user1")
			}},
		{file: "issue.json", header: "Confidential Issue Hook", kind: event.ConfidentialIssue, flag: catalog.ConfidentialIssue},
		{header: "Issue Hook", kind: event.ConfidentialIssue, flag: catalog.ConfidentialIssue,
			body: edit(t, "issue.json", func(m map[string]any) { obj(m, "object_attributes")["confidential"] = true })},
		{header: "Issue Hook", kind: event.ConfidentialIssue, flag: catalog.ConfidentialIssue,
			body: edit(t, "issue.json", func(m map[string]any) { m["event_type"] = "confidential_issue" })},
		{file: "merge_request.json", header: "Merge Request Hook", kind: event.MergeRequest, flag: catalog.MergeRequest, ref: "master",
			check: func(t *testing.T, ev *event.Event) {
				a := ev.MergeRequest.ObjectAttributes
				eq(t, a.IID, int64(1))
				eq(t, a.Title, "MS-Viewport")
				eq(t, a.State, "opened")
				eq(t, a.Action, "open")
				eq(t, a.SourceBranch, "ms-viewport")
				eq(t, a.LastCommit.ID, "da1560886d4f094c3e6c9ef40349f7d38b5d27d7")
				eq(t, a.Source.PathWithNamespace, "awesome_space/awesome_project")
			}},
		{file: "note_commit.json", header: "Note Hook", kind: event.Note, flag: catalog.Note,
			check: func(t *testing.T, ev *event.Event) {
				n := ev.Note
				eq(t, n.ObjectAttributes.NoteableType, "Commit")
				eq(t, n.ObjectAttributes.Note, "This is a commit comment. How does this work?")
				eq(t, n.ObjectAttributes.URL, "http://example.com/gitlab-org/gitlab-test/commit/cfe32cf61b73a0d5e9f13e774abde7ff789b1660#note_1243")
				eq(t, n.Commit.ID, "cfe32cf61b73a0d5e9f13e774abde7ff789b1660")
				eq(t, n.Issue == nil && n.MergeRequest == nil && n.Snippet == nil, true)
			}},
		{file: "note_commit.json", header: "Confidential Note Hook", kind: event.ConfidentialNote, flag: catalog.ConfidentialNote},
		{file: "note_issue.json", header: "Note Hook", kind: event.Note, flag: catalog.Note,
			check: func(t *testing.T, ev *event.Event) {
				eq(t, ev.Note.Issue.IID, int64(17))
				eq(t, ev.Note.Issue.Title, "test")
				eq(t, ev.Note.Issue.State, "closed")
			}},
		{header: "Note Hook", kind: event.ConfidentialNote, flag: catalog.ConfidentialNote,
			body: edit(t, "note_issue.json", func(m map[string]any) { obj(m, "issue")["confidential"] = true })},
		{file: "note_merge_request.json", header: "Note Hook", kind: event.Note, flag: catalog.Note,
			check: func(t *testing.T, ev *event.Event) {
				eq(t, ev.Note.MergeRequest.IID, int64(1))
				eq(t, ev.Note.MergeRequest.Title, "Tempora et eos debitis quae laborum et.")
				eq(t, ev.Note.MergeRequest.LastCommit.Timestamp, "2015-04-08T21: 00:25-07:00")
			}},
		{file: "note_snippet.json", header: "Note Hook", kind: event.Note, flag: catalog.Note,
			check: func(t *testing.T, ev *event.Event) {
				eq(t, ev.Note.Snippet.ID, int64(53))
				eq(t, ev.Note.Snippet.Title, "test")
			}},
		{file: "pipeline.json", header: "Pipeline Hook", kind: event.Pipeline, flag: catalog.Pipeline, ref: "master",
			check: func(t *testing.T, ev *event.Event) {
				p := ev.Pipeline
				eq(t, p.ObjectAttributes.ID, int64(31))
				eq(t, p.ObjectAttributes.Status, "success")
				eq(t, p.ObjectAttributes.Tag, false)
				eq(t, *p.ObjectAttributes.Duration, 63.0)
				eq(t, p.User.Username, "root")
				eq(t, p.MergeRequest.IID, int64(1))
				eq(t, len(p.Builds), 5)
				eq(t, p.Builds[1].Name, "test-image")
				eq(t, p.Commit.Author.Name, "User")
			}},
		{file: "job.json", header: "Job Hook", kind: event.Job, flag: catalog.Job, ref: "gitlab-script-trigger",
			check: func(t *testing.T, ev *event.Event) {
				j := ev.Job
				eq(t, j.BuildID, int64(1977))
				eq(t, j.BuildStatus, "created")
				eq(t, j.Commit.ID, int64(2366))
				eq(t, j.SHA, "2293ada6b400935a1378653304eaf6221e0fdb8f")
				eq(t, j.BuildDuration == nil, true)
			}},
		{file: "wiki_page.json", header: "Wiki Page Hook", kind: event.WikiPage, flag: catalog.WikiPage,
			check: func(t *testing.T, ev *event.Event) {
				a := ev.WikiPage.ObjectAttributes
				eq(t, a.Title, "Awesome")
				eq(t, a.Action, "create")
				eq(t, a.Message, "adding an awesome page to the wiki")
				eq(t, a.URL, "http://example.com/root/awesome-project/wikis/awesome")
				eq(t, ev.WikiPage.Wiki.WebURL, "http://example.com/root/awesome-project/wikis/home")
			}},
		{file: "deployment.json", header: "Deployment Hook", kind: event.Deployment, flag: catalog.Deployment,
			check: func(t *testing.T, ev *event.Event) {
				d := ev.Deployment
				eq(t, d.Status, "success")
				eq(t, d.Environment, "staging")
				eq(t, d.DeployableID, int64(796))
				eq(t, d.ShortSHA, "279484c0")
				eq(t, d.User.Username, "root")
			}},
	}
	for _, tt := range tests {
		name := tt.header + " " + tt.file
		if tt.body != nil {
			name += " (edited)"
		}
		t.Run(name, func(t *testing.T) {
			body := tt.body
			if body == nil {
				body = fixture(t, tt.file)
			}
			ev, err := event.Parse(tt.header, body)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, ev.Kind, tt.kind)
			eq(t, ev.Flag(), tt.flag)
			eq(t, ev.Ref(), tt.ref)
			eq(t, ev.Header, tt.header)
			if !bytes.Equal(ev.Raw, body) {
				t.Error("Raw is not the body as received")
			}
			set := 0
			for _, p := range []bool{ev.Push != nil, ev.Issue != nil, ev.MergeRequest != nil, ev.Note != nil,
				ev.Pipeline != nil, ev.Job != nil, ev.WikiPage != nil, ev.Deployment != nil} {
				if p {
					set++
				}
			}
			eq(t, set, 1)
			if tt.check != nil {
				tt.check(t, ev)
			}
		})
	}
}

func TestRawIsACopy(t *testing.T) {
	body := fixture(t, "push.json")
	ev, err := event.Parse("Push Hook", body)
	if err != nil {
		t.Fatal(err)
	}
	body[0] = 'X'
	if ev.Raw[0] != '{' {
		t.Error("Raw shares the caller's buffer")
	}
}

func TestParseErrors(t *testing.T) {
	del := func(file string, path ...string) []byte {
		return edit(t, file, func(m map[string]any) {
			for _, k := range path[:len(path)-1] {
				m = obj(m, k)
			}
			delete(m, path[len(path)-1])
		})
	}
	set := func(file string, v any, path ...string) []byte {
		return edit(t, file, func(m map[string]any) {
			for _, k := range path[:len(path)-1] {
				m = obj(m, k)
			}
			m[path[len(path)-1]] = v
		})
	}
	tests := []struct {
		name, header string
		body         []byte
		want         string
	}{
		{"no header", "", fixture(t, "push.json"), "missing X-Gitlab-Event header"},
		{"unknown header", "System Hook", fixture(t, "push.json"), `unknown event "System Hook"`},
		{"header case", "push hook", fixture(t, "push.json"), `unknown event "push hook"`},
		{"empty body", "Push Hook", nil, "malformed JSON: unexpected end of JSON input"},
		{"syntax", "Push Hook", []byte(`{"object_kind":"push",}`), "malformed JSON: invalid character '}' looking for beginning of object key string"},
		{"trailing data", "Push Hook", []byte(`{"object_kind":"push"} {}`), "malformed JSON: invalid character '{' after top-level value"},
		{"not UTF-8", "Push Hook", []byte("{\"object_kind\":\"push\",\"ref\":\"\xff\"}"), "malformed JSON: the body is not valid UTF-8"},
		{"array", "Push Hook", []byte(`[]`), "malformed JSON: the body is not an object"},
		{"null", "Push Hook", []byte(`null`), "malformed JSON: the body is not an object"},
		{"no object_kind", "Push Hook", del("push.json", "object_kind"), "missing object_kind"},
		{"object_kind not a string", "Push Hook", set("push.json", 1, "object_kind"), "invalid object_kind: number is not a string"},
		{"object_kind empty", "Push Hook", set("push.json", "", "object_kind"), "missing object_kind"},
		{"kind mismatch", "Issue Hook", fixture(t, "push.json"), `object_kind "push" does not match X-Gitlab-Event "Issue Hook"`},
		{"tag push as push", "Push Hook", fixture(t, "tag_push.json"), `object_kind "tag_push" does not match X-Gitlab-Event "Push Hook"`},
		{"job kind is build", "Job Hook", set("job.json", "job", "object_kind"), `object_kind "job" does not match X-Gitlab-Event "Job Hook"`},
		{"confidential hook, other kind", "Confidential Note Hook", fixture(t, "issue.json"), `object_kind "issue" does not match X-Gitlab-Event "Confidential Note Hook"`},
		{"push without ref", "Push Hook", del("push.json", "ref"), "missing ref"},
		{"push with empty after", "Push Hook", set("push.json", "", "after"), "missing after"},
		{"push without before", "Push Hook", del("push.json", "before"), "missing before"},
		{"push without project", "Push Hook", set("push.json", nil, "project"), "missing project"},
		{"tag push without ref", "Tag Push Hook", del("tag_push.json", "ref"), "missing ref"},
		{"glint_diffs an object", "Push Hook", set("push.json", map[string]any{}, "glint_diffs"), "invalid glint_diffs: object is not an array"},
		{"glint_diffs entry a string", "Push Hook", set("push.json", []any{"x"}, "glint_diffs"), "invalid glint_diffs: string is not an object"},
		{"glint_diffs diff a number", "Push Hook", set("push.json", []any{map[string]any{"diff": 1}}, "glint_diffs"), "invalid glint_diffs.diff: number is not a string"},
		{"glint_diffs_truncated a string", "Push Hook", set("push.json", "yes", "glint_diffs_truncated"), "invalid glint_diffs_truncated: string is not a boolean"},
		{"issue without attributes", "Issue Hook", del("issue.json", "object_attributes"), "missing object_attributes"},
		{"issue without iid", "Issue Hook", del("issue.json", "object_attributes", "iid"), "missing object_attributes.iid"},
		{"issue without title", "Confidential Issue Hook", del("issue.json", "object_attributes", "title"), "missing object_attributes.title"},
		{"issue without url", "Issue Hook", del("issue.json", "object_attributes", "url"), "missing object_attributes.url"},
		{"issue iid a string", "Issue Hook", set("issue.json", "23", "object_attributes", "iid"), "invalid object_attributes.iid: string is not an integer"},
		{"issue iid a fraction", "Issue Hook", set("issue.json", 2.5, "object_attributes", "iid"), "invalid object_attributes.iid: number 2.5 is not an integer"},
		{"attributes a string", "Issue Hook", set("issue.json", "x", "object_attributes"), "invalid object_attributes: string is not an object"},
		{"labels an object", "Issue Hook", set("issue.json", map[string]any{}, "labels"), "invalid labels: object is not an array"},
		{"title a number", "Issue Hook", set("issue.json", 7, "object_attributes", "title"), "invalid object_attributes.title: number is not a string"},
		{"confidential a string", "Issue Hook", set("issue.json", "yes", "object_attributes", "confidential"), "invalid object_attributes.confidential: string is not a boolean"},
		{"mr without target branch", "Merge Request Hook", del("merge_request.json", "object_attributes", "target_branch"), "missing object_attributes.target_branch"},
		{"mr without iid", "Merge Request Hook", del("merge_request.json", "object_attributes", "iid"), "missing object_attributes.iid"},
		{"note without body", "Note Hook", set("note_issue.json", "", "object_attributes", "note"), "missing object_attributes.note"},
		{"note without type", "Note Hook", del("note_issue.json", "object_attributes", "noteable_type"), "missing object_attributes.noteable_type"},
		{"note on issue without issue", "Note Hook", del("note_issue.json", "issue"), "missing issue"},
		{"note on issue without iid", "Note Hook", del("note_issue.json", "issue", "iid"), "missing issue.iid"},
		{"note on commit without commit", "Note Hook", del("note_commit.json", "commit"), "missing commit"},
		{"note on mr without mr", "Confidential Note Hook", del("note_merge_request.json", "merge_request"), "missing merge_request"},
		{"note on snippet without id", "Note Hook", del("note_snippet.json", "snippet", "id"), "missing snippet.id"},
		{"pipeline without id", "Pipeline Hook", del("pipeline.json", "object_attributes", "id"), "missing object_attributes.id"},
		{"pipeline without status", "Pipeline Hook", del("pipeline.json", "object_attributes", "status"), "missing object_attributes.status"},
		{"pipeline without ref", "Pipeline Hook", set("pipeline.json", nil, "object_attributes", "ref"), "missing object_attributes.ref"},
		{"pipeline duration a string", "Pipeline Hook", set("pipeline.json", "63", "object_attributes", "duration"), "invalid object_attributes.duration: string is not a number"},
		{"pipeline builds an object", "Pipeline Hook", set("pipeline.json", map[string]any{}, "builds"), "invalid builds: object is not an array"},
		{"job without id", "Job Hook", del("job.json", "build_id"), "missing build_id"},
		{"job without status", "Job Hook", del("job.json", "build_status"), "missing build_status"},
		{"wiki without title", "Wiki Page Hook", del("wiki_page.json", "object_attributes", "title"), "missing object_attributes.title"},
		{"wiki without url", "Wiki Page Hook", del("wiki_page.json", "object_attributes", "url"), "missing object_attributes.url"},
		{"deployment without status", "Deployment Hook", del("deployment.json", "status"), "missing status"},
		{"deployment without environment", "Deployment Hook", del("deployment.json", "environment"), "missing environment"},
		{"deployment id too big", "Deployment Hook", set("deployment.json", 1e300, "deployable_id"), "invalid deployable_id: number 1e+300 is not an integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := event.Parse(tt.header, tt.body)
			if err == nil {
				t.Fatalf("parsed as %s, want error %q", ev.Kind, tt.want)
			}
			var e *event.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T, want *event.Error", err)
			}
			eq(t, e.Message, tt.want)
			eq(t, err.Error(), tt.want)
		})
	}
}

func TestUnknownNoteableTypeParses(t *testing.T) {
	body := edit(t, "note_issue.json", func(m map[string]any) { obj(m, "object_attributes")["noteable_type"] = "Design" })
	ev, err := event.Parse("Note Hook", body)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, ev.Note.ObjectAttributes.NoteableType, "Design")
}

func TestRefName(t *testing.T) {
	for in, want := range map[string]string{
		"refs/heads/master":        "master",
		"refs/heads/feature/x":     "feature/x",
		"refs/tags/v1.0":           "v1.0",
		"refs/heads/refs/tags/odd": "refs/tags/odd",
		"master":                   "master",
		"refs/merge-requests/1":    "refs/merge-requests/1",
	} {
		eq(t, event.RefName(in), want)
	}
}

func TestSamplePush(t *testing.T) {
	p := integration.Project{ID: 7, Name: "Diaspora", FullName: "Mike / Diaspora", FullPath: "mike/diaspora",
		WebURL: "https://glint.example.com/mike/diaspora", DefaultBranch: "main"}
	header, body := event.SamplePush(p, "jane")
	header2, body2 := event.SamplePush(p, "jane")
	if header != header2 || !bytes.Equal(body, body2) {
		t.Fatal("SamplePush is not deterministic")
	}
	ev, err := event.Parse(header, body)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, ev.Kind, event.Push)
	eq(t, ev.Ref(), "main")
	eq(t, len(ev.Push.Commits), 1)
	eq(t, ev.Push.TotalCommitsCount, 1)
	eq(t, ev.Push.Commits[0].ID, ev.Push.After)
	eq(t, ev.Push.CheckoutSHA, ev.Push.After)
	eq(t, ev.Push.Project.PathWithNamespace, "mike/diaspora")
	eq(t, ev.Push.Project.GitSSHURL, "git@glint.example.com:mike/diaspora.git")
	eq(t, ev.Push.Project.Namespace, "Mike")
	if ev.Push.Before == ev.Push.After || ev.Push.Before == event.BlankSHA {
		t.Error("the sample push should be a plain push, not a new branch")
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, body, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	integrationtest.Golden(t, filepath.Join("testdata", "sample_push.golden"), pretty.Bytes())

	_, body = event.SamplePush(integration.Project{FullPath: "a/b"}, "x")
	ev, err = event.Parse("Push Hook", body)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, ev.Ref(), "master")
}

func eq[T comparable](t *testing.T, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

// TestCompareURL: GitLab's compare page unless the payload (from glint
// hook) names the repository browser's.
func TestCompareURL(t *testing.T) {
	e := &event.PushEvent{Before: "aaa", After: "bbb"}
	if got := e.CompareURL("https://gl.example.com/g/p"); got != "https://gl.example.com/g/p/compare/aaa...bbb" {
		t.Errorf("without glint_compare_url: %s", got)
	}
	ev, err := event.Parse("Push Hook", []byte(`{"object_kind":"push","ref":"refs/heads/x","before":"aaa","after":"bbb","project":{},`+
		`"glint_compare_url":"https://cgit.example.com/p/diff/?id=bbb&id2=aaa"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := ev.Push.CompareURL("https://gl.example.com/g/p"); got != "https://cgit.example.com/p/diff/?id=bbb&id2=aaa" {
		t.Errorf("with glint_compare_url: %s", got)
	}
}

// TestGlintDiffs: the glint_diffs extension of a push from `glint hook`
// (contracts item 2) is read into PushEvent; GitLab's payloads, which
// never carry it, leave it nil.
func TestGlintDiffs(t *testing.T) {
	ev, err := event.Parse("Push Hook", fixture(t, "push.json"))
	if err != nil || ev.Push.GlintDiffs != nil || ev.Push.GlintDiffsTruncated {
		t.Fatalf("GitLab push: %v %+v", err, ev.Push.GlintDiffs)
	}
	body := edit(t, "push.json", func(m map[string]any) {
		m["glint_diffs"] = []any{map[string]any{"old_path": "a.txt", "new_path": "b.txt", "a_mode": "100644", "b_mode": "100755",
			"new_file": false, "renamed_file": true, "deleted_file": false, "diff": "@@ -1 +1 @@\n-a\n+b\n"}}
		m["glint_diffs_truncated"] = true
	})
	ev, err = event.Parse("Push Hook", body)
	if err != nil {
		t.Fatal(err)
	}
	want := []event.Diff{{OldPath: "a.txt", NewPath: "b.txt", AMode: "100644", BMode: "100755", RenamedFile: true, Diff: "@@ -1 +1 @@\n-a\n+b\n"}}
	if !reflect.DeepEqual(ev.Push.GlintDiffs, want) || !ev.Push.GlintDiffsTruncated {
		t.Errorf("GlintDiffs %+v truncated %v", ev.Push.GlintDiffs, ev.Push.GlintDiffsTruncated)
	}
	ev, err = event.Parse("Push Hook", edit(t, "push.json", func(m map[string]any) { m["glint_diffs"] = []any{} }))
	if err != nil || ev.Push.GlintDiffs == nil || len(ev.Push.GlintDiffs) != 0 {
		t.Errorf("an empty glint_diffs is a known empty diff: %v %#v", err, ev.Push.GlintDiffs)
	}
}

func TestSamplePipeline(t *testing.T) {
	p := integration.Project{ID: 3, Name: "P", FullName: "G / P", FullPath: "g/p", WebURL: "https://glint.test/g/p", DefaultBranch: "main"}
	header, body := event.SamplePipeline(p, "jane")
	ev, err := event.Parse(header, body)
	if err != nil {
		t.Fatal(err)
	}
	pe := ev.Pipeline
	if pe == nil || pe.ObjectAttributes.Status != "failed" || pe.ObjectAttributes.Ref != "main" || len(pe.Builds) != 1 ||
		pe.User == nil || pe.User.Username != "jane" || pe.Project.PathWithNamespace != "g/p" || pe.Commit.ID != pe.ObjectAttributes.SHA {
		t.Errorf("sample pipeline %+v", pe)
	}
}
