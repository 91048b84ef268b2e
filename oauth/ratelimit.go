package oauth

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Limits of the token endpoint, per window: a partner system needs a token
// every few minutes; someone guessing secrets or assertions needs many.
const (
	DefaultTokenRateWindow = time.Minute
	// DefaultTokenRequestsPerClient bounds the requests naming one client id.
	DefaultTokenRequestsPerClient = 30
	// DefaultTokenRequestsPerAddress bounds the requests from one address,
	// which may be the gateway of several partner systems.
	DefaultTokenRequestsPerAddress = 120
)

// RateCounter counts requests per key in fixed windows.
type RateCounter interface {
	// CountRequest counts one request for key at at and returns the
	// number in the current window, a window older than window starting
	// again at one.
	CountRequest(ctx context.Context, key string, at time.Time, window time.Duration) (int, error)
}

// limitTokenRequests counts the request against the client id it names
// (Basic user, client_id, or the unverified issuer of its assertion: the
// limit applies before any credential is checked) and its remote address.
// Beyond a limit it answers 429 with Retry-After.
func (s *Service) limitTokenRequests(ctx context.Context, r *http.Request, form url.Values) *Error {
	window := s.cfg.TokenRateWindow
	if window <= 0 {
		window = DefaultTokenRateWindow
	}
	perClient, perAddress := s.cfg.TokenRequestsPerClient, s.cfg.TokenRequestsPerAddress
	if perClient <= 0 {
		perClient = DefaultTokenRequestsPerClient
	}
	if perAddress <= 0 {
		perAddress = DefaultTokenRequestsPerAddress
	}
	now := s.now()
	keys := []struct {
		key   string
		limit int
	}{{"oauth-token-addr:" + remoteHost(r), perAddress}}
	if id := namedClient(r, form); id != "" {
		keys = append(keys, struct {
			key   string
			limit int
		}{"oauth-token-client:" + id, perClient})
	}
	for _, k := range keys {
		n, err := s.store.CountRequest(ctx, k.key, now, window)
		if err != nil {
			s.log.ErrorContext(ctx, "oauth: counting token requests", "err", err)
			return oauthError(http.StatusServiceUnavailable, "temporarily_unavailable", "try again later")
		}
		if n > k.limit {
			e := oauthError(http.StatusTooManyRequests, "temporarily_unavailable", "too many token requests: retry in %d seconds", int(window.Seconds()))
			e.retryAfter = window
			return e
		}
	}
	return nil
}

// namedClient returns the client id a token request names, unverified.
func namedClient(r *http.Request, form url.Values) string {
	if user, _, ok := r.BasicAuth(); ok {
		if id, err := url.QueryUnescape(user); err == nil {
			return truncate(id)
		}
	}
	if id := form.Get("client_id"); id != "" {
		return truncate(id)
	}
	if a := form.Get("client_assertion"); a != "" {
		var claims jwt.RegisteredClaims
		if _, _, err := jwt.NewParser().ParseUnverified(a, &claims); err == nil {
			return truncate(claims.Issuer)
		}
	}
	return ""
}

// truncate bounds a key taken from a request.
func truncate(s string) string {
	if len(s) > 100 {
		return s[:100]
	}
	return s
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func retryAfterHeader(d time.Duration) string { return strconv.Itoa(int(d.Seconds())) }
