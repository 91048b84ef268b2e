package gate

import "socle"

// alsoValid makes the access check its arguments with check too, after
// the checks its spec already makes (the person's id…): an entry point
// adds its own rules without repeating, or dropping, the spec's.
func (s *spec) alsoValid(check func() error) {
	valid := s.valid
	s.valid = func() error {
		if valid != nil {
			if err := valid(); err != nil {
				return err
			}
		}
		return check()
	}
}

// byOrganisation refuses (EFORBIDDEN, saying why) a caller that acts for
// no organisation: neither an adviser nor a partner system, such as a
// person in her space or an employer.
func byOrganisation(req Request, why string) error {
	if req.Actor.AgentID == "" && req.Actor.ClientID == "" {
		return socle.Errorf(socle.EFORBIDDEN, "%s", why)
	}
	return nil
}
