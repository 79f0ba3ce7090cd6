package api

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The boundary: what no handler, store or engine ever sees. Text that
// PostgreSQL cannot store (NUL, invalid UTF-8) is refused where it enters,
// in the path, the query, the headers glint reads and the body, with
// 400 {"error":"<name> is invalid"} naming what was wrong, so both engines
// answer the same. Lengths have limits, named in the 400.
const (
	// MaxHeaderLength bounds the headers glint reads (tokens, event
	// names and UUIDs): GitLab's are far shorter.
	MaxHeaderLength = 1024
	// MaxQueryLength bounds one query parameter's value.
	MaxQueryLength = 16 << 10
)

// checkedHeaders are the request headers glint reads.
var checkedHeaders = []string{"Private-Token", "Authorization", "X-Gitlab-Event", "X-Gitlab-Event-Uuid",
	"X-Gitlab-Token", "If-Unmodified-Since", "Content-Type"}

// malformed reports text no database may be asked to store.
func malformed(s string) bool {
	return !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0
}

// tooLong is GitLab's length message.
func tooLong(max int) string {
	return "is too long (maximum is " + strconv.Itoa(max) + " characters)"
}

// checkBoundary returns the 400 message for a request whose path, query
// or headers hold malformed or over-long text, or "". pattern is the route
// the request matched ("" or a catch-all if none), used to name a path
// parameter.
func checkBoundary(r *http.Request, pattern string) string {
	if msg := checkPath(r, pattern); msg != "" {
		return msg
	}
	for k, vs := range r.URL.Query() {
		if malformed(k) {
			return "query is invalid"
		}
		for _, v := range vs {
			if malformed(v) {
				return k + " is invalid"
			}
			if len(v) > MaxQueryLength {
				return k + " " + tooLong(MaxQueryLength)
			}
		}
	}
	if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
		return "query is invalid"
	}
	for _, name := range checkedHeaders {
		for _, v := range r.Header.Values(name) {
			if malformed(v) {
				return name + " is invalid"
			}
			if len(v) > MaxHeaderLength {
				return name + " " + tooLong(MaxHeaderLength)
			}
		}
	}
	return ""
}

// checkPath names the first malformed path segment: the route's parameter
// name where the pattern has one there, else "path".
func checkPath(r *http.Request, pattern string) string {
	if !malformed(r.URL.Path) {
		return ""
	}
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		pattern = pattern[i+1:]
	}
	pat := strings.Split(pattern, "/")
	for i, seg := range strings.Split(r.URL.EscapedPath(), "/") {
		v, err := url.PathUnescape(seg)
		if err == nil && !malformed(v) {
			continue
		}
		if i < len(pat) && strings.HasPrefix(pat[i], "{") {
			return strings.Trim(pat[i], "{}.") + " is invalid"
		}
		break
	}
	return "path is invalid"
}

// pathID reads an integer path parameter as Grape's Integer type: not an
// integer is 400 "<name> is invalid"; an integer no row can have (out of
// range, zero or negative) is the 404 of what it names, as GitLab's find.
func pathID(w http.ResponseWriter, r *http.Request, name, what string) (int64, bool) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	var ne *strconv.NumError
	switch {
	case errors.As(err, &ne) && ne.Err == strconv.ErrRange, err == nil && id <= 0:
		notFound(w, what)
		return 0, false
	case err != nil:
		writeError(w, 400, name+" is invalid")
		return 0, false
	}
	return id, true
}
