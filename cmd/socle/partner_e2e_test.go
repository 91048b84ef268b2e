package main

import (
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"socle"
	"socle/internal/openapitest"
	"socle/webhook"
)

// hookReceiver is a département's endpoint: it verifies each delivery's
// detached signature against the JWKS the server publishes, with go-jose,
// and keeps the verified payloads.
type hookReceiver struct {
	mu sync.Mutex
	// jwksURL is set once the server runs.
	jwksURL string
	got     []webhook.Payload
	bad     []string
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	jwksURL := h.jwksURL
	h.mu.Unlock()
	err := h.verify(jwksURL, r.Header.Get(webhook.HeaderSignature), body)
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

func (h *hookReceiver) verify(jwksURL, sig string, body []byte) error {
	resp, err := http.Get(jwksURL)
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
	h := map[string]string{}
	for i := 0; i+1 < len(headers); i += 2 {
		h[headers[i]] = headers[i+1]
	}
	status, _, out := apiCallWith(t, method, url, token, h, body)
	return status, out
}

// TestDepartementSystemEndToEnd: a département's system subscribes to the
// changes of the persons it follows, receives a signed webhook when one
// changes, reads her file through the gate, writes an appointment back,
// and is refused the same for a person the département does not follow.
func TestDepartementSystemEndToEnd(t *testing.T) {
	dir, org, followed, stranger := departementNetwork(t)
	id, secret := createClient(t, dir, org, "accompagnement:read accompagnement:create accompagnement:update")
	// The département's receiver serves https with a certificate of its
	// own authority, which the server is told to trust (--webhook-ca).
	rc := &hookReceiver{}
	hook := httptest.NewTLSServer(rc)
	defer hook.Close()
	caFile := filepath.Join(t.TempDir(), "departement-ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hook.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	subscriptionCLI(t, dir, id, hook.URL+"/socle")

	base, _ := startServer(t, "--data", dir, "--smtp-addr", "127.0.0.1:1", "--smtp-from", "socle@example.fr", "--smtp-plain-localhost",
		"--webhook-interval", "100ms", "--webhook-allow-loopback", "--webhook-ca", caFile)
	rc.mu.Lock()
	rc.jwksURL = base + ".well-known/jwks.json"
	rc.mu.Unlock()
	status, body := token(t, base, id, secret, "accompagnement:read accompagnement:create accompagnement:update")
	tok, _ := body["access_token"].(string)
	if status != http.StatusOK || tok == "" {
		t.Fatalf("token: %d %v", status, body)
	}
	status, body = apiCall(t, http.MethodPost, base+"api/v1/subscriptions", tok, map[string]string{"url": hook.URL + "/socle", "purpose": "accompagnement"})
	if status != http.StatusCreated || body["id"] == nil {
		t.Fatalf("subscribing: %d %v", status, body)
	}
	// The answers a partner's system gets are those the OpenAPI document
	// describes.
	documented := documentChecker(t, base)
	documented("POST", "/api/v1/subscriptions", status, body)
	subID := body["id"].(string)

	// The followed person changes (her phone, updated by the
	// département's system itself); the system cannot change the other
	// (webhook.TestDeliveriesAreSignedRetriedAndReplayed checks that a
	// change of a person not followed is never delivered).
	// The update names the version it read (If-Match): a stale one is 412.
	personURL := base + "api/v1/persons/" + followed + "?purpose=accompagnement"
	_, h, _ := apiCallWith(t, http.MethodGet, personURL, tok, nil, nil)
	contact := map[string]any{"contact": map[string]string{"phone": "0611223344", "postal_code": "69001", "commune_code": "69381"}}
	if status, _, body := apiCallWith(t, http.MethodPatch, personURL, tok, map[string]string{"If-Match": `"v999"`}, contact); status != http.StatusPreconditionFailed {
		t.Fatalf("updating with a stale If-Match: %d %v, want 412", status, body)
	}
	status, _, body = apiCallWith(t, http.MethodPatch, personURL, tok, map[string]string{"If-Match": h.Get("ETag")}, contact)
	if status != http.StatusOK || h.Get("ETag") == "" {
		t.Fatalf("updating the followed person with If-Match %q: %d %v", h.Get("ETag"), status, body)
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
	// The appointment is written with an Idempotency-Key: the system's
	// retry after a lost answer gets the same appointment, not a second.
	eventsURL := base + "api/v1/persons/" + followed + "/events?purpose=accompagnement"
	idem := map[string]string{"Idempotency-Key": "rdv-" + followed}
	status, _, first := apiCallWith(t, http.MethodPost, eventsURL, tok, idem, appointment)
	if status != http.StatusCreated || first["id"] == nil {
		t.Fatalf("writing an appointment back: %d %v", status, first)
	}
	documented("POST", "/api/v1/persons/{id}/events", status, first)
	status, h, again := apiCallWith(t, http.MethodPost, eventsURL, tok, idem, appointment)
	if status != http.StatusCreated || again["id"] != first["id"] || h.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retrying the appointment: %d %v, want the first one (%v) replayed", status, again, first["id"])
	}
	_, _, events := apiCallWith(t, http.MethodGet, eventsURL, tok, nil, nil)
	if items, _ := events["items"].([]any); len(items) != 1 {
		t.Errorf("events of the person after a retried create: %v, want one", events)
	}
	if status, body := apiCall(t, http.MethodPost, base+"api/v1/persons/"+stranger+"/events?purpose=accompagnement", tok, appointment); status != http.StatusNotFound {
		t.Errorf("an appointment for a person not followed: %d %v, want 404", status, body)
	}
	if status, body := readPerson(t, base, tok, stranger, "accompagnement"); status != http.StatusNotFound {
		t.Errorf("reading a person not followed: %d %v, want 404", status, body)
	}
	if _, ok := rc.received(stranger); ok {
		t.Error("a webhook named a person the département does not follow")
	}

	// The delivery log shows the delivery as delivered.
	status, body = apiCall(t, http.MethodGet, base+"api/v1/subscriptions/"+subID+"/deliveries", tok, nil)
	documented("GET", "/api/v1/subscriptions/{id}/deliveries", status, body)
	items, _ := body["items"].([]any)
	if status != http.StatusOK || len(items) == 0 {
		t.Fatalf("delivery log: %d %v", status, body)
	}
	delivery, _ := items[len(items)-1].(map[string]any)
	if delivery["status"] != socle.DeliveryDelivered {
		t.Errorf("first delivery: %v", delivery)
	}

	// Replayed on request, the delivery arrives again, signed the same way.
	deliveryID, _ := delivery["id"].(string)
	status, body = apiCall(t, http.MethodPost, base+"api/v1/deliveries/"+deliveryID+"/replay", tok, nil)
	if status != http.StatusAccepted {
		t.Fatalf("replaying delivery %s: %d %v", deliveryID, status, body)
	}
	documented("POST", "/api/v1/deliveries/{id}/replay", status, body)
	for deadline := time.Now().Add(30 * time.Second); rc.count(deliveryID) < 2 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	if n := rc.count(deliveryID); n != 2 {
		t.Errorf("delivery %s received %d times after its replay, want 2", deliveryID, n)
	}

	// Every read of the system went through the gate: in the audit log,
	// with the client as principal, allowed for the followed person and
	// refused for the other.
	if reads, refused := clientPersonAccesses(t, dir, org, id, socle.ActionRead); reads < 2 || refused < 1 {
		t.Errorf("audit log of the system's reads: %d allowed, %d refused; want the reads of the followed person and the refusal", reads, refused)
	}
}

// subscriptionCLI checks socle subscription before the server starts (on
// SQLite the commands run while no server writes): refusals, then create,
// list, show and delete of a subscription to target.
func subscriptionCLI(t *testing.T, dir, clientID, target string) {
	t.Helper()
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"a private address", []string{"--client", clientID, "--url", "https://10.0.0.7/hook", "--purpose", "accompagnement"}, "private address"},
		{"the metadata endpoint", []string{"--client", clientID, "--url", "https://169.254.169.254/latest", "--purpose", "accompagnement"}, "link-local"},
		{"loopback without the test flag", []string{"--client", clientID, "--url", target, "--purpose", "accompagnement"}, "loopback"},
		{"a purpose outside its scopes", []string{"--client", clientID, "--url", target, "--purpose", "controle", "--allow-loopback"}, "controle:read"},
		{"an unknown client", []string{"--client", "cli_nope", "--url", target, "--purpose", "accompagnement"}, `no client "cli_nope"`},
		{"no url", []string{"--client", clientID, "--purpose", "accompagnement"}, "--url is required"},
	} {
		if out, err := socleCmd(t, append([]string{"subscription", "create", "--data", dir}, tt.args...)...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("subscription create, %s: %v %q, want an error naming %q", tt.name, err, out, tt.want)
		}
	}
	out, err := socleCmd(t, "subscription", "create", "--data", dir, "--client", clientID, "--url", target, "--purpose", "accompagnement", "--allow-loopback")
	subID := firstGroup(regexp.MustCompile(`(?m)^subscription_id: (\S+)$`), out)
	if err != nil || subID == "" {
		t.Fatalf("subscription create: %v %q", err, out)
	}
	if out, err := socleCmd(t, "subscription", "list", "--data", dir, "--client", clientID); err != nil || !strings.Contains(out, subID) || !strings.Contains(out, target) {
		t.Errorf("subscription list: %v %q", err, out)
	}
	if out, err := socleCmd(t, "subscription", "show", subID, "--data", dir); err != nil || !strings.Contains(out, "deliveries (latest first): 0") {
		t.Errorf("subscription show: %v %q", err, out)
	}
	if out, err := socleCmd(t, "subscription", "delete", subID, "--data", dir); err != nil || !strings.Contains(out, "deleted") {
		t.Errorf("subscription delete: %v %q", err, out)
	}
	if out, err := socleCmd(t, "subscription", "show", subID, "--data", dir); err == nil || !strings.Contains(err.Error(), "no subscription") {
		t.Errorf("subscription show after delete: %v %q", err, out)
	}
	if _, err := socleCmd(t, "subscription", "replay", "dlv_nope", "--data", dir); err == nil || !strings.Contains(err.Error(), `no delivery "dlv_nope"`) {
		t.Errorf("replaying an unknown delivery: %v", err)
	}
	if out, err := socleCmd(t, "subscription", "--help"); err != nil || !strings.Contains(out, "replay") {
		t.Errorf("subscription --help: %v %q", err, out)
	}
}

// documentChecker returns a check that an answer of the server at base is
// what its OpenAPI document describes for the operation and status.
func documentChecker(t *testing.T, base string) func(method, pattern string, status int, body map[string]any) {
	t.Helper()
	doc, err := openapitest.Fetch(base + "api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	return func(method, pattern string, status int, body map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		if err := doc.ValidateBody(method, pattern, strconv.Itoa(status), b); err != nil {
			t.Errorf("%s %s answered %d outside the document: %v", method, pattern, status, err)
		}
	}
}

// count is how many verified deliveries had the id.
func (h *hookReceiver) count(deliveryID string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, p := range h.got {
		if p.DeliveryID == deliveryID {
			n++
		}
	}
	return n
}

// apiCallWith sends a JSON request with the client's token and headers,
// and returns the status, the headers and the body.
func apiCallWith(t *testing.T, method, url, token string, headers map[string]string, body any) (int, http.Header, map[string]any) {
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
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: %d, body not JSON: %v", method, url, resp.StatusCode, err)
	}
	return resp.StatusCode, resp.Header, out
}
