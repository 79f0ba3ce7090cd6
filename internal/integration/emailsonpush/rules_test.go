package emailsonpush

import "testing"

func TestAllowedDomains(t *testing.T) {
	for _, c := range []struct {
		email, host string
		want        bool
	}{
		{"a@gitlab.corp.company.com", "gitlab.corp.company.com", true},
		{"a@corp.company.com", "gitlab.corp.company.com", true},
		{"a@company.com", "gitlab.corp.company.com", true},
		{"a@COMPANY.com", "gitlab.corp.company.com", true},
		{"a@com", "gitlab.corp.company.com", false},
		{"a@other.com", "gitlab.corp.company.com", false},
		{"a@evilcompany.com", "gitlab.corp.company.com", false},
		{"a@example.com", "localhost", false},
		{"", "gitlab.example.com", false},
		{"no-at-sign", "gitlab.example.com", false},
		{"a@example.com", "", false},
	} {
		if got := allowed(c.email, c.host); got != c.want {
			t.Errorf("allowed(%q, %q) = %v, want %v", c.email, c.host, got, c.want)
		}
	}
}

func TestBound(t *testing.T) {
	if _, over := bound(nil, true); !over {
		t.Error("a truncated hook diff is not over the bound")
	}
}
