package api_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestServiceRulesAtPut: settings GitLab's model or the target's protocol
// makes invalid are a 400 in GitLab's validation shape at PUT, never a
// service saved to fail every delivery; local addresses in every spelling
// are refused (issue 12, items 4 and 5).
func TestServiceRulesAtPut(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newTestEnvOn(t, eng, defaultPolicy)
		pid := e.project("demo")
		svc := fmt.Sprintf("/api/v4/projects/%d/services/", pid)
		const blocked = `["is blocked: requests to the local network are not allowed"]`
		cases := []struct {
			name, slug, body string
			status           int
			want             string
		}{
			{"jenkins name with space", "jenkins", `{"jenkins_url":"https://ci.example.com","project_name":"my project"}`, 400,
				`{"message":{"project_name":["can only contain characters allowed in a URL path"]}}`},
			{"jenkins name with query", "jenkins", `{"jenkins_url":"https://ci.example.com","project_name":"a?b"}`, 400,
				`{"message":{"project_name":["can only contain characters allowed in a URL path"]}}`},
			{"jenkins name with bad escape", "jenkins", `{"jenkins_url":"https://ci.example.com","project_name":"a%zz"}`, 400,
				`{"message":{"project_name":["can only contain characters allowed in a URL path"]}}`},
			{"irker no channel", "irker", `{"recipients":"ftp://x mailto:y"}`, 400, `{"message":{"recipients":["are all invalid"]}}`},
			{"irker bad port", "irker", `{"recipients":"irc://irc.example.com/#c","server_port":70000}`, 400,
				`{"message":{"server_port":["must be between 1 and 65535"]}}`},
			{"pushover priority 7", "pushover", `{"api_key":"a","user_key":"u","priority":"7"}`, 400,
				`{"message":{"priority":["is not included in the list"]}}`},
			{"pushover emergency", "pushover", `{"api_key":"a","user_key":"u","priority":"2"}`, 400,
				`{"message":{"priority":["is not included in the list"]}}`},
			{"decimal loopback", "slack", `{"webhook":"http://2130706433/"}`, 400, `{"message":{"webhook":` + blocked + `}}`},
			{"hex loopback", "slack", `{"webhook":"http://0x7f000001/"}`, 400, `{"message":{"webhook":` + blocked + `}}`},
			{"octal loopback", "slack", `{"webhook":"http://017700000001/"}`, 400, `{"message":{"webhook":` + blocked + `}}`},
			{"short loopback", "slack", `{"webhook":"http://127.1/"}`, 400, `{"message":{"webhook":` + blocked + `}}`},
			{"zero", "slack", `{"webhook":"http://0/"}`, 400, `{"message":{"webhook":` + blocked + `}}`},
			{"v4-mapped hex", "slack", `{"webhook":"http://[::ffff:7f00:1]/"}`, 400, `{"message":{"webhook":` + blocked + `}}`},
			{"v6 unspecified", "slack", `{"webhook":"http://[::]:80/"}`, 400, `{"message":{"webhook":` + blocked + `}}`},
			// The good values of the same fields are accepted.
			{"jenkins good", "jenkins", `{"jenkins_url":"https://ci.example.com","project_name":"folder/my_project-1"}`, 200, ""},
			{"irker good", "irker", `{"recipients":"#commits","default_irc_uri":"irc://irc.example.com/"}`, 200, ""},
			{"pushover good", "pushover", `{"api_key":"a","user_key":"u","priority":"-2"}`, 200, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.do("PUT", svc+c.slug, e.root, c.body)
				if r.status != c.status || (c.want != "" && strings.TrimSpace(string(r.body)) != c.want) {
					t.Fatalf("got %d %.300s\nwant %d %s", r.status, r.body, c.status, c.want)
				}
			})
		}
		// Refused PUTs wrote nothing: only the three good ones are stored.
		list, err := e.st.Services(t.Context(), pid)
		if err != nil || len(list) != 3 {
			t.Fatalf("%d services stored (%v), want 3", len(list), err)
		}
	})
}
