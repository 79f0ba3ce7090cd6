package chatmsg

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/glint-dev/glint/internal/event"
	"github.com/glint-dev/glint/internal/integration"
)

// ErrWebhook is Prepare's error for a webhook that is not an http(s) URL.
// It never quotes the webhook: its path or query is a credential.
var ErrWebhook = errors.New("the webhook is not an http(s) URL")

// Prepare does what GitLab's ChatNotificationService#execute does before
// it hands a message to its notifier, given the chat settings: it drops
// the event when the notifier does not take its kind (the kinds in
// without; Teams and Hangouts Chat take no deployments), no webhook is set
// or the filters (Allows) drop it, checks the webhook, and writes the
// message. A nil message means nothing to send. The error wraps ErrWebhook
// after the service's name (its slug, spaces for dashes: "microsoft
// teams").
func Prepare(slug string, s Settings, ev *event.Event, p integration.Project, without ...event.Kind) (*Message, error) {
	if s.Webhook == "" || slices.Contains(without, ev.Kind) || !s.Allows(ev, p) {
		return nil, nil
	}
	if u, err := url.Parse(s.Webhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: %w", strings.ReplaceAll(slug, "-", " "), ErrWebhook)
	}
	m, ok := Build(ev, p)
	if !ok {
		return nil, nil
	}
	return m, nil
}

// ProjectName is GitLab's project_name for the chat services: the
// project's full name with all whitespace removed ("GitlabOrg/GitlabTest").
func ProjectName(p integration.Project) string { return injectedName(p) }
