package api

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzReadParams: any body, with any content type, is read or refused
// with one of the two errors the handlers turn into 4xx; it never panics.
func FuzzReadParams(f *testing.F) {
	f.Add("application/json", `{"webhook":"https://x","push_events":true,"n":1e400}`)
	f.Add("application/json", `{"a":`)
	f.Add("application/x-www-form-urlencoded", "a=1&b[]=2&b[]=3&%zz")
	f.Add("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--\r\n")
	f.Add("", `["not an object"]`)
	f.Fuzz(func(t *testing.T, ctype, body string) {
		r := httptest.NewRequest("PUT", "/x?q=1&q[]=2", strings.NewReader(body))
		r.Header.Set("Content-Type", ctype)
		params, err := readParams(r)
		var invalid *invalidParam
		if err != nil && err != errMalformed && err != errTooLarge && !errors.As(err, &invalid) {
			t.Fatalf("unexpected error kind %v", err)
		}
		if err == nil && params == nil {
			t.Fatal("nil params without error")
		}
	})
}

// FuzzParseProjectID: a numeric id is only digits; a path always has a
// slash inside; nothing else is accepted.
func FuzzParseProjectID(f *testing.F) {
	for _, s := range []string{"1", "007", "a/b", "a/b/c", "/a", "a/", "a//b", "", "-1", "1e3", "99999999999999999999", "ä/ö"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, path, ok := ParseProjectID(raw)
		switch {
		case !ok:
			if id != 0 || path != "" {
				t.Fatal("rejected yet returned a value")
			}
		case path != "":
			if id != 0 || !strings.Contains(path, "/") || strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/") {
				t.Fatalf("bad path %q", path)
			}
		default:
			if id <= 0 || strings.Trim(raw, "0123456789") != "" {
				t.Fatalf("bad id %d from %q", id, raw)
			}
		}
	})
}
