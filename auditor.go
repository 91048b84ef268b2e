package socle

import "slices"

// CheckAuditor admits a privacy officer (role auditeur) signed in with a
// second factor, and reports whether she is a national one (also
// administrator of the platform), who sees every organisation. It is the
// one check of the role: EUNAUTHENTICATED without a sign-in or without a
// second factor, EFORBIDDEN for anyone else.
func CheckAuditor(a Actor) (national bool, err error) {
	if !a.Authenticated() {
		return false, Errorf(EUNAUTHENTICATED, "authentication required")
	}
	if a.AgentID == "" || !slices.Contains(a.Roles, RoleAuditor) {
		return false, Errorf(EFORBIDDEN, "reserved to privacy officers (role %s)", RoleAuditor)
	}
	if a.Strength < AuthMFA {
		return false, Errorf(EUNAUTHENTICATED, "a sign-in with a second factor is required")
	}
	return slices.Contains(a.Roles, RolePlatformAdmin), nil
}
