package postgres

import _ "embed"

// AuditByMonthSQL partitions the audit log by month: an optional script
// that operators run once (docs/deployment.md), kept here so that a test
// runs the store's suite over it.
//
//go:embed optional/audit_by_month.sql
var AuditByMonthSQL string
