// Package metrics is what an operator watches of a running server: the
// Prometheus metrics of requests, the audit log, the inline throttle,
// detection and the database pools, and the profiling handlers, served
// together on the admin address (AdminHandler) and never on the public one.
//
// It holds no personal data: labels are route patterns, status codes and
// pool names, never a path, an id or a query.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/pprof"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"socle"
	"socle/audit"
)

// Metrics are a server's metrics in their own registry (not the global
// one, so that tests and several servers in one process stay apart). The
// zero value is not usable; a nil *Metrics observes nothing.
type Metrics struct {
	Registry *prometheus.Registry

	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	appendTime   prometheus.Histogram
	batchSize    prometheus.Histogram
	commitTime   prometheus.Histogram
	throttle     *prometheus.CounterVec
	checkpointAt atomic.Int64 // unix nanoseconds of the last checkpoint stored
}

// New returns the metrics with the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "socle_http_requests_total", Help: "HTTP requests served, by route pattern and status code.",
	}, []string{"route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "socle_http_request_duration_seconds", Help: "Time to serve an HTTP request, by route pattern and status code.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "code"})
	m.appendTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "socle_audit_append_duration_seconds", Help: "Time from an access's audit append to its event being durable (the gate's appends).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
	})
	m.batchSize = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "socle_audit_batch_size", Help: "Events written by one group commit of the audit log.",
		Buckets: prometheus.ExponentialBuckets(1, 4, 8), // 1 … 16384
	})
	m.commitTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "socle_audit_commit_duration_seconds", Help: "Time of one durable write (transaction commit with fsync) of an audit batch.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
	})
	m.throttle = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "socle_throttle_total", Help: "Inline extraction limits reached: step-up (a second factor asked again) or block.",
	}, []string{"outcome"})
	m.Registry.MustRegister(m.requests, m.latency, m.appendTime, m.batchSize, m.commitTime, m.throttle)
	m.checkpointAt.Store(time.Now().UnixNano())
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "socle_audit_checkpoint_age_seconds", Help: "Time since this server last stored a signed checkpoint of the audit log (since its start before the first).",
	}, func() float64 { return time.Since(time.Unix(0, m.checkpointAt.Load())).Seconds() }))
	return m
}

// ObserveRequest counts a request served by route pattern ("GET
// /api/v1/persons/{id}"; "unmatched" when no route matched).
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, code).Inc()
	m.latency.WithLabelValues(route, code).Observe(d.Seconds())
}

// ObserveThrottle counts a step-up or a block of the inline throttle.
func (m *Metrics) ObserveThrottle(outcome string) {
	if m == nil {
		return
	}
	m.throttle.WithLabelValues(outcome).Inc()
}

// Gauge registers a gauge read at each scrape. fn gets a context that
// ends with the scrape's deadline of a few seconds.
func (m *Metrics) Gauge(name, help string, fn func(ctx context.Context) float64) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		return fn(ctx)
	}))
}

// GaugeVec registers gauges by one label, read together at each scrape.
func (m *Metrics) GaugeVec(name, help, label string, fn func(ctx context.Context) map[string]float64) {
	m.Registry.MustRegister(&gaugeVec{desc: prometheus.NewDesc(name, help, []string{label}, nil), fn: fn})
}

type gaugeVec struct {
	desc *prometheus.Desc
	fn   func(ctx context.Context) map[string]float64
}

func (g *gaugeVec) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

func (g *gaugeVec) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	for k, v := range g.fn(ctx) {
		ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, v, k)
	}
}

// DBPools registers the statistics of database connection pools
// (go_sql_* metrics, labelled db_name="socle_<role>").
func (m *Metrics) DBPools(pools map[string]*sql.DB) {
	for role, db := range pools {
		m.Registry.MustRegister(collectors.NewDBStatsCollector(db, "socle_"+role))
	}
}

// Auditor wraps an auditor to time each append until durable.
func (m *Metrics) Auditor(a socle.Auditor) socle.Auditor {
	if m == nil {
		return a
	}
	return timedAuditor{a, m}
}

type timedAuditor struct {
	socle.Auditor
	m *Metrics
}

func (t timedAuditor) Append(ctx context.Context, ev socle.AuditEvent) error {
	start := time.Now()
	err := t.Auditor.Append(ctx, ev)
	if err == nil {
		t.m.appendTime.Observe(time.Since(start).Seconds())
	}
	return err
}

// AuditStorage wraps the audit log's storage to measure each group
// commit (size, durable write time) and note each checkpoint stored. The
// wrapper keeps the storage's optional capabilities (sequencing the
// appends of several servers, keeping witnessed checkpoints): hiding one
// would make the log refuse to open or switch a safety feature off.
func (m *Metrics) AuditStorage(st audit.Storage) audit.Storage {
	if m == nil {
		return st
	}
	t := timedStorage{st, m}
	seq, sequenced := st.(audit.SequencedStorage)
	wst, witnessed := st.(audit.WitnessStorage)
	switch {
	case sequenced && witnessed:
		return struct {
			timedSequenced
			witnessedStorage
		}{timedSequenced{t, seq}, witnessedStorage{wst}}
	case sequenced:
		return timedSequenced{t, seq}
	case witnessed:
		return struct {
			timedStorage
			witnessedStorage
		}{t, witnessedStorage{wst}}
	}
	return t
}

// timedSequenced measures the commits of a log shared by several servers.
type timedSequenced struct {
	timedStorage
	seq audit.SequencedStorage
}

func (t timedSequenced) AppendSequenced(ctx context.Context, build func(size uint64) ([]audit.Record, error)) (uint64, error) {
	start := time.Now()
	n := 0
	first, err := t.seq.AppendSequenced(ctx, func(size uint64) ([]audit.Record, error) {
		records, err := build(size)
		n = len(records)
		return records, err
	})
	if err == nil {
		t.m.commitTime.Observe(time.Since(start).Seconds())
		t.m.batchSize.Observe(float64(n))
	}
	return first, err
}

// witnessedStorage forwards the witnessed checkpoints only (the rest of
// the Storage comes from the timed side).
type witnessedStorage struct{ wst audit.WitnessStorage }

func (w witnessedStorage) PutWitnessed(ctx context.Context, size uint64, note []byte) error {
	return w.wst.PutWitnessed(ctx, size, note)
}

func (w witnessedStorage) LatestWitnessed(ctx context.Context) (uint64, []byte, error) {
	return w.wst.LatestWitnessed(ctx)
}

type timedStorage struct {
	audit.Storage
	m *Metrics
}

func (t timedStorage) AppendBatch(ctx context.Context, first uint64, records []audit.Record) error {
	start := time.Now()
	err := t.Storage.AppendBatch(ctx, first, records)
	if err == nil {
		t.m.commitTime.Observe(time.Since(start).Seconds())
		t.m.batchSize.Observe(float64(len(records)))
	}
	return err
}

func (t timedStorage) PutCheckpoint(ctx context.Context, size uint64, note []byte) error {
	err := t.Storage.PutCheckpoint(ctx, size, note)
	if err == nil {
		t.m.checkpointAt.Store(time.Now().UnixNano())
	}
	return err
}

// AdminHandler serves /metrics and the profiles of net/http/pprof under
// /debug/pprof/. Serve it only on the admin address: profiles reveal
// memory contents and cost CPU.
func AdminHandler(m *Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	return mux
}
