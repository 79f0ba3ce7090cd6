package delivery

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/catalog"
	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/integrationtest"
	"github.com/glint-dev/glint/internal/outbound"
	"github.com/glint-dev/glint/internal/settings"
	"github.com/glint-dev/glint/internal/store"
)

// TestSendAllFollowUpIsFinal: the deliverer walks follow-ups with
// outbound.Walk; an error from Then ends the delivery for good, with
// Then's message as it is.
func TestSendAllFollowUpIsFinal(t *testing.T) {
	rec := integrationtest.RecordingServer(t)
	d := &Deliverer{client: outbound.New(outbound.Options{AllowLocal: true, Timeout: 2 * time.Second})}
	res, err := d.sendAll(context.Background(), []integration.Request{
		{Method: http.MethodGet, URL: rec.URL + "/lookup", Then: func([]byte) ([]integration.Request, error) {
			return nil, errors.New(`no room named "x"`)
		}},
		{Method: http.MethodPost, URL: rec.URL + "/after"},
	})
	var final *errFinal
	if !errors.As(err, &final) || final.msg != `no room named "x"` || res == nil || res.Status != http.StatusOK || len(rec.Requests()) != 1 {
		t.Fatalf("result %+v, %v, %d sent", res, err, len(rec.Requests()))
	}
}

// TestAttemptFollowUpAnswerTooLarge: a Campfire room list larger than
// 1 MiB fails the delivery at once, with a reason naming the limit and
// the call (its URL as the endpoint override rewrote it); the
// log keeps the answer's first 4 KiB, and nothing is posted.
func TestAttemptFollowUpAnswerTooLarge(t *testing.T) {
	f := newFixture(t, Config{MaxAttempts: 5})
	ctx := context.Background()
	rooms := `{"rooms":[` + strings.Repeat(`{"id":1,"name":"padding room"},`, outbound.MaxAnswer/30) + `{"id":2,"name":"Dev"}]}`
	f.sink.Respond(http.StatusOK, rooms)
	overrides, err := outbound.ParseOverrides([]string{"https://big.campfirenow.com=" + f.sink.URL})
	must(t, err)
	f.d.client = outbound.New(outbound.Options{AllowLocal: true, Timeout: 5 * time.Second, Overrides: overrides})
	s, _ := catalog.Lookup("campfire")
	conf, err := settings.Decode(s, map[string]any{"token": "t0k3n", "subdomain": "big", "room": "Dev"})
	must(t, err)
	_, err = f.st.UpdateService(ctx, f.p.ID, "campfire", func(rec *store.Service) error {
		return settings.Apply(s, rec, conf, f.d.sealer, settings.Policy{AllowLocal: true})
	})
	must(t, err)
	ds, _, err := f.st.CreateEvent(ctx, &store.Event{ProjectID: f.p.ID, Kind: "push", Header: "Push Hook", Payload: f.push}, []string{"campfire"})
	must(t, err)

	res, dl := f.attempt(t, ds[0].ID)
	if res.Retry || dl.Status != store.DeliveryFailed || !strings.Contains(dl.LastError, "1 MiB") || !strings.HasPrefix(dl.LastError, "GET "+f.sink.URL+"/rooms.json: ") {
		t.Fatalf("retry %v, status %s, last error %q", res.Retry, dl.Status, dl.LastError)
	}
	as, err := f.st.Attempts(ctx, dl.ID)
	must(t, err)
	if len(as) != 1 || as[0].StatusCode != http.StatusOK || as[0].ResponseBody != rooms[:4096] {
		t.Fatalf("attempt log %d entries, status %d, %d bytes", len(as), as[0].StatusCode, len(as[0].ResponseBody))
	}
	if got := f.sink.Requests(); len(got) != 1 || got[0].Path != "/rooms.json" {
		t.Fatalf("sent %d requests", len(got))
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
