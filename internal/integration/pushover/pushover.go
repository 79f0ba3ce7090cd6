// Package pushover builds the requests of GitLab 12.5's "Pushover"
// service: one form-encoded POST per push to
// https://api.pushover.net/1/messages.json with the fields token (the
// api_key), user (the user_key), device (sent even when blank), priority,
// title (the project's full name), message, url (the project's web URL
// from the payload), url_title, and sound only when one is chosen.
// Pushover takes pushes only (not tag pushes).
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package pushover

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// URL is Pushover's message API.
const URL = "https://api.pushover.net/1/messages.json"

var errKeys = errors.New("pushover: the api_key and the user_key must be set")

// Settings are the service's properties, decoded by catalog.Decode.
type Settings struct {
	APIKey   string `field:"api_key"`
	UserKey  string `field:"user_key"`
	Device   string `field:"device"`
	Priority string `field:"priority"`
	Sound    string `field:"sound"`
}

// Build returns the request that pushes a notification for a push, or
// nothing for other events. settings are the service's resolved
// properties; the keys never show in errors.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	if ev.Kind != event.Push || ev.Push == nil {
		return nil, nil
	}
	cfg, err := catalog.Decode[Settings]("pushover", settings)
	if err != nil {
		return nil, err
	}
	token, user := cfg.APIKey, cfg.UserKey
	if token == "" || user == "" {
		return nil, errKeys
	}
	fields := []string{
		"token", token,
		"user", user,
		"device", cfg.Device,
		"priority", cfg.Priority,
		"title", p.FullName,
		"message", Message(ev.Push),
		"url", ev.Push.Project.WebURL,
		"url_title", "See project " + p.FullName,
	}
	if sound := cfg.Sound; sound != "" {
		fields = append(fields, "sound", sound)
	}
	return []integration.Request{{
		Method: http.MethodPost,
		URL:    URL,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   integration.Form(fields...),
	}}, nil
}

// Message is PushoverService's text for a push (sic "push to").
func Message(e *event.PushEvent) string {
	ref := event.RefName(e.Ref)
	var m string
	switch {
	case e.Before == event.BlankSHA:
		m = e.UserName + ` pushed new branch "` + ref + `".`
	case e.After == event.BlankSHA:
		m = e.UserName + ` deleted branch "` + ref + `".`
	default:
		m = e.UserName + ` push to branch "` + ref + `".`
	}
	if e.TotalCommitsCount > 0 {
		m += "\nTotal commits count: " + strconv.Itoa(e.TotalCommitsCount)
	}
	return m
}
