package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"socle"
	"socle/webhook"
)

// hookReceiver is a département's endpoint: it verifies each delivery's
// detached signature against the JWKS the server publishes, with go-jose,
// and keeps the verified payloads.
type hookReceiver struct {
	jwksURL string

	mu  sync.Mutex
	got []webhook.Payload
	bad []string
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	err := h.verify(r.Header.Get(webhook.HeaderSignature), body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.bad = append(h.bad, err.Error())
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var p webhook.Payload
	if err := json.Unmarshal(body, &p); err != nil {
		h.bad = append(h.bad, err.Error())
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h.got = append(h.got, p)
	w.WriteHeader(http.StatusNoContent)
}

func (h *hookReceiver) verify(sig string, body []byte) error {
	resp, err := http.Get(h.jwksURL)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		return err
	}
	obj, err := jose.ParseDetached(sig, body, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return err
	}
	keys := set.Key(obj.Signatures[0].Protected.KeyID)
	if len(keys) == 0 {
		return io.ErrUnexpectedEOF
	}
	return obj.DetachedVerify(body, keys[0].Key)
}

func (h *hookReceiver) received(personID string) (webhook.Payload, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.got {
		if p.Change.ID == personID {
			return p, true
		}
	}
	return webhook.Payload{}, false
}

// apiCall sends a JSON request with the client's token and the headers
// given as name, value pairs.
func apiCall(t *testing.T, method, url, token string, body any, headers ...string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return doJSON(t, req)
}

// TestDepartementSystemEndToEnd: a département's system subscribes to the
// changes of the persons it follows, receives a signed webhook when one
// changes, reads her file through the gate, writes an appointment back,
// and is refused the same for a person the département does not follow.
func TestDepartementSystemEndToEnd(t *testing.T) {
	dir, org, followed, stranger := departementNetwork(t)
	id, secret := createClient(t, dir, org, "accompagnement:read accompagnement:update")
	base, _ := startServer(t, "--data", dir, "--smtp-addr", "127.0.0.1:1", "--smtp-from", "socle@example.fr", "--smtp-plain-localhost",
		"--webhook-interval", "100ms", "--webhook-allow-loopback")
	status, body := token(t, base, id, secret, "accompagnement:read accompagnement:update")
	tok, _ := body["access_token"].(string)
	if status != http.StatusOK || tok == "" {
		t.Fatalf("token: %d %v", status, body)
	}

	rc := &hookReceiver{jwksURL: base + ".well-known/jwks.json"}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	status, body = apiCall(t, http.MethodPost, base+"api/v1/subscriptions", tok, map[string]string{"url": hook.URL + "/socle", "purpose": "accompagnement"})
	if status != http.StatusCreated || body["id"] == nil {
		t.Fatalf("subscribing: %d %v", status, body)
	}
	subID := body["id"].(string)

	// The followed person changes (her phone, updated by the
	// département's system itself); the system cannot change the other
	// (webhook.TestDeliveriesAreSignedRetriedAndReplayed checks that a
	// change of a person not followed is never delivered).
	// An update names the version it was made from (If-Match).
	_, read := apiCall(t, http.MethodGet, base+"api/v1/persons/"+followed+"?purpose=accompagnement&categories=contact", tok, nil)
	status, body = apiCall(t, http.MethodPatch, base+"api/v1/persons/"+followed+"?purpose=accompagnement", tok,
		map[string]any{"contact": map[string]string{"phone": "0611223344", "postal_code": "69001", "commune_code": "69381"}},
		"If-Match", fmt.Sprintf(`"v%v"`, read["version"]))
	if status != http.StatusOK {
		t.Fatalf("updating the followed person: %d %v", status, body)
	}
	if status, body := apiCall(t, http.MethodPatch, base+"api/v1/persons/"+stranger+"?purpose=accompagnement", tok,
		map[string]any{"contact": map[string]string{"phone": "0611223344", "postal_code": "69001", "commune_code": "69381"}}, "If-Match", "*"); status != http.StatusNotFound {
		t.Errorf("updating a person not followed: %d %v, want 404", status, body)
	}

	var p webhook.Payload
	deadline := time.Now().Add(30 * time.Second)
	for {
		var ok bool
		if p, ok = rc.received(followed); ok || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	rc.mu.Lock()
	bad := rc.bad
	rc.mu.Unlock()
	if len(bad) > 0 {
		t.Fatalf("deliveries refused by the receiver: %v", bad)
	}
	if p.Change.ID != followed || p.Change.Kind != socle.ResourcePerson || p.SubscriptionID != subID {
		t.Fatalf("no webhook for the followed person within 30 s: %+v", p)
	}

	// The system reads the change through the gate, then writes back.
	status, body = readPerson(t, base, tok, followed, "accompagnement")
	if status != http.StatusOK || body["id"] != followed {
		t.Fatalf("reading the changed person: %d %v", status, body)
	}
	appointment := map[string]any{"kind": socle.EventAppointment, "title": "Entretien RSA",
		"start": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)}
	if status, body := apiCall(t, http.MethodPost, base+"api/v1/persons/"+followed+"/events?purpose=accompagnement", tok, appointment); status != http.StatusCreated {
		t.Errorf("writing an appointment back: %d %v", status, body)
	}
	if status, body := apiCall(t, http.MethodPost, base+"api/v1/persons/"+stranger+"/events?purpose=accompagnement", tok, appointment); status != http.StatusNotFound && status != http.StatusForbidden {
		t.Errorf("an appointment for a person not followed: %d %v, want 404 or 403", status, body)
	}
	if status, body := readPerson(t, base, tok, stranger, "accompagnement"); status != http.StatusNotFound {
		t.Errorf("reading a person not followed: %d %v, want 404", status, body)
	}
	if _, ok := rc.received(stranger); ok {
		t.Error("a webhook named a person the département does not follow")
	}

	// The delivery log shows the delivery as delivered.
	status, body = apiCall(t, http.MethodGet, base+"api/v1/subscriptions/"+subID+"/deliveries", tok, nil)
	items, _ := body["items"].([]any)
	if status != http.StatusOK || len(items) == 0 {
		t.Fatalf("delivery log: %d %v", status, body)
	}
	if first, _ := items[len(items)-1].(map[string]any); first["status"] != socle.DeliveryDelivered {
		t.Errorf("first delivery: %v", first)
	}
}
