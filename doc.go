// Package socle holds the domain of the Socle platform: the types of the
// shared record (organisations, agents, persons, follow-ups, companies,
// offers…), their validation, the domain errors and the interfaces that the
// stores, the gate and the HTTP layer implement or use.
//
// It imports neither SQL nor HTTP: dependencies point toward this package.
package socle
