package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"socle"
	"time"
)

// PersonsByEmail returns the ids of at most limit persons whose contact
// e-mail, lowercased, is emailKey. persons.email_key is a generated column
// (migration 0006), indexed.
func (s *DB) PersonsByEmail(ctx context.Context, emailKey string, limit int) ([]string, error) {
	return queryAll(ctx, s, scanString, "persons by e-mail", `SELECT id FROM persons WHERE email_key = ? ORDER BY id LIMIT ?`, emailKey, clampLimit(limit, 10, 100))
}

// SpaceDemoEmail returns the e-mail of a person who alone has it and is
// followed, for the demo to show the person's space; "" when none.
func (s *DB) SpaceDemoEmail(ctx context.Context) (string, error) {
	var key string
	err := s.read.QueryRowContext(ctx, `SELECT p.email_key FROM persons p
WHERE p.email_key IS NOT NULL AND EXISTS (SELECT 1 FROM followups f WHERE f.person_id = p.id)
GROUP BY p.email_key HAVING count(*) = 1 ORDER BY p.email_key LIMIT 1`).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("choosing a demo person: %w", err)
	}
	return key, nil
}

// CreateLink stores a one-time link and deletes the expired ones.
func (s *DB) CreateLink(ctx context.Context, l *socle.PersonLink) error {
	if _, err := s.write.ExecContext(ctx, s.q(`DELETE FROM person_links WHERE expires_us < ?`), l.CreatedAt.UnixMicro()); err != nil {
		return s.fail(err, "login link")
	}
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO person_links (hash, person_id, created_us, expires_us) VALUES (?, ?, ?, ?)`),
		l.Hash, l.PersonID, l.CreatedAt.UnixMicro(), l.ExpiresAt.UnixMicro())
	return s.fail(err, "login link")
}

// TakeLink deletes and returns the link with that hash in one statement, so
// that two requests racing with one link cannot both use it.
func (s *DB) TakeLink(ctx context.Context, hash string) (*socle.PersonLink, error) {
	l := socle.PersonLink{Hash: hash}
	var created, expires int64
	err := s.write.QueryRowContext(ctx, s.q(`DELETE FROM person_links WHERE hash = ? RETURNING person_id, created_us, expires_us`), hash).
		Scan(&l.PersonID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("login link")
	} else if err != nil {
		return nil, s.fail(err, "login link")
	}
	l.CreatedAt, l.ExpiresAt = micros(created), micros(expires)
	return &l, nil
}

// CreatePersonSession stores a person's session and deletes expired ones.
func (s *DB) CreatePersonSession(ctx context.Context, se *socle.PersonSession) error {
	if _, err := s.write.ExecContext(ctx, s.q(`DELETE FROM person_sessions WHERE expires_us < ?`), se.CreatedAt.UnixMicro()); err != nil {
		return s.fail(err, "person session")
	}
	_, err := s.write.ExecContext(ctx, s.q(`INSERT INTO person_sessions (id, person_id, csrf, created_us, last_seen_us, expires_us, remote_addr, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		se.ID, se.PersonID, se.CSRF, se.CreatedAt.UnixMicro(), se.LastSeen.UnixMicro(), se.ExpiresAt.UnixMicro(), se.RemoteAddr, se.UserAgent)
	return s.fail(err, "person session")
}

// PersonSession returns the person session with that id, ENOTFOUND if none.
func (s *DB) PersonSession(ctx context.Context, id string) (*socle.PersonSession, error) {
	se := socle.PersonSession{ID: id}
	var created, seen, expires int64
	err := s.read.QueryRowContext(ctx, s.q(`SELECT person_id, csrf, created_us, last_seen_us, expires_us, remote_addr, user_agent FROM person_sessions WHERE id = ?`), id).
		Scan(&se.PersonID, &se.CSRF, &created, &seen, &expires, &se.RemoteAddr, &se.UserAgent)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("person session")
	} else if err != nil {
		return nil, fmt.Errorf("reading person session: %w", err)
	}
	se.CreatedAt, se.LastSeen, se.ExpiresAt = micros(created), micros(seen), micros(expires)
	return &se, nil
}

// TouchPersonSession records activity on a person session.
func (s *DB) TouchPersonSession(ctx context.Context, id string, at time.Time) error {
	_, err := s.write.ExecContext(ctx, s.q(`UPDATE person_sessions SET last_seen_us = ? WHERE id = ?`), at.UnixMicro(), id)
	return s.fail(err, "person session")
}

// DeletePersonSession ends a person session.
func (s *DB) DeletePersonSession(ctx context.Context, id string) error {
	_, err := s.write.ExecContext(ctx, s.q(`DELETE FROM person_sessions WHERE id = ?`), id)
	return s.fail(err, "person session")
}

// SpaceHit counts one link request for key in one statement; a window
// older than window starts again at one.
func (s *DB) SpaceHit(ctx context.Context, key string, at time.Time, window time.Duration) (int, error) {
	us, stale := at.UnixMicro(), at.Add(-window).UnixMicro()
	var n int
	err := s.write.QueryRowContext(ctx, s.q(`INSERT INTO space_throttles (key, hits, start_us) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
	hits = CASE WHEN space_throttles.start_us < ? THEN 1 ELSE space_throttles.hits + 1 END,
	start_us = CASE WHEN space_throttles.start_us < ? THEN excluded.start_us ELSE space_throttles.start_us END
RETURNING hits`), key, us, stale, stale).Scan(&n)
	if err != nil {
		return 0, s.fail(err, "link request count")
	}
	return n, nil
}
