// Package seal encrypts the sensitive sections of a person's record with a
// key of her own, so that destroying that key (crypto-shredding) makes every
// copy of them unreadable, backups included.
//
// A Keyring holds the platform master key. Each person gets a random 256-bit
// data key, stored wrapped (AES-256-GCM) under the master key; her sections
// are sealed with AES-256-GCM under her data key. Additional data binds a
// wrapped key to its person and a sealed section to its person and field,
// so that a ciphertext moved to another row or column fails to open instead
// of showing the wrong person's data. Only standard-library primitives are
// used: crypto/aes, crypto/cipher, crypto/rand.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// KeySize is the size of the master key and of the data keys: AES-256.
const KeySize = 32

// version is the first byte of every sealed value and wrapped key, so that
// the format can change without guessing.
const version byte = 1

// ErrOpen is returned when a sealed value or a wrapped key does not open:
// wrong key, wrong person or field, truncated or tampered with.
var ErrOpen = errors.New("seal: the value does not open (wrong key, person or field, or tampered with)")

// Keyring wraps and unwraps data keys under the master key. It is safe for
// concurrent use; the master AEAD is built once, so wrapping a key costs
// one AES-GCM seal of 32 bytes.
type Keyring struct {
	master cipher.AEAD
}

// New returns the keyring of a KeySize-byte master key.
func New(masterKey []byte) (*Keyring, error) {
	if len(masterKey) != KeySize {
		return nil, fmt.Errorf("seal: the master key must be %d bytes, got %d", KeySize, len(masterKey))
	}
	aead, err := newAEAD(masterKey)
	if err != nil {
		return nil, err
	}
	return &Keyring{master: aead}, nil
}

// NewKey returns a fresh random data key for the person and the same key
// wrapped under the master key, ready to store.
func (k *Keyring) NewKey(personID string) (*DataKey, []byte, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, nil, fmt.Errorf("seal: generating a data key: %w", err)
	}
	wrapped, err := sealWith(k.master, raw, wrapAAD(personID))
	if err != nil {
		return nil, nil, err
	}
	dk, err := newDataKey(personID, raw)
	clear(raw)
	return dk, wrapped, err
}

// Unwrap returns the data key of the person from its wrapped form; ErrOpen
// if it was not wrapped for this person under this master key.
func (k *Keyring) Unwrap(personID string, wrapped []byte) (*DataKey, error) {
	raw, err := openWith(k.master, wrapped, wrapAAD(personID))
	if err != nil {
		return nil, err
	}
	dk, err := newDataKey(personID, raw)
	clear(raw)
	return dk, err
}

// DataKey seals and opens the sections of one person.
type DataKey struct {
	person string
	aead   cipher.AEAD
}

func newDataKey(personID string, raw []byte) (*DataKey, error) {
	aead, err := newAEAD(raw)
	if err != nil {
		return nil, err
	}
	return &DataKey{person: personID, aead: aead}, nil
}

// Seal encrypts plaintext as the value of field for the key's person.
func (d *DataKey) Seal(field string, plaintext []byte) ([]byte, error) {
	return sealWith(d.aead, plaintext, fieldAAD(d.person, field))
}

// Open decrypts the value of field sealed for the key's person; ErrOpen
// if it was sealed for another person or field, or altered.
func (d *DataKey) Open(field string, sealed []byte) ([]byte, error) {
	return openWith(d.aead, sealed, fieldAAD(d.person, field))
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return aead, nil
}

// sealWith returns version || nonce || ciphertext+tag, with a random nonce:
// at 2^32 messages per key the collision risk stays negligible, and a data
// key seals a handful of values in its life.
func sealWith(aead cipher.AEAD, plaintext, aad []byte) ([]byte, error) {
	ns := aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plaintext)+aead.Overhead())
	out[0] = version
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("seal: generating a nonce: %w", err)
	}
	return aead.Seal(out, out[1:], plaintext, aad), nil
}

func openWith(aead cipher.AEAD, sealed, aad []byte) ([]byte, error) {
	ns := aead.NonceSize()
	if len(sealed) < 1+ns+aead.Overhead() || sealed[0] != version {
		return nil, ErrOpen
	}
	out, err := aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}

// The additional data names what a ciphertext is, with a NUL between
// parts: person ids and field names never contain one.
func wrapAAD(personID string) []byte { return []byte("socle.key.v1\x00" + personID) }

func fieldAAD(personID, field string) []byte {
	return []byte("socle.section.v1\x00" + personID + "\x00" + field)
}
