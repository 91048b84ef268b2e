package postgres_test

import (
	"testing"

	"socle/store/postgres"
	"socle/store/storetest"
)

func TestAuditLogResumesAfterOutage(t *testing.T) {
	storetest.RunAuditOutage(t, storetest.StartPostgres(t), postgres.Open)
}
