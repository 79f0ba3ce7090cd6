package chatmsg

import (
	"slices"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// NotifyForRef is GitLab's branch filter (notify_for_ref?). It filters
// pushes and pipelines only: tag pushes and tag pipelines always pass, as
// does every other kind of event. A branch passes by branchesToBeNotified:
// "all"; "default" (the project's default branch); "protected" (an exact
// protected branch name); "default_and_protected" (either). Any other
// value lets nothing through.
func NotifyForRef(ev *event.Event, branchesToBeNotified string, p integration.Project) bool {
	switch {
	case ev.Kind == event.TagPush:
		return true
	case ev.Pipeline != nil:
		if ev.Pipeline.ObjectAttributes.Tag {
			return true
		}
	case ev.Push == nil:
		return true
	}
	return BranchNotified(ev.Ref(), branchesToBeNotified, payloadDefaultBranch(ev), p)
}

// BranchNotified is the branch rule of branches_to_be_notified for a
// branch: "all"; "default" (the project's default branch, else
// payloadDefault); "protected" (an exact protected branch name);
// "default_and_protected" (either). Any other value lets nothing through.
func BranchNotified(ref, branchesToBeNotified, payloadDefault string, p integration.Project) bool {
	defaultBranch := p.DefaultBranch
	if defaultBranch == "" {
		defaultBranch = payloadDefault
	}
	isDefault := ref == defaultBranch
	protected := p.ProtectedBranches
	if len(protected) == 0 {
		// glint treats the default branch as protected when none are set.
		protected = []string{defaultBranch}
	}
	isProtected := slices.Contains(protected, ref)
	switch branchesToBeNotified {
	case "all":
		return true
	case "default":
		return isDefault
	case "protected":
		return isProtected
	case "default_and_protected":
		return isDefault || isProtected
	}
	return false
}

// payloadDefaultBranch is the default branch the payload names, for a
// project glint knows none of.
func payloadDefaultBranch(ev *event.Event) string {
	switch {
	case ev.Push != nil:
		return ev.Push.Project.DefaultBranch
	case ev.Pipeline != nil:
		return ev.Pipeline.Project.DefaultBranch
	}
	return ""
}

// NotifyForPipeline is GitLab's pipeline status filter
// (notify_for_pipeline?): a failed pipeline always passes, a successful one
// unless only broken pipelines are wanted, any other status never. Events
// other than pipelines pass.
func NotifyForPipeline(ev *event.Event, notifyOnlyBrokenPipelines bool) bool {
	if ev.Pipeline == nil {
		return true
	}
	switch ev.Pipeline.ObjectAttributes.Status {
	case "success":
		return !notifyOnlyBrokenPipelines
	case "failed":
		return true
	}
	return false
}

// Settings are the properties every GitLab ChatNotificationService reads,
// decoded from a service's resolved settings by catalog.Decode: unset
// values take the catalog's defaults (notify_only_broken_pipelines true,
// branches_to_be_notified "default").
type Settings struct {
	Webhook                   string `field:"webhook"`
	NotifyOnlyBrokenPipelines bool   `field:"notify_only_broken_pipelines"`
	BranchesToBeNotified      string `field:"branches_to_be_notified"`
}

// SlackSettings are the settings of the notifiers that speak Slack's
// incoming webhook (Slack and Mattermost): Settings, the username and the
// channels.
type SlackSettings struct {
	Settings
	Username string `field:"username"`
	// Channel is the default channel.
	Channel string `field:"channel"`

	// channels are the per-event channels (<event type>_channel) the
	// service's catalog entry has, by name; blank ones are left out.
	channels map[string]string
}

// ReadSettings decodes the chat settings of the service slug from its
// properties. Strings must be strings; booleans may be booleans or their
// usual spellings.
func ReadSettings(slug string, properties map[string]any) (Settings, error) {
	return catalog.Decode[Settings](slug, properties)
}

// ReadSlackSettings is ReadSettings for Slack and Mattermost, with the
// per-event channels their catalog entries list.
func ReadSlackSettings(slug string, properties map[string]any) (SlackSettings, error) {
	s, err := catalog.Decode[SlackSettings](slug, properties)
	if err != nil {
		return s, err
	}
	svc, _ := catalog.Lookup(slug)
	for _, f := range svc.Fields {
		if strings.HasSuffix(f.Name, "_channel") {
			if c := str(properties, f.Name); c != "" {
				if s.channels == nil {
					s.channels = map[string]string{}
				}
				s.channels[f.Name] = c
			}
		}
	}
	return s, nil
}

// Allows applies the chat filters: the branch filter to pushes and
// pipelines, the status filter to pipelines.
func (s Settings) Allows(ev *event.Event, p integration.Project) bool {
	return NotifyForRef(ev, s.BranchesToBeNotified, p) && NotifyForPipeline(ev, s.NotifyOnlyBrokenPipelines)
}

// ChannelFor is the channel a message of the event type goes to: its
// <event type>_channel, for confidential issues and notes falling back to
// the issue_channel and note_channel, then the default channel; "" for
// none.
func (s SlackSettings) ChannelFor(eventType string) string {
	names := []string{eventType + "_channel"}
	switch event.Kind(eventType) {
	case event.ConfidentialIssue:
		names = append(names, "issue_channel")
	case event.ConfidentialNote:
		names = append(names, "note_channel")
	}
	for _, name := range names {
		if c := s.channels[name]; c != "" {
			return c
		}
	}
	return s.Channel
}

// str is a string property, "" when unset or not a string; GitLab's
// .presence treats blank strings as unset too.
func str(properties map[string]any, name string) string { return catalog.Presence(properties[name]) }
