package e2e

// Process-level tests of every service glint delivers to but Slack (which
// delivery_test.go covers): GitLab webhook fixtures posted to a running
// glint reach a stand-in for the service's target on 127.0.0.1 as exactly
// the requests the service's Build makes; a target answering an error
// shows it, readably, in the delivery log and in "Test settings". The
// services with a fixed endpoint (Pushover, Flowdock, HipChat's default
// server, Campfire) reach their stand-ins through --endpoint-override.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
)

// serviceFixture is one GitLab webhook: a fixture, maybe edited, sent
// under a header.
type serviceFixture struct {
	name, file, header string
	change             func(m map[string]any)
}

func attrs(m map[string]any) map[string]any { return m["object_attributes"].(map[string]any) }

// serviceFixtures are the webhooks every service's project gets.
var serviceFixtures = []serviceFixture{
	{"push", "push.json", "Push Hook", nil},
	{"push_branch_deleted", "push.json", "Push Hook", func(m map[string]any) {
		m["after"] = "0000000000000000000000000000000000000000"
		m["checkout_sha"] = nil
		m["commits"] = []any{}
		m["total_commits_count"] = 0
	}},
	{"tag_push", "tag_push.json", "Tag Push Hook", nil},
	{"issue", "issue.json", "Issue Hook", nil},
	{"confidential_issue", "issue.json", "Confidential Issue Hook", func(m map[string]any) { attrs(m)["confidential"] = true }},
	{"merge_request", "merge_request.json", "Merge Request Hook", nil},
	{"note_commit", "note_commit.json", "Note Hook", nil},
	{"note_issue", "note_issue.json", "Note Hook", nil},
	{"note_merge_request", "note_merge_request.json", "Note Hook", nil},
	{"note_snippet", "note_snippet.json", "Note Hook", nil},
	{"confidential_note", "note_issue.json", "Confidential Note Hook", nil},
	{"pipeline", "pipeline.json", "Pipeline Hook", nil},
	{"pipeline_failed", "pipeline.json", "Pipeline Hook", func(m map[string]any) { attrs(m)["status"] = "failed" }},
	{"pipeline_running", "pipeline.json", "Pipeline Hook", func(m map[string]any) { attrs(m)["status"] = "running" }},
	{"wiki_page", "wiki_page.json", "Wiki Page Hook", nil},
	{"deployment", "deployment.json", "Deployment Hook", nil},
	{"job", "job.json", "Job Hook", nil},
}

func (f serviceFixture) body(t *testing.T) []byte {
	t.Helper()
	b := fixture(t, f.file)
	if f.change != nil {
		b = editJSON(t, b, f.change)
	}
	return b
}

// except is every fixture name but those given.
func except(names ...string) []string {
	var out []string
	for _, f := range serviceFixtures {
		if !slices.Contains(names, f.name) {
			out = append(out, f.name)
		}
	}
	return out
}

// serviceCase is one service on a project of its own.
type serviceCase struct {
	slug string
	// props are the properties PUT (as the API takes them) and, typed,
	// what glint resolves them to for Build.
	props map[string]any
	// accepts: the fixtures for which glint records a delivery (the
	// service supports the event); sends: those for which the service
	// sends something (the rest of accepts end skipped by its filters).
	accepts, sends []string
	target         target
	okStatus       int    // the target's answer to the last request of a delivery
	okBody         string // ditto
	// answer is the target's answer to a request with a Then (Campfire's
	// room list).
	answer  func(integration.Request) []byte
	secrets []string
	// refuse names the fixture sent once the target refuses ("" for
	// push): one the service sends something for.
	refuse string

	project projectJSON
	intake  string
	info    integration.Project
}

// Secrets of the services, none of which may show in the delivery log or
// the test's answer.
const (
	mattermostHook = "/hooks/e2eMattermostS3cr3tHook"
	teamsHook      = "/webhook/e2e@t3n4nt/IncomingWebhook/e2eTeamsS3cr3t/c0nn3ct0r"
	hangoutsKey    = "e2eHangoutsK3y"
	hangoutsToken  = "e2eHangoutsT0k3n"
	hipchatToken   = "e2eH1pch4tT0k3n"
	campfireToken  = "e2eC4mpf1r3T0k3n"
	flowdockToken  = "e2eFl0wd0ckT0k3n"
	pushoverApp    = "e2ePush0v3rApp"
	pushoverUser   = "e2ePush0v3rUs3r"
)

// campfireRooms is the room list Campfire's stand-in answers: the room
// comes after 150 others, past the first 4 KiB of the answer (glint gives
// a follow-up the whole answer; the delivery log keeps 4 KiB).
var campfireRooms = func() string {
	var b strings.Builder
	b.WriteString(`{"rooms":[`)
	for i := range 150 {
		fmt.Fprintf(&b, `{"id":%d,"name":"Lobby %d","topic":"not the room"},`, 100+i, i)
	}
	b.WriteString(`{"id":4242,"name":"E2E Room","topic":"builds"}]}`)
	if strings.Index(b.String(), "E2E Room") < 4<<10 {
		panic("the room is within the first 4 KiB")
	}
	return b.String()
}()

// TestServicesEndToEnd: for every service but Slack, one glint process
// delivers the GitLab fixtures to a stand-in for the service's target,
// which receives exactly what the service's Build makes for glint's
// project, and nothing for the events the service does not take; each
// delivery is logged delivered (or skipped, where the service's filters
// leave nothing to send). "Test settings" succeeds. Then each target
// answers as the real service does when it refuses a message: a new
// event's delivery fails showing the target's answer, and "Test settings"
// reports it.
func TestServicesEndToEnd(t *testing.T) {
	began := time.Now()
	chatAccepts := except("deployment", "job")
	chatSends := except("deployment", "job", "pipeline_running")
	pushOnly := []string{"push", "push_branch_deleted"}

	// The targets, each checking what the real service requires.
	mattermost := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		form, err := url.ParseQuery(string(r.Body))
		var pl map[string]any
		switch {
		case r.Method != "POST" || r.Path != mattermostHook:
			return 404, "", "not the incoming webhook"
		case err != nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || len(form) != 1:
			return 400, mattermostError("web.incoming_webhook.parse.app_error", "Unable to parse incoming data"), "not a form with one payload field"
		case json.Unmarshal([]byte(form.Get("payload")), &pl) != nil:
			return 400, mattermostError("web.incoming_webhook.parse.app_error", "Unable to parse incoming data"), "the payload is not JSON"
		case pl["text"] == nil && pl["attachments"] == nil:
			return 400, mattermostError("web.incoming_webhook.text.app_error", "No text specified"), "no text and no attachments"
		}
		return 200, "ok", ""
	}, func(integrationtest.Request) (int, string) {
		return 400, mattermostError("web.incoming_webhook.invalid.app_error", "Invalid webhook.")
	})
	teams := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		var c map[string]any
		switch {
		case r.Method != "POST" || r.Path != teamsHook:
			return 404, "", "not the connector"
		case r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &c) != nil:
			return 400, "Bad payload received by generic incoming webhook.", "not JSON"
		}
		summary, _ := c["summary"].(string)
		text, _ := c["text"].(string)
		if summary == "" && text == "" {
			return 400, "Summary or Text is required.", "no summary and no text"
		}
		return 200, "1", ""
	}, func(integrationtest.Request) (int, string) {
		return 400, "Bad payload received by generic incoming webhook."
	})
	hangouts := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		var m map[string]any
		switch {
		case r.Method != "POST" || r.Path != "/v1/spaces/AAAAe2e/messages":
			return 404, googleError(404, "Requested entity was not found.", "NOT_FOUND"), "not the space's messages"
		case r.Query != "key="+hangoutsKey+"&token="+hangoutsToken:
			return 401, googleError(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED"), "no key and token"
		case r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &m) != nil || len(m) != 1:
			return 400, googleError(400, "Invalid JSON payload received.", "INVALID_ARGUMENT"), "not JSON with one field"
		}
		if text, _ := m["text"].(string); text == "" {
			return 400, googleError(400, "Message cannot be empty.", "INVALID_ARGUMENT"), "no text"
		}
		return 200, `{"name":"spaces/AAAAe2e/messages/1","text":"…"}`, ""
	}, func(integrationtest.Request) (int, string) {
		return 400, googleError(400, "Invalid JSON payload received. Unknown name \"text\": Cannot find field.", "INVALID_ARGUMENT")
	})
	hipchat := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		q, _ := url.ParseQuery(r.Query)
		var m map[string]any
		switch {
		case q.Get("auth_token") != hipchatToken || len(q) != 1:
			return 401, hipchatError(401, "Invalid OAuth session", "Unauthorized"), "no room token in auth_token"
		case r.Method != "POST" || r.Path != "/v2/room/E2E%20Room/notification":
			return 404, hipchatError(404, "Room not found", "Not Found"), "not the room's notification"
		case r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &m) != nil:
			return 400, hipchatError(400, "Invalid JSON", "Bad Request"), "not JSON"
		case m["message"] == "" || m["message"] == nil || m["message_format"] != "html" || m["from"] != "GitLab" || m["room_id"] != "E2E Room":
			return 400, hipchatError(400, "Validation error", "Bad Request"), "not an html message from GitLab to the room"
		}
		return 204, "", ""
	}, func(integrationtest.Request) (int, string) {
		return 401, hipchatError(401, "Invalid OAuth session", "Unauthorized")
	})
	campfireAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte(campfireToken+":X"))
	campfire := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		if r.Header.Get("Authorization") != campfireAuth {
			return 401, "HTTP Basic: Access denied.\n", "no Basic auth <token>:X"
		}
		switch {
		case r.Method == "GET" && r.Path == "/rooms.json":
			return 200, campfireRooms, ""
		case r.Method == "POST" && r.Path == "/room/4242/speak.json":
			form, err := url.ParseQuery(string(r.Body))
			if err != nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" ||
				form.Get("message[type]") != "TextMessage" || form.Get("message[body]") == "" {
				return 400, "", "not a form-encoded TextMessage"
			}
			return 201, `{"message":{"id":1,"room_id":4242,"type":"TextMessage"}}`, ""
		}
		return 404, "", "neither the room list nor the room's speak"
	}, func(r integrationtest.Request) (int, string) {
		// A locked room: the room list still answers, speaking does not.
		if r.Method == "GET" {
			return 200, campfireRooms
		}
		return 422, `{"errors":["Room is locked"]}`
	})
	flowdock := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		var m map[string]any
		switch {
		case r.Method != "POST" || r.Path != "/v1/messages" || r.Query != "":
			return 404, `{"message":"Not found"}`, "not the messages API"
		case r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(r.Body, &m) != nil:
			return 400, `{"message":"Validation error"}`, "not JSON"
		case m["flow_token"] != flowdockToken:
			return 404, `{"message":"Flow not found"}`, "not the flow's token"
		case m["event"] != "activity" || m["title"] == "" || m["external_thread_id"] == "" || m["thread"] == nil:
			return 400, `{"message":"Validation error"}`, "not a thread activity"
		}
		return 201, `{}`, ""
	}, func(integrationtest.Request) (int, string) {
		return 404, `{"message":"Flow not found","errors":{"flow_token":["is invalid"]}}`
	})
	pushover := newHTTPTarget(t, func(r integrationtest.Request) (int, string, string) {
		f, err := url.ParseQuery(string(r.Body))
		switch {
		case r.Method != "POST" || r.Path != "/1/messages.json" || err != nil:
			return 404, `{"status":0,"errors":["not found"]}`, "not the messages API"
		case f.Get("token") != pushoverApp:
			return 400, `{"token":"invalid","errors":["application token is invalid"],"status":0}`, "not the application token"
		case f.Get("user") != pushoverUser:
			return 400, `{"user":"invalid","errors":["user identifier is not a valid user, group, or subscribed user key"],"status":0}`, "not the user key"
		case f.Get("message") == "":
			return 400, `{"message":"cannot be blank","errors":["message cannot be blank"],"status":0}`, "no message"
		}
		return 200, `{"status":1,"request":"5042853c-402d-4a18-abcb-168734a801de"}`, ""
	}, func(integrationtest.Request) (int, string) {
		return 400, `{"token":"invalid","errors":["application token is invalid, see https://pushover.net/api"],"status":0,"request":"5042853c-402d-4a18-abcb-168734a801de"}`
	})
	irkerd := newTCPTarget(t)

	cases := []*serviceCase{
		{slug: "mattermost", target: mattermost, okStatus: 200, okBody: "ok", secrets: []string{"e2eMattermostS3cr3tHook"},
			props: map[string]any{"webhook": mattermost.rec.URL + mattermostHook, "username": "glint", "channel": "town-square",
				"notify_only_broken_pipelines": false, "branches_to_be_notified": "all"},
			accepts: except("job"), sends: except("job", "pipeline_running")},
		{slug: "microsoft-teams", target: teams, okStatus: 200, okBody: "1", secrets: []string{"e2eTeamsS3cr3t", "c0nn3ct0r"},
			props:   map[string]any{"webhook": teams.rec.URL + teamsHook, "notify_only_broken_pipelines": false, "branches_to_be_notified": "all"},
			accepts: chatAccepts, sends: chatSends},
		{slug: "hangouts-chat", target: hangouts, okStatus: 200, okBody: `{"name":"spaces/AAAAe2e/messages/1","text":"…"}`,
			secrets: []string{hangoutsKey, hangoutsToken},
			props: map[string]any{"webhook": hangouts.rec.URL + "/v1/spaces/AAAAe2e/messages?key=" + hangoutsKey + "&token=" + hangoutsToken,
				"notify_only_broken_pipelines": false, "branches_to_be_notified": "all"},
			accepts: chatAccepts, sends: chatSends},
		// HipChat has no notify_only_broken_pipelines in the API: it stays
		// true, so a pipeline that passed is not sent. No server: the
		// default, https://api.hipchat.com, is overridden.
		{slug: "hipchat", target: hipchat, okStatus: 204, okBody: "", secrets: []string{hipchatToken},
			props:   map[string]any{"token": hipchatToken, "room": "E2E Room", "color": "purple", "notify": true},
			accepts: except("wiki_page", "deployment", "job"), sends: except("wiki_page", "deployment", "job", "pipeline", "pipeline_running")},
		{slug: "campfire", target: campfire, okStatus: 201, okBody: `{"message":{"id":1,"room_id":4242,"type":"TextMessage"}}`,
			secrets: []string{campfireToken, base64.StdEncoding.EncodeToString([]byte(campfireToken + ":X"))},
			props:   map[string]any{"token": campfireToken, "subdomain": "e2e", "room": "E2E Room"},
			answer:  func(integration.Request) []byte { return []byte(campfireRooms) },
			accepts: pushOnly, sends: pushOnly},
		// A push deleting a branch has no commits: nothing for Flowdock.
		{slug: "flowdock", target: flowdock, okStatus: 201, okBody: `{}`, secrets: []string{flowdockToken},
			props:   map[string]any{"token": flowdockToken},
			accepts: pushOnly, sends: []string{"push"}},
		{slug: "pushover", target: pushover, okStatus: 200, okBody: `{"status":1,"request":"5042853c-402d-4a18-abcb-168734a801de"}`,
			secrets: []string{pushoverApp, pushoverUser},
			props:   map[string]any{"api_key": pushoverApp, "user_key": pushoverUser, "priority": "1", "device": "", "sound": "bike"},
			accepts: pushOnly, sends: pushOnly},
		{slug: "irker", target: irkerd, okStatus: 0, okBody: "",
			props: map[string]any{"recipients": "#commits irc://irc.example.net:6697/ops", "default_irc_uri": "irc://irc.example.net/",
				"server_host": "127.0.0.1", "server_port": irkerPort(t, irkerd.addr), "colorize_messages": true},
			accepts: pushOnly, sends: pushOnly},
	}

	// One glint for all: deliveries to 127.0.0.1, the fixed endpoints
	// overridden, and a second attempt at most (irker's refused
	// connection is worth retrying; the others' 4xx are final).
	p := deliveryNode(t, "services", t.TempDir(), nil,
		"--delivery-max-attempts", "2", "--delivery-timeout", "3s",
		"--endpoint-override", "https://api.pushover.net="+pushover.rec.URL,
		"--endpoint-override", "https://api.flowdock.com="+flowdock.rec.URL,
		"--endpoint-override", "https://api.hipchat.com="+hipchat.rec.URL,
		"--endpoint-override", "https://e2e.campfirenow.com:443="+campfire.rec.URL)
	token := rootToken(t, p)
	for _, from := range []string{"https://api.pushover.net", "https://api.flowdock.com", "https://api.hipchat.com", "https://e2e.campfirenow.com"} {
		if !strings.Contains(p.stderr.String(), "from="+from) {
			t.Errorf("no override of %s logged:\n%s", from, tail(p.stderr.String(), 2000))
		}
	}

	checkServices(t, p, token, cases, serviceFixtures)
	t.Logf("%d services, %d fixtures each, in %s", len(cases), len(serviceFixtures), time.Since(began).Round(time.Millisecond))
	p.stop()
}

func irkerPort(t *testing.T, addr string) int64 {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	n, perr := strconv.ParseInt(port, 10, 64)
	if err != nil || perr != nil {
		t.Fatalf("irker target address %q", addr)
	}
	return n
}

func lastAttempt(d deliveryJSON) attemptJSON {
	if len(d.History) == 0 {
		return attemptJSON{}
	}
	return d.History[len(d.History)-1]
}

// resolved are the service's settings as glint resolves them for Build:
// the service's defaults, then what was PUT, typed as the API stores it.
func resolved(t *testing.T, c *serviceCase) map[string]any {
	t.Helper()
	svc, _ := catalog.Lookup(c.slug)
	out := svc.DefaultProperties()
	maps.Copy(out, c.props)
	return out
}

// logTable logs which fixture each service sent, skipped or never took.
func logTable(t *testing.T, cases []*serviceCase, fixtures []serviceFixture, outcome map[string]map[string]string) {
	var b strings.Builder
	fmt.Fprintf(&b, "%-20s", "fixture")
	for _, c := range cases {
		fmt.Fprintf(&b, " %-15s", c.slug)
	}
	for _, f := range fixtures {
		fmt.Fprintf(&b, "\n%-20s", f.name)
		for _, c := range cases {
			fmt.Fprintf(&b, " %-15s", outcome[c.slug][f.name])
		}
	}
	t.Logf("end to end, by service and fixture:\n%s", b.String())
}

func mattermostError(id, message string) string {
	return fmt.Sprintf(`{"id":%q,"message":%q,"detailed_error":"","request_id":"e2ereq4mattermost","status_code":400}`, id, message)
}

func googleError(code int, message, status string) string {
	return fmt.Sprintf(`{"error":{"code":%d,"message":%q,"status":%q}}`, code, message, status)
}

func hipchatError(code int, message, typ string) string {
	return fmt.Sprintf(`{"error":{"code":%d,"message":%q,"type":%q}}`, code, message, typ)
}

// TestServicesEndpointOverrides: the overrides come from
// GLINT_ENDPOINT_OVERRIDES, or from --endpoint-override, which replaces
// the environment's; the local-network policy applies to the rewritten
// URL; an override that does not parse stops glint at start. HipChat's
// server is set to a host under .invalid, which no resolver answers: a
// call the override missed goes nowhere.
func TestServicesEndpointOverrides(t *testing.T) {
	const origin = "https://chat.e2e.invalid"
	hipchatOn := func(t *testing.T, p *proc) (string, int64) {
		t.Helper()
		token := rootToken(t, p)
		pj := createProject(t, p, token, "override")
		form := url.Values{"token": {hipchatToken}, "room": {"E2E Room"}, "server": {origin}}
		call(t, "PUT", p.url(fmt.Sprintf("/api/v4/projects/%d/services/hipchat", pj.ID)), token, form, 200, nil)
		return token, pj.ID
	}
	run := func(name string, f func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t)
		})
	}
	run("environment", func(t *testing.T) {
		rec := integrationtest.RecordingServer(t)
		rec.Respond(204, "")
		p := deliveryNode(t, "override env", t.TempDir(), []string{"GLINT_ENDPOINT_OVERRIDES=https://api.pushover.net=http://127.0.0.1:1, " + origin + "=" + rec.URL + " ,"})
		token, id := hipchatOn(t, p)
		out, raw := testService(t, p, token, id, "hipchat")
		if got := rec.Requests(); !out.Success || len(got) != 1 || got[0].Path != "/v2/room/E2E%20Room/notification" || got[0].Query != "auth_token="+hipchatToken {
			t.Errorf("test answered %s; the target received %+v", raw, got)
		}
		for _, from := range []string{"https://api.pushover.net", origin} {
			if !strings.Contains(p.stderr.String(), "from="+from) {
				t.Errorf("no override of %s logged", from)
			}
		}
		p.stop()
	})
	run("flag replaces environment", func(t *testing.T) {
		envTarget, flagTarget := integrationtest.RecordingServer(t), integrationtest.RecordingServer(t)
		flagTarget.Respond(204, "")
		p := deliveryNode(t, "override flag", t.TempDir(), []string{"GLINT_ENDPOINT_OVERRIDES=" + origin + "=" + envTarget.URL},
			"--endpoint-override", origin+"="+flagTarget.URL)
		token, id := hipchatOn(t, p)
		out, raw := testService(t, p, token, id, "hipchat")
		if !out.Success || len(flagTarget.Requests()) != 1 || len(envTarget.Requests()) != 0 {
			t.Errorf("test answered %s; the flag's target received %d requests, the environment's %d", raw, len(flagTarget.Requests()), len(envTarget.Requests()))
		}
		p.stop()
	})
	run("local policy", func(t *testing.T) {
		rec := integrationtest.RecordingServer(t)
		p := serve(t, "override policy", t.TempDir(), nil, "--endpoint-override", origin+"="+rec.URL)
		p.waitReady(30 * time.Second)
		token, id := hipchatOn(t, p)
		out, raw := testService(t, p, token, id, "hipchat")
		if out.Success || !strings.Contains(out.Error, "requests to the local network are not allowed") ||
			!strings.Contains(out.Error, rec.URL+"/v2/…") || len(rec.Requests()) != 0 {
			t.Errorf("an override to %s without --allow-local-requests: test answered %s, the target received %d requests", rec.URL, raw, len(rec.Requests()))
		}
		assertNoSecrets(t, "test answer", [][]byte{raw}, hipchatToken)
		p.stop()
	})
	run("invalid", func(t *testing.T) {
		cases := []struct {
			env  []string
			flag []string
			code int
			msg  string
		}{
			{nil, []string{"--endpoint-override", "https://api.pushover.net"}, 2, `invalid endpoint override "https://api.pushover.net": want FROM=TO`},
			{nil, []string{"--endpoint-override", "https://api.pushover.net/1=http://127.0.0.1:1"}, 2, "FROM must be scheme://host[:port] only"},
			{nil, []string{"--endpoint-override", "https://a.example=http://127.0.0.1:1", "--endpoint-override", "https://A.example:443=http://127.0.0.1:2"}, 2,
				"https://a.example is overridden twice"},
			{[]string{"GLINT_ENDPOINT_OVERRIDES=https://api.pushover.net=ftp://127.0.0.1"}, nil, 2,
				`GLINT_ENDPOINT_OVERRIDES="https://api.pushover.net=ftp://127.0.0.1" is not valid: invalid endpoint override "https://api.pushover.net=ftp://127.0.0.1": TO must be an http:// or https:// origin`},
		}
		for _, c := range cases {
			args := append([]string{"serve", "--data-dir", t.TempDir(), "--listen", freeAddr(t)}, c.flag...)
			_, stderr, code := runGlint(t, c.env, args...)
			if code != c.code || !strings.Contains(stderr, c.msg) {
				t.Errorf("glint %v with %v: exit code %d, stderr:\n%s\nwant %d and %q", c.flag, c.env, code, tail(stderr, 2000), c.code, c.msg)
			}
		}
	})
}
