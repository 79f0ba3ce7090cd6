package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/store"
)

// TestPermissions: as the API, settings and deliveries need Maintainer or
// above; a Developer sees the project without its settings (403 on them);
// a user who is no member gets 404 for a private project; admins see all.
func TestPermissions(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, envOptions{})
		p := e.project("demo")
		e.user("maint", p.ID, store.Maintainer)
		e.user("dev", p.ID, store.Developer)
		e.user("stranger", 0, 0)
		settingsPages := []string{
			"/root/demo/-/settings/integrations",
			"/root/demo/-/settings/integrations/slack/edit",
			"/root/demo/-/settings/integrations/slack/deliveries",
			"/root/demo/-/hooks",
		}
		for who, want := range map[string]int{"root": 200, "maint": 200, "dev": 403, "stranger": 404} {
			b := e.browser()
			pw := who + "-password"
			if who == "root" {
				pw = e.rootPW
			}
			b.signIn(who, pw)
			project := b.get("/root/demo")
			home := b.must(200, "/")
			switch who {
			case "stranger":
				if project.status != 404 || strings.Contains(home.body, "root/demo") {
					t.Errorf("stranger: project %d, listed on home: %v", project.status, strings.Contains(home.body, "/root/demo"))
				}
			default:
				if project.status != 200 || !strings.Contains(home.body, `href="/root/demo"`) {
					t.Errorf("%s: project %d", who, project.status)
				}
				hasLink := strings.Contains(project.body, "/-/settings/integrations")
				if hasLink != (want == 200) {
					t.Errorf("%s: settings link shown %v", who, hasLink)
				}
			}
			for _, path := range settingsPages {
				if got := b.get(path); got.status != want {
					t.Errorf("%s GET %s: %d, want %d", who, path, got.status, want)
				}
			}
			if want != 200 {
				form := b.must(200, "/")
				r := b.submit(form, "/root/demo/-/settings/integrations/slack", url.Values{"webhook": {"http://127.0.0.1:9/x"}})
				if r.status != want {
					t.Errorf("%s POST settings: %d, want %d", who, r.status, want)
				}
			}
		}
		if _, err := e.st.Service(context.Background(), p.ID, "slack"); err == nil {
			t.Fatal("a Developer or a stranger changed the settings")
		}
	})
}

// TestPages: every page renders on both engines with GitLab's wording,
// labels tied to inputs, and the 12.5 path redirects.
func TestPages(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, envOptions{})
		e.project("demo")
		e.project("other")
		b := e.browser()
		b.signIn("root", e.rootPW)
		for path, wants := range map[string][]string{
			"/":                                  {"Projects", `placeholder="Filter by name..."`, "root / <strong>demo</strong>", "root / <strong>other</strong>"},
			"/?name=dem":                         {"root / <strong>demo</strong>"},
			"/root/demo":                         {"<h1>demo</h1>", "Integrations allow you to integrate GitLab with other applications"},
			"/root/demo/-/settings/integrations": {"<h1>Integrations</h1>", "Active integrations", "Inactive integrations", "Slack notifications", "Receive event notifications in Slack", "Last updated"},
			"/root/demo/-/settings/integrations/slack/edit": {"Slack notifications", "Active", "Trigger", "Push", "Event will be triggered by a push to the repository",
				`<label for="service_webhook">Webhook`, `placeholder="https://hooks.slack.com/services/..."`, "Channel for push events",
				`<option value="default" selected>Default branch</option>`, "Save changes", "Test settings", "Cancel"},
			"/root/demo/-/settings/integrations/jira/edit":        {`<input type="password" id="service_password" name="password" value=""`},
			"/root/demo/-/settings/integrations/slack/deliveries": {"Slack notifications deliveries", "No deliveries", "Last 24 hours: 0 delivered, 0 failed", "<svg", "Circuit closed"},
			"/root/demo/-/hooks":                                  {"Webhooks", "/hooks/gitlab/", "Generate secret", "No secret token yet", "No events received yet."},
		} {
			p := b.must(200, path)
			for _, want := range wants {
				if !strings.Contains(p.body, want) {
					t.Errorf("GET %s lacks %q", path, want)
				}
			}
			if strings.Contains(p.body, "/root/other") != (path == "/") {
				t.Errorf("GET %s: filter", path)
			}
			checkLabels(t, path, p.body)
		}
		r := b.must(http.StatusMovedPermanently, "/root/demo/-/services/slack/edit")
		if loc := r.header.Get("Location"); loc != "/root/demo/-/settings/integrations/slack/edit" {
			t.Errorf("12.5 path redirects to %q", loc)
		}
		for _, path := range []string{"/root/demo/-/services/nope/edit", "/root/demo/-/settings/integrations/nope/edit", "/root/demo/-/nothing", "/root/nope", "/nope"} {
			b.must(404, path)
		}
		css := b.must(200, "/assets/style.css")
		if !strings.Contains(css.header.Get("Content-Type"), "text/css") {
			t.Errorf("style.css: %q", css.header.Get("Content-Type"))
		}
	})
}

var (
	inputRE = regexp.MustCompile(`<(input|select|textarea)\b[^>]*>`)
	idRE    = regexp.MustCompile(`\bid="([^"]+)"`)
)

// checkLabels: every visible input has a label tied to it (for= its id, or
// wrapping it).
func checkLabels(t *testing.T, path, body string) {
	t.Helper()
	for _, in := range inputRE.FindAllString(body, -1) {
		if strings.Contains(in, `type="hidden"`) {
			continue
		}
		id := idRE.FindStringSubmatch(in)
		if id == nil {
			t.Errorf("%s: an input without id: %s", path, in)
			continue
		}
		wrapped := regexp.MustCompile(`<label class="check">` + regexp.QuoteMeta(in))
		if !strings.Contains(body, `for="`+id[1]+`"`) && !wrapped.MatchString(body) {
			t.Errorf("%s: input %s has no label", path, id[1])
		}
	}
}

// TestIntegrationForm: the form saves through the API's settings functions;
// a wrong value shows the API's message beside its field and stores
// nothing; a secret is never on a page and a blank secret keeps the stored
// one; unticking Active saves the service inactive.
func TestIntegrationForm(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, envOptions{})
		p := e.project("demo")
		b := e.browser()
		b.signIn("root", e.rootPW)
		ctx := context.Background()

		edit := b.must(200, "/root/demo/-/settings/integrations/slack/edit")
		bad := b.submit(edit, "/root/demo/-/settings/integrations/slack", url.Values{"active": {"true"}, "webhook": {"not a url"}, "push_events": {"false", "true"}})
		if bad.status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong webhook: %d", bad.status)
		}
		if !regexp.MustCompile(`<p class="field-error" id="service_webhook_error">Webhook must be a valid URL</p>`).MatchString(bad.body) ||
			!strings.Contains(bad.body, `aria-describedby="service_webhook_error"`) || !strings.Contains(bad.body, `value="not a url"`) {
			t.Fatalf("the error is not beside the field:\n%s", bad.body)
		}
		if _, err := e.st.Service(ctx, p.ID, "slack"); err == nil {
			t.Fatal("a refused form stored the service")
		}
		// Required: a blank webhook is "can't be blank", the API's words.
		bad = b.submit(edit, "/root/demo/-/settings/integrations/slack", url.Values{"active": {"true"}, "webhook": {""}})
		if !strings.Contains(bad.body, "Webhook can&#39;t be blank") {
			t.Fatalf("blank webhook:\n%s", bad.body)
		}
		// Inactive: saved without validation, as GitLab's.
		r := b.submit(edit, "/root/demo/-/settings/integrations/slack", url.Values{"active": {"false"}, "webhook": {""}})
		if r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "notice=inactive") {
			t.Fatalf("inactive save: %d %q", r.status, r.header.Get("Location"))
		}
		if rec, err := e.st.Service(ctx, p.ID, "slack"); err != nil || rec.Active {
			t.Fatalf("inactive save stored %+v %v", rec, err)
		}

		// A service with secrets: Jira's password.
		const secret = "jira-s3cret-Passw0rd"
		edit = b.must(200, "/root/demo/-/settings/integrations/jira/edit")
		form := url.Values{"active": {"true"}, "url": {"http://127.0.0.1:9/jira"}, "username": {"bot"}, "password": {secret}}
		r = b.submit(edit, "/root/demo/-/settings/integrations/jira", form)
		if r.status != http.StatusSeeOther {
			t.Fatalf("jira save: %d\n%s", r.status, r.body)
		}
		saved := b.must(200, "/root/demo/-/settings/integrations/jira/edit?notice=saved")
		if !strings.Contains(saved.body, "Jira settings saved and active.") || !strings.Contains(saved.body, `placeholder="Leave blank to use your current value"`) {
			t.Fatalf("after saving:\n%s", saved.body)
		}
		rec, err := e.st.Service(ctx, p.ID, "jira")
		if err != nil || rec.Sealed["password"] == "" || strings.Contains(fmt.Sprint(rec.Properties), secret) {
			t.Fatalf("jira stored %+v %v", rec, err)
		}
		sealed := rec.Sealed["password"]
		// Blank password: kept. A change of URL without a password: GitLab forgets it.
		form.Set("password", "")
		form.Set("username", "bot2")
		b.submit(saved, "/root/demo/-/settings/integrations/jira", form)
		if rec, _ = e.st.Service(ctx, p.ID, "jira"); rec.Sealed["password"] != sealed || rec.Properties["username"] != "bot2" {
			t.Fatalf("blank password did not keep the stored one: %+v", rec)
		}
		form.Set("url", "http://127.0.0.1:9/other-jira")
		bad = b.submit(saved, "/root/demo/-/settings/integrations/jira", form)
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="service_password_error">Password can&#39;t be blank`) {
			t.Fatalf("URL change without password: %d\n%s", bad.status, bad.body)
		}
		// No page shows the secret.
		for _, path := range []string{"/root/demo/-/settings/integrations/jira/edit", "/root/demo/-/settings/integrations", "/root/demo/-/settings/integrations/jira/deliveries"} {
			integrationtest.AssertNoSecret(t, secret, b.must(200, path).body)
		}
	})
}

// TestOneIssueTrackerOnThePages: GitLab's settings pages save with the
// manual_change context, which refuses a second active issue tracker
// (IssueTrackerService#one_issue_tracker); an inactive one is saved.
func TestOneIssueTrackerOnThePages(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, envOptions{})
		p := e.project("demo")
		b := e.browser()
		b.signIn("root", e.rootPW)
		ctx := context.Background()
		tracker := func(slug string, active bool) page {
			edit := b.must(200, "/root/demo/-/settings/integrations/"+slug+"/edit")
			return b.submit(edit, "/root/demo/-/settings/integrations/"+slug, url.Values{"active": {fmt.Sprint(active)},
				"project_url": {"https://tracker.example.com/p"}, "issues_url": {"https://tracker.example.com/i/:id"},
				"new_issue_url": {"https://tracker.example.com/new"}})
		}
		if r := tracker("redmine", true); r.status != http.StatusSeeOther {
			t.Fatalf("first tracker: %d\n%s", r.status, r.body)
		}
		r := tracker("bugzilla", true)
		if r.status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.body, "Another issue tracker is already in use. Only one issue tracker service can be active at a time") {
			t.Fatalf("second active tracker: %d\n%s", r.status, r.body)
		}
		if _, err := e.st.Service(ctx, p.ID, "bugzilla"); err == nil {
			t.Fatal("the refused tracker was stored")
		}
		if r := tracker("bugzilla", false); r.status != http.StatusSeeOther {
			t.Fatalf("inactive second tracker: %d", r.status)
		}
		if r := tracker("redmine", true); r.status != http.StatusSeeOther {
			t.Fatalf("the active tracker saved again: %d\n%s", r.status, r.body)
		}
	})
}

// TestDeliveryPages: "Generate secret" shows the intake secret once; a push
// posted to the intake shows in the log and on its page with its attempt;
// Retry makes a second attempt; the status filter and paging; Test
// settings shows the target's answer; the circuit state and Resume.
func TestDeliveryPages(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, envOptions{})
		e.project("demo")
		sink := integrationtest.RecordingServer(t)
		sink.Respond(200, "ok from the sink")
		b := e.browser()
		b.signIn("root", e.rootPW)

		hooks := b.must(200, "/root/demo/-/hooks")
		gen := b.submit(hooks, "/root/demo/-/hooks/secret", nil)
		m := regexp.MustCompile(`id="intake-secret" value="(glpat-[A-Za-z0-9]+)"`).FindStringSubmatch(gen.body)
		if gen.status != 200 || m == nil {
			t.Fatalf("generate secret: %d\n%s", gen.status, gen.body)
		}
		intakeSecret := m[1]
		again := b.must(200, "/root/demo/-/hooks")
		if strings.Contains(again.body, intakeSecret) || !strings.Contains(again.body, "A secret token is set") {
			t.Fatal("the intake secret is shown twice")
		}

		edit := b.must(200, "/root/demo/-/settings/integrations/slack/edit")
		form := url.Values{"active": {"true"}, "webhook": {sink.URL + "/slack"}, "push_events": {"false", "true"}, "branches_to_be_notified": {"all"}}
		test := b.submit(edit, "/root/demo/-/settings/integrations/slack/test", form)
		if test.status != 200 || !strings.Contains(test.body, "We sent a request to the provided URL: the target answered 200.") ||
			!strings.Contains(test.body, "ok from the sink") {
			t.Fatalf("test settings: %d\n%s", test.status, test.body)
		}
		if n := len(sink.Requests()); n != 1 {
			t.Fatalf("test settings sent %d requests", n)
		}

		// An event through the intake, as GitLab sends it.
		push, err := os.ReadFile(filepath.Join("..", "event", "testdata", "push.json"))
		if err != nil {
			t.Fatal(err)
		}
		postPush(t, e.srv.URL+"/hooks/gitlab/1", intakeSecret, "web-test-1", push)
		log := waitPage(t, b, "/root/demo/-/settings/integrations/slack/deliveries", `status-delivered">delivered`)
		for _, want := range []string{"push", "Last 24 hours: 1 delivered, 0 failed", "1–1 of 1", `fill="#1aaa55"`} {
			if !strings.Contains(log.body, want) {
				t.Errorf("delivery log lacks %q:\n%s", want, log.body)
			}
		}
		id := regexp.MustCompile(`/deliveries/(\d+)">#`).FindStringSubmatch(log.body)[1]
		if f := b.must(200, "/root/demo/-/settings/integrations/slack/deliveries?status=failed"); !strings.Contains(f.body, "No deliveries with status failed") {
			t.Errorf("filter failed:\n%s", f.body)
		}
		if hooks := b.must(200, "/root/demo/-/hooks"); !strings.Contains(hooks.body, "Push Hook") || !strings.Contains(hooks.body, "web-test-1") {
			t.Errorf("the intake page does not list the event")
		}
		dpath := "/root/demo/-/settings/integrations/slack/deliveries/" + id
		dp := b.must(200, dpath)
		for _, want := range []string{`id="attempt-1"`, "answered <span class=\"code\">200</span>", "Request: <code>POST " + sink.URL + "/slack (", "ok from the sink", "&#34;object_kind&#34;: &#34;push&#34;", "Retry"} {
			if !strings.Contains(dp.body, want) {
				t.Errorf("delivery page lacks %q", want)
			}
		}
		retry := b.submit(dp, dpath+"/retry", nil)
		if retry.status != http.StatusSeeOther {
			t.Fatalf("retry: %d", retry.status)
		}
		waitPage(t, b, dpath, `id="attempt-2"`)
		if n := len(sink.Requests()); n != 3 {
			t.Fatalf("sink got %d requests, want 3 (test, delivery, retry)", n)
		}
		b.must(404, "/root/demo/-/settings/integrations/asana/deliveries/"+id) // another service's path
		b.must(404, "/root/demo/-/settings/integrations/slack/deliveries/999999")

		// Paging: 25 more events, 20 a page.
		for i := range 25 {
			postPush(t, e.srv.URL+"/hooks/gitlab/1", intakeSecret, fmt.Sprintf("page-%d", i), push)
		}
		first := b.must(200, "/root/demo/-/settings/integrations/slack/deliveries")
		if !strings.Contains(first.body, "1–20 of 26") || !strings.Contains(first.body, `rel="next"`) || strings.Contains(first.body, `rel="prev"`) {
			t.Errorf("first page:\n%s", first.body)
		}
		second := b.must(200, "/root/demo/-/settings/integrations/slack/deliveries?page=2")
		if !strings.Contains(second.body, "21–26 of 26") || !strings.Contains(second.body, `rel="prev"`) {
			t.Errorf("second page:\n%s", second.body)
		}

		// The circuit: paused (five failures in a row recorded as the
		// deliverer records them), with Resume, through the real breaker.
		// The events above are delivered first: a success closes the
		// circuit again.
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			pending, err := e.st.TargetPending(context.Background(), 1, "slack", 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(pending) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("still pending: %+v", pending)
			}
		}
		until := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		for range 5 {
			if _, _, err := e.st.TargetFailed(context.Background(), 1, "slack", store.Failure{At: until.Add(-30 * time.Second),
				Error: "HTTP 503", Threshold: 5, Pause: func(int) time.Duration { return 30 * time.Second }}); err != nil {
				t.Fatal(err)
			}
		}
		paused := b.must(200, "/root/demo/-/settings/integrations/slack/deliveries")
		if !strings.Contains(paused.body, "until 2030-01-02 03:04:05 UTC after 5 failures in a row") || !strings.Contains(paused.body, ">Resume</button>") {
			t.Fatalf("paused circuit:\n%s", paused.body)
		}
		if r := b.submit(paused, "/root/demo/-/settings/integrations/slack/resume", nil); r.status != http.StatusSeeOther {
			t.Fatalf("resume: %d", r.status)
		}
		if tg, err := e.st.Target(context.Background(), 1, "slack"); err != nil || tg.Open() {
			t.Fatalf("resume did not reach the breaker: %+v %v", tg, err)
		}
		if strings.Contains(b.must(200, "/root/demo/-/settings/integrations/slack/deliveries").body, ">Resume</button>") {
			t.Fatal("still paused after Resume")
		}
		if list := b.must(200, "/root/demo/-/settings/integrations"); !regexp.MustCompile(`aria-label="Deliveries of Slack notifications"><svg class="chart" role="img" aria-label="Last 24 hours: [1-9][0-9]* delivered, 0 failed"`).MatchString(list.body) {
			t.Errorf("integrations list chart:\n%s", list.body)
		}
	})
}

// waitPage polls a page until it contains want.
func waitPage(t *testing.T, b *browser, path, want string) page {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		p := b.must(200, path)
		if strings.Contains(p.body, want) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %q:\n%s", path, want, p.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// postPush sends a push event to the intake as GitLab does, and requires
// 202.
func postPush(t *testing.T, intakeURL, secret, uuid string, body []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", intakeURL, strings.NewReader(string(body)))
	req.Header.Set("X-Gitlab-Event", "Push Hook")
	req.Header.Set("X-Gitlab-Token", secret)
	req.Header.Set("X-Gitlab-Event-UUID", uuid)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Fatalf("intake: %d", resp.StatusCode)
	}
}
