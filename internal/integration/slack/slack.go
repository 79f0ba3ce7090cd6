// Package slack builds the requests of GitLab 12.5's "Slack notifications"
// service: one form-encoded POST of the chat message to the service's
// incoming webhook, as GitLab sends it through slack-notifier 1.5.1.
//
// It knows events, chat messages and the integration types; it must not
// import the API, the store or the delivery code.
package slack

import (
	"net/http"

	"github.com/glint-dev/glint/internal/chatmsg"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// payload is the JSON of the "payload" form field: a message for Slack's
// incoming webhooks with legacy attachments,
// https://api.slack.com/messaging/webhooks and
// https://api.slack.com/reference/messaging/attachments.
// The field order is slack-notifier 1.5.1's: its default payload (channel,
// username), then the ping options (attachments, fallback), then text.
type payload struct {
	Channel     string       `json:"channel,omitempty"`
	Username    string       `json:"username,omitempty"`
	Attachments []attachment `json:"attachments"`
	Fallback    *string      `json:"fallback"`
	Text        string       `json:"text"`
}

type attachment struct {
	Title     string `json:"title,omitempty"`
	TitleLink string `json:"title_link,omitempty"`
	Text      string `json:"text"`
	Color     string `json:"color"`
}

// Build returns the request that notifies Slack of the event, or none when
// the service's filters drop it or GitLab sends no message for it.
// settings are the service's resolved properties.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	return Notify("slack", ev, settings, p)
}

// Notify builds the request of a notifier that speaks Slack's incoming
// webhook (GitLab's SlackService::Notifier, which Mattermost includes
// too): one form-encoded POST of Body to the webhook, with the channel
// the event routes to and the username. service is the slug whose catalog
// entry the settings are decoded by; it names the service in errors, which
// never quote the webhook.
func Notify(service string, ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	s, err := chatmsg.ReadSlackSettings(service, settings)
	if err != nil {
		return nil, err
	}
	m, err := chatmsg.Prepare(service, s.Settings, ev, p)
	if err != nil || m == nil {
		return nil, err
	}
	body, err := Body(m, s.ChannelFor(m.EventType), s.Username)
	if err != nil {
		return nil, err
	}
	return []integration.Request{{
		Method: http.MethodPost,
		URL:    s.Webhook,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   body,
	}}, nil
}

// Body is the request body for a message: payload=<JSON>, percent-encoded
// as HTTParty encodes a form. channel and username are left out when "".
// Mattermost sends the same body.
func Body(m *chatmsg.Message, channel, username string) ([]byte, error) {
	// GitLab's message builder runs LinkFormatter over the texts and
	// slack-notifier's ping runs it again over text and attachment texts;
	// a second pass is not always a no-op (nested brackets), so both run.
	// The fallback is formatted once, by the builder.
	twice := func(s string) string { return chatmsg.SlackLinks(chatmsg.SlackLinks(s)) }
	pl := payload{
		Channel:     channel,
		Username:    username,
		Attachments: make([]attachment, len(m.Attachments)),
		Text:        twice(m.Pretext),
	}
	for i, a := range m.Attachments {
		pl.Attachments[i] = attachment{Title: a.Title, TitleLink: a.TitleLink, Text: twice(a.Text), Color: a.Color}
	}
	if m.HasFallback {
		f := chatmsg.SlackLinks(m.Fallback)
		pl.Fallback = &f
	}
	js, err := integration.JSON(pl)
	if err != nil {
		return nil, err
	}
	return []byte("payload=" + integration.FormEscape(string(js))), nil
}
