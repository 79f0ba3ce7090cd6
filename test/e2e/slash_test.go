package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/gitlabapi/gitlabtest"
	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
)

func TestSlashCommandsSQLite(t *testing.T) {
	slashEndToEnd(t, filepath.Join(t.TempDir(), "node"), nil)
}

func TestSlashCommandsPostgres(t *testing.T) {
	dsn := pgtest.Postgres(t)
	slashEndToEnd(t, filepath.Join(t.TempDir(), "node"), []string{"GLINT_SECRET_KEY=" + newSecretKey(t)}, "--database", dsn)
}

// slashEndToEnd: "glint serve" carries a Mattermost slash command out on
// the project's GitLab source, named by a public URL that
// --endpoint-override sends to a stand-in GitLab on 127.0.0.1, with the
// source token; without the source, the explanation.
func slashEndToEnd(t *testing.T, dir string, env []string, extra ...string) {
	const sourceToken = "glpat-chatops-bot-0123456789"
	const public = "https://gitlab.example.com"
	g := gitlabtest.New(t, sourceToken, "root/chatops")
	g.AddIssue(gitlabtest.Issue{IID: 7, Title: "Broken login"})
	p := deliveryNode(t, "slash", dir, env, append(extra, "--endpoint-override", public+"="+g.URL)...)
	token := rootToken(t, p)
	pj := createProject(t, p, token, "chatops")
	if pj.PathWithNamespace != "root/chatops" {
		t.Fatalf("project path %q", pj.PathWithNamespace)
	}

	call(t, "PUT", p.url(fmt.Sprintf("/api/v4/projects/%d/services/mattermost-slash-commands", pj.ID)), token,
		url.Values{"token": {"mm-token-e2e"}}, 200, nil)
	call(t, "PUT", p.url(fmt.Sprintf("/api/v4/projects/%d/gitlab_source", pj.ID)), token,
		url.Values{"url": {public}, "token": {sourceToken}}, 200, nil)
	trigger := p.url(fmt.Sprintf("/api/v4/projects/%d/services/mattermost_slash_commands/trigger", pj.ID))
	ask := func(text string) map[string]any {
		t.Helper()
		var out map[string]any
		call(t, "POST", trigger, "", url.Values{"token": {"mm-token-e2e"}, "command": {"/gitlab"}, "text": {text},
			"team_id": {"T1"}, "user_id": {"U1"}, "user_name": {"steve"}}, 200, &out)
		return out
	}

	out := ask("issue close 7")
	b, _ := json.Marshal(out)
	if out["response_type"] != "in_channel" || !strings.Contains(string(b), `"fallback":"Closed issue #7: Broken login"`) {
		t.Errorf("issue close answered %s", b)
	}
	if i, _ := g.IssueNow(7); !i.Closed {
		t.Error("issue #7 is not closed on the stand-in GitLab")
	}
	path := "/api/v4/projects/" + url.PathEscape(pj.PathWithNamespace)
	if want := "PUT " + path + "/issues/7 state_event=close"; !slices.Contains(g.Requests(), want) {
		t.Errorf("the stand-in got %q, not %q", g.Requests(), want)
	}
	if out := ask("issue show 8"); out["text"] != "404 not found! GitLab couldn't find what you were looking for! :boom:" {
		t.Errorf("issue show 8 answered %v", out)
	}
	call(t, "DELETE", p.url(fmt.Sprintf("/api/v4/projects/%d/gitlab_source", pj.ID)), token, nil, 204, nil)
	if text, _ := ask("issue show 7")["text"].(string); !strings.HasPrefix(text, "Sorry, `/gitlab issue show` is not available here") {
		t.Errorf("without a source: %q", text)
	}
	p.stop()
	assertNoSecrets(t, "logs", [][]byte{[]byte(p.stdout.String()), []byte(p.stderr.String())}, sourceToken)
}
