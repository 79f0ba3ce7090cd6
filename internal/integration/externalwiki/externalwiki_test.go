package externalwiki_test

import (
	"net/http"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/externalwiki"
	"github.com/glint-dev/glint/internal/integration/readbacktest"
)

// TestTest: GET <external_wiki_url> with certificates verified; success
// is a 200 answer with a body (external_wiki_service.rb: "response.body
// if response.code == 200", and Service#test's result.present?).
func TestTest(t *testing.T) {
	wiki := readbacktest.StandIn(t, false, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/wiki":
			w.Write([]byte("<html>Welcome to the wiki</html>"))
		case "/empty":
		default:
			http.NotFound(w, r)
		}
	})
	tlsURL := readbacktest.StandIn(t, true, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("wiki")) })
	for _, tt := range []struct {
		url     string
		success bool
		result  string
	}{
		{wiki + "/wiki", true, "<html>Welcome to the wiki</html>"},
		{wiki + "/empty", false, ""},
		{wiki + "/missing", false, ""},
		{tlsURL, false, ""},
		{readbacktest.RefusedURL(t), false, ""},
	} {
		q, err := externalwiki.Test(map[string]any{"external_wiki_url": tt.url}, integration.Project{})
		if err != nil {
			t.Fatal(err)
		}
		if q.Request.Method != "GET" || q.Request.URL != tt.url || q.Request.InsecureSkipVerify {
			t.Errorf("request %+v", q.Request)
		}
		res := q.Read(readbacktest.Client(t).Fetch(t.Context(), q.Request))
		if res.Success != tt.success || res.Result != tt.result {
			t.Errorf("%s: %+v", tt.url, res)
		}
	}
}
