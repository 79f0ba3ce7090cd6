package web

import "testing"

func TestCountText(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {12345, "more than 10,000"}, {10000, "10,000"}, {10001, "more than 10,000"}} {
		if got := countText(tc.n); got != tc.want {
			t.Errorf("countText(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
