package gate

import (
	"context"
	"errors"
	"testing"
)

// TestStoringSaysWhatFailed: a failed write keeps its cause (errors.Is)
// and says what the access was doing; a write that succeeds is nil.
func TestStoringSaysWhatFailed(t *testing.T) {
	cause := errors.New("disk full")
	err := storing("recording the contract", func(context.Context) error { return cause })(context.Background())
	if !errors.Is(err, cause) || err.Error() != "recording the contract: disk full" {
		t.Errorf("error %v, want the cause wrapped with what failed", err)
	}
	if err := storing("recording the contract", func(context.Context) error { return nil })(context.Background()); err != nil {
		t.Errorf("a write that succeeds: %v, want nil", err)
	}
}
