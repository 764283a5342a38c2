// The Prometheus counters and gauges of the runs, rendered for /metrics.
#include "marin/run/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace marin::run {

std::string_view to_string(RowKind kind) {
    switch (kind) {
        case RowKind::inserted:
            return "inserted";
        case RowKind::changed:
            return "changed";
        case RowKind::unchanged:
            return "unchanged";
        case RowKind::removed:
            return "removed";
    }
    return "unknown";
}

std::string_view outcome_label(model::RunOutcome outcome) {
    // The label kept its first spelling: dashboards and alerts match "success".
    return outcome == model::RunOutcome::succeeded ? "success" : model::to_string(outcome);
}

std::vector<double> default_latency_buckets() {
    return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string format_metric_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", value);
}

namespace {

double unix_seconds(TimePoint t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

template <typename V>
void sample(std::string& out, std::string_view name, std::string_view labels, V value) {
    if (labels.empty()) {
        fmt::format_to(std::back_inserter(out), "{} {}\n", name, format_metric_value(double(value)));
    } else {
        fmt::format_to(std::back_inserter(out), "{}{{{}}} {}\n", name, labels, format_metric_value(double(value)));
    }
}

std::string label(std::string_view name, std::string_view value) {
    return fmt::format("{}=\"{}\"", name, escape_label_value(value));
}

std::string labels(std::string_view n1, std::string_view v1, std::string_view n2, std::string_view v2) {
    return label(n1, v1) + "," + label(n2, v2);
}

}  // namespace

Metrics::Metrics(std::vector<double> latency_buckets) : bounds_(std::move(latency_buckets)) {
    if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
        std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end()) {
        throw std::invalid_argument("Metrics: latency bucket bounds must be strictly increasing");
    }
    // +Inf is implicit (it is the count); an explicit one would be a duplicate.
    if (!bounds_.empty() && std::isinf(bounds_.back())) bounds_.pop_back();
    // Every run counter exists from the start at 0: a series that appears at 1
    // is an increase no alert rule sees (monitoring/alerts.yml).
    for (const auto mode : {model::RunMode::incremental, model::RunMode::full}) {
        for (const auto outcome :
             {model::RunOutcome::succeeded, model::RunOutcome::failed, model::RunOutcome::interrupted})
            runs_[{std::string(to_string(mode)), std::string(outcome_label(outcome))}] = 0;
    }
}

void Metrics::record_request(std::string_view endpoint, int status, std::chrono::duration<double> latency,
                             std::uint64_t bytes) {
    const double seconds = latency.count();
    std::lock_guard lock(mutex_);
    ++requests_[{std::string(endpoint), std::to_string(status)}];
    Histogram& h = latency_[std::string(endpoint)];
    if (h.bucket_counts.empty()) h.bucket_counts.assign(bounds_.size(), 0);
    const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), seconds);  // le: bound >= value
    if (it != bounds_.end()) ++h.bucket_counts[std::size_t(it - bounds_.begin())];
    ++h.count;
    h.sum += seconds;
    bytes_read_ += bytes;
}

void Metrics::record_retry(std::string_view endpoint, std::string_view reason) {
    std::lock_guard lock(mutex_);
    ++retries_[{std::string(endpoint), std::string(reason)}];
}

void Metrics::add_rows(std::string_view table, RowKind kind, std::uint64_t n) {
    std::lock_guard lock(mutex_);
    rows_[{std::string(table), std::string(to_string(kind))}] += n;
}

void Metrics::add_rows_read(std::string_view table, std::uint64_t n) {
    std::lock_guard lock(mutex_);
    rows_read_[std::string(table)] += n;
}

void Metrics::add_listings_not_applicable(std::string_view endpoint, std::uint64_t n) {
    std::lock_guard lock(mutex_);
    not_applicable_[std::string(endpoint)] += n;
}

void Metrics::add_listings_reread(std::uint64_t n) {
    std::lock_guard lock(mutex_);
    listings_reread_ += n;
}

void Metrics::set_queue_depth(std::int64_t n) {
    std::lock_guard lock(mutex_);
    queue_depth_ = n;
}

void Metrics::record_run(model::RunMode mode, model::RunOutcome outcome, TimePoint start, TimePoint end) {
    std::lock_guard lock(mutex_);
    const std::string m(to_string(mode));
    ++runs_[{m, std::string(outcome_label(outcome))}];
    run_duration_[m] = std::chrono::duration<double>(end - start).count();
    run_end_[m] = unix_seconds(end);
}

void Metrics::set_last_success(model::RunMode mode, TimePoint time) {
    std::lock_guard lock(mutex_);
    last_success_[std::string(to_string(mode))] = unix_seconds(time);
}

void Metrics::set_table_last_success(std::string_view table, TimePoint time) {
    std::lock_guard lock(mutex_);
    table_last_success_[std::string(table)] = unix_seconds(time);
}

void Metrics::add_removal_guard_trip() {
    std::lock_guard lock(mutex_);
    ++removal_guard_trips_;
}

void Metrics::add_figures_check_disagreements(std::uint64_t n) {
    std::lock_guard lock(mutex_);
    figures_disagreements_ += n;
}

void Metrics::add_key_refused_run() {
    std::lock_guard lock(mutex_);
    ++key_refused_runs_;
}

void Metrics::set_run_in_progress(model::RunMode mode, bool in_progress) {
    std::lock_guard lock(mutex_);
    in_progress_[std::string(to_string(model::RunMode::incremental))] += 0;  // both modes always present
    in_progress_[std::string(to_string(model::RunMode::full))] += 0;
    in_progress_[std::string(to_string(mode))] = in_progress ? 1 : 0;
}

void Metrics::set_build_info(std::string_view version) {
    std::lock_guard lock(mutex_);
    version_ = std::string(version);
}

std::string Metrics::render_prometheus() const {
    std::lock_guard lock(mutex_);
    std::string out;
    out.reserve(4096);

    if (!version_.empty()) {
        header(out, "marin_build_info", "gauge", "Version of the running marin-sync; always 1.");
        sample(out, "marin_build_info", label("version", version_), 1);
    }

    header(out, "marin_runs_total", "counter", "Sync runs that ended, by mode and outcome.");
    for (const auto& [k, v] : runs_) sample(out, "marin_runs_total", labels("mode", k.first, "outcome", k.second), v);

    header(out, "marin_run_in_progress", "gauge", "1 while a run of this mode is in progress.");
    for (const auto& [k, v] : in_progress_) sample(out, "marin_run_in_progress", label("mode", k), v);

    header(out, "marin_last_run_duration_seconds", "gauge", "Duration of the last run of this mode.");
    for (const auto& [k, v] : run_duration_) sample(out, "marin_last_run_duration_seconds", label("mode", k), v);

    header(out, "marin_last_run_end_timestamp_seconds", "gauge", "Unix time the last run of this mode ended.");
    for (const auto& [k, v] : run_end_) sample(out, "marin_last_run_end_timestamp_seconds", label("mode", k), v);

    header(out, "marin_last_success_timestamp_seconds", "gauge",
           "Unix time the last successful run of this mode ended.");
    for (const auto& [k, v] : last_success_) sample(out, "marin_last_success_timestamp_seconds", label("mode", k), v);

    header(out, "marin_table_last_success_timestamp_seconds", "gauge",
           "Unix time the last successful run that read all of this table's listings ended.");
    for (const auto& [k, v] : table_last_success_)
        sample(out, "marin_table_last_success_timestamp_seconds", label("table", k), v);

    // Always rendered, from 0, so that a first trip is an increase a rule sees.
    header(out, "marin_removal_guard_trips_total", "counter",
           "Runs the removal guard stopped because they would have removed too many rows (nothing was removed).");
    sample(out, "marin_removal_guard_trips_total", "", removal_guard_trips_);
    header(out, "marin_figures_check_disagreements_total", "counter",
           "Media plans whose mirrored figures disagreed with the API's own totals in a figures check.");
    sample(out, "marin_figures_check_disagreements_total", "", figures_disagreements_);
    header(out, "marin_key_refused_runs_total", "counter", "Runs the API refused for the key (exit code 3).");
    sample(out, "marin_key_refused_runs_total", "", key_refused_runs_);

    header(out, "marin_rows_read_total", "counter", "Rows read from the API, by table.");
    for (const auto& [k, v] : rows_read_) sample(out, "marin_rows_read_total", label("table", k), v);

    header(out, "marin_rows_written_total", "counter",
           "Rows the writer handled, by table and what it did with them (inserted, changed, unchanged, removed).");
    for (const auto& [k, v] : rows_)
        sample(out, "marin_rows_written_total", labels("table", k.first, "kind", k.second), v);

    header(out, "marin_requests_total", "counter", "API requests by endpoint and HTTP status (0: no response).");
    for (const auto& [k, v] : requests_)
        sample(out, "marin_requests_total", labels("endpoint", k.first, "status", k.second), v);

    header(out, "marin_retries_total", "counter", "API request retries by endpoint and reason.");
    for (const auto& [k, v] : retries_)
        sample(out, "marin_retries_total", labels("endpoint", k.first, "reason", k.second), v);
    header(out, "marin_listings_not_applicable_total", "counter",
           "Child listings that did not apply to their parent (the API answered 404 or 400 while the parent itself "
           "is served), by endpoint; nothing under them is removed.");
    for (const auto& [k, v] : not_applicable_)
        sample(out, "marin_listings_not_applicable_total", label("endpoint", k), v);

    header(out, "marin_request_duration_seconds", "histogram", "API request latency.");
    for (const auto& [endpoint, h] : latency_) {
        const std::string ep = label("endpoint", endpoint);
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < bounds_.size(); ++i) {
            cumulative += h.bucket_counts[i];
            sample(out, "marin_request_duration_seconds_bucket",
                   ep + "," + label("le", format_metric_value(bounds_[i])), cumulative);
        }
        sample(out, "marin_request_duration_seconds_bucket", ep + ",le=\"+Inf\"", h.count);
        sample(out, "marin_request_duration_seconds_sum", ep, h.sum);
        sample(out, "marin_request_duration_seconds_count", ep, h.count);
    }

    header(out, "marin_listings_reread_total", "counter",
           "Listings read a second time because their total fell while they were read.");
    sample(out, "marin_listings_reread_total", "", listings_reread_);

    header(out, "marin_read_bytes_total", "counter", "Response body bytes read from the API.");
    sample(out, "marin_read_bytes_total", "", bytes_read_);

    header(out, "marin_writer_queue_depth", "gauge", "Commands waiting in the writer channel.");
    sample(out, "marin_writer_queue_depth", "", queue_depth_);

    return out;
}

}  // namespace marin::run
