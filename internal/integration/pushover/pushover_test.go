package pushover_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/pushover"
)

const (
	apiKey  = "s3cr3tAp1K3y"
	userKey = "s3cr3tUs3rK3y"
)

var base = map[string]any{"api_key": apiKey, "user_key": userKey, "priority": "0", "device": "", "sound": "bike"}

func TestGolden(t *testing.T) {
	integrationtest.Goldens(t, pushover.Build, []integrationtest.Case{
		{Golden: "push", File: "push.json", Settings: base},
		{Golden: "push_no_sound", File: "push.json", Settings: integrationtest.Props(base, "sound", "", "device", "phone", "priority", "-2")},
	})
}

// form is the fields of the one request built for a push.
func form(t *testing.T, change func(m map[string]any), settings map[string]any) (url.Values, []string) {
	t.Helper()
	reqs := integrationtest.Build(t, pushover.Build, "push.json", "", change, settings)
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	f, err := url.ParseQuery(string(reqs[0].Body))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, field := range strings.Split(string(reqs[0].Body), "&") {
		name, _, _ := strings.Cut(field, "=")
		names = append(names, name)
	}
	return f, names
}

func TestFields(t *testing.T) {
	f, names := form(t, nil, integrationtest.Props(base, "sound", nil))
	if got := strings.Join(names, ","); got != "token,user,device,priority,title,message,url,url_title" {
		t.Errorf("fields %s", got)
	}
	if f.Get("token") != apiKey || f.Get("user") != userKey || !f.Has("device") || f.Get("title") != "Gitlab Org / Gitlab Test" ||
		f.Get("url") != "http://example.com/mike/diaspora" || f.Get("url_title") != "See project Gitlab Org / Gitlab Test" {
		t.Errorf("form %v", f)
	}
	if _, names = form(t, nil, base); names[len(names)-1] != "sound" {
		t.Errorf("sound not last: %v", names)
	}
}

func TestMessage(t *testing.T) {
	// want: the message for a change of the push fixture.
	want := map[string]func(m map[string]any){
		"John Smith push to branch \"master\".\nTotal commits count: 4": nil,
		"John Smith pushed new branch \"a/b\".\nTotal commits count: 4": func(m map[string]any) { m["before"], m["ref"] = event.BlankSHA, "refs/heads/a/b" },
		"John Smith deleted branch \"master\".":                         func(m map[string]any) { m["after"], m["total_commits_count"] = event.BlankSHA, 0 },
	}
	for message, change := range want {
		if f, _ := form(t, change, base); f.Get("message") != message {
			t.Errorf("message %q, want %q", f.Get("message"), message)
		}
	}
}

func TestEventsAndErrors(t *testing.T) {
	for _, file := range []string{"tag_push.json", "issue.json", "merge_request.json", "pipeline.json", "wiki_page.json"} {
		if reqs := integrationtest.Build(t, pushover.Build, file, "", nil, base); len(reqs) != 0 {
			t.Errorf("%s: %d requests", file, len(reqs))
		}
	}
	integrationtest.Refuses(t, pushover.Build, "pushover: ", []string{apiKey, userKey},
		integrationtest.Props(base, "api_key", nil), integrationtest.Props(base, "user_key", " "))
}

// TestSendToServer: Pushover answers 400 with errors unless the form has
// a known application token, a user key and a message, 200 otherwise.
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	rec.Answer(func(r integrationtest.Request) (int, string) {
		f, err := url.ParseQuery(string(r.Body))
		switch {
		case err != nil || r.Method != http.MethodPost || r.Path != "/1/messages.json":
			return http.StatusBadRequest, `{"status":0,"errors":["bad request"]}`
		case f.Get("token") != apiKey:
			return http.StatusBadRequest, `{"token":"invalid","status":0,"errors":["application token is invalid"]}`
		case f.Get("user") != userKey:
			return http.StatusBadRequest, `{"user":"invalid","status":0,"errors":["user identifier is invalid"]}`
		case f.Get("message") == "":
			return http.StatusBadRequest, `{"message":"cannot be blank","status":0,"errors":["message cannot be blank"]}`
		}
		return http.StatusOK, `{"status":1,"request":"e460545a-8e5d-4b1d-ac9c-4b1ae0d2a2c4"}`
	})
	for _, tt := range []struct {
		settings map[string]any
		status   int
	}{
		{base, http.StatusOK},
		{integrationtest.Props(base, "user_key", "someone-else"), http.StatusBadRequest},
	} {
		reqs := integrationtest.Build(t, pushover.Build, "push.json", "", nil, tt.settings)
		reqs[0].URL = rec.URL + strings.TrimPrefix(reqs[0].URL, "https://api.pushover.net")
		if status, sent := integrationtest.SendAll(t, reqs); status != tt.status || sent != 1 {
			t.Errorf("answer %d after %d requests, want %d", status, sent, tt.status)
		}
	}
}
