// Package socle holds the domain of the Socle platform: the types of the
// shared record (organisations, agents, persons, follow-ups, companies,
// offers…), their validation, the domain errors, the interfaces that the
// stores, the gate and the HTTP layer implement or use, and every record a
// store saves (sessions, break-the-glass grants, misuse cases, OAuth
// clients…), so that the stores need no other package of Socle but seal.
//
// It imports neither SQL nor HTTP: dependencies point toward this package.
package socle
