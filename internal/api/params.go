package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxBodyBytes bounds a request body on the API; larger ones get 413.
const MaxBodyBytes = 1 << 20

var (
	errTooLarge  = errors.New("body too large")
	errMalformed = errors.New("message body does not match declared format")
)

// invalidParam is a parameter whose name or text no database may store
// (NUL, invalid UTF-8): 400 "<name> is invalid".
type invalidParam struct{ name string }

func (e *invalidParam) Error() string { return e.name + " is invalid" }

// readParams merges a request's query string with its body (JSON, form or
// multipart), the body winning, as Grape's params do. JSON numbers keep
// their text (UseNumber) so integers are not rounded through float64.
func readParams(r *http.Request) (map[string]any, error) {
	params := map[string]any{}
	if err := checkValues(r.URL.Query()); err != nil {
		return nil, err
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
		if err != nil {
			return nil, errMalformed
		}
		if err := checkValues(vals); err != nil {
			return nil, err
		}
		for k, v := range vals {
			params[formKey(k)] = formValue(k, v)
		}
	case "multipart/form-data":
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseMultipartForm(MaxBodyBytes); err != nil {
			return nil, errMalformed
		}
		if err := checkValues(r.MultipartForm.Value); err != nil {
			return nil, err
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

// decodeJSONObject decodes a JSON object, refusing a member whose text
// holds invalid UTF-8 (encoding/json would quietly replace it) or NUL.
func decodeJSONObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var members map[string]json.RawMessage
	if err := dec.Decode(&members); err != nil || members == nil {
		return nil, errMalformed
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errMalformed
	}
	obj := make(map[string]any, len(members))
	for k, raw := range members {
		if malformed(k) {
			return nil, &invalidParam{"parameter name"}
		}
		if !utf8.Valid(raw) {
			return nil, &invalidParam{k}
		}
		vd := json.NewDecoder(bytes.NewReader(raw))
		vd.UseNumber()
		var v any
		if err := vd.Decode(&v); err != nil {
			return nil, errMalformed
		}
		if hasNUL(v) {
			return nil, &invalidParam{k}
		}
		obj[k] = v
	}
	return obj, nil
}

// hasNUL reports a NUL anywhere in a decoded JSON value, keys included.
func hasNUL(v any) bool {
	switch x := v.(type) {
	case string:
		return strings.IndexByte(x, 0) >= 0
	case []any:
		for _, e := range x {
			if hasNUL(e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range x {
			if strings.IndexByte(k, 0) >= 0 || hasNUL(e) {
				return true
			}
		}
	}
	return false
}

// formKey turns Rails' array notation "scopes[]" into "scopes".
func formKey(k string) string {
	if len(k) > 2 && k[len(k)-2:] == "[]" {
		return k[:len(k)-2]
	}
	return k
}

// checkValues refuses form values PostgreSQL cannot store (NUL, invalid
// UTF-8), naming the parameter; nothing good comes of them anywhere.
func checkValues(vals url.Values) error {
	for k, vs := range vals {
		if malformed(k) {
			return &invalidParam{"parameter name"}
		}
		for _, v := range vs {
			if malformed(v) {
				return &invalidParam{formKey(k)}
			}
		}
	}
	return nil
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
