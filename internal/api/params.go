package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"unicode/utf8"
)

// MaxBodyBytes bounds a request body on the API; larger ones get 413.
const MaxBodyBytes = 1 << 20

var (
	errTooLarge  = errors.New("body too large")
	errMalformed = errors.New("message body does not match declared format")
)

// readParams merges a request's query string with its body (JSON, form or
// multipart), the body winning, as Grape's params do. JSON numbers keep
// their text (UseNumber) so integers are not rounded through float64.
func readParams(r *http.Request) (map[string]any, error) {
	params := map[string]any{}
	if !validUTF8(r.URL.Query()) {
		return nil, errMalformed
	}
	for k, v := range r.URL.Query() {
		params[formKey(k)] = formValue(k, v)
	}
	if r.Body == nil {
		return params, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxBodyBytes {
		return nil, errTooLarge
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return params, nil
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ctype {
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil || !validUTF8(vals) {
			return nil, errMalformed
		}
		for k, v := range vals {
			params[formKey(k)] = formValue(k, v)
		}
	case "multipart/form-data":
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseMultipartForm(MaxBodyBytes); err != nil || !validUTF8(r.MultipartForm.Value) {
			return nil, errMalformed
		}
		for k, v := range r.MultipartForm.Value {
			params[formKey(k)] = formValue(k, v)
		}
	default:
		// GitLab clients send JSON with or without a Content-Type.
		obj, err := decodeJSONObject(body)
		if err != nil {
			return nil, err
		}
		for k, v := range obj {
			params[k] = v
		}
	}
	return params, nil
}

func decodeJSONObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, errMalformed
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errMalformed
	}
	return obj, nil
}

// formKey turns Rails' array notation "scopes[]" into "scopes".
func formKey(k string) string {
	if len(k) > 2 && k[len(k)-2:] == "[]" {
		return k[:len(k)-2]
	}
	return k
}

// validUTF8 reports whether every form value is UTF-8: PostgreSQL refuses
// to store other bytes, and nothing good comes of them anywhere.
func validUTF8(vals url.Values) bool {
	for k, vs := range vals {
		if !utf8.ValidString(k) {
			return false
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return false
			}
		}
	}
	return true
}

func formValue(k string, v []string) any {
	if len(k) > 2 && k[len(k)-2:] == "[]" {
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	}
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}
