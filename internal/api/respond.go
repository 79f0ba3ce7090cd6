package api

import (
	"encoding/json"
	"net/http"
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

// jsonRaw embeds stored JSON as it is.
func jsonRaw(b []byte) json.RawMessage {
	if !json.Valid(b) {
		return nil
	}
	return json.RawMessage(b)
}
