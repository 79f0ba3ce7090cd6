package web

import (
	"errors"
	"net/url"
	"testing"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// FuzzDecodeForm: any posted form decodes to a change or to the API's
// parameter errors, never panics, and a secret left blank never reaches
// the change as the stand-in value.
func FuzzDecodeForm(f *testing.F) {
	for _, seed := range []string{
		"active=true&webhook=http://127.0.0.1/x&push_events=false&push_events=true",
		"active=false&webhook=",
		"api_key=&user_key=k&priority=0",
		"branches_to_be_notified=nope&notify_only_broken_pipelines=maybe",
		"password=&url=http://127.0.0.1/jira&%ff=%00",
		"push_events=1&push_events=yes&tag_push_events=",
	} {
		f.Add("slack", seed)
		f.Add("pushover", seed)
		f.Add("jira", seed)
	}
	f.Fuzz(func(t *testing.T, slug, body string) {
		svc, ok := catalog.Lookup(slug)
		if !ok {
			return
		}
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		rec := &store.Service{ID: 1}
		settings.Initialize(svc, rec)
		rec.Sealed = map[string]string{"api_key": "sealed", "password": "sealed"}
		c, err := decodeForm(svc, rec, form)
		var perr *settings.ParamError
		if err != nil && !errors.As(err, &perr) {
			t.Fatalf("error %v is not a parameter error", err)
		}
		if err != nil {
			return
		}
		for name, v := range c.Set {
			if v == keepSecret {
				t.Fatalf("%s: the stand-in of a kept secret reached the change", name)
			}
		}
		if c.Active == nil {
			t.Fatal("no Active in the change")
		}
		newForm(svc, rec).refill(form, err)
	})
}
