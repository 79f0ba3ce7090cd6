// Package campfire builds the requests of GitLab 12.5's "Campfire"
// service (CampfireService, the version on Gitlab::HTTP). Campfire posts
// to a room by id, and the service knows the room by name, so a push takes
// two requests, both with HTTP Basic auth <token>:X:
//
//  1. GET https://<subdomain>.campfirenow.com/rooms.json, the rooms;
//  2. POST https://<subdomain>.campfirenow.com/room/<id>/speak.json for
//     the first room whose name is exactly the configured room, the
//     message form-encoded as message[type]=TextMessage&message[body]=...
//
// The second request depends on the answer to the first, so Build returns
// the lookup with a Then that makes the post from the room list (see
// integration.Request.Then), given the whole room list (up to 1 MiB; a
// longer one fails the delivery, see docs/deliveries.md). No room of that name means nothing is posted;
// glint reports it as an error rather than silently, as GitLab does.
// Campfire takes pushes only (not tag pushes).
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package campfire

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

var (
	errToken     = errors.New("campfire: the token is not set")
	errSubdomain = errors.New("campfire: the subdomain is not a host name")
	errNotRooms  = errors.New("campfire: the answer to GET /rooms.json is not a Campfire room list")
)

// Settings are the service's properties, decoded by catalog.Decode.
type Settings struct {
	Token     string `field:"token"`
	Subdomain string `field:"subdomain"`
	Room      string `field:"room"`
}

// Build returns the room lookup for a push, whose Then posts the message,
// or nothing for other events. settings are the service's resolved
// properties.
func Build(ev *event.Event, settings map[string]any, p integration.Project) ([]integration.Request, error) {
	if ev.Kind != event.Push || ev.Push == nil {
		return nil, nil
	}
	cfg, err := catalog.Decode[Settings]("campfire", settings)
	if err != nil {
		return nil, err
	}
	token := cfg.Token
	if token == "" {
		return nil, errToken
	}
	subdomain := cfg.Subdomain
	if !hostLabels(subdomain) {
		return nil, errSubdomain
	}
	base := "https://" + subdomain + ".campfirenow.com"
	auth := http.Header{"Authorization": {integration.BasicAuth(token, "X")}}
	room := cfg.Room
	text := Message(ev.Push, p)
	return []integration.Request{{
		Method: http.MethodGet,
		URL:    base + "/rooms.json",
		Header: auth,
		Then: func(answer []byte) ([]integration.Request, error) {
			id, err := roomID(answer, room)
			if err != nil {
				return nil, err
			}
			return []integration.Request{{
				Method: http.MethodPost,
				URL:    base + "/room/" + url.PathEscape(id) + "/speak.json",
				Header: http.Header{
					"Authorization": auth["Authorization"],
					"Content-Type":  {"application/x-www-form-urlencoded"},
				},
				Body: integration.Form("message[type]", "TextMessage", "message[body]", text),
			}}, nil
		},
	}}, nil
}

// Message is CampfireService#build_message. The project is glint's: its
// full name ("Group / Project") and web URL.
func Message(e *event.PushEvent, p integration.Project) string {
	ref := event.RefName(e.Ref)
	head := "[" + p.FullName + "] " + e.UserName + " "
	switch {
	case e.Before == event.BlankSHA:
		return head + "pushed new branch " + ref + " \n"
	case e.After == event.BlankSHA:
		return head + "removed branch " + ref + " \n"
	}
	return head + fmt.Sprintf("pushed %d commits to %s. ", e.TotalCommitsCount, ref) +
		p.WebURL + "/compare/" + e.Before + "..." + e.After
}

// roomID finds the id of the first room named exactly name in a
// rooms.json answer, read whole (up to 1 MiB, see integration.Request.Then):
// {"rooms": [{"id": 123, "name": "..."}, ...]}
// (https://github.com/basecamp/campfire-api/blob/master/sections/rooms.md).
func roomID(answer []byte, name string) (string, error) {
	var list *struct {
		Rooms []struct {
			ID   json.Number `json:"id"`
			Name string      `json:"name"`
		} `json:"rooms"`
	}
	if err := json.Unmarshal(answer, &list); err != nil || list == nil {
		return "", errNotRooms
	}
	for _, r := range list.Rooms {
		if r.Name == name && r.ID != "" {
			return r.ID.String(), nil
		}
	}
	return "", fmt.Errorf("campfire: no room named %q in the room list", name)
}

// hostLabels reports whether s can stand before ".campfirenow.com" in a
// host name: letters, digits, hyphens and inner dots only.
func hostLabels(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
