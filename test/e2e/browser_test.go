package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's headless Chromium. Without it the browser
// tests skip with one line, except in CI (CI=true), where they fail.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed: CI must run the browser tests (apt-get install chromium)")
	}
	t.Skip("chromium is not installed: skipping the browser tests (apt-get install chromium)")
	return ""
}

// newChrome starts a headless Chromium with a profile of its own and
// returns a context to drive it (each action is given its own deadline by
// the caller: a deadline on this context would stop the browser).
func newChrome(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], // --headless, --no-first-run, --disable-background-networking, --disable-sync
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// screenshots writes full-page PNGs of the pages visited when
// GLINT_SCREENSHOTS names a directory (docs/screenshots is made so).
type screenshots struct{ dir string }

func (s screenshots) take(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if s.dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

var rootPasswordRE = regexp.MustCompile(`(?m)^Its password for the web sign-in .*\n(\S+)$`)

// TestBrowser drives a real headless Chromium through the pages of a real
// glint: sign in, configure Slack through the form pointing at a local
// sink, Test settings, an event through the intake shown in the delivery
// log, Retry, a wrong value's error beside its field, a Developer without
// settings, a form posted without its CSRF token refused, and no stored
// secret in any page's source.
func TestBrowser(t *testing.T) {
	chrome := chromiumPath(t)
	shots := screenshots{dir: os.Getenv("GLINT_SCREENSHOTS")}
	if shots.dir != "" {
		if err := os.MkdirAll(shots.dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	g := deliveryNode(t, "browser", dir, nil)
	token := rootToken(t, g)
	m := rootPasswordRE.FindStringSubmatch(g.stdout.String())
	if m == nil {
		t.Fatalf("no root password on stdout: %q", g.stdout.String())
	}
	password := m[1]
	if data, err := os.ReadFile(filepath.Join(dir, "initial_root_password")); err != nil || strings.TrimSpace(string(data)) != password {
		t.Fatalf("initial_root_password: %q %v", data, err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "initial_root_password")); fi.Mode().Perm() != 0o600 {
		t.Fatalf("initial_root_password mode %v", fi.Mode().Perm())
	}
	project := createProject(t, g, token, "demo")
	call(t, "POST", g.url("/api/v4/users"), token, url.Values{"username": {"dev"}, "email": {"dev@example.com"}, "name": {"Dev"}, "password": {"dev-password"}}, 201, nil)
	var dev struct {
		ID int64 `json:"id"`
	}
	var users []struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
	}
	call(t, "GET", g.url("/api/v4/users?username=dev"), token, nil, 200, &users)
	dev.ID = users[0].ID
	call(t, "POST", g.url(fmt.Sprintf("/api/v4/projects/%d/members", project.ID)), token,
		url.Values{"user_id": {fmt.Sprint(dev.ID)}, "access_level": {"30"}}, 201, nil)
	sink := newSink(t, func(n int, w http.ResponseWriter, r *http.Request) { answer(w, 200, "ok from the sink") })

	ctx := newChrome(t, chrome)
	base := g.url("")
	// step runs one action with a deadline of its own.
	step := func(a chromedp.Action[chromedp.Void]) error {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return chromedp.Do(sctx, a)
	}
	get := func(a chromedp.Action[string]) string {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		v, err := chromedp.Run(sctx, a)
		if err != nil {
			t.Fatalf("reading the page: %v", err)
		}
		return v
	}
	text := func(sel string) string { t.Helper(); return get(chromedp.Text(chromedp.CSS(sel))) }
	source := func() string { t.Helper(); return get(chromedp.OuterHTML(chromedp.CSS("html"))) }
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := step(chromedp.Steps(actions...)); err != nil {
			t.Fatalf("%s: %v\npage:\n%s", what, err, tail(source(), 3000))
		}
	}
	signIn := func(login, pw string) {
		t.Helper()
		run("sign in as "+login,
			chromedp.Navigate(base+"/users/sign_in"),
			chromedp.WaitVisible(chromedp.CSS("#user_login")),
			chromedp.SendKeys(chromedp.CSS("#user_login"), login),
			chromedp.SendKeys(chromedp.CSS("#user_password"), pw),
			chromedp.Click(chromedp.CSS(`button[name="commit"]`)),
			chromedp.WaitVisible(chromedp.CSS(".user-menu")),
		)
	}
	secretsSeen := []string{}
	noSecret := func(where string) {
		t.Helper()
		src := source()
		for _, s := range secretsSeen {
			if strings.Contains(src, s) {
				t.Fatalf("%s: the page source holds a stored secret", where)
			}
		}
	}

	// Sign in.
	run("sign-in page", chromedp.Navigate(base+"/users/sign_in"), chromedp.WaitVisible(chromedp.CSS("#user_login")))
	shots.take(t, ctx, "sign-in")
	signIn("root", password)
	if !strings.Contains(text("main"), "root / demo") {
		t.Fatalf("projects page: %q", text("main"))
	}
	shots.take(t, ctx, "projects")
	run("project page", chromedp.Click(chromedp.CSS(`a[href="/root/demo"]`)), chromedp.WaitVisible(chromedp.CSS("h1")))
	shots.take(t, ctx, "project")

	// The integrations page.
	run("integrations", chromedp.Click(chromedp.CSS(`.breadcrumbs a[href="/root/demo/-/settings/integrations"]`)), chromedp.WaitVisible(chromedp.CSS("h1")))
	if h := text("h1"); h != "Integrations" || !strings.Contains(text("main"), "Slack notifications") {
		t.Fatalf("integrations page: %q", h)
	}

	// A wrong value shows its error beside the field.
	run("open slack", chromedp.Click(chromedp.CSS(`a[href="/root/demo/-/settings/integrations/slack/edit"]`)), chromedp.WaitVisible(chromedp.CSS("#service_webhook")))
	run("wrong webhook",
		chromedp.SendKeys(chromedp.CSS("#service_webhook"), "not a url"),
		chromedp.Click(chromedp.CSS("#save-changes")),
		chromedp.WaitVisible(chromedp.CSS("#service_webhook_error")),
	)
	if got := text("#service_webhook_error"); got != "Webhook must be a valid URL" {
		t.Fatalf("error beside the field: %q", got)
	}
	shots.take(t, ctx, "integration-error")

	// Configure Slack through the form, pointing at the sink, and test it.
	run("configure slack",
		chromedp.SetValue(chromedp.CSS("#service_webhook"), sink.URL+"/slack"),
		chromedp.SetValue(chromedp.CSS("#service_branches_to_be_notified"), "all"),
		chromedp.Click(chromedp.CSS("#test-settings")),
		chromedp.WaitVisible(chromedp.CSS(".test-result")),
	)
	if got := text(".test-result"); !strings.Contains(got, "We sent a request to the provided URL: the target answered 200.") || !strings.Contains(got, "ok from the sink") {
		t.Fatalf("Test settings: %q", got)
	}
	if sink.count() != 1 || !strings.Contains(string(sink.requests()[0].Body), "payload=") {
		t.Fatalf("the sink got %d requests", sink.count())
	}
	shots.take(t, ctx, "integration-edit")
	// The page of the test result has a notice too (.test-result): wait
	// for the saved page's own.
	run("save slack", chromedp.Click(chromedp.CSS("#save-changes")), chromedp.WaitVisible(chromedp.CSS(".flash-notice:not(.test-result)")))
	if got := text(".flash-notice:not(.test-result)"); got != "Slack notifications settings saved and active." {
		t.Fatalf("after Save changes: %q", got)
	}

	// A service with secrets, through the form: its keys never come back.
	const apiKey, userKey = "pushover-api-KEY-0123456789", "pushover-user-KEY-9876543210"
	secretsSeen = append(secretsSeen, apiKey, userKey)
	run("configure pushover",
		chromedp.Navigate(base+"/root/demo/-/settings/integrations/pushover/edit"),
		chromedp.WaitVisible(chromedp.CSS("#service_api_key")),
		chromedp.SendKeys(chromedp.CSS("#service_api_key"), apiKey),
		chromedp.SendKeys(chromedp.CSS("#service_user_key"), userKey),
		chromedp.SendKeys(chromedp.CSS("#service_priority"), "0"),
		chromedp.Click(chromedp.CSS("#save-changes")),
		chromedp.WaitVisible(chromedp.CSS(".flash-notice")),
	)
	noSecret("pushover after saving")

	// A form posted without its CSRF token is refused.
	run("post without token",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Evaluate[bool](`document.querySelector('#integration-form input[name="authenticity_token"]').remove(), true`)(ctx, tg)
			return err
		}),
		chromedp.Click(chromedp.CSS("#save-changes")),
		chromedp.WaitVisible(chromedp.CSS(".error-page")),
	)
	if got := text(".error-page h2"); got != "The change you requested was rejected." {
		t.Fatalf("without a CSRF token: %q", got)
	}

	// The intake: generate the secret, post a GitLab push, see the delivery.
	run("hooks", chromedp.Navigate(base+"/root/demo/-/hooks"), chromedp.WaitVisible(chromedp.CSS("#generate-secret")),
		chromedp.Click(chromedp.CSS("#generate-secret")), chromedp.WaitVisible(chromedp.CSS("input#intake-secret")))
	intakeSecret := get(chromedp.Value(chromedp.CSS("input#intake-secret")))
	if !tokenRE.MatchString(intakeSecret) {
		t.Fatalf("intake secret %q", intakeSecret)
	}
	mustHook(t, g, project.ID, intakeSecret, "Push Hook", "browser-1", fixture(t, "push.json"), 202)
	secretsSeen = append(secretsSeen, intakeSecret)
	run("hooks again", chromedp.Navigate(base+"/root/demo/-/hooks"), chromedp.WaitVisible(chromedp.CSS(".events")))
	noSecret("intake page after generating")
	shots.take(t, ctx, "webhooks")

	logPath := base + "/root/demo/-/settings/integrations/slack/deliveries"
	waitFor(t, 30*time.Second, "the delivery in the log page", func() (bool, string) {
		run("delivery log", chromedp.Navigate(logPath), chromedp.WaitVisible(chromedp.CSS("h1")))
		src := source()
		return strings.Contains(src, `status-delivered">delivered`), tail(src, 500)
	})
	shots.take(t, ctx, "deliveries")
	run("open the delivery", chromedp.Click(chromedp.CSS(`table.deliveries a`)), chromedp.WaitVisible(chromedp.CSS("#attempt-1")))
	deliveryURL := get(chromedp.Location())
	run("retry", chromedp.Click(chromedp.CSS("#retry")), chromedp.WaitVisible(chromedp.CSS(".flash-notice")))
	waitFor(t, 30*time.Second, "a second attempt", func() (bool, string) {
		run("delivery page", chromedp.Navigate(deliveryURL), chromedp.WaitVisible(chromedp.CSS("h1")))
		return strings.Contains(source(), `id="attempt-2"`), text("#delivery-attempts")
	})
	if got := text("#attempt-2"); !strings.Contains(got, "answered 200") {
		t.Fatalf("attempt 2: %q", got)
	}
	shots.take(t, ctx, "delivery")
	if sink.count() != 3 {
		t.Fatalf("the sink got %d requests, want 3 (test, delivery, retry)", sink.count())
	}

	// No page holds a stored secret.
	for _, path := range []string{"/", "/root/demo", "/root/demo/-/settings/integrations", "/root/demo/-/settings/integrations/pushover/edit",
		"/root/demo/-/settings/integrations/slack/edit", "/root/demo/-/settings/integrations/slack/deliveries", "/root/demo/-/hooks", strings.TrimPrefix(deliveryURL, base)} {
		run("open "+path, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main")))
		noSecret(path)
		if path == "/root/demo/-/settings/integrations" {
			shots.take(t, ctx, "integrations")
		}
	}

	// Phone width: the integrations page still fits.
	run("phone", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/root/demo/-/settings/integrations"), chromedp.WaitVisible(chromedp.CSS("h1")))
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	scrollWidth, err := chromedp.Run(sctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if scrollWidth > 400 {
		t.Errorf("at 390 px wide the integrations page is %d px wide", scrollWidth)
	}
	shots.take(t, ctx, "integrations-phone")
	run("desktop", chromedp.EmulateViewport(1280, 900))

	// A Developer gets no settings.
	run("sign out", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(".user-menu button")),
		chromedp.Click(chromedp.CSS(".user-menu button")), chromedp.WaitVisible(chromedp.CSS("#user_login")))
	signIn("dev", "dev-password")
	run("dev project", chromedp.Navigate(base+"/root/demo"), chromedp.WaitVisible(chromedp.CSS("h1")))
	if src := source(); strings.Contains(src, "/-/settings/integrations") {
		t.Fatal("a Developer sees a link to the settings")
	}
	run("dev settings", chromedp.Navigate(base+"/root/demo/-/settings/integrations"), chromedp.WaitVisible(chromedp.CSS(".error-page")))
	if got := text(".error-page h1"); got != "403" {
		t.Fatalf("a Developer on the settings: %q", got)
	}
	shots.take(t, ctx, "developer-denied")
}
