package prometheus_test

import (
	"errors"
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/prometheus"
)

// FuzzRead: any answer gives data or a *prometheus.Error with a text,
// never a panic; a query error only for a 400.
func FuzzRead(f *testing.F) {
	f.Add(200, []byte(`{"status":"success","data":{"resultType":"vector","result":[]}}`))
	f.Add(400, []byte(`{"status":"error","error":"bad"}`))
	f.Add(400, []byte(`{"error":null}`))
	f.Add(503, []byte("down"))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		_, err := prometheus.Read(integration.Answer{Status: status, Body: body}, "https://prom.example.com")
		var perr *prometheus.Error
		if err != nil && (!errors.As(err, &perr) || (perr.Query && status != 400)) {
			t.Errorf("status %d body %q: %#v", status, body, err)
		}
	})
}
