package settings

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/secret"
	"github.com/glint-dev/glint/internal/store"
)

// FuzzDecode: any JSON object sent to any service either decodes into a
// change whose values have the declared types, or fails with a ParamError;
// applying a decoded change either succeeds or fails validation, and
// never panics.
func FuzzDecode(f *testing.F) {
	f.Add(uint8(0), `{"webhook":"https://hooks.slack.com/x","push_events":"1"}`)
	f.Add(uint8(5), `{"recipients":"#a","server_port":"6697","colorize_messages":1}`)
	f.Add(uint8(9), `{"api_key":null,"x":[1,{"a":2}]}`)
	f.Add(uint8(3), `{"token":123,"project_url":true}`)
	keys, _ := secret.NewKeyring(secret.NewKey())
	all := catalog.All()
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		s := all[int(which)%len(all)]
		dec := json.NewDecoder(bytes.NewReader([]byte(body)))
		dec.UseNumber()
		var raw map[string]any
		if dec.Decode(&raw) != nil || raw == nil {
			return
		}
		c, err := Decode(s, raw)
		if err != nil {
			var pe *ParamError
			if !errors.As(err, &pe) || len(pe.Messages) == 0 {
				t.Fatalf("error of the wrong kind: %v", err)
			}
			return
		}
		for name, v := range c.Set {
			fld, ok := s.Field(name)
			if !ok {
				t.Fatalf("set undeclared %s", name)
			}
			if v == nil {
				continue
			}
			switch fld.Type {
			case catalog.Bool:
				_, ok = v.(bool)
			case catalog.Int:
				_, ok = v.(int64)
			default:
				_, ok = v.(string)
			}
			if !ok {
				t.Fatalf("%s: %T for %v", name, v, fld.Type)
			}
		}
		rec := &store.Service{}
		if err := Apply(s, rec, c, keys, Policy{}); err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("apply failed oddly: %v", err)
			}
		}
	})
}
