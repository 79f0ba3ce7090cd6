package servicehook_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/servicehook"
)

func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// TestRequest: the payload as received, exactly two headers (three with
// auth), and the userinfo moved from the URL into Basic auth.
func TestRequest(t *testing.T) {
	ev := integrationtest.Event(t, "push.json", "", nil)
	tests := []struct {
		name, url, event, wantURL, wantAuth string
	}{
		{"plain", "https://hook.example.com/x?a=b", "", "https://hook.example.com/x?a=b", ""},
		{"named event", "http://hook.example.com/", "Push Hook", "http://hook.example.com/", ""},
		// GitLab's own spec: https://demo@example.org/ gives Basic ZGVtbzo=.
		{"user only", "https://demo@example.org/", "", "https://example.org/", "Basic ZGVtbzo="},
		{"user and password", "https://u:p@example.org:8443/a/b?c=d", "", "https://example.org:8443/a/b?c=d", basic("u", "p")},
		// CGI.unescape: %XX is a byte, "+" a space.
		{"escaped", "https://a%40b+c:p%3Aw%2B+d@example.org", "", "https://example.org", basic("a@b c", "p:w+ d")},
		{"empty password", "https://u:@example.org/", "", "https://example.org/", basic("u", "")},
		{"colon only", "https://:@example.org/", "", "https://example.org/", basic("", "")},
		{"empty userinfo", "https://@example.org/", "", "https://example.org/", ""},
		{"same text in the query stays", "https://u:p@example.org/?q=u:p@x", "", "https://example.org/?q=u:p@x", basic("u", "p")},
		{"no path", "http://example.org", "", "http://example.org", ""},
		{"ipv6", "http://u:p@[::1]:8080/h", "", "http://[::1]:8080/h", basic("u", "p")},
	}
	for _, tt := range tests {
		h := servicehook.Hook{Service: "x", URL: tt.url, Event: tt.event}
		reqs, err := h.Request(ev)
		if err != nil || len(reqs) != 1 {
			t.Errorf("%s: %d requests, %v", tt.name, len(reqs), err)
			continue
		}
		r := reqs[0]
		wantEvent := tt.event
		if wantEvent == "" {
			wantEvent = "Service Hook"
		}
		wantHeaders := 2
		if tt.wantAuth != "" {
			wantHeaders = 3
		}
		if r.Method != http.MethodPost || r.URL != tt.wantURL || r.Header.Get("Authorization") != tt.wantAuth ||
			r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Gitlab-Event") != wantEvent ||
			len(r.Header) != wantHeaders || !bytes.Equal(r.Body, ev.Raw) || r.InsecureSkipVerify || r.Then != nil || r.TCP != "" {
			t.Errorf("%s: %s %s %v insecure=%v", tt.name, r.Method, r.URL, r.Header, r.InsecureSkipVerify)
		}
	}
}

func TestSkipVerify(t *testing.T) {
	ev := integrationtest.Event(t, "push.json", "", nil)
	reqs, err := servicehook.Hook{Service: "x", URL: "https://h.example/", SkipVerify: true}.Request(ev)
	if err != nil || !reqs[0].InsecureSkipVerify {
		t.Errorf("%+v, %v", reqs, err)
	}
}

// TestBodyIsACopy: the request does not share the event's bytes.
func TestBodyIsACopy(t *testing.T) {
	ev := integrationtest.Event(t, "push.json", "", nil)
	reqs, err := servicehook.Hook{Service: "x", URL: "https://h.example/"}.Request(ev)
	if err != nil {
		t.Fatal(err)
	}
	reqs[0].Body[0] = 'X'
	if ev.Raw[0] == 'X' {
		t.Error("the body shares the event's payload")
	}
}

// TestRefused: URLs GitLab could not call are refused, prefixed, and the
// secrets in them are not repeated.
func TestRefused(t *testing.T) {
	ev := integrationtest.Event(t, "push.json", "", nil)
	const secret = "s3cr3tHookPass"
	for _, raw := range []string{
		"", "not a url", "ftp://u:" + secret + "@h.example/", "mailto:" + secret + "@h.example",
		"https://u:" + secret + "@h.example/a b", "https://u:" + secret + "@h.example/\n",
		"https://u:" + secret + "%zz@h.example/", "https://h.example/%4", "https://u:" + secret + "@/path",
		"http:" + secret, "//h.example/" + secret, "https://h.example/ü" + secret, "https://h.example:x" + secret + "/",
		"https://h.example/\"" + secret,
	} {
		reqs, err := servicehook.Hook{Service: "svc", URL: raw}.Request(ev)
		if err == nil || reqs != nil || !strings.HasPrefix(err.Error(), "svc: the hook URL ") {
			t.Errorf("%q: %d requests, error %v", raw, len(reqs), err)
			continue
		}
		integrationtest.AssertNoSecret(t, secret, err.Error())
	}
	if _, err := (servicehook.Hook{Service: "svc", URL: "https://h.example/"}).Request(&event.Event{Kind: event.Push}); err == nil || !strings.HasPrefix(err.Error(), "svc: ") {
		t.Errorf("an event without payload: %v", err)
	}
}

func TestBase(t *testing.T) {
	for _, tt := range []struct {
		raw string
		ok  bool
	}{
		{"https://drone.example.com", true},
		{"https://drone.example.com/", true},
		{"http://u:p@drone.example.com:8000/sub", true},
		{"https://drone.example.com/?x=1", false},
		{"https://drone.example.com/?", false},
		{"https://drone.example.com/#f", false},
		{"https://drone.example.com/#", false},
		{"drone.example.com", false},
		{"", false},
	} {
		err := servicehook.Base("svc", "drone_url", tt.raw)
		if (err == nil) != tt.ok || err != nil && !strings.HasPrefix(err.Error(), "svc: drone_url ") {
			t.Errorf("%q: %v", tt.raw, err)
		}
	}
}

func TestQueryValueOK(t *testing.T) {
	for _, tt := range []struct {
		s           string
		query, path bool
	}{
		{"abcXYZ019-._~", true, true},
		{"group/sub", true, false},
		{"a:b@c=d!$'()*,", true, true},
		{"what?", true, false},
		{"", false, false},
		{"a&b", false, false}, {"a#b", false, false}, {"a+b", false, false}, {"a%41", false, false},
		{"a;b", false, false}, {"a b", false, false}, {"a\nb", false, false}, {"é", false, false},
		{"a[0]", false, false}, {`a"b`, false, false}, {"a<b>", false, false},
	} {
		if got := servicehook.QueryValueOK(tt.s); got != tt.query {
			t.Errorf("QueryValueOK(%q) = %v", tt.s, got)
		}
		if got := servicehook.PathSegmentOK(tt.s); got != tt.path {
			t.Errorf("PathSegmentOK(%q) = %v", tt.s, got)
		}
	}
}

func TestEventHeader(t *testing.T) {
	for name, want := range map[string]string{
		"service_hook":        "Service Hook",
		"push_hook":           "Push Hook",
		"tag_push_hook":       "Tag Push Hook",
		"merge_request_hook":  "Merge Request Hook",
		"merge_request_hooks": "Merge Request Hook",
		"push_hooks":          "Push Hook",
	} {
		if got := servicehook.EventHeader(name); got != want {
			t.Errorf("EventHeader(%q) = %q, want %q", name, got, want)
		}
	}
}
