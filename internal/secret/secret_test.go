package secret

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpenRoundTrip(t *testing.T) {
	k, err := NewKeyring(NewKey())
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := k.Seal("hunter2", "slack:token")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "hunter2") {
		t.Fatalf("sealed value shows the plaintext: %s", sealed)
	}
	if got := SealedWith(sealed); got != k.CurrentID() {
		t.Fatalf("key id %q, want %q", got, k.CurrentID())
	}
	plain, err := k.Open(sealed, "slack:token")
	if err != nil || plain != "hunter2" {
		t.Fatalf("Open = %q, %v", plain, err)
	}
	again, _ := k.Seal("hunter2", "slack:token")
	if again == sealed {
		t.Fatal("two seals of the same value are equal: nonce reused")
	}
}

func TestOpenRefusesOtherPlaceOrTampering(t *testing.T) {
	k, _ := NewKeyring(NewKey())
	sealed, _ := k.Seal("s3cret", "jira:password")
	if _, err := k.Open(sealed, "bamboo:password"); err == nil {
		t.Fatal("opened a value moved to another field")
	}
	b := []byte(sealed)
	b[len(b)-2] ^= 1
	if _, err := k.Open(string(b), "jira:password"); err == nil {
		t.Fatal("opened a tampered value")
	}
	for _, bad := range []string{"", "plain", "v1:abc", "v2:x:y", "v1:" + k.CurrentID() + ":!!!"} {
		if _, err := k.Open(bad, "x"); err == nil {
			t.Fatalf("opened %q", bad)
		}
	}
}

func TestRotation(t *testing.T) {
	oldKey, newKey := NewKey(), NewKey()
	old, _ := NewKeyring(oldKey)
	sealed, _ := old.Seal("token-1", "a:b")

	onlyNew, _ := NewKeyring(newKey)
	if _, err := onlyNew.Open(sealed, "a:b"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("err = %v, want ErrUnknownKey", err)
	}
	both, _ := NewKeyring(newKey, oldKey)
	resealed, err := both.Reseal(sealed, "a:b")
	if err != nil {
		t.Fatal(err)
	}
	if SealedWith(resealed) != KeyID(newKey) {
		t.Fatal("reseal did not use the current key")
	}
	if plain, err := onlyNew.Open(resealed, "a:b"); err != nil || plain != "token-1" {
		t.Fatalf("after rotation: %q %v", plain, err)
	}
}

func TestLoadCreatesKeyFileOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "data", "secret.key")
	k1, created, err := Load("", file)
	if err != nil || !created {
		t.Fatalf("first load: created=%v err=%v", created, err)
	}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	k2, created, err := Load("", file)
	if err != nil || created {
		t.Fatalf("second load: created=%v err=%v", created, err)
	}
	if k1.CurrentID() != k2.CurrentID() {
		t.Fatal("second load changed the key")
	}
	env := EncodeKeys(NewKey())
	k3, _, err := Load(env, file)
	if err != nil || k3.CurrentID() == k1.CurrentID() {
		t.Fatalf("environment key not preferred: %v", err)
	}
	if _, _, err := Load("too-short", file); err == nil {
		t.Fatal("accepted a bad key")
	}
}
