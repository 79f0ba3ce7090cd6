package campfire

import (
	"strings"
	"testing"
)

// FuzzRoomID feeds arbitrary room lists to roomID: it never panics, and a
// room id it finds is a number, so it is safe in a request path.
// go test -run X -fuzz FuzzRoomID -fuzztime 20s ./internal/integration/campfire/
func FuzzRoomID(f *testing.F) {
	f.Add([]byte(`{"rooms":[{"id":122,"name":"dev room"},{"id":123,"name":"Dev Room"}]}`), "Dev Room")
	f.Add([]byte(`{"rooms":[{"id":"1/../2","name":"x"}]}`), "x")
	f.Add([]byte(`{"rooms":[{"id":1e3,"name":"x"}`), "x")
	f.Fuzz(func(t *testing.T, answer []byte, name string) {
		id, err := roomID(answer, name)
		if err == nil && (id == "" || strings.ContainsAny(id, "/?#% ")) {
			t.Fatalf("room id %q", id)
		}
		if err != nil && id != "" {
			t.Fatalf("id %q with %v", id, err)
		}
	})
}
