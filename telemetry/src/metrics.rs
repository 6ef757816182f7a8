//! Prometheus metrics. Each process counts what it does itself — requests it answers, provider
//! calls its activities make (latency and errors by kind), webhooks it takes, renders it makes —
//! in one registry ([`global`]); what is true of the whole studio (shots by status, budgets,
//! workflows by status, every worker's circuit breakers) is read from the store, Temporal and
//! the workers' health reports when scraped and handed to [`render`] as a [`Scrape`]. Label
//! values are small closed sets (a status, a provider, a route pattern) or project ids; never a
//! shot id, a URL or anything a caller can invent.

use prometheus::proto::MetricFamily;
use prometheus::core::Collector;
use prometheus::{CounterVec, Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The content type of [`render`]'s text.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// This process's metrics.
pub struct Metrics {
    registry: Registry,
    /// Answered requests by method, route pattern and status code.
    pub http_requests: IntCounterVec,
    pub http_seconds: HistogramVec,
    /// Every provider call through a breaker, by provider and outcome (`ok` or an error kind).
    pub provider_seconds: HistogramVec,
    /// Failed provider calls by provider and error kind (`circuit_open` when the breaker refused).
    pub provider_errors: IntCounterVec,
    /// fal webhooks by outcome: accepted, ignored, refused (signature), malformed.
    pub webhooks: IntCounterVec,
    /// The share of the project's newest render that is made (0..1).
    pub render_progress: GaugeVec,
    /// Renders ended, by outcome (done, failed).
    pub renders: IntCounterVec,
}

/// `made`, registered in `registry` (a bad name or a clash is a bug: panics naming the metric).
fn registered<C: Collector + Clone + 'static>(registry: &Registry, name: &str, made: prometheus::Result<C>) -> C {
    let metric = made.unwrap_or_else(|e| panic!("metric {name}: {e}"));
    registry.register(Box::new(metric.clone())).unwrap_or_else(|e| panic!("metric {name}: {e}"));
    metric
}

fn counter(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    registered(registry, name, IntCounterVec::new(Opts::new(name, help), labels))
}

fn histogram(registry: &Registry, name: &str, help: &str, labels: &[&str], buckets: Vec<f64>) -> HistogramVec {
    registered(registry, name, HistogramVec::new(HistogramOpts::new(name, help).buckets(buckets), labels))
}

impl Metrics {
    fn new() -> Self {
        let registry = Registry::new();
        let http_requests =
            counter(&registry, "miri_http_requests_total", "Requests answered, by method, route and status", &["method", "route", "status"]);
        let http_seconds = histogram(
            &registry,
            "miri_http_request_duration_seconds",
            "Time to answer a request",
            &["method", "route"],
            vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
        );
        let provider_seconds = histogram(
            &registry,
            "miri_provider_call_duration_seconds",
            "Provider call latency, by provider and outcome (ok or the error kind)",
            &["provider", "outcome"],
            vec![0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0],
        );
        let provider_errors =
            counter(&registry, "miri_provider_errors_total", "Failed provider calls, by provider and error kind", &["provider", "kind"]);
        let webhooks = counter(&registry, "miri_webhooks_total", "fal webhooks, by outcome", &["outcome"]);
        let progress = "miri_render_progress_ratio";
        let render_progress =
            registered(&registry, progress, GaugeVec::new(Opts::new(progress, "Share of the project's newest render made (0..1)"), &["project"]));
        let renders = counter(&registry, "miri_renders_total", "Renders ended, by outcome", &["outcome"]);
        Self { registry, http_requests, http_seconds, provider_seconds, provider_errors, webhooks, render_progress, renders }
    }
}

static GLOBAL: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// This process's metrics.
pub fn global() -> &'static Metrics {
    &GLOBAL
}

/// Values read at scrape time (from the store, Temporal, the workers' reports), each named
/// metric with one fixed set of label names.
#[derive(Default)]
pub struct Scrape {
    registry: Registry,
    families: BTreeMap<&'static str, Family>,
}

enum Family {
    Gauge(GaugeVec),
    Counter(CounterVec),
}

impl Scrape {
    /// Sets the gauge `name{labels} = value`, declaring it with `help` the first time.
    pub fn gauge(&mut self, name: &'static str, help: &'static str, labels: &[(&str, &str)], value: f64) {
        if let Family::Gauge(vec) = self.family(name, help, labels, false) {
            vec.with_label_values(&values(labels)).set(value);
        }
    }

    /// Sets the counter `name{labels}` to `total` (a count kept elsewhere, such as a worker's).
    pub fn counter(&mut self, name: &'static str, help: &'static str, labels: &[(&str, &str)], total: f64) {
        if let Family::Counter(vec) = self.family(name, help, labels, true) {
            let counter = vec.with_label_values(&values(labels));
            counter.inc_by((total - counter.get()).max(0.0));
        }
    }

    fn family(&mut self, name: &'static str, help: &'static str, labels: &[(&str, &str)], counter: bool) -> &Family {
        self.families.entry(name).or_insert_with(|| {
            let names: Vec<&str> = labels.iter().map(|(k, _)| *k).collect();
            let opts = Opts::new(name, help);
            if counter {
                Family::Counter(registered(&self.registry, name, CounterVec::new(opts, &names)))
            } else {
                Family::Gauge(registered(&self.registry, name, GaugeVec::new(opts, &names)))
            }
        })
    }
}

fn values<'a>(labels: &[(&str, &'a str)]) -> Vec<&'a str> {
    labels.iter().map(|(_, v)| *v).collect()
}

/// The text exposition of this process's metrics and `scrape`'s.
pub fn render(scrape: &Scrape) -> String {
    let mut families: Vec<MetricFamily> = global().registry.gather();
    families.extend(scrape.registry.gather());
    families.sort_by(|a, b| a.name().cmp(b.name()));
    let mut out = Vec::new();
    // Encoding into a Vec cannot fail on I/O; a malformed family would be a bug caught by tests.
    if let Err(e) = TextEncoder::new().encode(&families, &mut out) {
        tracing::error!("metrics could not be encoded: {e}");
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_metrics_and_scraped_gauges_render_together() {
        global().webhooks.with_label_values(&["accepted"]).inc();
        global().provider_seconds.with_label_values(&["fal", "ok"]).observe(0.2);
        let mut scrape = Scrape::default();
        scrape.gauge("miri_shots", "Shots by status", &[("project", "p1"), ("status", "DRAFT")], 3.0);
        scrape.gauge("miri_shots", "Shots by status", &[("project", "p1"), ("status", "COMPLETED")], 1.0);
        scrape.counter("miri_worker_calls_total", "Calls a worker made", &[("worker", "w1")], 7.0);
        let text = render(&scrape);
        assert!(text.contains("miri_webhooks_total{outcome=\"accepted\"}"), "{text}");
        assert!(text.contains("miri_provider_call_duration_seconds_bucket{outcome=\"ok\",provider=\"fal\",le=\"0.25\"} 1"), "{text}");
        assert!(text.contains("miri_shots{project=\"p1\",status=\"DRAFT\"} 3"), "{text}");
        assert!(text.contains("miri_shots{project=\"p1\",status=\"COMPLETED\"} 1"), "{text}");
        assert_eq!(text.matches("# TYPE miri_shots gauge").count(), 1);
        assert!(text.contains("# TYPE miri_worker_calls_total counter\nmiri_worker_calls_total{worker=\"w1\"} 7"), "{text}");
    }
}
