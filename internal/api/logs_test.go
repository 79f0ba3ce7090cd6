package api_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestErrorLogsCarryRequestID: a line logged while serving a request (here
// the error of a database that went away) carries the request's id, as
// the access log line does.
func TestErrorLogsCarryRequestID(t *testing.T) {
	forEachEngine(t, func(t *testing.T, eng engine) {
		e := newTestEnvOn(t, eng, defaultPolicy)
		if err := e.st.Close(); err != nil {
			t.Fatal(err)
		}
		r := e.do("GET", "/api/v4/projects", e.root, nil, "X-Request-Id", "req-12")
		if r.status < 500 {
			t.Fatalf("status %d with the database closed", r.status)
		}
		lines := 0
		for _, line := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("log line %q: %v", line, err)
			}
			if rec["level"] == "INFO" && rec["msg"] != "request" {
				continue
			}
			lines++
			if rec["request_id"] != "req-12" {
				t.Errorf("log line without the request id: %s", line)
			}
		}
		if lines < 2 {
			t.Fatalf("expected an error line and the access line, got:\n%s", e.logs.String())
		}
	})
}
