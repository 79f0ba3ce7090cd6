package api

import (
	"context"
	"log/slog"
)

// requestIDHandler adds the request id of the context to every record
// logged with it, so that each line a request causes (an error deep in a
// handler as much as the access log) carries its request_id.
type requestIDHandler struct{ slog.Handler }

// WithRequestID wraps a log handler so that every record logged with a
// request's context carries its request_id: serve wraps its logger with it,
// so the delivery code's lines during a request (a service test) have it
// too. New wraps the server's logger unless it already is.
func WithRequestID(h slog.Handler) slog.Handler {
	if _, ok := h.(requestIDHandler); ok {
		return h
	}
	return requestIDHandler{h}
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}
