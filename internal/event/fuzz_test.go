package event_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/glint-dev/glint/internal/event"
)

// FuzzParse: any header and body is parsed or refused with an *event.Error;
// Parse never panics, and what it accepts is a whole event.
func FuzzParse(f *testing.F) {
	headers := map[string]string{
		"push.json": "Push Hook", "tag_push.json": "Tag Push Hook", "issue.json": "Confidential Issue Hook",
		"merge_request.json": "Merge Request Hook", "note_commit.json": "Note Hook", "note_issue.json": "Confidential Note Hook",
		"note_merge_request.json": "Note Hook", "note_snippet.json": "Note Hook", "pipeline.json": "Pipeline Hook",
		"job.json": "Job Hook", "wiki_page.json": "Wiki Page Hook", "deployment.json": "Deployment Hook",
	}
	for file, header := range headers {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(header, b)
	}
	f.Add("Issue Hook", []byte(`{"object_kind":"issue","object_attributes":{"iid":1,"title":"t","url":"u","confidential":true}}`))
	f.Add("Note Hook", []byte(`{"object_kind":"note","object_attributes":{"note":"n","noteable_type":"Issue","url":"u"},"issue":{"iid":1}}`))
	f.Add("Push Hook", []byte(`{"object_kind":"push","ref":"refs/heads/x","before":"a","after":"b","project":{}}`))
	f.Add("Push Hook", []byte(`{"object_kind":"push","ref":"refs/heads/x","before":"a","after":"b","project":{},"glint_diffs":[{"old_path":"a","new_path":"a","diff":"@@ -1 +1 @@\n-a\n+b\n"}],"glint_diffs_truncated":true}`))
	f.Add("Pipeline Hook", []byte(`{"object_kind":"pipeline","object_attributes":{"id":1e30,"status":"x","ref":"r"}}`))
	f.Add("", []byte(`null`))
	f.Add("Job Hook", []byte(`[{"object_kind":"build"}]`))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		ev, err := event.Parse(header, body)
		if err != nil {
			if _, ok := err.(*event.Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if ev != nil {
				t.Fatal("an event and an error")
			}
			return
		}
		if ev.Kind == "" || ev.Flag() == "" || ev.Header != header || !bytes.Equal(ev.Raw, body) {
			t.Fatalf("incomplete event %+v", ev)
		}
		_ = ev.Ref()
	})
}
