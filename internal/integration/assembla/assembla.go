// Package assembla builds the request of GitLab 12.5's "Assembla" service
// (AssemblaService): Assembla's "GitHub tool" source commits endpoint
// takes every push as it is. For a push (object_kind "push"; tag pushes
// are not among the service's supported events, so they send nothing) it
// sends one request:
//
//	POST https://atlas.assembla.com/spaces/<subdomain>/github_tool?secret_key=<token>
//	Content-Type: application/json
//
//	{"payload":<the push payload>}
//
// The payload is the webhook body glint received (event.Event.Raw),
// embedded byte for byte as the JSON value of "payload", where GitLab
// encodes its own push data; glint's intake keeps that body as GitLab
// sent it.
//
// Re-checked in gitlabhq's app/models/project_services/assembla_service.rb
// (the 12.x version on Gitlab::HTTP): the subdomain and the token are
// interpolated into the URL as they are, unescaped (escaping with
// URI.encode_www_form_component came in a much later version), and a blank
// subdomain is not refused: the catalog has it optional, and GitLab then
// posts to https://atlas.assembla.com/spaces//github_tool?secret_key=...
// glint does the same (the secret key may be what Assembla goes by).
//
// Where glint differs: a subdomain or token holding a character that would
// change the URL's shape is refused with an error that does not quote it:
// "/", "?", "#", "&", spaces, control and non-ASCII characters, the other
// characters RFC 3986 does not allow there, a "%" that does not start an
// escape, and a subdomain "." or "..". GitLab would build a different URL
// from such values (or fail to parse it); glint sends none.
//
// It knows events and the integration types; it must not import the API,
// the store or the delivery code.
package assembla

import (
	"errors"
	"net/http"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// endpoint is Assembla's GitHub tool URL up to the space.
const endpoint = "https://atlas.assembla.com/spaces/"

var (
	errToken        = errors.New("assembla: the token is not set")
	errTokenChars   = errors.New("assembla: the token cannot stand in a URL query: use letters, digits and - . _ ~ ! $ ' ( ) * + , ; = : @ or %XX escapes only")
	errSubdomain    = errors.New("assembla: the subdomain cannot stand in a URL path: use letters, digits and - . _ ~ ! $ ' ( ) * + , ; = : @ or %XX escapes only")
	errSubdomainDot = errors.New(`assembla: the subdomain cannot be "." or ".."`)
)

// Settings are the service's properties, decoded by catalog.Decode.
type Settings struct {
	Token string `field:"token"`
	// Subdomain is read as set: a blank but not empty one is refused.
	Subdomain string `field:"subdomain,asis"`
}

// Build returns the request that hands a push to Assembla, or nothing for
// other events. settings are the service's resolved properties.
func Build(ev *event.Event, settings map[string]any, _ integration.Project) ([]integration.Request, error) {
	if ev.Kind != event.Push || ev.Push == nil {
		return nil, nil
	}
	url, err := URL(settings)
	if err != nil {
		return nil, err
	}
	body := make([]byte, 0, len(ev.Raw)+len(`{"payload":}`))
	body = append(body, `{"payload":`...)
	body = append(body, ev.Raw...)
	body = append(body, '}')
	return []integration.Request{{
		Method: http.MethodPost,
		URL:    url,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   body,
	}}, nil
}

// URL is the Assembla endpoint of the settings: the subdomain and the
// token put in as they are, as GitLab does; a blank subdomain too (GitLab
// then posts to /spaces//github_tool).
func URL(settings map[string]any) (string, error) {
	cfg, err := catalog.Decode[Settings]("assembla", settings)
	if err != nil {
		return "", err
	}
	token := cfg.Token
	if token == "" {
		return "", errToken
	}
	if !integration.URIChars(token, uriDelims) {
		return "", errTokenChars
	}
	// Read as set: a blank but not empty subdomain is refused, not sent.
	subdomain := cfg.Subdomain
	if !integration.URIChars(subdomain, uriDelims) {
		return "", errSubdomain
	}
	if subdomain == "." || subdomain == ".." {
		return "", errSubdomainDot
	}
	return endpoint + subdomain + "/github_tool?secret_key=" + token, nil
}

// uriDelims are the delimiters that keep their meaning both in a path
// segment and in a query value: RFC 3986's sub-delims but "&", and ":"
// and "@".
const uriDelims = "!$'()*+,;=:@"
