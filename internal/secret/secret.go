// Package secret seals service secrets at rest with AES-256-GCM.
//
// A Keyring holds one current key, used to seal, and any older keys, still
// used to open values sealed before a rotation. Each sealed value names the
// key that sealed it ("v1:<key id>:<base64 nonce+ciphertext>"), so keys can
// be rotated without guessing. The additional data binds a value to the
// place it belongs (a service slug and field), so a sealed token cannot be
// moved into another field and opened there.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the length of an AES-256 key.
const KeySize = 32

const prefix = "v1"

// ErrUnknownKey means a value was sealed under a key the keyring lacks.
var ErrUnknownKey = errors.New("secret: sealed under a key this keyring does not hold")

// Keyring seals with its first key and opens with any of its keys.
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
	keys    [][]byte
}

// KeyID names a key without revealing it: the first 8 bytes of its SHA-256,
// in hex.
func KeyID(key []byte) string {
	sum := sha256.Sum256(key)
	return hex.EncodeToString(sum[:8])
}

// NewKeyring builds a keyring; keys[0] seals, all open.
func NewKeyring(keys ...[]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("secret: no key")
	}
	k := &Keyring{aeads: map[string]cipher.AEAD{}}
	for i, key := range keys {
		if len(key) != KeySize {
			return nil, fmt.Errorf("secret: key %d is %d bytes, want %d", i+1, len(key), KeySize)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		id := KeyID(key)
		if i == 0 {
			k.current = id
		}
		k.aeads[id] = aead
		k.keys = append(k.keys, append([]byte(nil), key...))
	}
	return k, nil
}

// CurrentID is the id of the key that seals.
func (k *Keyring) CurrentID() string { return k.current }

// Has reports whether the keyring holds the key with this id.
func (k *Keyring) Has(id string) bool { _, ok := k.aeads[id]; return ok }

// Seal encrypts plaintext bound to the additional data ad.
func (k *Keyring) Seal(plaintext, ad string) (string, error) {
	aead := k.aeads[k.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := aead.Seal(nonce, nonce, []byte(plaintext), []byte(ad))
	return prefix + ":" + k.current + ":" + base64.RawStdEncoding.EncodeToString(out), nil
}

// Open decrypts a value sealed with the same additional data.
func (k *Keyring) Open(sealed, ad string) (string, error) {
	id, aead, data, err := k.parse(sealed)
	if err != nil {
		return "", err
	}
	ns := aead.NonceSize()
	if len(data) < ns {
		return "", errors.New("secret: sealed value too short")
	}
	plain, err := aead.Open(nil, data[:ns], data[ns:], []byte(ad))
	if err != nil {
		return "", fmt.Errorf("secret: cannot open value sealed under key %s: %w", id, err)
	}
	return string(plain), nil
}

// SealedWith returns the id of the key a value was sealed under.
func SealedWith(sealed string) string {
	parts := strings.SplitN(sealed, ":", 3)
	if len(parts) != 3 {
		return ""
	}
	return parts[1]
}

func (k *Keyring) parse(sealed string) (string, cipher.AEAD, []byte, error) {
	parts := strings.SplitN(sealed, ":", 3)
	if len(parts) != 3 || parts[0] != prefix {
		return "", nil, nil, errors.New("secret: not a sealed value")
	}
	aead, ok := k.aeads[parts[1]]
	if !ok {
		return parts[1], nil, nil, fmt.Errorf("%w (key %s)", ErrUnknownKey, parts[1])
	}
	data, err := base64.RawStdEncoding.DecodeString(parts[2])
	if err != nil {
		return parts[1], nil, nil, fmt.Errorf("secret: bad encoding: %w", err)
	}
	return parts[1], aead, data, nil
}

// Reseal opens a value under any key and seals it again under the current
// one; a value already sealed under the current key is returned unchanged.
func (k *Keyring) Reseal(sealed, ad string) (string, error) {
	if SealedWith(sealed) == k.current {
		return sealed, nil
	}
	plain, err := k.Open(sealed, ad)
	if err != nil {
		return "", err
	}
	return k.Seal(plain, ad)
}

// NewKey returns a fresh random key.
func NewKey() []byte {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return key
}

// EncodeKeys writes keys as the key file and GLINT_SECRET_KEY hold them:
// base64, current first, separated by commas.
func EncodeKeys(keys ...[]byte) string {
	parts := make([]string, len(keys))
	for i, key := range keys {
		parts[i] = base64.StdEncoding.EncodeToString(key)
	}
	return strings.Join(parts, ",")
}

// ParseKeys reads keys written by EncodeKeys (also accepting 64-digit hex
// and newlines as separators).
func ParseKeys(s string) ([][]byte, error) {
	var keys [][]byte
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ' ' }) {
		key, err := base64.StdEncoding.DecodeString(f)
		if err != nil || len(key) != KeySize {
			if h, herr := hex.DecodeString(f); herr == nil && len(h) == KeySize {
				key, err = h, nil
			} else {
				return nil, fmt.Errorf("secret: a key must be %d bytes in base64 or hex", KeySize)
			}
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, errors.New("secret: no key given")
	}
	return keys, nil
}

// Load returns the keyring from the environment value env if set, else from
// the key file, creating the file with a new key (mode 0600) if it does not
// exist. created reports whether a new key file was written.
func Load(env, file string) (k *Keyring, created bool, err error) {
	if env != "" {
		keys, err := ParseKeys(env)
		if err != nil {
			return nil, false, fmt.Errorf("GLINT_SECRET_KEY: %w", err)
		}
		k, err := NewKeyring(keys...)
		return k, false, err
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		if err := WriteKeyFile(file, NewKey()); err != nil {
			return nil, false, err
		}
		created = true
		data, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, false, err
	}
	keys, err := ParseKeys(string(data))
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", file, err)
	}
	k, err = NewKeyring(keys...)
	return k, created, err
}

// WriteKeyFile replaces the key file atomically, mode 0600, and makes it
// durable before it is used: the file is synced before the rename and the
// directory after it, so that a crash cannot leave secrets sealed under a
// key that was never on disk.
func WriteKeyFile(file string, keys ...[]byte) error {
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp := file + ".tmp"
	if err := writeSynced(tmp, []byte(EncodeKeys(keys...)+"\n")); err != nil {
		return err
	}
	if err := os.Rename(tmp, file); err != nil {
		return err
	}
	return syncDir(dir)
}

// writeSynced writes data to a new file (mode 0600) and syncs it; the
// error of every step, Close included, is returned.
func writeSynced(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Keys returns copies of the keyring's keys, current first.
func (k *Keyring) Keys() [][]byte {
	out := make([][]byte, len(k.keys))
	for i, key := range k.keys {
		out[i] = append([]byte(nil), key...)
	}
	return out
}
