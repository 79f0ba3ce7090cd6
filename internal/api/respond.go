package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// GitLab answers errors in two shapes: {"message": ...} from its helpers
// (not found, forbidden, validation) and {"error": ...} from Grape's
// parameter validation and its catch-all route. Both are kept.

type messageBody struct {
	Message any `json:"message"`
}

type errorBody struct {
	Error string `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if v == nil {
		return
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeMessage(w http.ResponseWriter, status int, msg any) {
	writeJSON(w, status, messageBody{Message: msg})
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// Common messages, spelled as GitLab spells them.
func unauthorized(w http.ResponseWriter) { writeMessage(w, 401, "401 Unauthorized") }
func forbidden(w http.ResponseWriter)    { writeMessage(w, 403, "403 Forbidden") }
func notFound(w http.ResponseWriter, what string) {
	writeMessage(w, 404, "404 "+what+" Not Found")
}
func routeNotFound(w http.ResponseWriter) { writeError(w, 404, "404 Not Found") }
func serverError(w http.ResponseWriter)   { writeMessage(w, 500, "500 Internal Server Error") }
func unavailable(w http.ResponseWriter)   { writeMessage(w, 503, "503 Service Unavailable") }

// timestamp formats times as GitLab's API does: UTC, milliseconds.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func optTimestamp(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := timestamp(*t)
	return &s
}

func optDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format("2006-01-02")
	return &s
}

// paginate slices items GitLab-style (page, per_page; default 20, max 100)
// and sets the X-Total family of headers.
func paginate[T any](w http.ResponseWriter, r *http.Request, items []T) []T {
	page, per := pageParams(r)
	total := len(items)
	setPageHeaders(w, page, per, total)
	start := (page - 1) * per
	if start >= total {
		return []T{}
	}
	end := min(start+per, total)
	return items[start:end]
}

// pageParams reads page and per_page as GitLab does: page from 1,
// per_page 20 by default and at most 100.
func pageParams(r *http.Request) (page, per int) {
	page = max(atoiDefault(r.URL.Query().Get("page"), 1), 1)
	per = atoiDefault(r.URL.Query().Get("per_page"), 20)
	if per < 1 {
		per = 20
	}
	return page, min(per, 100)
}

// setPageHeaders sets GitLab's pagination headers.
func setPageHeaders(w http.ResponseWriter, page, per, total int) {
	pages := (total + per - 1) / per
	if pages == 0 {
		pages = 1
	}
	h := w.Header()
	h.Set("X-Total", strconv.Itoa(total))
	h.Set("X-Total-Pages", strconv.Itoa(pages))
	h.Set("X-Per-Page", strconv.Itoa(per))
	h.Set("X-Page", strconv.Itoa(page))
	h.Set("X-Next-Page", "")
	h.Set("X-Prev-Page", "")
	if page < pages {
		h.Set("X-Next-Page", strconv.Itoa(page+1))
	}
	if page > 1 {
		h.Set("X-Prev-Page", strconv.Itoa(page-1))
	}
}

// jsonRaw embeds stored JSON as it is.
func jsonRaw(b []byte) json.RawMessage {
	if !json.Valid(b) {
		return nil
	}
	return json.RawMessage(b)
}

func atoiDefault(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}
