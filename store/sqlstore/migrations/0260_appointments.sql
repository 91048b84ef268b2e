-- 0260_appointments: open slots that persons book, the state of an
-- appointment (modalité, cancellation, attendance), the notices sent about
-- it (never their text) and the persons' explanations.
CREATE TABLE appointment_slots (
	id              TEXT PRIMARY KEY,
	organisation_id TEXT NOT NULL REFERENCES organisations (id),
	agent_id        TEXT REFERENCES agents (id),
	start_at        {timestamp} NOT NULL,
	end_at          {timestamp} NOT NULL,
	location        TEXT NOT NULL DEFAULT '',
	modalite        TEXT NOT NULL,
	-- The appointment booked on the slot: set by a conditional update,
	-- unique, so that a slot is never booked twice.
	event_id        TEXT UNIQUE REFERENCES events (id),
	created_at      {timestamp} NOT NULL
);
CREATE INDEX appointment_slots_organisation_start ON appointment_slots (organisation_id, start_at);

CREATE TABLE appointments (
	event_id      TEXT PRIMARY KEY REFERENCES events (id),
	person_id     TEXT NOT NULL REFERENCES persons (id),
	slot_id       TEXT REFERENCES appointment_slots (id),
	modalite      TEXT NOT NULL,
	status        TEXT NOT NULL,
	cancelled_at  {timestamp},
	cancelled_by  TEXT NOT NULL DEFAULT '',
	cancel_reason TEXT NOT NULL DEFAULT '',
	attendance    TEXT NOT NULL DEFAULT '',
	attendance_at {timestamp},
	attendance_by TEXT REFERENCES agents (id)
);
CREATE INDEX appointments_person ON appointments (person_id);
CREATE INDEX appointments_status ON appointments (status);

-- One row per notice and channel: the primary key makes each go out once.
CREATE TABLE appointment_notices (
	event_id TEXT NOT NULL REFERENCES events (id),
	notice   TEXT NOT NULL,
	channel  TEXT NOT NULL,
	result   TEXT NOT NULL,
	at       {timestamp} NOT NULL,
	PRIMARY KEY (event_id, notice, channel)
);

CREATE TABLE person_explanations (
	id           TEXT PRIMARY KEY,
	person_id    TEXT NOT NULL REFERENCES persons (id),
	subject_kind TEXT NOT NULL,
	subject_id   TEXT NOT NULL,
	text         TEXT NOT NULL,
	created_at   {timestamp} NOT NULL
);
CREATE INDEX person_explanations_person ON person_explanations (person_id, created_at);
