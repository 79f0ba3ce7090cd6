package e2e

// The email services end to end: a glint node sends Emails on push and
// Pipeline emails to a real SMTP server in the test process (go-smtp),
// which parses what it receives; the diff of a GitLab push comes from a
// stand-in GitLab compare API (a real HTTP server) through the project's
// GitLab source. Run on SQLite and on PostgreSQL.

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	netmail "net/mail"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/mail"
	"github.com/glint-dev/glint/internal/mail/mailtest"
	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
)

func TestEmailsSQLite(t *testing.T) {
	emailsEndToEnd(t, filepath.Join(t.TempDir(), "node"), nil)
}

func TestEmailsPostgres(t *testing.T) {
	dsn := pgtest.Postgres(t)
	emailsEndToEnd(t, filepath.Join(t.TempDir(), "node"), []string{"GLINT_SECRET_KEY=" + newSecretKey(t)}, "--database", dsn)
}

// compareAPI is a stand-in for GitLab's GET /projects/:id/repository/compare.
type compareAPI struct {
	URL   string
	token string
	mu    sync.Mutex
	calls []string // the request URIs it answered
}

// pushBefore and pushAfter are push.json's.
const (
	pushBefore = "95790bf891e76fee5e1747ab589903a6a1f80f22"
	pushAfter  = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"
)

const compareDiff = "@@ -1,2 +1,2 @@\n class ApplicationController\n-  old_line\n+  new_line\n"

func newCompareAPI(t *testing.T, token string) *compareAPI {
	c := &compareAPI{token: token}
	s := newSink(t, func(int, http.ResponseWriter, *http.Request) {})
	s.setRespond(func(_ int, w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.calls = append(c.calls, r.URL.RequestURI())
		c.mu.Unlock()
		if r.Header.Get("Private-Token") != c.token {
			answer(w, 401, `{"message":"401 Unauthorized"}`)
			return
		}
		if r.URL.Path != "/gitlab/api/v4/projects/15/repository/compare" || r.URL.Query().Get("from") == "" || r.URL.Query().Get("to") == "" {
			answer(w, 404, `{"message":"404 Not Found"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		commits := []any{}
		if r.URL.Query().Get("from") == pushAfter {
			// The reverse compare of a force push: the removed commits.
			for i, title := range []string{"Removed first", "Removed second"} {
				commits = append(commits, map[string]any{"id": fmt.Sprintf("%040d", i+1), "title": title, "message": title + "\n",
					"author_name": "Ann", "author_email": "ann@example.com", "created_at": "2019-11-20T10:00:00.000Z"})
			}
		}
		body, _ := json.Marshal(map[string]any{
			"commit":  map[string]any{"id": r.URL.Query().Get("to")},
			"commits": commits,
			"diffs": []any{map[string]any{"old_path": "app/controller/application.rb", "new_path": "app/controller/application.rb",
				"a_mode": "100644", "b_mode": "100644", "new_file": false, "renamed_file": false, "deleted_file": false, "diff": compareDiff}},
			"compare_timeout": false, "compare_same_ref": false,
		})
		answer(w, 200, string(body))
	})
	c.URL = s.URL + "/gitlab"
	return c
}

func (c *compareAPI) requests() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.calls)
}

// received is one mail as a reader sees it.
type received struct {
	mailtest.Message
	header netmail.Header
	text   string
	html   string
}

func parseMail(t *testing.T, m mailtest.Message) received {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(string(m.Data)))
	if err != nil {
		t.Fatalf("the mail does not parse: %v\n%s", err, m.Data)
	}
	parts, err := mail.Parts(m.Data)
	if err != nil || len(parts) != 2 {
		t.Fatalf("the mail's parts: %d, %v\n%s", len(parts), err, m.Data)
	}
	r := received{Message: m, header: msg.Header, text: parts[0].Body, html: parts[1].Body}
	if !strings.HasPrefix(parts[0].ContentType, "text/plain") || !strings.HasPrefix(parts[1].ContentType, "text/html") {
		t.Errorf("parts %s, %s: want text then HTML", parts[0].ContentType, parts[1].ContentType)
	}
	return r
}

func (r received) subject(t *testing.T) string {
	s, err := new(mime.WordDecoder).DecodeHeader(r.header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// emailDeliveries lists a project's deliveries of an email service.
func emailDeliveries(t *testing.T, p *proc, token string, projectID int64, slug string) []deliveryJSON {
	t.Helper()
	var list []deliveryJSON
	call(t, "GET", p.url(fmt.Sprintf("/api/v4/projects/%d/services/%s/deliveries?per_page=100", projectID, slug)), token, nil, 200, &list)
	return list
}

// waitDelivery waits until the delivery of the event with the given UUID
// (the newest delivery of the service) is finished, and returns it with
// its attempts.
func waitEmailDelivery(t *testing.T, p *proc, token string, projectID int64, slug string, n int, status string) deliveryJSON {
	t.Helper()
	var d deliveryJSON
	waitFor(t, 30*time.Second, fmt.Sprintf("%s delivery #%d %s", slug, n, status), func() (bool, string) {
		list := emailDeliveries(t, p, token, projectID, slug)
		if len(list) < n {
			return false, fmt.Sprintf("%d deliveries", len(list))
		}
		// Newest first.
		call(t, "GET", p.url(fmt.Sprintf("/api/v4/projects/%d/services/%s/deliveries/%d", projectID, slug, list[len(list)-n].ID)), token, nil, 200, &d)
		return d.Status == status, fmt.Sprintf("status %s after %d attempts: %s", d.Status, d.Attempts, d.LastError)
	})
	return d
}

func emailsEndToEnd(t *testing.T, dir string, env []string, extra ...string) {
	smtpd := mailtest.Start(t)
	const sourceToken = "glpat-source-readonly-0123456789"
	gitlab := newCompareAPI(t, sourceToken)
	args := append([]string{"--smtp-host", smtpd.Host, "--smtp-port", strconv.Itoa(smtpd.Port), "--smtp-tls", "none",
		"--email-from", "glint@glint.test", "--email-subject-suffix", "glint"}, extra...)
	p := deliveryNode(t, "mail", dir, env, args...)
	token := rootToken(t, p)
	pj := createProject(t, p, token, "mailed")
	intake := setIntakeToken(t, p, token, pj.ID)
	svc := func(slug string) string { return p.url(fmt.Sprintf("/api/v4/projects/%d/services/%s", pj.ID, slug)) }
	call(t, "PUT", svc("emails-on-push"), token, url.Values{"recipients": {"dev@example.com lead@example.com"},
		"push_events": {"true"}, "tag_push_events": {"true"}}, 200, nil)
	call(t, "PUT", svc("pipelines-email"), token, url.Values{"recipients": {"ci@example.com,qa@example.com"},
		"notify_only_broken_pipelines": {"false"}, "branches_to_be_notified": {"all"}, "pipeline_events": {"true"}}, 200, nil)
	var src map[string]any
	r := call(t, "PUT", p.url(fmt.Sprintf("/api/v4/projects/%d/gitlab_source", pj.ID)), token,
		url.Values{"url": {gitlab.URL}, "token": {sourceToken}}, 200, &src)
	if src["url"] != gitlab.URL || strings.Contains(string(r.body), sourceToken) {
		t.Errorf("PUT gitlab_source answered %s", r.body)
	}

	// A GitLab push: one mail per recipient, with the diff from the source.
	push := fixture(t, "push.json")
	mustHook(t, p, pj.ID, intake, "Push Hook", "email-push-1", push, 202)
	waitEmailDelivery(t, p, token, pj.ID, "emails-on-push", 1, "delivered")
	msgs := smtpd.Wait(t, 2, 10*time.Second)
	if len(msgs) != 2 {
		t.Fatalf("%d mails for one push to two recipients", len(msgs))
	}
	var to []string
	for _, m := range msgs {
		got := parseMail(t, m)
		if len(m.To) != 1 || got.header.Get("To") != "<"+m.To[0]+">" {
			t.Errorf("envelope %v, To %q: want one recipient each", m.To, got.header.Get("To"))
		}
		to = append(to, m.To...)
		if s := got.subject(t); s != "[Git][mike/diaspora][master] 4 commits: Update Catalan translation to e38cb41. | glint" {
			t.Errorf("subject %q", s)
		}
		if got.header.Get("X-GitLab-Project-Path") != "mike/diaspora" || got.header.Get("X-GitLab-Author") != "jsmith" ||
			got.header.Get("X-GitLab-Project-Id") != "15" {
			t.Errorf("X-GitLab headers %v", got.header)
		}
		if from, _ := netmail.ParseAddress(got.header.Get("From")); from == nil || from.Address != "glint@glint.test" || from.Name != "John Smith" {
			t.Errorf("From %q", got.header.Get("From"))
		}
		if !strings.Contains(got.text, compareDiff) || !strings.Contains(got.text, "Commits:") ||
			!strings.Contains(got.html, "+  new_line") {
			t.Errorf("the mail lacks the commits or the source's diff:\n%s", got.text)
		}
	}
	slices.Sort(to)
	if !slices.Equal(to, []string{"dev@example.com", "lead@example.com"}) {
		t.Errorf("recipients %v", to)
	}
	calls := gitlab.requests()
	if len(calls) != 1 || !strings.Contains(calls[0], "from=95790bf891e76fee5e1747ab589903a6a1f80f22") ||
		!strings.Contains(calls[0], "to=da1560886d4f094c3e6c9ef40349f7d38b5d27d7") {
		t.Errorf("compare API calls %v", calls)
	}

	// A pipeline: one mail, every recipient in Bcc only.
	mustHook(t, p, pj.ID, intake, "Pipeline Hook", "email-pipeline-1", fixture(t, "pipeline.json"), 202)
	waitEmailDelivery(t, p, token, pj.ID, "pipelines-email", 1, "delivered")
	msgs = smtpd.Wait(t, 3, 10*time.Second)
	pm := parseMail(t, msgs[2])
	if !slices.Equal(pm.To, []string{"ci@example.com", "qa@example.com"}) || pm.header.Get("To") != "" || pm.header.Get("Bcc") != "" ||
		strings.Contains(string(pm.Data), "ci@example.com") {
		t.Errorf("pipeline mail: envelope %v, To %q, Bcc %q", pm.To, pm.header.Get("To"), pm.header.Get("Bcc"))
	}
	if s := pm.subject(t); s != "Gitlab Test | Pipeline #31 has succeeded for test | bcbb5ec3 in !1 | glint" {
		t.Errorf("pipeline subject %q", s)
	}
	if pm.header.Get("X-GitLab-Pipeline-Id") != "31" || pm.header.Get("X-GitLab-Pipeline-Status") != "success" ||
		!strings.Contains(pm.text, "Your pipeline has passed.") {
		t.Errorf("pipeline mail %v\n%s", pm.header, pm.text)
	}

	// 451, then 250: delivered on the retry.
	smtpd.Refuse(1, 451, "greylisted, try again later")
	mustHook(t, p, pj.ID, intake, "Push Hook", "email-push-2", push, 202)
	d := waitEmailDelivery(t, p, token, pj.ID, "emails-on-push", 2, "delivered")
	if d.Attempts != 2 || len(d.History) != 2 || d.History[0].StatusCode != 451 || !strings.Contains(d.History[0].Error, "greylisted") ||
		d.History[1].StatusCode != 250 || d.History[1].Error != "" {
		t.Errorf("451 then 250: %+v", d)
	}
	smtpd.Wait(t, 5, 10*time.Second)

	// 550: failed at once, the reply in the log; the other recipient still
	// gets the mail.
	smtpd.Refuse(1, 550, "no such user here")
	mustHook(t, p, pj.ID, intake, "Push Hook", "email-push-3", push, 202)
	d = waitEmailDelivery(t, p, token, pj.ID, "emails-on-push", 3, "failed")
	if d.Attempts != 1 || len(d.History) != 1 || d.History[0].StatusCode != 550 || !strings.Contains(d.LastError, "550") ||
		!strings.Contains(d.LastError, "no such user here") {
		t.Errorf("550: %+v", d)
	}
	if got := len(smtpd.Wait(t, 6, 10*time.Second)); got != 6 {
		t.Errorf("%d mails in all, want 6", got)
	}
	// "Test settings" of Pipeline emails sends a sample pipeline mail.
	var tested struct {
		Success bool   `json:"success"`
		Error   string `json:"error"`
	}
	call(t, "POST", svc("pipelines-email")+"/test", token, nil, 200, &tested)
	if !tested.Success {
		t.Errorf("Test settings of pipelines-email: %+v", tested)
	}
	if m := parseMail(t, smtpd.Wait(t, 7, 10*time.Second)[6]); !strings.Contains(m.subject(t), "Pipeline #1 has failed for master") {
		t.Errorf("sample pipeline mail %q", m.subject(t))
	}

	// A force push that only removed commits: the source compares the
	// other way round and lists them.
	rewind := editJSON(t, push, func(m map[string]any) { m["commits"], m["total_commits_count"] = []any{}, 0 })
	mustHook(t, p, pj.ID, intake, "Push Hook", "email-push-rewind", rewind, 202)
	waitEmailDelivery(t, p, token, pj.ID, "emails-on-push", 4, "delivered")
	rm := parseMail(t, smtpd.Wait(t, 9, 10*time.Second)[7])
	if s := rm.subject(t); s != "[Git][mike/diaspora][master] Deleted 2 commits: Removed first | glint" ||
		!strings.Contains(rm.text, "Deleted commits:") || !strings.Contains(rm.text, compareDiff) {
		t.Errorf("reverse compare mail %q:\n%s", s, rm.text)
	}
	if calls := gitlab.requests(); len(calls) != 5 || !strings.Contains(calls[4], "from="+pushAfter+"&to="+pushBefore) {
		t.Errorf("compare API calls %v", calls)
	}

	// A push from glint hook carries its diffs: the source is not asked.
	// Its issue references link to the project's Redmine.
	call(t, "PUT", svc("redmine"), token, url.Values{"new_issue_url": {"https://redmine.example.com/new"},
		"issues_url": {"https://redmine.example.com/issues/:id"}, "project_url": {"https://redmine.example.com/p"}}, 200, nil)
	hooked := editJSON(t, push, func(m map[string]any) {
		m["commits"].([]any)[1].(map[string]any)["message"] = "fixed readme, closes #12\n"
		m["glint_diffs"] = []any{map[string]any{"old_path": "README", "new_path": "README", "a_mode": "100644", "b_mode": "100644",
			"new_file": false, "renamed_file": false, "deleted_file": false, "diff": "@@ -1 +1 @@\n-from the hook\n+to the hook\n"}}
	})
	mustHook(t, p, pj.ID, intake, "Push Hook", "email-push-hook", hooked, 202)
	waitEmailDelivery(t, p, token, pj.ID, "emails-on-push", 5, "delivered")
	if hm := parseMail(t, smtpd.Wait(t, 11, 10*time.Second)[9]); !strings.Contains(hm.text, "+to the hook") || strings.Contains(hm.text, compareDiff) ||
		!strings.Contains(hm.html, `<a href="https://redmine.example.com/issues/12"`) || !strings.Contains(hm.html, `title="Issue in Redmine"`) {
		t.Errorf("hook diffs mail:\n%s\n%s", hm.text, hm.html)
	}
	if calls := gitlab.requests(); len(calls) != 5 {
		t.Errorf("the compare API was asked for a push that had its diffs: %v", calls)
	}

	// A source that refuses its token: the mail goes out without the diff,
	// saying why.
	call(t, "PUT", p.url(fmt.Sprintf("/api/v4/projects/%d/gitlab_source", pj.ID)), token,
		url.Values{"url": {gitlab.URL}, "token": {"glpat-revoked"}}, 200, nil)
	mustHook(t, p, pj.ID, intake, "Push Hook", "email-push-badtoken", push, 202)
	waitEmailDelivery(t, p, token, pj.ID, "emails-on-push", 6, "delivered")
	if bm := parseMail(t, smtpd.Wait(t, 13, 10*time.Second)[11]); !strings.Contains(bm.text, "could not be read from the project's GitLab source") ||
		!strings.Contains(bm.text, "HTTP 401") {
		t.Errorf("mail with a refused source:\n%s", bm.text)
	}

	// Neither: the commits, and a note that the diff is not available.
	call(t, "DELETE", p.url(fmt.Sprintf("/api/v4/projects/%d/gitlab_source", pj.ID)), token, nil, 204, nil)
	mustHook(t, p, pj.ID, intake, "Push Hook", "email-push-nosource", push, 202)
	waitEmailDelivery(t, p, token, pj.ID, "emails-on-push", 7, "delivered")
	if nm := parseMail(t, smtpd.Wait(t, 15, 10*time.Second)[13]); !strings.Contains(nm.text, "The diff is not available") ||
		!strings.Contains(nm.text, "fixed readme") || strings.Contains(nm.text, compareDiff) {
		t.Errorf("mail without a diff source:\n%s", nm.text)
	}

	// The source's token is never shown.
	logs := [][]byte{[]byte(p.stderr.String())}
	for _, slug := range []string{"emails-on-push", "pipelines-email"} {
		for _, dl := range emailDeliveries(t, p, token, pj.ID, slug) {
			_, body := getEmailDelivery(t, p, token, pj.ID, slug, dl.ID)
			logs = append(logs, body)
		}
	}
	assertNoSecrets(t, "the delivery log", logs, sourceToken, intake)
	p.stop()
}

func getEmailDelivery(t *testing.T, p *proc, token string, projectID int64, slug string, id int64) (deliveryJSON, []byte) {
	t.Helper()
	var d deliveryJSON
	r := call(t, "GET", p.url(fmt.Sprintf("/api/v4/projects/%d/services/%s/deliveries/%d", projectID, slug, id)), token, nil, 200, &d)
	return d, r.body
}

// TestEmailsWithoutSMTP: without --smtp-host an email service is still
// configured, and its deliveries and "Test settings" fail with a reason
// naming the missing flag; without a GitLab source or hook diffs the mail
// would say the diff is not available (golden-tested in emailsonpush).
func TestEmailsWithoutSMTP(t *testing.T) {
	help, errOut, _ := runGlint(t, nil, "serve", "--help")
	for _, flag := range []string{"smtp-host", "smtp-port", "smtp-tls", "smtp-user", "smtp-password", "email-from", "email-reply-to", "email-subject-suffix"} {
		env := "GLINT_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
		if !strings.Contains(help+errOut, "--"+flag+" ") || !strings.Contains(help+errOut, env) {
			t.Errorf("serve --help does not document --%s and %s", flag, env)
		}
	}
	// The password from the environment is used, never printed.
	help, errOut, _ = runGlint(t, []string{"GLINT_SMTP_PASSWORD=hunter2-smtp"}, "serve", "--help")
	if strings.Contains(help+errOut, "hunter2-smtp") {
		t.Error("serve --help prints GLINT_SMTP_PASSWORD")
	}

	p := deliveryNode(t, "nosmtp", t.TempDir(), nil)
	token := rootToken(t, p)
	pj := createProject(t, p, token, "unmailed")
	intake := setIntakeToken(t, p, token, pj.ID)
	call(t, "PUT", p.url(fmt.Sprintf("/api/v4/projects/%d/services/emails-on-push", pj.ID)), token,
		url.Values{"recipients": {"dev@example.com"}, "push_events": {"true"}}, 200, nil)
	mustHook(t, p, pj.ID, intake, "Push Hook", "nosmtp-1", fixture(t, "push.json"), 202)
	d := waitEmailDelivery(t, p, token, pj.ID, "emails-on-push", 1, "failed")
	if d.Attempts != 1 || !strings.Contains(d.LastError, "--smtp-host") {
		t.Errorf("delivery without SMTP: %+v", d)
	}
	var out struct {
		Success bool   `json:"success"`
		Error   string `json:"error"`
	}
	call(t, "PUT", p.url(fmt.Sprintf("/api/v4/projects/%d/services/pipelines-email", pj.ID)), token,
		url.Values{"recipients": {"ci@example.com"}, "pipeline_events": {"true"}}, 200, nil)
	for _, slug := range []string{"emails-on-push", "pipelines-email"} {
		call(t, "POST", p.url(fmt.Sprintf("/api/v4/projects/%d/services/%s/test", pj.ID, slug)), token, nil, 200, &out)
		if out.Success || !strings.Contains(out.Error, "--smtp-host") {
			t.Errorf("Test settings of %s without SMTP: %+v", slug, out)
		}
	}
	p.stop()
}
