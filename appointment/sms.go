package appointment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// SMSSender sends a text message to a phone number.
type SMSSender interface {
	SendSMS(ctx context.Context, to, text string) error
}

// DemoSMS is the SMS of the demo: each message is printed on Out (the
// demo's terminal) and never sent; the server log gets one line without
// the number nor the text.
type DemoSMS struct {
	Out    io.Writer
	Logger *slog.Logger // nil: no log line
}

// SendSMS prints the message on Out.
func (d DemoSMS) SendSMS(ctx context.Context, to, text string) error {
	if d.Logger != nil {
		d.Logger.InfoContext(ctx, "demo SMS (--demo): printed on the terminal, not sent")
	}
	_, err := fmt.Fprintf(d.Out, "SMS (démonstration) au %s\n%s\n", to, text)
	return err
}

// HTTPSMS sends SMS through a provider's HTTP API: a POST of
// {"to": …, "text": …} as JSON to URL, with the token as a bearer; any
// 2xx answer is a success.
type HTTPSMS struct {
	URL    string
	Token  string
	Client *http.Client // nil: a client with a 10-second timeout
}

// SendSMS posts the message to the provider.
func (h HTTPSMS) SendSMS(ctx context.Context, to, text string) error {
	body, err := json.Marshal(map[string]string{"to": to, "text": text})
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if h.Token != "" {
		req.Header.Set("Authorization", "Bearer "+h.Token)
	}
	c := h.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("sms: the provider answered %s", resp.Status)
	}
	return nil
}
