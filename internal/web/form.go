package web

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// fieldView is one input of the integration form.
type fieldView struct {
	Name        string
	Label       string
	Input       string // text, url, number, password, checkbox, select
	Value       string
	Checked     bool
	Choices     []choice
	Placeholder string
	Help        string
	Required    bool
	Errors      []string
}

type choice struct{ Value, Label string }

// triggerView is an event trigger, with its channel input for the chat
// services.
type triggerView struct {
	Flag, Label, Help string
	Checked           bool
	Channel           *fieldView
}

// integrationForm is the settings form of one service, generated from the
// catalog and filled from the stored record (or from what was posted).
type integrationForm struct {
	Service  *catalog.Service
	Active   bool
	Triggers []triggerView
	Fields   []fieldView
	// Errors are messages that belong to no field.
	Errors []string
}

// newForm fills the form from a stored service; secrets are never read.
func newForm(svc *catalog.Service, rec *store.Service) *integrationForm {
	// A service never saved is offered active: saving is activating it.
	f := &integrationForm{Service: svc, Active: rec.Active || rec.ID == 0}
	channels := map[string]bool{}
	for _, e := range svc.Events {
		t := triggerView{Flag: e.FlagName(), Label: e.TriggerLabel(), Help: e.TriggerHelp(), Checked: rec.Flags[e.FlagName()]}
		if cf, ok := svc.Field(e.ChannelField()); ok {
			v := fieldOf(svc, cf, rec)
			v.Label, v.Help = "Channel for "+strings.ToLower(e.TriggerLabel())+" events", ""
			v.Placeholder = strings.Fields(svc.Title)[0] + " channels (e.g. general, development)"
			t.Channel = &v
			channels[cf.Name] = true
		}
		f.Triggers = append(f.Triggers, t)
	}
	for _, fd := range svc.Fields {
		if fd.Internal || channels[fd.Name] {
			continue
		}
		f.Fields = append(f.Fields, fieldOf(svc, fd, rec))
	}
	return f
}

func fieldOf(svc *catalog.Service, fd catalog.Field, rec *store.Service) fieldView {
	v := fieldView{Name: fd.Name, Label: humanize(fd.Name), Help: fd.Help, Required: fd.Required, Input: "text"}
	val, set := rec.Properties[fd.Name]
	if !set || val == nil {
		val = fd.Default
	}
	switch {
	case fd.Secret:
		v.Input = "password"
		if rec.Sealed[fd.Name] != "" {
			v.Placeholder = "Leave blank to use your current value"
		}
	case fd.Type == catalog.Bool:
		v.Input = "checkbox"
		v.Checked, _ = val.(bool)
	case len(fd.Values) > 0:
		v.Input = "select"
		for _, c := range fd.Values {
			v.Choices = append(v.Choices, choice{c, choiceLabel(c)})
		}
		v.Value = stringOf(val)
	case fd.Type == catalog.Int:
		v.Input = "number"
		v.Value = stringOf(val)
	default:
		v.Value = stringOf(val)
		if fd.URL {
			v.Input = "url"
			v.Placeholder = fd.Help
		}
	}
	return v
}

func stringOf(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// choiceLabel is GitLab's wording of branches_to_be_notified's choices.
func choiceLabel(v string) string {
	switch v {
	case "all":
		return "All branches"
	case "default":
		return "Default branch"
	case "protected":
		return "Protected branches"
	case "default_and_protected":
		return "Default branch and protected branches"
	}
	return humanize(v)
}

// keepSecret stands for a secret left blank in the form: the stored one
// stays. It never reaches the store (see decodeForm).
const keepSecret = "\x00keep"

// decodeForm turns a posted form into the API's raw parameters and decodes
// them with the API's own settings.Decode. Checkboxes post a hidden "false"
// before the box (the last value wins); a secret left blank keeps the
// stored one.
func decodeForm(svc *catalog.Service, rec *store.Service, form url.Values) (*settings.Change, error) {
	last := func(name string) (string, bool) {
		vs, ok := form[name]
		if !ok || len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true
	}
	raw := map[string]any{}
	kept := []string{}
	for _, fd := range svc.Fields {
		if fd.Internal {
			continue
		}
		v, ok := last(fd.Name)
		switch {
		case !ok:
			continue
		case fd.Secret && v == "" && rec.Sealed[fd.Name] != "":
			raw[fd.Name] = keepSecret
			kept = append(kept, fd.Name)
		case v == "" && (fd.Type == catalog.Int || len(fd.Values) > 0) && !fd.Required:
			raw[fd.Name] = nil
		default:
			raw[fd.Name] = v
		}
	}
	for _, e := range svc.Events {
		if v, ok := last(e.FlagName()); ok {
			raw[e.FlagName()] = v
		}
	}
	c, err := settings.Decode(svc, raw)
	if err != nil {
		return nil, err
	}
	for _, name := range kept {
		delete(c.Set, name)
	}
	active := true
	if v, ok := last("active"); ok {
		active = v == "true"
	}
	c.Active = &active
	return c, nil
}

// refill puts what was posted back into the form (secrets excepted) with
// the errors beside their fields.
func (f *integrationForm) refill(form url.Values, err error) {
	last := func(name string) string {
		vs := form[name]
		if len(vs) == 0 {
			return ""
		}
		return vs[len(vs)-1]
	}
	f.Active = last("active") == "true"
	for i := range f.Triggers {
		t := &f.Triggers[i]
		t.Checked = last(t.Flag) == "true"
		if t.Channel != nil {
			t.Channel.Value = last(t.Channel.Name)
		}
	}
	for i := range f.Fields {
		fv := &f.Fields[i]
		switch fv.Input {
		case "password":
		case "checkbox":
			fv.Checked = last(fv.Name) == "true"
		default:
			fv.Value = last(fv.Name)
		}
	}
	byField := map[string][]string{}
	var verr *settings.ValidationError
	var perr *settings.ParamError
	switch {
	case errors.As(err, &verr):
		byField = verr.Fields
	case errors.As(err, &perr):
		// Grape's messages start with the parameter's name.
		for _, m := range perr.Messages {
			name, rest, _ := strings.Cut(m, " ")
			byField[name] = append(byField[name], rest)
		}
	case err != nil:
		f.Errors = append(f.Errors, err.Error())
	}
	placed := map[string]bool{}
	for i := range f.Fields {
		if msgs := byField[f.Fields[i].Name]; len(msgs) > 0 {
			f.Fields[i].Errors, placed[f.Fields[i].Name] = msgs, true
		}
	}
	for i := range f.Triggers {
		if ch := f.Triggers[i].Channel; ch != nil && len(byField[ch.Name]) > 0 {
			ch.Errors, placed[ch.Name] = byField[ch.Name], true
		}
	}
	for name, msgs := range byField {
		if !placed[name] {
			for _, m := range msgs {
				if name == "base" {
					// A record's own error, as GitLab shows it.
					f.Errors = append(f.Errors, m)
					continue
				}
				f.Errors = append(f.Errors, humanize(name)+" "+m)
			}
		}
	}
}
