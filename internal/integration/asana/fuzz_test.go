package asana_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/glint-dev/glint/internal/integration/asana"
)

// FuzzTasks: the scanner never panics; every id it returns is made of
// ASCII word characters and stands in the message after a "#" or a "/";
// and it finds what the model of Ruby's possessive pattern finds (for
// messages of up to 1 KiB).
func FuzzTasks(f *testing.F) {
	for _, tt := range taskCases {
		f.Add(tt.msg)
	}
	f.Add("Fixes #1234567 and see https://app.asana.com/0/111/2345678\n\ncloses #1234567")
	f.Add("closinghttps://app.asana.com/0/x_y/https://app.asana.com/iclosia##")
	f.Add("\xff#1\xfe fix\x00#2")
	f.Fuzz(func(t *testing.T, msg string) {
		got := asana.Tasks(msg)
		for _, task := range got {
			if task.ID == "" || strings.Trim(task.ID, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
				t.Errorf("%q: id %q is not \\w+", msg, task.ID)
			}
			if !strings.Contains(msg, "#"+task.ID) && !strings.Contains(msg, "/"+task.ID) {
				t.Errorf("%q: id %q is not in the message", msg, task.ID)
			}
		}
		// The model backtracks as Ruby does, in quadratic time on long
		// runs of non-word characters: it is asked about short messages.
		if len(msg) > 1024 {
			return
		}
		if want := rubyScan(msg); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: Tasks %v, Ruby %v", msg, got, want)
		}
	})
}
