package webhook

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
)

// TrustedRoots returns the system's authorities with those of the PEM file
// at path added: for receivers whose certificates a private authority
// issues (a département's internal PKI, the tests' server). The file must
// hold at least one PEM certificate; a PEM block of another type (a key
// put there by mistake) is refused.
func TrustedRoots(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("webhook: reading the authorities: %w", err)
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		// No system pool (some platforms): trust only the file's.
		roots = x509.NewCertPool()
	}
	n := 0
	for rest := b; ; n++ {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("webhook: %s: a %s block where only certificates belong", path, block.Type)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("webhook: %s: certificate %d: %w", path, n+1, err)
		}
		roots.AddCert(cert)
	}
	if n == 0 {
		return nil, fmt.Errorf("webhook: %s holds no PEM certificate", path)
	}
	return roots, nil
}
