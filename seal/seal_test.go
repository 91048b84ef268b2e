package seal_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"socle/seal"
)

func keyring(t testing.TB) *seal.Keyring {
	t.Helper()
	master := make([]byte, seal.KeySize)
	rand.Read(master)
	k, err := seal.New(master)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRoundTripAndBinding(t *testing.T) {
	k := keyring(t)
	dk, wrapped, err := k.NewKey("per_a")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := dk.Seal("bank", []byte(`{"iban":"FR76"}`))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("FR76")) {
		t.Fatal("the sealed value holds the plaintext")
	}
	again, err := k.Unwrap("per_a", wrapped)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open("bank", sealed); err != nil || string(got) != `{"iban":"FR76"}` {
		t.Fatalf("Open = %q, %v", got, err)
	}
	other, _, err := k.NewKey("per_b")
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	tests := []struct {
		name string
		open func() error
	}{
		{"other field", func() error { _, err := again.Open("health", sealed); return err }},
		{"other person's key", func() error { _, err := other.Open("bank", sealed); return err }},
		{"tampered", func() error { _, err := again.Open("bank", tampered); return err }},
		{"truncated", func() error { _, err := again.Open("bank", sealed[:10]); return err }},
		{"key unwrapped for another person", func() error { _, err := k.Unwrap("per_b", wrapped); return err }},
		{"key under another master", func() error { _, err := keyring(t).Unwrap("per_a", wrapped); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.open(); !errors.Is(err, seal.ErrOpen) {
				t.Fatalf("err = %v, want ErrOpen", err)
			}
		})
	}
}

func TestNewRejectsShortKey(t *testing.T) {
	if _, err := seal.New(make([]byte, 16)); err == nil {
		t.Fatal("New accepted a 16-byte master key")
	}
}

func BenchmarkNewKeyAndSeal(b *testing.B) {
	k := keyring(b)
	plain := []byte(`{"rqth":true,"rqth_until":"2030-06-30","notes":"aménagement de poste"}`)
	for b.Loop() {
		dk, _, err := k.NewKey("per_0123456789")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := dk.Seal("health", plain); err != nil {
			b.Fatal(err)
		}
	}
}
