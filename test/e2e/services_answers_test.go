package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/store/storetest/pgtest"
)

// awkwardAnswer is a target's answer that is not UTF-8 text as it is, and
// what glint must show of it.
type awkwardAnswer struct {
	name   string
	status int
	body   string
	shown  string // the response_body and the test's response
}

// awkwardAnswers: a long JSON error whose 4 KiB cut falls inside a
// character, an ISO-8859-1 message, one with a NUL byte, and a success
// whose long answer is cut inside a character (Hangouts Chat answers with
// the whole message). The log keeps the first 4 KiB of an answer;
// PostgreSQL's text refuses what is not UTF-8, and NUL.
func awkwardAnswers() []awkwardAnswer {
	long := `{"error":"` + strings.Repeat("x", 4095-len(`{"error":"`)) + "é" + strings.Repeat("ü", 600) + `"}`
	const head = `{"name":"spaces/A/messages/1","text":"`
	echo := head + strings.Repeat("x", 4095-len(head)) + strings.Repeat("ä", 600) + `"}`
	return []awkwardAnswer{
		{"refused, cut inside a character", 400, long, long[:4095]},
		{"refused in ISO-8859-1", 400, "Ung\xfcltiger Schl\xfcssel", "Ung\uFFFDltiger Schl\uFFFDssel"},
		{"refused with a NUL", 400, "bad\x00request", "bad\uFFFDrequest"},
		{"accepted, cut inside a character", 200, echo, echo[:4095]},
	}
}

// TestServicesAwkwardAnswers: a target answering with what is not UTF-8
// text as it is still has its delivery finish after one attempt (failed,
// or delivered), the answer shown as text, on SQLite and on PostgreSQL,
// and "Test settings" shows it the same.
func TestServicesAwkwardAnswers(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); awkwardAnswersOn(t, "") })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); awkwardAnswersOn(t, pgtest.Postgres(t)) })
}

func awkwardAnswersOn(t *testing.T, dsn string) {
	var extra []string
	if dsn != "" {
		extra = append(extra, "--database", dsn)
	}
	p := deliveryNode(t, "awkward", t.TempDir(), []string{"GLINT_SECRET_KEY=" + newSecretKey(t)}, extra...)
	token := rootToken(t, p)
	type target struct {
		awkwardAnswer
		rec     *integrationtest.Recorder
		project projectJSON
		intake  string
	}
	var targets []*target
	// Microsoft Teams stands for any service: what is checked is the log.
	for i, a := range awkwardAnswers() {
		tg := &target{awkwardAnswer: a, rec: integrationtest.RecordingServer(t)}
		tg.rec.Answer(func(integrationtest.Request) (int, string) { return a.status, a.body })
		tg.project = createProject(t, p, token, fmt.Sprintf("awkward-%d", i))
		form := url.Values{"webhook": {tg.rec.URL + "/webhook/x"}, "branches_to_be_notified": {"all"}}
		call(t, "PUT", p.url(fmt.Sprintf("/api/v4/projects/%d/services/microsoft-teams", tg.project.ID)), token, form, 200, nil)
		tg.intake = setIntakeToken(t, p, token, tg.project.ID)
		mustHook(t, p, tg.project.ID, tg.intake, "Push Hook", "awkward", fixture(t, "push.json"), 202)
		targets = append(targets, tg)
	}
	for _, tg := range targets {
		var d deliveryJSON
		ok, state := waitUntil(15*time.Second, func() (bool, string) {
			list := serviceDeliveries(t, p, token, tg.project.ID, "microsoft-teams")
			if len(list) != 1 {
				return false, fmt.Sprintf("%d deliveries", len(list))
			}
			d = list[0]
			return d.Status != "pending", fmt.Sprintf("%s after %d attempts, the target asked %d times", d.Status, d.Attempts, len(tg.rec.Requests()))
		})
		if !ok {
			t.Errorf("%s: the delivery did not finish: %s\nglint's log:\n%s", tg.name, state, tail(grepLines(p.stderr.String(), "level=WARN", "level=ERROR", "UTF8", "job"), 1500))
			continue
		}
		full, _ := serviceDelivery(t, p, token, tg.project.ID, "microsoft-teams", d.ID)
		status, lastError := "delivered", ""
		if tg.status != 200 {
			status, lastError = "failed", "HTTP 400 Bad Request"
		}
		if full.Status != status || full.Attempts != 1 || full.LastError != lastError || len(full.History) != 1 {
			t.Errorf("%s: delivery %s after %d attempts, last_error %q; want %s after 1", tg.name, full.Status, full.Attempts, full.LastError, status)
			continue
		}
		if a := full.History[0]; a.StatusCode != tg.status || a.ResponseBody != tg.shown || !utf8.ValidString(a.ResponseBody) {
			t.Errorf("%s: attempt answered %d, response_body %q\nwant %q", tg.name, a.StatusCode, short(a.ResponseBody), short(tg.shown))
		}
		out, raw := testService(t, p, token, tg.project.ID, "microsoft-teams")
		if out.Success != (tg.status == 200) || out.StatusCode != tg.status || out.Response != tg.shown {
			t.Errorf("%s: Test settings answered %s\nwant the response %q", tg.name, short(string(raw)), short(tg.shown))
		}
		if n := len(tg.rec.Requests()); n != 2 {
			t.Errorf("%s: the target was asked %d times, want 2 (the delivery, the test)", tg.name, n)
		}
	}
	p.stop()
}

// short is the start and end of a long text.
func short(s string) string {
	if len(s) <= 120 {
		return s
	}
	return s[:60] + " … " + s[len(s)-60:]
}

// grepLines keeps the lines holding any of words.
func grepLines(s string, words ...string) string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		for _, w := range words {
			if strings.Contains(line, w) {
				out = append(out, line)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
