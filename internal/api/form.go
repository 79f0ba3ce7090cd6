package api

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/settings"
)

// form reads the typed parameters of the non-service endpoints, gathering
// Grape-style messages ("name is missing", "user_id is invalid").
type form struct {
	raw  map[string]any
	errs []string
	// model holds GitLab's model validation messages by field (lengths).
	model map[string][]string
}

// textLimits are the longest values of the text fields, in characters:
// GitLab's model limits (255 for names, paths, usernames and emails;
// 2,000 for descriptions), and 255 for the rest.
var textLimits = map[string]int{"description": 2000}

func textLimit(name string) int {
	if n, ok := textLimits[name]; ok {
		return n
	}
	return 255
}

func (f *form) value(name string, t catalog.Type, required bool) any {
	v, ok := f.raw[name]
	if !ok || v == nil {
		if required {
			f.errs = append(f.errs, name+" is missing")
		}
		return nil
	}
	out, err := settings.Coerce(t, v)
	if err != nil {
		f.errs = append(f.errs, name+" is invalid")
		return nil
	}
	return out
}

func (f *form) str(name string, required bool) string {
	s, _ := f.value(name, catalog.String, required).(string)
	if max := textLimit(name); utf8.RuneCountInString(s) > max {
		if f.model == nil {
			f.model = map[string][]string{}
		}
		f.model[name] = append(f.model[name], tooLong(max))
	}
	return s
}

func (f *form) integer(name string, required bool) int64 {
	n, _ := f.value(name, catalog.Int, required).(int64)
	return n
}

func (f *form) boolean(name string) bool {
	b, _ := f.value(name, catalog.Bool, false).(bool)
	return b
}

// date reads a YYYY-MM-DD date, as GitLab's expires_at.
func (f *form) date(name string) *time.Time {
	s := f.str(name, false)
	if s == "" {
		return nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		f.errs = append(f.errs, name+" is invalid")
		return nil
	}
	return &t
}

// list reads an array, or a comma-separated string.
func (f *form) list(name string, required bool) []string {
	var out []string
	switch v := f.raw[name].(type) {
	case []any:
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				f.errs = append(f.errs, name+" is invalid")
				return nil
			}
			out = append(out, s)
		}
	case string:
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	case nil:
	default:
		f.errs = append(f.errs, name+" is invalid")
		return nil
	}
	if required && len(out) == 0 {
		f.errs = append(f.errs, name+" is missing")
	}
	return out
}

// failed answers 400 with the gathered messages, if any: parameter errors
// first, as Grape's come before the model's.
func (f *form) failed(w http.ResponseWriter) bool {
	switch {
	case len(f.errs) > 0:
		writeError(w, 400, strings.Join(f.errs, ", "))
	case len(f.model) > 0:
		writeMessage(w, 400, f.model)
	default:
		return false
	}
	return true
}

// readForm reads the request's parameters into a form.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request) (*form, bool) {
	raw, ok := s.params(w, r)
	if !ok {
		return nil, false
	}
	return &form{raw: raw}, true
}
