package chatmsg_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/glint-dev/glint/internal/chatmsg"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// The GitLab webhook fixtures live with the event package.
const fixtures = "../event/testdata"

var headers = map[string]string{
	"push.json": "Push Hook", "tag_push.json": "Tag Push Hook", "issue.json": "Issue Hook",
	"merge_request.json": "Merge Request Hook", "note_commit.json": "Note Hook", "note_issue.json": "Note Hook",
	"note_merge_request.json": "Note Hook", "note_snippet.json": "Note Hook", "pipeline.json": "Pipeline Hook",
	"job.json": "Job Hook", "wiki_page.json": "Wiki Page Hook", "deployment.json": "Deployment Hook",
}

// parse reads a fixture, lets change edit its JSON, and parses it.
func parse(t testing.TB, file string, change func(m map[string]any)) *event.Event {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(fixtures, file))
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		change(m)
		if body, err = json.Marshal(m); err != nil {
			t.Fatal(err)
		}
	}
	ev, err := event.Parse(headers[file], body)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func attrs(m map[string]any) map[string]any { return m["object_attributes"].(map[string]any) }

var project = integration.Project{ID: 1, Name: "Project", FullName: "My Group / My Project", FullPath: "my-group/my-project",
	WebURL: "https://glint.example.com/my-group/my-project", DefaultBranch: "master"}

const (
	adminAvatar = "http://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=40&d=identicon"
	gt          = "http://example.com/gitlab-org/gitlab-test"
)

func TestBuild(t *testing.T) {
	tests := []struct {
		name, file string
		change     func(m map[string]any)
		want       chatmsg.Message
	}{
		{name: "push", file: "push.json", want: chatmsg.Message{
			Pretext: "John Smith pushed to branch [master](http://example.com/mike/diaspora/commits/master) of [mike/diaspora](http://example.com/mike/diaspora) ([Compare changes](http://example.com/mike/diaspora/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7))",
			Attachments: []chatmsg.Attachment{{Color: "#345",
				Text: "[b6568db1](http://example.com/mike/diaspora/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327): Update Catalan translation to e38cb41. - Jordi Mallach\n\n[da156088](http://example.com/mike/diaspora/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7): fixed readme - GitLab dev user"}},
			AttachmentText: "[b6568db1](http://example.com/mike/diaspora/commit/b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327): Update Catalan translation to e38cb41. - Jordi Mallach\n\n[da156088](http://example.com/mike/diaspora/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7): fixed readme - GitLab dev user",
			Activity: chatmsg.Activity{
				Title:    "John Smith pushed to branch [master](http://example.com/mike/diaspora/commits/master)",
				Subtitle: "in [mike/diaspora](http://example.com/mike/diaspora)",
				Text:     "[Compare changes](http://example.com/mike/diaspora/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7)",
				Image:    "https://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=8://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=80"},
			EventType: "push", ProjectName: "mike/diaspora",
		}},
		{name: "push, multi-line message in full", file: "push.json",
			change: func(m map[string]any) {
				c := m["commits"].([]any)
				m["commits"] = c[1:]
				c[1].(map[string]any)["message"] = "fixed readme\n\nIt said [x](http://x).\n"
			},
			want: chatmsg.Message{
				Pretext:        "John Smith pushed to branch [master](http://example.com/mike/diaspora/commits/master) of [mike/diaspora](http://example.com/mike/diaspora) ([Compare changes](http://example.com/mike/diaspora/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7))",
				Attachments:    []chatmsg.Attachment{{Color: "#345", Text: "[da156088](http://example.com/mike/diaspora/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7): fixed readme\n\nIt said [x](http://x).\n - GitLab dev user"}},
				AttachmentText: "[da156088](http://example.com/mike/diaspora/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7): fixed readme\n\nIt said [x](http://x).\n - GitLab dev user",
				Activity: chatmsg.Activity{
					Title:    "John Smith pushed to branch [master](http://example.com/mike/diaspora/commits/master)",
					Subtitle: "in [mike/diaspora](http://example.com/mike/diaspora)",
					Text:     "[Compare changes](http://example.com/mike/diaspora/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7)",
					Image:    "https://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=8://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=80"},
				EventType: "push", ProjectName: "mike/diaspora",
			}},
		{name: "push, no commits", file: "push.json",
			change: func(m map[string]any) { m["commits"] = []any{}; m["user_avatar"] = nil },
			want: chatmsg.Message{
				Pretext:     "John Smith pushed to branch [master](http://example.com/mike/diaspora/commits/master) of [mike/diaspora](http://example.com/mike/diaspora) ([Compare changes](http://example.com/mike/diaspora/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7))",
				Attachments: []chatmsg.Attachment{{Color: "#345"}},
				Activity: chatmsg.Activity{
					Title:    "John Smith pushed to branch [master](http://example.com/mike/diaspora/commits/master)",
					Subtitle: "in [mike/diaspora](http://example.com/mike/diaspora)",
					Text:     "[Compare changes](http://example.com/mike/diaspora/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7)"},
				EventType: "push", ProjectName: "mike/diaspora",
			}},
		{name: "removed branch", file: "push.json",
			change: func(m map[string]any) {
				m["after"] = event.BlankSHA
				m["commits"] = []any{}
				m["ref"] = "refs/heads/feature"
			},
			want: chatmsg.Message{
				Pretext:     "John Smith removed branch feature from [mike/diaspora](http://example.com/mike/diaspora)",
				Attachments: []chatmsg.Attachment{},
				Activity: chatmsg.Activity{
					Title:    "John Smith removed branch feature",
					Subtitle: "in [mike/diaspora](http://example.com/mike/diaspora)",
					Text:     "[Compare changes](http://example.com/mike/diaspora/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...0000000000000000000000000000000000000000)",
					Image:    "https://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=8://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=80"},
				EventType: "push", ProjectName: "mike/diaspora",
			}},
		{name: "new tag", file: "tag_push.json", want: chatmsg.Message{
			Pretext:     "John Smith pushed new tag [v1.0.0](http://example.com/jsmith/example/commits/v1.0.0) to [jsmith/example](http://example.com/jsmith/example)",
			Attachments: []chatmsg.Attachment{},
			Activity: chatmsg.Activity{
				Title:    "John Smith pushed new tag [v1.0.0](http://example.com/jsmith/example/commits/v1.0.0)",
				Subtitle: "in [jsmith/example](http://example.com/jsmith/example)",
				Text:     "[Compare changes](http://example.com/jsmith/example/compare/0000000000000000000000000000000000000000...82b3d5ae55f7080f1e6022629cdb57bfae7cccc7)",
				Image:    "https://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=8://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=80"},
			EventType: "tag_push", ProjectName: "jsmith/example",
		}},
		{name: "push without project object", file: "push.json",
			change: func(m map[string]any) { m["project"] = map[string]any{"id": 1}; m["commits"] = []any{} },
			want: chatmsg.Message{
				Pretext:     "John Smith pushed to branch [master](https://glint.example.com/my-group/my-project/commits/master) of [MyGroup/MyProject](https://glint.example.com/my-group/my-project) ([Compare changes](https://glint.example.com/my-group/my-project/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7))",
				Attachments: []chatmsg.Attachment{{Color: "#345"}},
				Activity: chatmsg.Activity{
					Title:    "John Smith pushed to branch [master](https://glint.example.com/my-group/my-project/commits/master)",
					Subtitle: "in [MyGroup/MyProject](https://glint.example.com/my-group/my-project)",
					Text:     "[Compare changes](https://glint.example.com/my-group/my-project/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7)",
					Image:    "https://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=8://s.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?s=80"},
				EventType: "push", ProjectName: "MyGroup/MyProject",
			}},
		{name: "issue opened", file: "issue.json", want: chatmsg.Message{
			Pretext: "[[gitlabhq/gitlab-test](http://example.com/gitlabhq/gitlab-test)] Issue [#23 New API: create/update/delete file](http://example.com/diaspora/issues/23) opened by Administrator (root)",
			Attachments: []chatmsg.Attachment{{Title: "#23 New API: create/update/delete file", TitleLink: "http://example.com/diaspora/issues/23",
				Text: "Create new API for manipulations with repository", Color: "#C95823"}},
			AttachmentText: "Create new API for manipulations with repository",
			Activity: chatmsg.Activity{Title: "Issue opened by Administrator (root)",
				Subtitle: "in [gitlabhq/gitlab-test](http://example.com/gitlabhq/gitlab-test)",
				Text:     "[#23 New API: create/update/delete file](http://example.com/diaspora/issues/23)", Image: adminAvatar},
			EventType: "issue", ProjectName: "gitlabhq/gitlab-test",
		}},
		{name: "confidential issue closed", file: "issue.json",
			change: func(m map[string]any) {
				attrs(m)["confidential"] = true
				attrs(m)["action"] = "close"
				attrs(m)["state"] = "closed"
				m["user"].(map[string]any)["name"] = ""
			},
			want: chatmsg.Message{
				Pretext:     "[[gitlabhq/gitlab-test](http://example.com/gitlabhq/gitlab-test)] Issue [#23 New API: create/update/delete file](http://example.com/diaspora/issues/23) closed by root",
				Attachments: []chatmsg.Attachment{},
				Activity: chatmsg.Activity{Title: "Issue closed by root",
					Subtitle: "in [gitlabhq/gitlab-test](http://example.com/gitlabhq/gitlab-test)",
					Text:     "[#23 New API: create/update/delete file](http://example.com/diaspora/issues/23)", Image: adminAvatar},
				EventType: "confidential_issue", ProjectName: "gitlabhq/gitlab-test",
			}},
		{name: "merge request opened", file: "merge_request.json", want: chatmsg.Message{
			Pretext:     "Administrator (root) opened [!1 *MS-Viewport*](http://example.com/gitlabhq/gitlab-test/merge_requests/1) in [gitlabhq/gitlab-test](http://example.com/gitlabhq/gitlab-test)",
			Attachments: []chatmsg.Attachment{},
			Activity: chatmsg.Activity{Title: "Merge Request opened by Administrator (root)",
				Subtitle: "in [gitlabhq/gitlab-test](http://example.com/gitlabhq/gitlab-test)",
				Text:     "[!1 *MS-Viewport*](http://example.com/gitlabhq/gitlab-test/merge_requests/1)", Image: adminAvatar},
			EventType: "merge_request", ProjectName: "gitlabhq/gitlab-test",
		}},
		{name: "merge request merged, two-line title", file: "merge_request.json",
			change: func(m map[string]any) {
				attrs(m)["action"] = "merge"
				attrs(m)["state"] = "merged"
				attrs(m)["title"] = "MS-Viewport\r\nsecond line"
			},
			want: chatmsg.Message{
				Pretext:     "Administrator (root) merged [!1 *MS-Viewport*](http://example.com/gitlabhq/gitlab-test/merge_requests/1) in [gitlabhq/gitlab-test](http://example.com/gitlabhq/gitlab-test)",
				Attachments: []chatmsg.Attachment{},
				Activity: chatmsg.Activity{Title: "Merge Request merged by Administrator (root)",
					Subtitle: "in [gitlabhq/gitlab-test](http://example.com/gitlabhq/gitlab-test)",
					Text:     "[!1 *MS-Viewport*](http://example.com/gitlabhq/gitlab-test/merge_requests/1)", Image: adminAvatar},
				EventType: "merge_request", ProjectName: "gitlabhq/gitlab-test",
			}},
		{name: "note on commit", file: "note_commit.json", want: chatmsg.Message{
			Pretext:        "Administrator (root) [commented on commit cfe32cf6](http://example.com/gitlab-org/gitlab-test/commit/cfe32cf61b73a0d5e9f13e774abde7ff789b1660#note_1243) in [gitlabhq/gitlab-test](http://example.com/gitlabhq/gitlab-test): *Add submodule*",
			Attachments:    []chatmsg.Attachment{{Text: "This is a commit comment. How does this work?", Color: "#345"}},
			AttachmentText: "This is a commit comment. How does this work?",
			Activity: chatmsg.Activity{
				Title:    "Administrator (root) [commented on commit cfe32cf6](http://example.com/gitlab-org/gitlab-test/commit/cfe32cf61b73a0d5e9f13e774abde7ff789b1660#note_1243)",
				Subtitle: "in [gitlabhq/gitlab-test](http://example.com/gitlabhq/gitlab-test)", Text: "Add submodule", Image: adminAvatar},
			EventType: "note", ProjectName: "gitlabhq/gitlab-test",
		}},
		{name: "note on issue", file: "note_issue.json", want: chatmsg.Message{
			Pretext:        "Administrator (root) [commented on issue #17](" + gt + "/issues/17#note_1241) in [gitlab-org/gitlab-test](" + gt + "): *test*",
			Attachments:    []chatmsg.Attachment{{Text: "Hello world", Color: "#345"}},
			AttachmentText: "Hello world",
			Activity: chatmsg.Activity{Title: "Administrator (root) [commented on issue #17](" + gt + "/issues/17#note_1241)",
				Subtitle: "in [gitlab-org/gitlab-test](" + gt + ")", Text: "test", Image: adminAvatar},
			EventType: "note", ProjectName: "gitlab-org/gitlab-test",
		}},
		{name: "note on confidential issue", file: "note_issue.json",
			change: func(m map[string]any) { m["issue"].(map[string]any)["confidential"] = true },
			want: chatmsg.Message{
				Pretext:        "Administrator (root) [commented on issue #17](" + gt + "/issues/17#note_1241) in [gitlab-org/gitlab-test](" + gt + "): *test*",
				Attachments:    []chatmsg.Attachment{{Text: "Hello world", Color: "#345"}},
				AttachmentText: "Hello world",
				Activity: chatmsg.Activity{Title: "Administrator (root) [commented on issue #17](" + gt + "/issues/17#note_1241)",
					Subtitle: "in [gitlab-org/gitlab-test](" + gt + ")", Text: "test", Image: adminAvatar},
				EventType: "confidential_note", ProjectName: "gitlab-org/gitlab-test",
			}},
		{name: "note on merge request", file: "note_merge_request.json", want: chatmsg.Message{
			Pretext:        "Administrator (root) [commented on merge request !1](" + gt + "/merge_requests/1#note_1244) in [gitlab-org/gitlab-test](" + gt + "): *Tempora et eos debitis quae laborum et.*",
			Attachments:    []chatmsg.Attachment{{Text: "This MR needs work.", Color: "#345"}},
			AttachmentText: "This MR needs work.",
			Activity: chatmsg.Activity{Title: "Administrator (root) [commented on merge request !1](" + gt + "/merge_requests/1#note_1244)",
				Subtitle: "in [gitlab-org/gitlab-test](" + gt + ")", Text: "Tempora et eos debitis quae laborum et.", Image: adminAvatar},
			EventType: "note", ProjectName: "gitlab-org/gitlab-test",
		}},
		{name: "note on snippet", file: "note_snippet.json", want: chatmsg.Message{
			Pretext:        "Administrator (root) [commented on snippet $53](" + gt + "/snippets/53#note_1245) in [gitlab-org/gitlab-test](" + gt + "): *test*",
			Attachments:    []chatmsg.Attachment{{Text: "Is this snippet doing what it's supposed to be doing?", Color: "#345"}},
			AttachmentText: "Is this snippet doing what it's supposed to be doing?",
			Activity: chatmsg.Activity{Title: "Administrator (root) [commented on snippet $53](" + gt + "/snippets/53#note_1245)",
				Subtitle: "in [gitlab-org/gitlab-test](" + gt + ")", Text: "test", Image: adminAvatar},
			EventType: "note", ProjectName: "gitlab-org/gitlab-test",
		}},
		{name: "pipeline passed", file: "pipeline.json", want: chatmsg.Message{
			Fallback:    "[gitlab-org/gitlab-test](http://192.168.64.1:3005/gitlab-org/gitlab-test): Pipeline [#31](http://192.168.64.1:3005/gitlab-org/gitlab-test/pipelines/31) of branch [master](http://192.168.64.1:3005/gitlab-org/gitlab-test/commits/master) by Administrator (root) passed in 01:03",
			HasFallback: true,
			Attachments: []chatmsg.Attachment{{Color: "good",
				Text: "[gitlab-org/gitlab-test](http://192.168.64.1:3005/gitlab-org/gitlab-test): Pipeline [#31](http://192.168.64.1:3005/gitlab-org/gitlab-test/pipelines/31) of branch [master](http://192.168.64.1:3005/gitlab-org/gitlab-test/commits/master) by Administrator (root) passed in 01:03"}},
			AttachmentText: "[gitlab-org/gitlab-test](http://192.168.64.1:3005/gitlab-org/gitlab-test): Pipeline [#31](http://192.168.64.1:3005/gitlab-org/gitlab-test/pipelines/31) of branch [master](http://192.168.64.1:3005/gitlab-org/gitlab-test/commits/master) by Administrator (root) passed in 01:03",
			Activity: chatmsg.Activity{
				Title:    "Pipeline [#31](http://192.168.64.1:3005/gitlab-org/gitlab-test/pipelines/31) of branch [master](http://192.168.64.1:3005/gitlab-org/gitlab-test/commits/master) by Administrator (root) passed",
				Subtitle: "in [gitlab-org/gitlab-test](http://192.168.64.1:3005/gitlab-org/gitlab-test)", Text: "in 01:03",
				Image: "http://www.gravatar.com/avatar/e32bd13e2add097461cb96824b7a829c?s=80&d=identicon"},
			EventType: "pipeline", ProjectName: "gitlab-org/gitlab-test",
		}},
		{name: "tag pipeline failed, no user, long", file: "pipeline.json",
			change: func(m map[string]any) {
				m["user"] = nil
				attrs(m)["status"] = "failed"
				attrs(m)["tag"] = true
				attrs(m)["ref"] = "v1.0"
				attrs(m)["duration"] = 3723.9
			},
			want: chatmsg.Message{
				Fallback:    "[gitlab-org/gitlab-test](http://192.168.64.1:3005/gitlab-org/gitlab-test): Pipeline [#31](http://192.168.64.1:3005/gitlab-org/gitlab-test/pipelines/31) of tag [v1.0](http://192.168.64.1:3005/gitlab-org/gitlab-test/commits/v1.0) by API failed in 01:02:03",
				HasFallback: true,
				Attachments: []chatmsg.Attachment{{Color: "danger",
					Text: "[gitlab-org/gitlab-test](http://192.168.64.1:3005/gitlab-org/gitlab-test): Pipeline [#31](http://192.168.64.1:3005/gitlab-org/gitlab-test/pipelines/31) of tag [v1.0](http://192.168.64.1:3005/gitlab-org/gitlab-test/commits/v1.0) by API failed in 01:02:03"}},
				AttachmentText: "[gitlab-org/gitlab-test](http://192.168.64.1:3005/gitlab-org/gitlab-test): Pipeline [#31](http://192.168.64.1:3005/gitlab-org/gitlab-test/pipelines/31) of tag [v1.0](http://192.168.64.1:3005/gitlab-org/gitlab-test/commits/v1.0) by API failed in 01:02:03",
				Activity: chatmsg.Activity{
					Title:    "Pipeline [#31](http://192.168.64.1:3005/gitlab-org/gitlab-test/pipelines/31) of tag [v1.0](http://192.168.64.1:3005/gitlab-org/gitlab-test/commits/v1.0) by API failed",
					Subtitle: "in [gitlab-org/gitlab-test](http://192.168.64.1:3005/gitlab-org/gitlab-test)", Text: "in 01:02:03"},
				EventType: "pipeline", ProjectName: "gitlab-org/gitlab-test",
			}},
		{name: "wiki page created", file: "wiki_page.json", want: chatmsg.Message{
			Pretext:        "Administrator (root) created [wiki page](http://example.com/root/awesome-project/wikis/awesome) in [root/awesome-project](http://example.com/root/awesome-project): *Awesome*",
			Attachments:    []chatmsg.Attachment{{Text: "adding an awesome page to the wiki", Color: "#345"}},
			AttachmentText: "adding an awesome page to the wiki",
			Activity: chatmsg.Activity{Title: "Administrator (root) created [wiki page](http://example.com/root/awesome-project/wikis/awesome)",
				Subtitle: "in [root/awesome-project](http://example.com/root/awesome-project)", Text: "Awesome",
				Image: "http://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=80&d=identicon"},
			EventType: "wiki_page", ProjectName: "root/awesome-project",
		}},
		{name: "wiki page edited", file: "wiki_page.json",
			change: func(m map[string]any) { attrs(m)["action"] = "update"; attrs(m)["message"] = nil },
			want: chatmsg.Message{
				Pretext:     "Administrator (root) edited [wiki page](http://example.com/root/awesome-project/wikis/awesome) in [root/awesome-project](http://example.com/root/awesome-project): *Awesome*",
				Attachments: []chatmsg.Attachment{{Color: "#345"}},
				Activity: chatmsg.Activity{Title: "Administrator (root) edited [wiki page](http://example.com/root/awesome-project/wikis/awesome)",
					Subtitle: "in [root/awesome-project](http://example.com/root/awesome-project)", Text: "Awesome",
					Image: "http://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=80&d=identicon"},
				EventType: "wiki_page", ProjectName: "root/awesome-project",
			}},
		{name: "deployment succeeded", file: "deployment.json", want: chatmsg.Message{
			Pretext: "Deploy to staging succeeded",
			Attachments: []chatmsg.Attachment{{Color: "good",
				Text: "[root/test-deployment-webhooks](http://10.126.0.2:3000/root/test-deployment-webhooks)\n[Job #796](http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796), SHA [279484c0](http://10.126.0.2:3000/root/test-deployment-webhooks/-/commit/279484c09fbe69ededfced8c1bb6e6d24616b468), by Administrator (root)"}},
			AttachmentText: "[root/test-deployment-webhooks](http://10.126.0.2:3000/root/test-deployment-webhooks)\n[Job #796](http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796), SHA [279484c0](http://10.126.0.2:3000/root/test-deployment-webhooks/-/commit/279484c09fbe69ededfced8c1bb6e6d24616b468), by Administrator (root)",
			EventType:      "deployment", ProjectName: "root/test-deployment-webhooks",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := chatmsg.Build(parse(t, tt.file, tt.change), project)
			if !ok {
				t.Fatal("no message")
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", *got, tt.want)
			}
		})
	}
}

func TestBuildNoMessage(t *testing.T) {
	tests := []struct {
		name, file string
		change     func(m map[string]any)
	}{
		{"job", "job.json", nil},
		{"issue update", "issue.json", func(m map[string]any) { attrs(m)["action"] = "update" }},
		{"merge request update", "merge_request.json", func(m map[string]any) { attrs(m)["action"] = "update" }},
		{"note on something else", "note_issue.json", func(m map[string]any) { attrs(m)["noteable_type"] = "Design" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if m, ok := chatmsg.Build(parse(t, tt.file, tt.change), project); ok || m != nil {
				t.Errorf("got a message: %+v", m)
			}
		})
	}
	if m, ok := chatmsg.Build(nil, project); ok || m != nil {
		t.Error("a message for no event")
	}
}

func TestIssueReopenedShowsOpened(t *testing.T) {
	m, _ := chatmsg.Build(parse(t, "issue.json", func(m map[string]any) { attrs(m)["action"] = "reopen" }), project)
	want := "[[gitlabhq/gitlab-test](http://example.com/gitlabhq/gitlab-test)] Issue [#23 New API: create/update/delete file](http://example.com/diaspora/issues/23) opened by Administrator (root)"
	if m.Pretext != want || len(m.Attachments) != 0 || m.AttachmentText != "" {
		t.Errorf("got %q, %d attachments, %q", m.Pretext, len(m.Attachments), m.AttachmentText)
	}
}

func TestPipelineDuration(t *testing.T) {
	for _, tt := range []struct {
		duration any
		want     string
	}{
		{nil, "00:00"}, {0, "00:00"}, {1, "00:01"}, {59.99, "00:59"}, {63, "01:03"}, {599, "09:59"},
		{3599, "59:59"}, {3600, "01:00:00"}, {3661, "01:01:01"}, {36000, "10:00:00"}, {86399, "23:59:59"},
		{86400 + 3600, "01:00:00"}, // a UTC clock: hours wrap at a day
		{-5, "59:55"},
	} {
		m, _ := chatmsg.Build(parse(t, "pipeline.json", func(m map[string]any) { attrs(m)["duration"] = tt.duration }), project)
		if got := m.Activity.Text; got != "in "+tt.want {
			t.Errorf("duration %v: got %q, want %q", tt.duration, got, "in "+tt.want)
		}
	}
}

func TestPipelineStatusText(t *testing.T) {
	for status, want := range map[string]string{"success": "passed good", "failed": "failed danger", "canceled": "canceled danger", "running": "running danger"} {
		m, _ := chatmsg.Build(parse(t, "pipeline.json", func(m map[string]any) { attrs(m)["status"] = status }), project)
		gotStatus := m.Activity.Title[len("Pipeline [#31](http://192.168.64.1:3005/gitlab-org/gitlab-test/pipelines/31) of branch [master](http://192.168.64.1:3005/gitlab-org/gitlab-test/commits/master) by Administrator (root) "):]
		if gotStatus+" "+m.Attachments[0].Color != want {
			t.Errorf("status %s: got %q %q, want %q", status, gotStatus, m.Attachments[0].Color, want)
		}
	}
}

func TestDeploymentStatus(t *testing.T) {
	for _, tt := range []struct{ status, pretext, color string }{
		{"success", "Deploy to staging succeeded", "good"},
		{"failed", "Deploy to staging failed", "danger"},
		{"canceled", "Deploy to staging canceled", "warning"},
		{"running", "Deploy to staging running", "#334455"},
	} {
		m, _ := chatmsg.Build(parse(t, "deployment.json", func(m map[string]any) { m["status"] = tt.status }), project)
		if m.Pretext != tt.pretext || m.Attachments[0].Color != tt.color {
			t.Errorf("%s: got %q %q", tt.status, m.Pretext, m.Attachments[0].Color)
		}
	}
}
