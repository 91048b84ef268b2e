package sqlstore_test

import (
	"socle/cases"
	"socle/gate"
	"socle/identity"
	"socle/matching"
	"socle/oauth"
	"socle/policy"
	"socle/register"
	"socle/space"
	"socle/store/sqlstore"
)

// The store implements the ports the services declare. The checks live in
// this test, not the package, so that the package needs none of them.
var (
	_ cases.Store     = (*sqlstore.DB)(nil)
	_ gate.Grants     = (*sqlstore.DB)(nil)
	_ identity.Store  = (*sqlstore.DB)(nil)
	_ matching.Source = (*sqlstore.DB)(nil)
	_ oauth.Store     = (*sqlstore.DB)(nil)
	_ policy.Facts    = (*sqlstore.DB)(nil)
	_ register.Store  = (*sqlstore.DB)(nil)
	_ space.Store     = (*sqlstore.DB)(nil)
)
