package storetest

import (
	"context"
	"testing"
	"time"

	"socle"
	"socle/identity"
)

// RunPendingTOTP runs the suite of the TOTP secrets kept server-side during
// an enrolment. open returns a new, empty, migrated store.
func RunPendingTOTP(t *testing.T, open func(t *testing.T) socle.Store) {
	s := open(t)
	st := storeAs[identity.Store](t, s)
	ctx := context.Background()
	org := createOrganisation(t, s, "Mission Locale de Lyon", socle.KindYouth, "69")
	a := createAgent(t, s, org.ID, "noe@ml-lyon.fr")
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	kept, err := st.KeepPendingTOTP(ctx, "hash-1", a.ID, "FIRSTSECRETFIRSTSECRET", t0, t0.Add(time.Hour))
	if err != nil || kept != "FIRSTSECRETFIRSTSECRET" {
		t.Fatalf("keeping a first secret: %q, %v", kept, err)
	}
	if kept, err = st.KeepPendingTOTP(ctx, "hash-1", a.ID, "OTHERSECRETOTHERSECRET", t0, t0.Add(time.Hour)); err != nil || kept != "FIRSTSECRETFIRSTSECRET" {
		t.Fatalf("a second proposal replaced the kept secret: %q, %v", kept, err)
	}
	if got, err := st.PendingTOTP(ctx, "hash-1", t0.Add(time.Minute)); err != nil || got != "FIRSTSECRETFIRSTSECRET" {
		t.Fatalf("pending secret = %q, %v", got, err)
	}
	if _, err := st.PendingTOTP(ctx, "hash-1", t0.Add(2*time.Hour)); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("an expired secret: %v, want ENOTFOUND", err)
	}
	if err := st.DropPendingTOTP(ctx, "hash-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PendingTOTP(ctx, "hash-1", t0); socle.ErrorCode(err) != socle.ENOTFOUND {
		t.Fatalf("a dropped secret: %v, want ENOTFOUND", err)
	}
}
