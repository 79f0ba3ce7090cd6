package settings

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/netguard"
	"github.com/glint-dev/glint/internal/secret"
	"github.com/glint-dev/glint/internal/store"
)

// ValidationError is a model validation failure: messages by field, as
// GitLab's errors hash.
type ValidationError struct{ Fields map[string][]string }

func (e *ValidationError) Error() string {
	names := make([]string, 0, len(e.Fields))
	for n := range e.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	var parts []string
	for _, n := range names {
		parts = append(parts, n+" "+strings.Join(e.Fields[n], ", "))
	}
	return strings.Join(parts, "; ")
}

// Policy holds the administrator's choices that validation depends on.
type Policy struct {
	// AllowLocal allows URL settings on the local network.
	AllowLocal bool
}

// Sealer seals secrets; *secret.Keyring is one.
type Sealer interface {
	Seal(plaintext, ad string) (string, error)
	Open(sealed, ad string) (string, error)
}

var _ Sealer = (*secret.Keyring)(nil)

// AD is the additional data a secret field is sealed with.
func AD(slug, field string) string { return "glint:" + slug + ":" + field }

// GitLabSourceTokenAD is the additional data a project's GitLab source
// token is sealed with (no service slug has an underscore).
var GitLabSourceTokenAD = AD("gitlab_source", "token")

// Initialize gives a service that was never stored its defaults.
func Initialize(s *catalog.Service, rec *store.Service) {
	rec.Slug = s.Slug
	rec.Flags = map[string]bool{catalog.CommentOnEventFlag: true}
	for _, e := range catalog.EntityFlags {
		rec.Flags[e.FlagName()] = s.DefaultFlag(e)
	}
	for _, e := range s.Events {
		rec.Flags[e.FlagName()] = s.DefaultFlag(e)
	}
	rec.Properties = s.DefaultProperties()
	rec.Sealed = map[string]string{}
}

// Apply merges a decoded PUT into the stored service, activates it and
// validates the result. On error the record must be discarded.
func Apply(s *catalog.Service, rec *store.Service, c *Change, sealer Sealer, p Policy) error {
	if rec.ID == 0 {
		Initialize(s, rec)
	}
	if rec.Properties == nil {
		rec.Properties = map[string]any{}
	}
	if rec.Sealed == nil {
		rec.Sealed = map[string]string{}
	}
	resetSecretsOnURLChange(s, rec, c)
	for _, f := range s.Fields {
		v, ok := c.Set[f.Name]
		if !ok {
			continue
		}
		if err := setField(s, rec, f, v, sealer); err != nil {
			return err
		}
	}
	for name, b := range c.Flags {
		rec.Flags[name] = b
	}
	rec.Active = true
	if s.ActiveFromField != "" {
		b, _ := rec.Properties[s.ActiveFromField].(bool)
		rec.Active = b
	} else if c.Active != nil {
		rec.Active = *c.Active
	}
	if rec.Active {
		return validate(s, rec, p)
	}
	return nil
}

func setField(s *catalog.Service, rec *store.Service, f catalog.Field, v any, sealer Sealer) error {
	if !f.Secret {
		rec.Properties[f.Name] = v
		return nil
	}
	str, _ := v.(string)
	if str == "" {
		delete(rec.Sealed, f.Name)
		return nil
	}
	sealed, err := sealer.Seal(str, AD(s.Slug, f.Name))
	if err != nil {
		return fmt.Errorf("sealing %s: %w", f.Name, err)
	}
	rec.Sealed[f.Name] = sealed
	return nil
}

// resetSecretsOnURLChange forgets a password when the server it belongs to
// changes and no new password comes with it, as GitLab's Bamboo, TeamCity,
// Jira and Jenkins models do.
func resetSecretsOnURLChange(s *catalog.Service, rec *store.Service, c *Change) {
	for trigger, secrets := range s.ResetOnChange {
		newURL, sent := c.Set[trigger]
		if !sent || rec.ID == 0 || newURL == rec.Properties[trigger] {
			continue
		}
		for _, name := range secrets {
			if _, replaced := c.Set[name]; !replaced {
				delete(rec.Sealed, name)
			}
		}
	}
}

// validate applies the model validations of an active service: required
// settings present and URLs valid and allowed.
func validate(s *catalog.Service, rec *store.Service, p Policy) error {
	errs := map[string][]string{}
	for _, f := range s.Fields {
		present := hasValue(rec, f)
		if f.Required && !present {
			errs[f.Name] = append(errs[f.Name], "can't be blank")
		}
		if f.URL && present {
			if err := netguard.CheckURL(fmt.Sprint(rec.Properties[f.Name]), p.AllowLocal); err != nil {
				errs[f.Name] = append(errs[f.Name], err.Error())
			}
		}
		if msg := checkField(f, rec, present); msg != "" {
			errs[f.Name] = append(errs[f.Name], msg)
		}
	}
	if s.Validate != nil && len(errs) == 0 {
		for name, msgs := range s.Validate(rec.Properties) {
			errs[name] = append(errs[name], msgs...)
		}
	}
	if len(errs) > 0 {
		return &ValidationError{Fields: errs}
	}
	return nil
}

// checkField applies the catalog's rules for one field: its length, and
// its Check when it has a value.
func checkField(f catalog.Field, rec *store.Service, present bool) string {
	switch v := rec.Properties[f.Name].(type) {
	case string:
		if utf8.RuneCountInString(v) > f.MaxLen() {
			return "is too long (maximum is " + strconv.Itoa(f.MaxLen()) + " characters)"
		}
		if f.Check != nil && present {
			return f.Check(v)
		}
	case int64:
		if f.CheckInt != nil {
			return f.CheckInt(v)
		}
	}
	return ""
}

func hasValue(rec *store.Service, f catalog.Field) bool {
	if f.Secret {
		return rec.Sealed[f.Name] != ""
	}
	switch v := rec.Properties[f.Name].(type) {
	case nil:
		return false
	case string:
		return strings.TrimSpace(v) != ""
	}
	return true
}

// Reset is DELETE: the service is kept but deactivated, and every one of
// its form fields is blanked (event flags stay as they were).
func Reset(s *catalog.Service, rec *store.Service) {
	if rec.ID == 0 {
		Initialize(s, rec)
	}
	if rec.Properties == nil {
		rec.Properties = map[string]any{}
	}
	for _, f := range s.Fields {
		if f.Internal {
			continue
		}
		if f.Secret {
			delete(rec.Sealed, f.Name)
			continue
		}
		rec.Properties[f.Name] = nil
	}
	rec.Active = false
}

// Resolve returns every setting of a stored service in clear, secrets
// opened, for the code that acts on events. Defaults fill what is unset.
func Resolve(s *catalog.Service, rec *store.Service, sealer Sealer) (map[string]any, error) {
	out := s.DefaultProperties()
	for k, v := range rec.Properties {
		out[k] = v
	}
	for name, sealed := range rec.Sealed {
		plain, err := sealer.Open(sealed, AD(s.Slug, name))
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", name, err)
		}
		out[name] = plain
	}
	return out, nil
}
