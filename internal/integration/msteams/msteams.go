// Package msteams builds the requests of GitLab 12.5's "Microsoft Teams
// Notification" service: one JSON POST to the Office 365 connector
// webhook, as lib/microsoft_teams/notifier.rb writes it — an
// Office 365 connector card with the project as title, the message's
// Markdown text as summary (for a pipeline too, though its Slack text is
// empty), the Teams activity as first section and, when
// the message has any, its attachments as a "Details" section. Markdown
// links are kept. GitLab 12.5 sends neither "@type" nor "@context", so
// neither does glint. Teams takes the chat events but deployments, has no
// channels and no username.
//
// It knows events, chat messages and the integration types; it must not
// import the API, the store or the delivery code.
package msteams

import (
	"strings"

	"github.com/glint-dev/glint/internal/chatmsg"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// card is the body, keys in the notifier's order: sections, title, summary.
type card struct {
	Sections []any  `json:"sections"`
	Title    string `json:"title"`
	Summary  string `json:"summary"`
}

// activity is MicrosoftTeams::Activity#prepare.
type activity struct {
	Title    string `json:"activityTitle"`
	Subtitle string `json:"activitySubtitle"`
	Text     string `json:"activityText"`
	Image    string `json:"activityImage"`
}

type details struct {
	Title string `json:"title"`
	Facts []fact `json:"facts"`
}

type fact struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Build returns the request that notifies Teams of the event, or none when
// the service does not take the event, its filters drop it or GitLab
// sends no message for it. settings are the service's resolved
// properties.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	s, err := chatmsg.ReadSettings("microsoft-teams", settings)
	if err != nil {
		return nil, err
	}
	m, err := chatmsg.Prepare("microsoft-teams", s, ev, p, event.Deployment)
	if err != nil || m == nil {
		return nil, err
	}
	return integration.PostJSON(s.Webhook, Card(m))
}

// Card is the JSON body for a message.
func Card(m *chatmsg.Message) any {
	a := m.Activity
	c := card{
		Sections: []any{activity{Title: a.Title, Subtitle: a.Subtitle, Text: a.Text, Image: a.Image}},
		Title:    m.ProjectName,
		Summary:  summary(m),
	}
	// attachments.blank? in Ruby: empty or whitespace only.
	if strings.TrimSpace(m.AttachmentText) != "" {
		c.Sections = append(c.Sections, details{Title: "Details", Facts: []fact{{Name: "Attachments", Value: m.AttachmentText}}})
	}
	return c
}

// summary is ChatMessage#summary: the message's Markdown text. It is the
// pretext, but for pipelines, whose pretext alone is "" (for Slack) while
// their summary is the pipeline text, which chatmsg keeps as the fallback.
// (Teams refuses a card with no summary and no text.)
func summary(m *chatmsg.Message) string {
	if m.Pretext == "" && m.HasFallback {
		return m.Fallback
	}
	return m.Pretext
}
