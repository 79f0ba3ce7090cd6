package servicehook_test

import (
	"testing"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/integration/servicehook"
)

const blank = "0000000000000000000000000000000000000000"

// TestValidations: which events each push data validation lets through.
func TestValidations(t *testing.T) {
	commits := func(n int) func(m map[string]any) {
		return func(m map[string]any) { m["total_commits_count"] = n }
	}
	deleted := func(m map[string]any) { m["after"], m["checkout_sha"] = blank, nil }
	mr := func(state, status string) func(m map[string]any) {
		return func(m map[string]any) {
			integrationtest.Attrs(m)["state"], integrationtest.Attrs(m)["merge_status"] = state, status
		}
	}
	tests := []struct {
		name, file        string
		change            func(m map[string]any)
		push, tag, mrWant bool
	}{
		{"push with commits", "push.json", nil, true, false, false},
		{"new branch with commits", "push.json", func(m map[string]any) { m["before"] = blank }, true, false, false},
		{"push without commits", "push.json", commits(0), false, false, false},
		{"branch deleted", "push.json", deleted, false, false, false},
		{"branch deleted, commits counted", "push.json", func(m map[string]any) { deleted(m); commits(3)(m) }, false, false, false},
		{"tag without commits", "tag_push.json", nil, false, false, false},
		{"tag with commits", "tag_push.json", commits(1), false, true, false},
		{"tag deleted", "tag_push.json", func(m map[string]any) { commits(1)(m); deleted(m) }, false, false, false},
		{"mr opened, unchecked", "merge_request.json", nil, false, false, true},
		{"mr opened, recheck", "merge_request.json", mr("opened", "cannot_be_merged_recheck"), false, false, true},
		{"mr opened, can be merged", "merge_request.json", mr("opened", "can_be_merged"), false, false, false},
		{"mr opened, cannot be merged", "merge_request.json", mr("opened", "cannot_be_merged"), false, false, false},
		{"mr reopened, unchecked", "merge_request.json", mr("reopened", "unchecked"), false, false, false},
		{"mr closed, unchecked", "merge_request.json", mr("closed", "unchecked"), false, false, false},
		{"mr merged", "merge_request.json", mr("merged", "can_be_merged"), false, false, false},
		{"mr opened, checking (13.x)", "merge_request.json", mr("opened", "checking"), false, false, false},
		{"issue", "issue.json", nil, false, false, false},
		{"pipeline", "pipeline.json", nil, false, false, false},
	}
	for _, tt := range tests {
		ev := integrationtest.Event(t, tt.file, "", tt.change)
		if got := servicehook.PushWanted(ev); got != tt.push {
			t.Errorf("%s: PushWanted %v", tt.name, got)
		}
		if got := servicehook.TagPushWanted(ev); got != tt.tag {
			t.Errorf("%s: TagPushWanted %v", tt.name, got)
		}
		if got := servicehook.MergeRequestWanted(ev); got != tt.mrWant {
			t.Errorf("%s: MergeRequestWanted %v", tt.name, got)
		}
	}
	// A push event read under the tag push header is a tag push, and
	// the other way round: the kind decides, not the ref.
	tagAsPush := integrationtest.Event(t, "push.json", "", func(m map[string]any) { m["ref"] = "refs/tags/v1" })
	if !servicehook.PushWanted(tagAsPush) || servicehook.TagPushWanted(tagAsPush) {
		t.Error("the ref, not the kind, decided")
	}
	if servicehook.PushWanted(&event.Event{Kind: event.Push}) || servicehook.MergeRequestWanted(&event.Event{Kind: event.MergeRequest}) {
		t.Error("an event without its payload is wanted")
	}
}
