package api_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/store"
)

const (
	slackToken = "sl4ckSl4shT0ken"
	mmToken    = "m4tterm0stT0ken"
	notFoundSv = `{"message":"404 Service Not Found"}`
)

// slashEnv is a test env with a project root/demo whose Slack and
// Mattermost slash command services are set up with their tokens.
func slashEnv(t *testing.T) (*testEnv, int64) {
	e := newTestEnv(t)
	pid := e.project("demo")
	base := fmt.Sprintf("/api/v4/projects/%d/services/", pid)
	e.must(200, "PUT", base+"slack-slash-commands", e.root, map[string]any{"token": slackToken})
	e.must(200, "PUT", base+"mattermost-slash-commands", e.root, map[string]any{"token": mmToken, "username": "glint"})
	return e, pid
}

func triggerPath(pid any, chat string) string {
	return fmt.Sprintf("/api/v4/projects/%v/services/%s_slash_commands/trigger", pid, chat)
}

// trigger posts a slash command as Slack and Mattermost do: form-encoded,
// with no user authentication.
func (e *testEnv) trigger(path string, form url.Values) response {
	e.t.Helper()
	return e.do("POST", path, "", []byte(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
}

func command(token, text string) url.Values {
	return url.Values{
		"token": {token}, "team_id": {"T0001"}, "team_domain": {"example"}, "channel_id": {"C2147483705"},
		"channel_name": {"test"}, "user_id": {"U2147483697"}, "user_name": {"steve"}, "command": {"/gitlab"},
		"text": {text}, "response_url": {"https://hooks.slack.com/commands/1234/5678"},
	}
}

func TestSlashHelp(t *testing.T) {
	e, pid := slashEnv(t)
	for _, chat := range []struct{ name, token string }{{"slack", slackToken}, {"mattermost", mmToken}} {
		t.Run(chat.name, func(t *testing.T) {
			r := e.trigger(triggerPath(pid, chat.name), command(chat.token, "help"))
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.HasPrefix(string(r.body), `{"response_type":"ephemeral","status":200,"text":"*Available commands*\n`) {
				t.Errorf("body %s", r.body)
			}
			m := r.json(t)
			text, _ := m["text"].(string)
			for _, want := range []string{
				"/gitlab issue show <id>\n",
				"/gitlab issue new <title> *`⇧ Shift`*+*`↵ Enter`* <description>\n",
				"/gitlab issue search <your query>\n",
				"/gitlab issue move <issue_id> (to)? <project_path>\n",
				"/gitlab deploy <environment> to <target-environment>\n",
				"/gitlab run <command> <arguments>\n",
				"can be found at\nhttp://glint.test/root/demo.\n",
				"https://docs.gitlab.com/ce/ci/chatops/README.html",
			} {
				if !strings.Contains(text, want) {
					t.Errorf("help lacks %q:\n%s", want, text)
				}
			}
			if len(m) != 3 {
				t.Errorf("keys %v, want response_type, status and text", m)
			}
		})
	}
}

func TestSlashCommands(t *testing.T) {
	e, pid := slashEnv(t)
	path := triggerPath(pid, "slack")
	tests := []struct {
		text, prefix string
	}{
		{"", "The specified command is not valid.\n\n*Available commands*\n"},
		{"frobnicate", "The specified command is not valid.\n\n*Available commands*\n"},
		{"issue show 12", "Sorry, `/gitlab issue show` is not available here"},
		{"issue new Broken\nIt is broken.", "Sorry, `/gitlab issue new` is not available here"},
		{"issue search flaky", "Sorry, `/gitlab issue search` is not available here"},
		{"deploy staging to production", "Sorry, `/gitlab deploy` is not available here"},
		{"run build", "Sorry, `/gitlab run` is not available here"},
	}
	for _, tt := range tests {
		r := e.trigger(path, command(slackToken, tt.text))
		if r.status != 200 {
			t.Fatalf("%q: status %d: %s", tt.text, r.status, r.body)
		}
		m := r.json(t)
		if m["response_type"] != "ephemeral" || !strings.HasPrefix(m["text"].(string), tt.prefix) {
			t.Errorf("%q: %s", tt.text, r.body)
		}
	}
}

func TestSlashJSONAndPathID(t *testing.T) {
	e, _ := slashEnv(t)
	// A JSON body, and the project named by its URL-encoded full path.
	r := e.must(200, "POST", triggerPath("root%2Fdemo", "mattermost"), "", map[string]any{"token": mmToken, "text": "help", "command": "/demo"})
	if !strings.Contains(r.json(t)["text"].(string), "/demo issue show <id>") {
		t.Errorf("body %s", r.body)
	}
}

func TestSlashRefusals(t *testing.T) {
	e, pid := slashEnv(t)
	other := e.project("other") // no slash command service
	tests := []struct {
		name   string
		path   string
		form   url.Values
		status int
		body   string
	}{
		{"wrong token", triggerPath(pid, "slack"), command("wrong", "help"), 404, notFoundSv},
		{"token of a prefix", triggerPath(pid, "slack"), command(slackToken[:5], "help"), 404, notFoundSv},
		{"empty token", triggerPath(pid, "slack"), command("", "help"), 404, notFoundSv},
		{"the other service's token", triggerPath(pid, "slack"), command(mmToken, "help"), 404, notFoundSv},
		{"missing token", triggerPath(pid, "slack"), url.Values{"text": {"help"}}, 400, `{"error":"token is missing"}`},
		{"unknown project", triggerPath(999999, "slack"), command(slackToken, "help"), 404, notFoundSv},
		{"unknown project path", triggerPath("nobody%2Fnothing", "slack"), command(slackToken, "help"), 404, notFoundSv},
		{"invalid project id", triggerPath("demo", "slack"), command(slackToken, "help"), 404, notFoundSv},
		{"service never set up", triggerPath(other, "slack"), command(slackToken, "help"), 404, notFoundSv},
		{"dashed slug is no route", fmt.Sprintf("/api/v4/projects/%d/services/slack-slash-commands/trigger", pid),
			command(slackToken, "help"), 404, `{"error":"404 Not Found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.trigger(tt.path, tt.form)
			if r.status != tt.status || strings.TrimSpace(string(r.body)) != tt.body {
				t.Errorf("%d %s, want %d %s", r.status, r.body, tt.status, tt.body)
			}
		})
	}
	// GET has no route.
	if r := e.do("GET", triggerPath(pid, "slack")+"?token="+slackToken, "", nil); r.status == 200 {
		t.Errorf("GET answered 200: %s", r.body)
	}
}

func TestSlashInactiveService(t *testing.T) {
	e, pid := slashEnv(t)
	base := fmt.Sprintf("/api/v4/projects/%d/services/", pid)
	// DELETE deactivates the service and forgets its token.
	e.must(204, "DELETE", base+"slack-slash-commands", e.root, nil)
	if r := e.trigger(triggerPath(pid, "slack"), command(slackToken, "help")); r.status != 404 || strings.TrimSpace(string(r.body)) != notFoundSv {
		t.Errorf("deleted service: %d %s", r.status, r.body)
	}
	// Inactive with its token still stored: still not found.
	_, err := e.st.UpdateService(context.Background(), pid, "mattermost-slash-commands", func(rec *store.Service) error {
		rec.Active = false
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !e.hasSealed(pid, "mattermost-slash-commands", "token") {
		t.Fatal("the token should still be stored")
	}
	if r := e.trigger(triggerPath(pid, "mattermost"), command(mmToken, "help")); r.status != 404 || strings.TrimSpace(string(r.body)) != notFoundSv {
		t.Errorf("inactive service: %d %s", r.status, r.body)
	}
}

func TestSlashTokenNeverLogged(t *testing.T) {
	e, pid := slashEnv(t)
	e.trigger(triggerPath(pid, "slack"), command(slackToken, "help"))
	e.trigger(triggerPath(pid, "slack"), command("wr0ngT0kenValue", "help"))
	e.do("POST", triggerPath(pid, "slack")+"?token="+slackToken, "", nil)
	logs := e.logs.String()
	for _, secret := range []string{slackToken, "wr0ngT0kenValue"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs hold %q", secret)
		}
	}
}
