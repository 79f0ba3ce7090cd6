package catalog

import "strings"

// triggerTexts are the name and help GitLab's settings form shows for each
// event trigger (app/helpers/services_helper.rb).
var triggerTexts = map[Event][2]string{
	Push:              {"Push", "Event will be triggered by a push to the repository"},
	TagPush:           {"Tag push", "Event will be triggered when a new tag is pushed to the repository"},
	Issue:             {"Issue", "Event will be triggered when an issue is created/updated/closed"},
	ConfidentialIssue: {"Confidential issue", "Event will be triggered when a confidential issue is created/updated/closed"},
	MergeRequest:      {"Merge request", "Event will be triggered when a merge request is created/updated/merged"},
	Note:              {"Note", "Event will be triggered when someone adds a comment"},
	ConfidentialNote:  {"Confidential note", "Event will be triggered when someone adds a comment on a confidential issue"},
	Pipeline:          {"Pipeline", "Event will be triggered when a pipeline status changes"},
	WikiPage:          {"Wiki page", "Event will be triggered when a wiki page is created/updated"},
	Job:               {"Job", "Event will be triggered when a job status changes"},
	Commit:            {"Commit", "Event will be triggered when a commit is created/updated"},
	Deployment:        {"Deployment", "Event will be triggered when a deployment finishes"},
}

// TriggerLabel is the trigger's name in GitLab's form ("Merge request").
func (e Event) TriggerLabel() string { return triggerTexts[e][0] }

// TriggerHelp is the trigger's help text in GitLab's form.
func (e Event) TriggerHelp() string { return triggerTexts[e][1] }

// ChannelField names the per-event channel field of the chat services
// ("merge_request_channel" for merge_requests).
func (e Event) ChannelField() string {
	return strings.ToLower(strings.ReplaceAll(e.TriggerLabel(), " ", "_")) + "_channel"
}
