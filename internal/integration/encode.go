package integration

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/glint-dev/glint/internal/catalog"
)

// The encoders below write bodies as GitLab's Ruby code writes them, so
// that what glint sends is byte for byte what GitLab sends.

// JSON encodes v as Ruby's to_json does: no HTML escaping, and the line
// and paragraph separators U+2028 and U+2029 left as they are. Struct
// fields keep their order, as Ruby hashes keep theirs.
func JSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	js := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	out := make([]byte, 0, len(js))
	for i := 0; i < len(js); i++ {
		if js[i] != '\\' || i+1 == len(js) {
			out = append(out, js[i])
			continue
		}
		// An escape: taken whole, so that an escaped backslash followed
		// by "u2028" is never read as one.
		switch string(js[i:min(i+6, len(js))]) {
		case `\u2028`:
			out = append(out, "\u2028"...)
			i += 5
		case `\u2029`:
			out = append(out, "\u2029"...)
			i += 5
		default:
			out = append(out, js[i], js[i+1])
			i++
		}
	}
	return out, nil
}

// FormEscape percent-encodes every byte but A-Z a-z 0-9 - _ . ~ (so a
// space is %20), as ERB::Util.url_encode under HTTParty's form encoding.
func FormEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 2)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// Form encodes fields, given as name, value, name, value..., as HTTParty
// encodes a Hash body: name=value pairs in the order given, joined by "&",
// each value escaped by FormEscape and each name left as it is (nested
// names such as "message[body]" keep their brackets). A value "" is sent
// as "name=".
func Form(fields ...string) []byte {
	var b strings.Builder
	for i := 0; i+1 < len(fields); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(fields[i])
		b.WriteByte('=')
		b.WriteString(FormEscape(fields[i+1]))
	}
	return []byte(b.String())
}

// PostJSON is one POST of v, encoded by JSON, to url, with the header
// Content-Type: application/json.
func PostJSON(url string, v any) ([]Request, error) {
	body, err := JSON(v)
	if err != nil {
		return nil, err
	}
	return []Request{{Method: http.MethodPost, URL: url, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}}, nil
}

// URIChars reports whether s is made only of RFC 3986's unreserved
// characters, the delimiters given, and complete percent escapes
// (catalog.URIChars, which PUT validation uses too).
func URIChars(s, delims string) bool { return catalog.URIChars(s, delims) }

// BasicAuth is the value of an Authorization header for HTTP Basic
// authentication, as Ruby's HTTP clients write it.
func BasicAuth(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}
