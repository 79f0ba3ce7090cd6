package registry

import (
	"testing"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/chatmsg"
	"github.com/glint-dev/glint/internal/integration/pipelinesemail"
)

// settingsTypes are the typed settings each integration decodes, by the
// slug it decodes them for (catalog.Check of that type).
var settingsTypes = map[string][]func(slug string) error{
	"slack":           {catalog.Check[chatmsg.SlackSettings]},
	"mattermost":      {catalog.Check[chatmsg.SlackSettings]},
	"microsoft-teams": {catalog.Check[chatmsg.Settings]},
	"hangouts-chat":   {catalog.Check[chatmsg.Settings]},
	"pipelines-email": {catalog.Check[pipelinesemail.Settings]},
}

// TestSettingsNamesAreInTheCatalog: every property an integration's
// settings type reads (its `field:"..."` tags) is a field or flag of the
// catalog entry of the service it acts for, with a Go type
// catalog.Decode fills, so that a misspelt name fails here rather than
// reading as unset at delivery.
func TestSettingsNamesAreInTheCatalog(t *testing.T) {
	for slug, checks := range settingsTypes {
		if !Acts(slug) {
			t.Errorf("%s: glint does not act for it", slug)
		}
		for _, check := range checks {
			if err := check(slug); err != nil {
				t.Errorf("%s: %v", slug, err)
			}
		}
	}
}
