package gate

import (
	"context"
	"fmt"

	"socle"
)

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

// locatePersonRecord is the locate of an access to a record of a person
// (an appointment, a contract) that id names: it reads the record into
// *found and names its person as the resource. An id of another kind is
// not found (notFound) without a read.
func locatePersonRecord[T any](prefix, id, notFound string, read func(context.Context, string) (*T, error), personOf func(*T) string, found **T) func(context.Context) (socle.Resource, error) {
	return func(ctx context.Context) (socle.Resource, error) {
		if !socle.ValidID(prefix, id) {
			return socle.Resource{}, socle.Errorf(socle.ENOTFOUND, "%s", notFound)
		}
		var err error
		if *found, err = read(ctx, id); err != nil {
			return socle.Resource{}, err
		}
		return personRes(personOf(*found)), nil
	}
}

// storing is a write of an access whose failure says what it was doing.
func storing(doing string, write func(ctx context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := write(ctx); err != nil {
			return fmt.Errorf("%s: %w", doing, err)
		}
		return nil
	}
}
