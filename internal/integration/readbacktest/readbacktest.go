// Package readbacktest holds the helpers of the read-back tests: stand-in
// servers on 127.0.0.1 (plain or HTTPS with an untrusted certificate), a
// refused address, and sending a status query through glint's production
// outbound client. It is apart from integrationtest, which the outbound
// package's own tests import.
//
// It is imported by tests only.
package readbacktest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/outbound"
)

// StandIn starts a server on 127.0.0.1 answering with h: a stand-in for a
// CI or tracker that read-backs ask. With useTLS it serves HTTPS with a
// certificate no client trusts (httptest's), so that a service that
// verifies certificates fails against it and one that does not succeeds.
// It is closed when the test ends.
func StandIn(t testing.TB, useTLS bool, h http.HandlerFunc) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	if useTLS {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv.URL
}

// RefusedURL is an http URL on 127.0.0.1 where nothing listens: a
// connection to it is refused.
func RefusedURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// Client is the production outbound client as read-backs use it, local
// network allowed (stand-ins are on 127.0.0.1), with a short timeout.
// Overrides ("https://gitlab.buildkite.com=https://127.0.0.1:port") send
// a service's fixed endpoint to its stand-in.
func Client(t testing.TB, overrides ...string) *outbound.Client {
	t.Helper()
	list, err := outbound.ParseOverrides(overrides)
	if err != nil {
		t.Fatal(err)
	}
	return outbound.New(outbound.Options{AllowLocal: true, Timeout: 5 * time.Second, Overrides: list})
}

// ReadStatus sends a status query's request through the production client
// and reads the answer with the query's own reader, as glint does.
func ReadStatus(t testing.TB, q integration.StatusQuery, overrides ...string) integration.CommitStatus {
	t.Helper()
	return q.Read(Client(t, overrides...).Fetch(t.Context(), q.Request))
}
