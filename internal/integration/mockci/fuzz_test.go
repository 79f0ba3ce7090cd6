package mockci_test

import (
	"testing"

	"github.com/glint-dev/glint/internal/integration"
	"github.com/glint-dev/glint/internal/integration/mockci"
	"github.com/glint-dev/glint/internal/integration/readbacktest"
)

// FuzzStatus: MockCI's JSON reader never panics and answers its allowed
// states, pending or error only.
func FuzzStatus(f *testing.F) {
	q, err := mockci.Status(map[string]any{"mock_service_url": "https://mock.example.com"}, integration.Project{FullPath: "g/p"}, "abc", "")
	if err != nil {
		f.Fatal(err)
	}
	readbacktest.FuzzReader(f, q, []string{"failed", "canceled", "running", "pending", "success", "success-with-warnings", "skipped", "not_found", "error"},
		`{"status":"success"}`, `{"status":"nope"}`, `{"status":null}`, `[]`)
}
