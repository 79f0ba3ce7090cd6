// Package hipchat builds the requests of GitLab 12.5's "HipChat" service,
// as the hipchat gem (1.5) sends them for HipchatService#execute: one room
// notification per event, an HTML message from "GitLab".
//
//   - v2 (api_version blank or "v2"): POST
//     <server>/v2/room/<room, URI-escaped>/notification?auth_token=<token>,
//     a JSON body with room_id, from, message, message_format "html",
//     color and notify (a boolean).
//   - v1: POST <server>/v1/rooms/message?auth_token=<token>, the same
//     fields form-encoded, notify as 1 or 0.
//
// The server is https://api.hipchat.com unless set. The token goes in the
// query string only, as the gem puts it; errors never quote it. HipChat
// takes pushes, tag pushes, issues, merge requests and notes (confidential
// ones too) and pipelines; there is no branch filter, issue and merge
// request updates are not sent, and a pipeline is sent when it failed, or
// passed and notify_only_broken_pipelines (true unless set) is off.
//
// It knows events, chat messages and the integration types; it must not
// import the API, the store or the delivery code.
package hipchat

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// DefaultServer is the hipchat gem's server.
const DefaultServer = "https://api.hipchat.com"

// from is the sender name GitLab gives.
const from = "GitLab"

var (
	errToken      = errors.New("hipchat: the token is not set")
	errServer     = errors.New("hipchat: the server is not an http(s) URL")
	errAPIVersion = errors.New("hipchat: invalid API version: use v1 or v2")
)

// v2Body is the gem's v2 notification, keys in its order.
type v2Body struct {
	RoomID        string `json:"room_id"`
	From          string `json:"from"`
	Message       string `json:"message"`
	MessageFormat string `json:"message_format"`
	Color         string `json:"color"`
	Notify        bool   `json:"notify"`
}

// Settings are the service's properties, decoded by catalog.Decode
// (notify_only_broken_pipelines is true unless set, the catalog's
// default).
type Settings struct {
	Token                     string `field:"token"`
	Room                      string `field:"room"`
	Color                     string `field:"color"`
	Notify                    bool   `field:"notify"`
	APIVersion                string `field:"api_version"`
	Server                    string `field:"server"`
	NotifyOnlyBrokenPipelines bool   `field:"notify_only_broken_pipelines"`
}

// Build returns the request that posts the event to the HipChat room, or
// none when GitLab sends nothing for it. settings are the service's
// resolved properties.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	cfg, err := catalog.Decode[Settings]("hipchat", settings)
	if err != nil {
		return nil, err
	}
	text := message(ev, cfg.NotifyOnlyBrokenPipelines, p)
	if text == "" {
		return nil, nil
	}
	token := cfg.Token
	if token == "" {
		return nil, errToken
	}
	server := cfg.Server
	if server == "" {
		server = DefaultServer
	} else if u, err := url.Parse(server); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errServer
	}
	room := cfg.Room
	notify := cfg.Notify
	color := messageColor(ev, cfg.Color)
	query := "?auth_token=" + integration.FormEscape(token)

	switch cfg.APIVersion {
	case "", "v2":
		reqs, err := integration.PostJSON(server+"/v2/room"+uriEscape("/"+room+"/notification")+query,
			v2Body{RoomID: room, From: from, Message: text, MessageFormat: "html", Color: color, Notify: notify})
		if err != nil {
			return nil, err
		}
		reqs[0].Header.Set("Accept", "application/json")
		return reqs, nil
	case "v1":
		flag := "0"
		if notify {
			flag = "1"
		}
		return []integration.Request{{
			Method: http.MethodPost,
			URL:    server + "/v1/rooms/message" + query,
			Header: http.Header{"Accept": {"application/json"}, "Content-Type": {"application/x-www-form-urlencoded"}},
			Body: integration.Form("room_id", room, "from", from, "message", text, "message_format", "html",
				"color", color, "notify", flag),
		}}, nil
	}
	return nil, errAPIVersion
}

// messageColor is green or red for a pipeline that passed or not, else
// the configured colour, yellow by default.
func messageColor(ev *event.Event, configured string) string {
	switch {
	case ev.Pipeline != nil && ev.Pipeline.ObjectAttributes.Status == "success":
		return "green"
	case ev.Pipeline != nil:
		return "red"
	case configured != "":
		return configured
	}
	return "yellow"
}

// uriEscape is Ruby's URI.escape: every byte but the unreserved and
// reserved characters of RFC 2396 is percent-encoded, so "/" stays and a
// space becomes %20.
func uriEscape(s string) string {
	const keep = "-_.!~*'();/?:@&=+$,[]"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
