package servicehook

import "github.com/glint-dev/glint/internal/event"

// The push data validations below are GitLab's ServicePushDataValidations
// (app/models/concerns/service_push_data_validations.rb), which Drone CI
// and TeamCity apply before they trigger a build: a build for every push
// that brings commits, a tag push that brings commits, and a merge
// request that is open and awaiting its mergeability check. Each takes
// only its own kind of event and says false for any other.
//
// glint knows no merge requests of its own: where GitLab skips a push
// because an open merge request has the pushed branch as its source
// (preferring the merge request trigger, to avoid double builds), glint
// finds none open and lets the push through.

// PushWanted is push_valid?: a branch push with at least one commit
// (total_commits_count > 0) that does not delete the branch (after is not
// the blank SHA), and no open merge request from that branch (glint:
// none, see above).
func PushWanted(ev *event.Event) bool {
	return ev.Kind == event.Push && ev.Push != nil &&
		ev.Push.TotalCommitsCount > 0 && ev.Push.After != event.BlankSHA
}

// TagPushWanted is tag_push_valid?: a tag push with at least one commit
// that does not delete the tag.
func TagPushWanted(ev *event.Event) bool {
	return ev.Kind == event.TagPush && ev.Push != nil &&
		ev.Push.TotalCommitsCount > 0 && ev.Push.After != event.BlankSHA
}

// MergeRequestWanted is merge_request_valid?: object_attributes.state is
// "opened" and object_attributes.merge_status is one of the merge status
// state machine's "check" states (check_state?), which in 12.x are
// "unchecked" and "cannot_be_merged_recheck" (the later "checking" and
// "cannot_be_merged_rechecking" came in 13.x). In practice: a merge
// request just opened or reopened, or one whose source branch moved;
// edits to its title or description do not count.
func MergeRequestWanted(ev *event.Event) bool {
	if ev.Kind != event.MergeRequest || ev.MergeRequest == nil {
		return false
	}
	a := ev.MergeRequest.ObjectAttributes
	return a.State == "opened" && (a.MergeStatus == "unchecked" || a.MergeStatus == "cannot_be_merged_recheck")
}
