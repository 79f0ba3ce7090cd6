package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// MinPasswordLength is GitLab's default minimum password length.
const MinPasswordLength = 8

// maxPasswordLength bounds the work a sign-in can ask for (GitLab: 128).
const maxPasswordLength = 128

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, one
// lane). They are written into each hash, so raising them later keeps old
// hashes readable.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// PasswordProblem returns GitLab's message for a password it would refuse
// (the part after the field name, as in its errors hash), or "".
func PasswordProblem(pw string) string {
	switch n := len([]rune(pw)); {
	case n < MinPasswordLength:
		return fmt.Sprintf("is too short (minimum is %d characters)", MinPasswordLength)
	case n > maxPasswordLength:
		return fmt.Sprintf("is too long (maximum is %d characters)", maxPasswordLength)
	}
	return ""
}

// HashPassword hashes a password with argon2id into the PHC string form
// ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("auth: malformed password hash")

// CheckPassword reports whether pw matches a hash made by HashPassword. An
// empty hash (no password set) matches nothing.
func CheckPassword(hash, pw string) bool {
	if hash == "" || len(pw) > 4*maxPasswordLength {
		return false
	}
	ok, err := checkPassword(hash, pw)
	return err == nil && ok
}

func checkPassword(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var memory, passes uint32
	var lanes uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &passes, &lanes); err != nil ||
		memory == 0 || memory > 1<<20 || passes == 0 || passes > 16 || lanes == 0 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, passes, memory, lanes, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NewPassword returns a random password for the first start: 24 characters
// of the token alphabet (about 143 bits).
func NewPassword() string { return randomText(24) }
