package gate

import (
	"net"
)

// keyedRef is the keyed hash of a value of a kind (a session, a remote
// address) as the audit log keeps it: detection compares such references
// without the value being written in a log that is never erased. The kind
// separates the namespaces of the one key. "" stays "".
func (g *Gate) keyedRef(kind, v string) string {
	if v == "" {
		return ""
	}
	return g.personRef(kind + ":" + v)
}

// remoteHost drops the port of a remote address: a new connection of the
// same device is the same remote.
func remoteHost(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// validCallRef reports whether a phone platform's call reference is
// empty or short and plain: it is written as given in the audit log.
func validCallRef(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '/') {
			return false
		}
	}
	return true
}
