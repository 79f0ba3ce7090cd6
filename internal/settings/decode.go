// Package settings turns request parameters into a change of one service's
// stored settings, as GitLab's Services API does: parameters are coerced by
// the type the catalog declares, required ones checked, the change merged
// into what is stored, and the result validated.
//
// It knows the catalog and the store's records, never HTTP.
package settings

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
)

// ParamError is a Grape-style parameter error: each message names a
// parameter ("api_key is missing"); the API joins them with ", ".
type ParamError struct{ Messages []string }

func (e *ParamError) Error() string { return strings.Join(e.Messages, ", ") }

// Change is what one PUT asks for, already coerced.
type Change struct {
	// Set holds the new value of each field sent (nil clears it).
	Set map[string]any
	// Flags holds the event flags and comment_on_event_enabled sent.
	Flags map[string]bool
	// Active, when set, is the "Active" checkbox of the web form; the API
	// leaves it nil and a PUT activates the service, as GitLab's does.
	Active *bool
}

// Decode coerces the raw parameters of a PUT for service s. Parameters the
// service does not declare are ignored, as Grape ignores undeclared ones.
// Raw values are what encoding/json yields (with UseNumber) or strings from a
// form or query string.
func Decode(s *catalog.Service, raw map[string]any) (*Change, error) {
	c := &Change{Set: map[string]any{}, Flags: map[string]bool{}}
	var errs []string
	for _, f := range s.Fields {
		if f.Undeclared {
			continue
		}
		v, present := lookup(s, raw, f.Name)
		if !present || (v == nil && f.Required) {
			if f.Required {
				errs = append(errs, f.Name+" is missing")
			}
			continue
		}
		val, err := Coerce(f.Type, v)
		if err == nil && len(f.Values) > 0 && val != nil && !slices.Contains(f.Values, val.(string)) {
			errs = append(errs, f.Name+" does not have a valid value")
			continue
		}
		if err != nil {
			errs = append(errs, f.Name+" is invalid")
			continue
		}
		c.Set[f.Name] = val
	}
	for _, e := range s.Events {
		name := e.FlagName()
		v, present := lookup(s, raw, name)
		if !present {
			continue
		}
		b, ok := flagValue(v, s.StrictEventFlags)
		if !ok {
			errs = append(errs, name+" is invalid")
			continue
		}
		c.Flags[name] = b
	}
	for _, f := range s.Flags {
		if v, ok := raw[f.Name]; ok {
			if b, err := Coerce(catalog.Bool, v); err != nil || b == nil {
				errs = append(errs, f.Name+" is invalid")
			} else {
				c.Flags[f.Name] = b.(bool)
			}
		}
	}
	if s.DefaultBranchAlias {
		errs = append(errs, c.defaultBranchAlias(raw)...)
	}
	if len(errs) > 0 {
		return nil, &ParamError{Messages: errs}
	}
	return c, nil
}

// defaultBranchAlias honours the deprecated notify_only_default_branch
// unless branches_to_be_notified is sent as well.
func (c *Change) defaultBranchAlias(raw map[string]any) []string {
	const name = "notify_only_default_branch"
	v, ok := raw[name]
	if !ok {
		return nil
	}
	b, err := Coerce(catalog.Bool, v)
	if err != nil || b == nil {
		return []string{name + " is invalid"}
	}
	if _, sent := c.Set["branches_to_be_notified"]; !sent {
		c.Set["branches_to_be_notified"] = map[bool]string{true: "default", false: "all"}[b.(bool)]
	}
	return nil
}

// lookup finds a parameter by its name or by an alias of it.
func lookup(s *catalog.Service, raw map[string]any, name string) (any, bool) {
	if v, ok := raw[name]; ok {
		return v, true
	}
	for alias, target := range s.Aliases {
		if target == name {
			if v, ok := raw[alias]; ok {
				return v, true
			}
		}
	}
	return nil, false
}

var (
	trueWords  = map[string]bool{"true": true, "t": true, "1": true, "yes": true, "y": true, "on": true}
	falseWords = map[string]bool{"false": true, "f": true, "0": true, "no": true, "n": true, "off": true}
)

// railsFalse are the strings ActiveRecord casts to false for a boolean
// column (blank is nil, which glint stores as false).
var railsFalse = map[string]bool{"false": true, "f": true, "0": true, "off": true}

// errInvalid is returned by coerce; the caller names the parameter.
var errInvalid = fmt.Errorf("invalid")

// Coerce converts a raw parameter value to the declared type, as Grape
// does; nil stays nil.
func Coerce(t catalog.Type, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case catalog.Bool:
		return coerceBool(v)
	case catalog.Int:
		return coerceInt(v)
	default:
		return coerceString(v)
	}
}

func coerceString(v any) (any, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return nil, errInvalid
}

func coerceBool(v any) (any, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		w := strings.ToLower(strings.TrimSpace(x))
		if trueWords[w] {
			return true, nil
		}
		if falseWords[w] {
			return false, nil
		}
	case json.Number:
		return coerceBool(x.String())
	case float64:
		if x == 0 || x == 1 {
			return x == 1, nil
		}
	}
	return nil, errInvalid
}

func coerceInt(v any) (any, error) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return nil, errInvalid
		}
		return int64(x), nil
	default:
		return nil, errInvalid
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, errInvalid
	}
	return n, nil
}

// flagValue reads an event flag. Strict flags are Grape Booleans; the
// others are cast as Rails casts a boolean column, where every value but
// the false words (and blank) is true.
func flagValue(v any, strict bool) (bool, bool) {
	if strict {
		b, err := coerceBool(v)
		if err != nil || b == nil {
			return false, v == nil
		}
		return b.(bool), true
	}
	switch x := v.(type) {
	case nil:
		return false, true
	case bool:
		return x, true
	case json.Number:
		return x.String() != "0", true
	case float64:
		return x != 0, true
	case string:
		w := strings.ToLower(strings.TrimSpace(x))
		return w != "" && !railsFalse[w], true
	}
	return false, false
}
