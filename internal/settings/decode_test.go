package settings

import (
	"testing"

	"github.com/glint-dev/glint/internal/catalog"
)

// TestDecodeIgnoresUndeclared: a parameter GitLab's API does not declare
// is ignored by a PUT, even where the model has the field (HipChat's
// notify_only_broken_pipelines), and its default stays what is honoured.
func TestDecodeIgnoresUndeclared(t *testing.T) {
	s, _ := catalog.Lookup("hipchat")
	c, err := Decode(s, map[string]any{"token": "t", "notify_only_broken_pipelines": false, "no_such_parameter": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, set := c.Set["notify_only_broken_pipelines"]; set || c.Set["token"] != "t" || len(c.Set) != 1 {
		t.Fatalf("set: %v", c.Set)
	}
	if s.Accepts("notify_only_broken_pipelines") || !s.Accepts("token") {
		t.Fatal("Accepts disagrees with Decode")
	}
	if v := s.DefaultProperties()["notify_only_broken_pipelines"]; v != true {
		t.Fatalf("default %v, want true", v)
	}
}
