package web

import (
	"slices"

	"socle"
)

// agentNameMax is the longest name socle.Agent.Validate accepts.
const agentNameMax = 100

// newAgentErrors checks the agent creation form early, with the rules of
// socle.Agent.Validate, for errors beside their fields.
func newAgentErrors(a *socle.Agent) map[string]string {
	errs := map[string]string{}
	if a.GivenName == "" || len(a.GivenName) > agentNameMax {
		errs["prenom"] = msgAgentGivenName
	}
	if a.FamilyName == "" || len(a.FamilyName) > agentNameMax {
		errs["nom"] = msgAgentFamilyName
	}
	if !socle.ValidEmail(a.Email) {
		errs["courriel"] = msgAgentEmail
	}
	if len(a.Roles) == 0 || slices.ContainsFunc(a.Roles, func(r socle.Role) bool { return !r.Valid() }) {
		errs["roles"] = msgAgentRoles
	}
	return errs
}

// agentServiceErrors places an error of the account service beside the
// field it is about: a taken address, a role that waits for a second
// administrator; anything else above the form.
func agentServiceErrors(err error) map[string]string {
	switch socle.ErrorCode(err) {
	case socle.ECONFLICT:
		return map[string]string{"courriel": msgAgentEmailTaken}
	case socle.EFORBIDDEN:
		return map[string]string{"roles": message(err)}
	}
	return map[string]string{"": message(err)}
}

// newAgentForm is the creation form sent back with its errors: the
// answers, the roles chosen among them.
func newAgentForm(errs map[string]string, a *socle.Agent) *agentsView {
	v := &agentsView{Errors: errs, New: a, NewRoles: map[socle.Role]bool{}}
	for _, r := range a.Roles {
		v.NewRoles[r] = true
	}
	return v
}
