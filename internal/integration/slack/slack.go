// Package slack builds the requests of GitLab 12.5's "Slack notifications"
// service: one form-encoded POST of the chat message to the service's
// incoming webhook, as GitLab sends it through slack-notifier 1.5.1.
//
// It knows events, chat messages and the integration types; it must not
// import the API, the store or the delivery code.
package slack

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

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

// errWebhook never quotes the webhook: its path is a credential.
var errWebhook = errors.New("slack: the webhook is not an http(s) URL")

// Build returns the request that notifies Slack of the event, or none when
// the service's filters drop it or GitLab sends no message for it.
// settings are the service's resolved properties.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	s := chatmsg.ReadSettings(settings)
	if s.Webhook == "" || !s.Allows(ev, p) {
		return nil, nil
	}
	if u, err := url.Parse(s.Webhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errWebhook
	}
	m, ok := chatmsg.Build(ev, p)
	if !ok {
		return nil, nil
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
	js, err := rubyJSON(pl)
	if err != nil {
		return nil, err
	}
	return append([]byte("payload="), formEscape(js)...), nil
}

// rubyJSON encodes v as Ruby's to_json does: no HTML escaping, and the
// line and paragraph separators U+2028 and U+2029 left as they are.
func rubyJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	js := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	out := make([]byte, 0, len(js))
	for i := 0; i < len(js); i++ {
		if js[i] != '\\' || i+1 == len(js) {
			out = append(out, js[i])
			continue
		}
		// An escape: taken whole, so that an escaped backslash followed
		// by "u2028" is never read as one.
		switch string(js[i:min(i+6, len(js))]) {
		case `\u2028`:
			out = append(out, "\u2028"...)
			i += 5
		case `\u2029`:
			out = append(out, "\u2029"...)
			i += 5
		default:
			out = append(out, js[i], js[i+1])
			i++
		}
	}
	return out, nil
}

// formEscape percent-encodes every byte but A-Z a-z 0-9 - _ . ~ (so a
// space is %20), as ERB::Util.url_encode under HTTParty's form encoding.
func formEscape(b []byte) []byte {
	const hex = "0123456789ABCDEF"
	out := make([]byte, 0, len(b)*2)
	for _, c := range b {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			out = append(out, c)
		default:
			out = append(out, '%', hex[c>>4], hex[c&15])
		}
	}
	return out
}
