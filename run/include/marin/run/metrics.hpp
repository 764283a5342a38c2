#pragma once
// Counters, gauges and one histogram describing what the daemon does, served
// at /metrics in the Prometheus text exposition format 0.0.4. Every method is
// thread-safe (one mutex: the call rate is per page and per batch, not per
// row). Label values are the caller's: pass bounded sets (endpoint templates
// such as "/campaigns", table names), never URLs carrying ids or the API key.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "marin/run/clock.hpp"
#include "marin/model/run_vocabulary.hpp"

namespace marin::run {

// What the writer did with a row (rows read from the API are counted apart).
enum class RowKind { inserted, changed, unchanged, removed };

std::string_view to_string(RowKind kind);
// The `outcome` label of marin_runs_total: "success", "failed", "interrupted".
std::string_view outcome_label(model::RunOutcome outcome);

// Upper bounds (seconds) of the request latency histogram buckets.
std::vector<double> default_latency_buckets();

class Metrics {
  public:
    explicit Metrics(std::vector<double> latency_buckets = default_latency_buckets());

    // One finished HTTP request. status 0 means no HTTP response (transport
    // error, timeout). bytes is the body size read.
    void record_request(std::string_view endpoint, int status, std::chrono::duration<double> latency,
                        std::uint64_t bytes);
    // One retry decision; reason e.g. "429", "503", "timeout", "connection".
    void record_retry(std::string_view endpoint, std::string_view reason);
    // Rows the writer handled; the four kinds add up (marin_rows_written_total).
    void add_rows(std::string_view table, RowKind kind, std::uint64_t n);
    // Rows read from the API, counted as pages arrive (marin_rows_read_total):
    // a metric of its own, so that summing the written kinds never adds it in.
    void add_rows_read(std::string_view table, std::uint64_t n);
    // Child listings that did not apply to their parent (404/400 while the
    // parent is served), by endpoint template.
    void add_listings_not_applicable(std::string_view endpoint, std::uint64_t n);
    // Listings read a second time because their total fell while read.
    void add_listings_reread(std::uint64_t n);
    // Commands waiting in the writer channel.
    void set_queue_depth(std::int64_t n);
    // A run that ended; counts it and keeps its duration and end time.
    void record_run(model::RunMode mode, model::RunOutcome outcome, TimePoint start, TimePoint end);
    // End of the last successful run of this mode.
    void set_last_success(model::RunMode mode, TimePoint time);
    // End of the last successful run that read all of this table's listings.
    void set_table_last_success(std::string_view table, TimePoint time);
    // A run stopped by the removal guard (nothing removed).
    void add_removal_guard_trip();
    // Media plans whose figures disagreed with the API's in a figures check.
    void add_figures_check_disagreements(std::uint64_t n);
    // A run refused by the API for its key (exit code 3).
    void add_key_refused_run();
    // The run in progress, if any (one at a time).
    void set_run_in_progress(model::RunMode mode, bool in_progress);
    // marin_build_info{version="..."} 1
    void set_build_info(std::string_view version);

    std::string render_prometheus() const;

  private:
    struct Histogram {
        std::vector<std::uint64_t> bucket_counts;  // non-cumulative, one per bound
        std::uint64_t count = 0;
        double sum = 0;
    };
    using Labels2 = std::pair<std::string, std::string>;

    std::vector<double> bounds_;
    mutable std::mutex mutex_;
    std::map<Labels2, std::uint64_t> runs_;                // mode, outcome
    std::map<std::string, double> run_duration_;           // mode -> seconds of the last run
    std::map<std::string, double> run_end_;                // mode -> unix time of the last run end
    std::map<Labels2, std::uint64_t> rows_;                // table, kind
    std::map<std::string, std::uint64_t> rows_read_;       // table
    std::map<Labels2, std::uint64_t> requests_;            // endpoint, status
    std::map<Labels2, std::uint64_t> retries_;             // endpoint, reason
    std::map<std::string, std::uint64_t> not_applicable_;  // endpoint
    std::map<std::string, Histogram> latency_;             // endpoint
    std::uint64_t bytes_read_ = 0;
    std::uint64_t listings_reread_ = 0;
    std::int64_t queue_depth_ = 0;
    std::map<std::string, double> last_success_;        // mode -> unix time
    std::map<std::string, double> table_last_success_;  // table -> unix time
    std::uint64_t removal_guard_trips_ = 0;
    std::uint64_t figures_disagreements_ = 0;
    std::uint64_t key_refused_runs_ = 0;
    std::map<std::string, int> in_progress_;  // mode -> 0/1
    std::string version_;
};

// Text-format helpers, exposed for tests.
std::string escape_label_value(std::string_view value);  // \  "  newline
std::string format_metric_value(double value);           // shortest round-trip, +Inf/-Inf/NaN

}  // namespace marin::run
