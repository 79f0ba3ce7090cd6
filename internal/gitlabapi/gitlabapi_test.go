package gitlabapi

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestMessages(t *testing.T) {
	tests := []struct {
		body string
		want []string
	}{
		{`{"message":"404 Not found"}`, []string{"404 Not found"}},
		{`{"error":"title is missing"}`, []string{"title is missing"}},
		{`{"message":{"title":["can't be blank","is too long (maximum is 255 characters)"],"due_date":["is invalid"]}}`,
			[]string{"Due date is invalid", "Title can't be blank", "Title is too long (maximum is 255 characters)"}},
		{`{"message":{"base":[]}}`, nil},
		{`{"message":""}`, nil},
		{`<html>502 Bad Gateway</html>`, nil},
		{``, nil},
		{`{"message":12}`, nil},
	}
	for _, tt := range tests {
		if got := messages([]byte(tt.body)); !slices.Equal(got, tt.want) {
			t.Errorf("messages(%s) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestIssueLabels(t *testing.T) {
	for _, body := range []string{
		`{"iid":4,"title":"T","state":"closed","labels":["bug","ci"]}`,
		`{"iid":4,"title":"T","state":"closed","labels":[{"id":1,"name":"bug"},{"id":2,"name":"ci"}]}`,
	} {
		var i Issue
		if err := json.Unmarshal([]byte(body), &i); err != nil {
			t.Fatal(err)
		}
		if i.IID != 4 || i.Title != "T" || !i.Closed() || !slices.Equal(i.Labels, []string{"bug", "ci"}) {
			t.Errorf("%s read as %+v", body, i)
		}
	}
	var i Issue
	if err := json.Unmarshal([]byte(`{"labels":[3]}`), &i); err == nil {
		t.Errorf("a label that is a number was read as %q", i.Labels)
	}
}

// FuzzAnswers: whatever a GitLab answers, reading it never panics.
func FuzzAnswers(f *testing.F) {
	for _, s := range []string{`{"message":{"title":["x"]}}`, `{"error":"e"}`, `{"labels":[{"name":"a"},"b"]}`,
		`[{"deployable":{"pipeline":{"id":1}}}]`, `{"last_deployment":null}`, `null`, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = messages(b)
		var i Issue
		_ = json.Unmarshal(b, &i)
		var list []Deployment
		_ = json.Unmarshal(b, &list)
		var env Environment
		_ = json.Unmarshal(b, &env)
	})
}
