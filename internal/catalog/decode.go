package catalog

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// Decode fills a T from a service's resolved properties. T is a struct
// whose fields name the property they hold in a `field:"name"` tag; the
// name must be one of the service's fields or flags (Service.Field,
// Service.Flag), else Decode fails: Check finds such a misspelt name in
// a test, before any event. Untagged fields are left alone, but for
// embedded structs, whose fields are decoded as T's own.
//
// Values are read as GitLab's services read theirs:
//   - string: a string property, "" when unset, not a string or blank
//     (Ruby's .presence);
//   - bool: true/false or a spelling strconv.ParseBool takes;
//   - *bool: the same, nil when unset or neither;
//   - string tagged `field:"name,asis"`: a string property as it is,
//     blank or not ("" when unset or not a string); *string the same,
//     nil when unset or not a string;
//   - string tagged `field:"name,text"`: any scalar as text, numbers in
//     decimal (a port sent as a number), "" when unset.
//
// A property that reads as unset ("" or no boolean) takes the catalog's
// Default for it, the only place defaults live; without one it stays the
// zero value.
func Decode[T any](slug string, props map[string]any) (T, error) {
	var out T
	svc, ok := Lookup(slug)
	if !ok {
		return out, fmt.Errorf("catalog: no service %q", slug)
	}
	v := reflect.ValueOf(&out).Elem()
	if v.Kind() != reflect.Struct {
		return out, fmt.Errorf("catalog: Decode into %s, not a struct", v.Type())
	}
	if err := svc.decodeStruct(v, props); err != nil {
		return out, err
	}
	return out, nil
}

// decodeStruct fills the tagged fields of the struct v, and those of the
// structs it embeds.
func (s *Service) decodeStruct(v reflect.Value, props map[string]any) error {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, tagged := sf.Tag.Lookup("field")
		name, opt, _ := strings.Cut(tag, ",")
		if !tagged {
			if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
				if err := s.decodeStruct(v.Field(i), props); err != nil {
					return err
				}
			}
			continue
		}
		def, known := s.defaultOf(name)
		if !known {
			return fmt.Errorf("catalog: %s.%s reads %q, which is not a property of %s", t, sf.Name, name, s.Slug)
		}
		if !optionFits(opt, sf.Type) {
			return fmt.Errorf("catalog: %s.%s: option %q", t, sf.Name, opt)
		}
		if err := decodeField(v.Field(i), props[name], def, opt); err != nil {
			return fmt.Errorf("catalog: %s.%s (%q): %w", t, sf.Name, name, err)
		}
	}
	return nil
}

// Check reports whether Decode[T] can decode the service's properties:
// every tag of T names one of its fields or flags, with a Go type Decode
// reads. Tests call it for each integration's settings type.
func Check[T any](slug string) error {
	_, err := Decode[T](slug, nil)
	return err
}

// defaultOf is the catalog default of a property, and whether the
// service has such a property at all.
func (s *Service) defaultOf(name string) (any, bool) {
	if f, ok := s.Field(name); ok {
		return f.Default, true
	}
	if f, ok := s.Flag(name); ok {
		return f.Default, true
	}
	return nil, false
}

var boolPtr = reflect.TypeFor[*bool]()

var strPtr = reflect.TypeFor[*string]()

// optionFits reports whether a tag's option suits the field's type.
func optionFits(opt string, t reflect.Type) bool {
	switch opt {
	case "":
		return true
	case "asis":
		return t.Kind() == reflect.String || t == strPtr
	case "text":
		return t.Kind() == reflect.String
	}
	return false
}

func decodeField(dst reflect.Value, raw, def any, opt string) error {
	switch {
	case opt == "asis" && dst.Type() == strPtr:
		s, ok := raw.(string)
		if !ok {
			if s, ok = def.(string); !ok {
				dst.SetZero()
				return nil
			}
		}
		dst.Set(reflect.ValueOf(&s))
	case opt == "asis":
		s, ok := raw.(string)
		if !ok {
			s, _ = def.(string)
		}
		dst.SetString(s)
	case opt == "text":
		if raw == nil {
			raw = def
		}
		dst.SetString(scalarText(raw))
	case dst.Kind() == reflect.String:
		s := Presence(raw)
		if s == "" {
			s = Presence(def)
		}
		dst.SetString(s)
	case dst.Kind() == reflect.Bool:
		b, ok := BoolValue(raw)
		if !ok {
			b, _ = BoolValue(def)
		}
		dst.SetBool(b)
	case dst.Type() == boolPtr:
		b, ok := BoolValue(raw)
		if !ok {
			if b, ok = BoolValue(def); !ok {
				dst.SetZero()
				return nil
			}
		}
		dst.Set(reflect.ValueOf(&b))
	default:
		return fmt.Errorf("cannot decode into %s", dst.Type())
	}
	return nil
}

// scalarText is a property as text: strings as they are, numbers in
// decimal, nil as "".
func scalarText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// Presence is a string property as Ruby's .presence reads it: "" when it
// is not a string or is blank.
func Presence(v any) string {
	s, _ := v.(string)
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\v', '\f', '\r':
		default:
			return s
		}
	}
	return ""
}

// BoolValue is a boolean property: a boolean or a spelling
// strconv.ParseBool takes; ok is false for anything else.
func BoolValue(v any) (value, ok bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(x)
		return b, err == nil
	}
	return false, false
}
