package campfire_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/campfire"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/outbound"
)

const token = "s3cr3tC4mpf1r3"

var base = map[string]any{"token": token, "subdomain": "project-name", "room": "Dev Room"}

// rooms is Campfire's answer to GET /rooms.json.
const rooms = `{"rooms":[{"id":122,"name":"dev room","topic":null},{"id":123,"name":"Dev Room","topic":"t","membership_limit":60},{"id":124,"name":"Dev Room"}]}`

// chain builds the requests for a fixture and what follows the lookup
// when it is answered with answer.
func chain(t *testing.T, file string, change func(m map[string]any), settings map[string]any, answer string) (lookup integration.Request, next []integration.Request, err error) {
	t.Helper()
	reqs := integrationtest.Build(t, campfire.Build, file, "", change, settings)
	if len(reqs) != 1 || reqs[0].Then == nil {
		t.Fatalf("%d requests, want one lookup", len(reqs))
	}
	next, err = reqs[0].Then([]byte(answer))
	return reqs[0], next, err
}

func TestGolden(t *testing.T) {
	lookup, next, err := chain(t, "push.json", nil, base, rooms)
	if err != nil || len(next) != 1 || next[0].Then != nil {
		t.Fatalf("%d requests follow, %v", len(next), err)
	}
	dump := integrationtest.Dump(lookup, next[0])
	dump = append([]byte("# the lookup answered with\n# "+rooms+"\n\n"), dump...)
	integrationtest.Golden(t, filepath.Join("testdata", "push.golden"), dump)
}

func TestMessage(t *testing.T) {
	blank := "0000000000000000000000000000000000000000"
	tests := []struct {
		name   string
		change func(m map[string]any)
		want   string
	}{
		{"push", nil, "[Gitlab Org / Gitlab Test] John Smith pushed 4 commits to master. https://glint.example.com/gitlab-org/gitlab-test/compare/" +
			"95790bf891e76fee5e1747ab589903a6a1f80f22...da1560886d4f094c3e6c9ef40349f7d38b5d27d7"},
		{"new branch", func(m map[string]any) { m["before"], m["ref"] = blank, "refs/heads/feature/x" }, "[Gitlab Org / Gitlab Test] John Smith pushed new branch feature/x \n"},
		{"removed branch", func(m map[string]any) { m["after"] = blank }, "[Gitlab Org / Gitlab Test] John Smith removed branch master \n"},
	}
	for _, tt := range tests {
		_, next, err := chain(t, "push.json", tt.change, base, rooms)
		if err != nil || len(next) != 1 {
			t.Fatalf("%s: %d requests follow, %v", tt.name, len(next), err)
		}
		form, err := url.ParseQuery(string(next[0].Body))
		if err != nil || form.Get("message[type]") != "TextMessage" || form.Get("message[body]") != tt.want {
			t.Errorf("%s: form %q (%v), want body %q", tt.name, form, err, tt.want)
		}
	}
}

func TestEvents(t *testing.T) {
	for _, file := range []string{"tag_push.json", "issue.json", "merge_request.json", "note_commit.json", "pipeline.json", "wiki_page.json", "deployment.json", "job.json"} {
		if reqs := integrationtest.Build(t, campfire.Build, file, "", nil, base); len(reqs) != 0 {
			t.Errorf("%s: %d requests", file, len(reqs))
		}
	}
}

// TestRoomLookup: the first room named exactly as the setting wins; no
// such room, or an answer that is no room list, sends nothing more and
// says why.
func TestRoomLookup(t *testing.T) {
	tests := []struct {
		name, room, answer, url string // url "" for an error
	}{
		{"exact name, first match", "Dev Room", rooms, "https://project-name.campfirenow.com/room/123/speak.json"},
		{"case matters", "dev room", rooms, "https://project-name.campfirenow.com/room/122/speak.json"},
		{"other keys first, id as a string", "x", `{"a":{"b":[1]},"rooms":[{"name":"x","id":"77"}]}`, "https://project-name.campfirenow.com/room/77/speak.json"},
		{"past 4 KiB", "Dev Room", manyRooms(200), "https://project-name.campfirenow.com/room/123/speak.json"},
		{"cut short", "Dev Room", rooms[:118], ""},
		{"no such room", "Ops", rooms, ""},
		{"no room set", "", rooms, ""},
		{"room without id", "x", `{"rooms":[{"name":"x"}]}`, ""},
		{"id not a number", "x", `{"rooms":[{"name":"x","id":"a/b"}]}`, ""},
		{"not JSON", "Dev Room", `<html>`, ""},
		{"null", "Dev Room", `null`, ""},
		{"no rooms key", "Dev Room", `{"room":{"id":1,"name":"Dev Room"}}`, ""},
	}
	for _, tt := range tests {
		_, next, err := chain(t, "push.json", nil, integrationtest.Props(base, "room", tt.room), tt.answer)
		switch {
		case tt.url == "" && (err == nil || len(next) != 0 || !strings.HasPrefix(err.Error(), "campfire: ")):
			t.Errorf("%s: %d requests follow, error %v", tt.name, len(next), err)
		case tt.url == "":
			integrationtest.AssertNoSecret(t, token, err.Error())
		case err != nil || len(next) != 1 || next[0].URL != tt.url:
			t.Errorf("%s: %+v, %v; want %s", tt.name, next, err, tt.url)
		}
	}
}

// manyRooms is a room list with n other rooms before "Dev Room" (123).
func manyRooms(n int) string {
	var b strings.Builder
	b.WriteString(`{"rooms":[`)
	for i := range n {
		fmt.Fprintf(&b, `{"id":%d,"name":"Room %d","topic":"a room that is not the one","membership_limit":60},`, 1000+i, i)
	}
	b.WriteString(`{"id":123,"name":"Dev Room","topic":"t"}]}`)
	return b.String()
}

func TestSettingErrors(t *testing.T) {
	integrationtest.Refuses(t, campfire.Build, "campfire: ", []string{token},
		integrationtest.Props(base, "token", nil),
		integrationtest.Props(base, "subdomain", nil),
		integrationtest.Props(base, "subdomain", "evil.example/"+token+"#"),
		integrationtest.Props(base, "subdomain", ".x"))
}

// TestSendToServer: Campfire wants Basic auth <token>:X on both calls,
// lists the rooms, and answers 201 to a form-encoded TextMessage. The
// requests go through the production client, Campfire's host sent to the
// stand-in by an endpoint override; the room list runs past 4 KiB.
func TestSendToServer(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(token+":X"))
	list := manyRooms(200)
	if len(list) < 4<<10 || strings.Index(list, `"Dev Room"`) < 4<<10 {
		t.Fatalf("the room is at %d of %d bytes", strings.Index(list, `"Dev Room"`), len(list))
	}
	rec.Answer(func(r integrationtest.Request) (int, string) {
		if r.Header.Get("Authorization") != auth {
			return http.StatusUnauthorized, "HTTP Basic: Access denied.\n"
		}
		switch {
		case r.Method == http.MethodGet && r.Path == "/rooms.json":
			return http.StatusOK, list
		case r.Method == http.MethodPost && r.Path == "/room/123/speak.json":
			form, err := url.ParseQuery(string(r.Body))
			if err != nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" ||
				form.Get("message[type]") != "TextMessage" || !strings.Contains(form.Get("message[body]"), "da1560886d4f094c3e6c9ef40349f7d38b5d27d7") {
				return http.StatusBadRequest, ""
			}
			return http.StatusCreated, `{"message":{"id":1}}`
		}
		return http.StatusNotFound, ""
	})
	reqs := integrationtest.Build(t, campfire.Build, "push.json", "", nil, base)
	client := integrationtest.Client(t, "https://project-name.campfirenow.com="+rec.URL)
	sent, err := integrationtest.Walk(t, client, reqs)
	if err != nil || len(sent) != 2 || sent[1].Status != http.StatusCreated || string(sent[0].Answer) != list {
		t.Fatalf("%d requests sent, %v", len(sent), err)
	}
	got := rec.Requests()
	if len(got) != 2 || got[1].Path != "/room/123/speak.json" {
		t.Errorf("received %+v", got)
	}
	for _, r := range got {
		if ua := r.Header.Get("User-Agent"); ua != outbound.DefaultUserAgent {
			t.Errorf("%s %s: User-Agent %q", r.Method, r.Path, ua)
		}
	}
}
