package auth

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, "correct horse") {
		t.Fatalf("hash %q", h)
	}
	if !CheckPassword(h, "correct horse") {
		t.Fatal("the right password does not match")
	}
	for _, wrong := range []string{"", "correct hors", "Correct horse", "correct horse "} {
		if CheckPassword(h, wrong) {
			t.Errorf("%q matches", wrong)
		}
	}
	h2, _ := HashPassword("correct horse")
	if h2 == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	good, _ := HashPassword("password1")
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"empty":      "",
		"bcrypt":     "$2a$10$abcdefghijklmnopqrstuu",
		"argon2i":    strings.Replace(good, "argon2id", "argon2i", 1),
		"version":    strings.Replace(good, "v=19", "v=16", 1),
		"huge m":     strings.Replace(good, "m=19456", "m=99999999", 1),
		"zero t":     strings.Replace(good, "t=2", "t=0", 1),
		"bad salt":   strings.Join(append(parts[:4:4], "!!", parts[5]), "$"),
		"empty hash": strings.Join(append(parts[:5:5], ""), "$"),
	} {
		if CheckPassword(h, "password1") {
			t.Errorf("%s: %q matched", name, h)
		}
	}
}

func TestPasswordProblem(t *testing.T) {
	for _, tc := range []struct {
		pw, want string
	}{
		{"", "is too short (minimum is 8 characters)"},
		{"1234567", "is too short (minimum is 8 characters)"},
		{"12345678", ""},
		{"ééééééé", "is too short (minimum is 8 characters)"}, // characters, not bytes
		{strings.Repeat("a", 128), ""},
		{strings.Repeat("a", 129), "is too long (maximum is 128 characters)"},
	} {
		if got := PasswordProblem(tc.pw); got != tc.want {
			t.Errorf("PasswordProblem(%q) = %q, want %q", tc.pw, got, tc.want)
		}
	}
}

func TestNewPassword(t *testing.T) {
	a, b := NewPassword(), NewPassword()
	if a == b || utf8.RuneCountInString(a) != 24 || PasswordProblem(a) != "" {
		t.Fatalf("%q %q", a, b)
	}
}
