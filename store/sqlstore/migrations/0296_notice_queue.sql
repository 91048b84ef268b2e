-- 0296_notice_queue: the notices' rows are their queue, so that a notice
-- recorded before the process stopped is sent after it starts again. A
-- pending notice (result 'en_cours') is due from next_at; a sender leases
-- it until lease_until by a conditional update, so that one server of a
-- cluster sends it; a failed attempt is retried later (attempts counts
-- them). Notices left pending by a server that stopped are due now.
ALTER TABLE appointment_notices ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appointment_notices ADD COLUMN next_at {timestamp};
ALTER TABLE appointment_notices ADD COLUMN lease_until {timestamp};
UPDATE appointment_notices SET next_at = at WHERE result = 'en_cours';
CREATE INDEX appointment_notices_due ON appointment_notices (result, next_at);
