// Package hangoutschat builds the requests of GitLab 12.5's "Hangouts
// Chat" service: one JSON POST of {"text": ...} to the room's incoming
// webhook, as the hangouts-chat gem's Sender#simple sends it. The text is
// the message in Slack link syntax (<url|text>), which Hangouts Chat
// reads: the message text alone, or, when it has attachments, the text,
// the first attachment's title (a link when it has one) and its text,
// one a line. GitLab 12.5 sends no thread key: every message starts a
// thread of its own. Hangouts Chat takes the chat events but deployments,
// has no channels and no username.
//
// It knows events, chat messages and the integration types; it must not
// import the API, the store or the delivery code.
package hangoutschat

import (
	"strings"

	"github.com/glint-dev/glint/internal/chatmsg"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

type simple struct {
	Text string `json:"text"`
}

// Build returns the request that notifies Hangouts Chat of the event, or
// none when the service does not take the event, its filters drop it or
// GitLab sends no message for it. settings are the service's resolved
// properties.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	s, err := chatmsg.ReadSettings("hangouts-chat", settings)
	if err != nil {
		return nil, err
	}
	m, err := chatmsg.Prepare("hangouts-chat", s, ev, p, event.Deployment)
	if err != nil || m == nil {
		return nil, err
	}
	return integration.PostJSON(s.Webhook, simple{Text: Text(m)})
}

// Text is HangoutsChatService#parse_simple_text_message: the texts are
// link-formatted once, by the message builder (the gem does not format
// again), and the parts are joined by line breaks, an absent title left
// out.
func Text(m *chatmsg.Message) string {
	header := chatmsg.SlackLinks(m.Pretext)
	if len(m.Attachments) == 0 {
		return header
	}
	a := m.Attachments[0]
	parts := []string{header}
	switch {
	case a.TitleLink != "":
		parts = append(parts, "<"+a.TitleLink+"|"+a.Title+">")
	case a.Title != "":
		parts = append(parts, a.Title)
	}
	parts = append(parts, chatmsg.SlackLinks(a.Text))
	return strings.Join(parts, "\n")
}
