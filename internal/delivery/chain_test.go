package delivery

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/outbound"
)

// TestSendAllThen: a request's Then is asked after a 2xx answer, with its
// body, and what it returns is sent before the requests after it; a
// failure there stops everything, and an error from Then is final.
func TestSendAllThen(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	rec.Answer(func(r integrationtest.Request) (int, string) {
		switch r.Path {
		case "/lookup":
			return http.StatusOK, "42"
		case "/broken":
			return http.StatusNotFound, "no"
		}
		return http.StatusCreated, "done " + r.Path
	})
	d := &Deliverer{client: outbound.New(outbound.Options{AllowLocal: true, Timeout: 2 * time.Second})}
	lookup := func(then func([]byte) ([]integration.Request, error)) integration.Request {
		return integration.Request{Method: http.MethodGet, URL: rec.URL + "/lookup", Then: then}
	}
	to := func(path string) integration.Request {
		return integration.Request{Method: http.MethodPost, URL: rec.URL + path}
	}
	paths := func() []string {
		var out []string
		for _, r := range rec.Requests() {
			out = append(out, r.Path)
		}
		return out
	}
	ctx := context.Background()

	var got []byte
	res, err := d.sendAll(ctx, []integration.Request{lookup(func(b []byte) ([]integration.Request, error) {
		got = b
		return []integration.Request{to("/speak/" + string(b))}, nil
	}), to("/after")})
	if err != nil || res.Status != http.StatusCreated || string(res.Body) != "done /after" || string(got) != "42" {
		t.Fatalf("result %+v, %v; Then got %q", res, err, got)
	}
	if p := paths(); len(p) != 3 || p[1] != "/speak/42" || p[2] != "/after" {
		t.Fatalf("sent %v", p)
	}

	// Nothing to send next: go on with the rest.
	res, err = d.sendAll(ctx, []integration.Request{lookup(func([]byte) ([]integration.Request, error) { return nil, nil })})
	if err != nil || res.Status != http.StatusOK {
		t.Fatalf("result %+v, %v", res, err)
	}

	// A follow-up that fails stops the rest.
	before := len(rec.Requests())
	res, err = d.sendAll(ctx, []integration.Request{lookup(func([]byte) ([]integration.Request, error) {
		return []integration.Request{to("/broken")}, nil
	}), to("/after")})
	if err != nil || res.Status != http.StatusNotFound || len(rec.Requests()) != before+2 {
		t.Fatalf("result %+v, %v, %d sent", res, err, len(rec.Requests())-before)
	}

	// Then's error is final.
	res, err = d.sendAll(ctx, []integration.Request{lookup(func([]byte) ([]integration.Request, error) {
		return nil, errors.New("no room named \"x\"")
	}), to("/after")})
	var final *errFinal
	if !errors.As(err, &final) || final.msg != `no room named "x"` || res == nil || res.Status != http.StatusOK {
		t.Fatalf("result %+v, %v", res, err)
	}

	// A lookup that is not answered 2xx asks Then nothing.
	res, err = d.sendAll(ctx, []integration.Request{{Method: http.MethodGet, URL: rec.URL + "/broken",
		Then: func([]byte) ([]integration.Request, error) { t.Error("Then asked after a 404"); return nil, nil }}})
	if err != nil || res.Status != http.StatusNotFound {
		t.Fatalf("result %+v, %v", res, err)
	}
}

// TestSendAllOptional: a 404 to an Optional request skips what its Then
// would send and goes on with the rest (Asana's task reads); the result
// is the last answer that counted, none when every request was skipped;
// another failure of an Optional request still stops the delivery.
func TestSendAllOptional(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	rec.Answer(func(r integrationtest.Request) (int, string) {
		switch r.Path {
		case "/missing":
			return http.StatusNotFound, "no such task"
		case "/denied":
			return http.StatusForbidden, "no"
		}
		return http.StatusCreated, "done " + r.Path
	})
	d := &Deliverer{client: outbound.New(outbound.Options{AllowLocal: true, Timeout: 2 * time.Second})}
	read := func(path, then string) integration.Request {
		return integration.Request{Method: http.MethodGet, URL: rec.URL + path, Optional: true,
			Then: func([]byte) ([]integration.Request, error) {
				return []integration.Request{{Method: http.MethodPost, URL: rec.URL + then}}, nil
			}}
	}
	ctx := context.Background()
	res, err := d.sendAll(ctx, []integration.Request{read("/missing", "/never"), read("/task", "/story")})
	if err != nil || res == nil || res.Status != http.StatusCreated || string(res.Body) != "done /story" {
		t.Fatalf("result %+v, %v", res, err)
	}
	res, err = d.sendAll(ctx, []integration.Request{read("/missing", "/never")})
	if err != nil || res != nil {
		t.Fatalf("all skipped: %+v, %v", res, err)
	}
	res, err = d.sendAll(ctx, []integration.Request{read("/denied", "/never"), read("/task", "/story")})
	if err != nil || res.Status != http.StatusForbidden {
		t.Fatalf("403: %+v, %v", res, err)
	}
	for _, r := range rec.Requests() {
		if r.Path == "/never" {
			t.Error("a skipped task's follow-up was sent")
		}
	}
}
