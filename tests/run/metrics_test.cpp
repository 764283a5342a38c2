// Daemon: the Prometheus metrics text, label escaping, concurrent updates.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "marin/run/metrics.hpp"

namespace {

using namespace std::chrono_literals;
using marin::model::RunMode;
using marin::model::RunOutcome;
using marin::run::Metrics;
using marin::run::RowKind;

// A strict reader of the text exposition format 0.0.4: what a scraper sees.
struct Sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};
struct Exposition {
    std::map<std::string, std::string> types;  // family -> type
    std::map<std::string, std::string> help;
    std::vector<Sample> samples;

    double value(const std::string& name, const std::map<std::string, std::string>& labels) const {
        for (const Sample& s : samples) {
            if (s.name == name && s.labels == labels) return s.value;
        }
        ADD_FAILURE() << "no sample " << name;
        return -1;
    }
};

std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string s(suffix);
        if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
            const std::string base = name.substr(0, name.size() - s.size());
            if (types.count(base) && types.at(base) == "histogram") return base;
        }
    }
    return name;
}

Exposition parse(const std::string& text) {
    Exposition e;
    std::istringstream in(text);
    std::string line;
    EXPECT_TRUE(text.empty() || text.back() == '\n');
    while (std::getline(in, line)) {
        EXPECT_FALSE(line.empty()) << "empty line";
        if (line.rfind("# HELP ", 0) == 0) {
            const auto sp = line.find(' ', 7);
            e.help[line.substr(7, sp - 7)] = line.substr(sp + 1);
            continue;
        }
        if (line.rfind("# TYPE ", 0) == 0) {
            const auto sp = line.find(' ', 7);
            const std::string family = line.substr(7, sp - 7);
            EXPECT_EQ(e.types.count(family), 0u) << "TYPE twice for " << family;
            e.types[family] = line.substr(sp + 1);
            continue;
        }
        Sample s;
        std::size_t i = 0;
        while (i < line.size() && line[i] != '{' && line[i] != ' ') s.name += line[i++];
        if (i < line.size() && line[i] == '{') {
            ++i;
            while (line.at(i) != '}') {
                std::string key;
                while (line.at(i) != '=') key += line[i++];
                ++i;
                EXPECT_EQ(line.at(i), '"');
                ++i;
                std::string value;
                while (line.at(i) != '"') {
                    if (line[i] == '\\') {
                        ++i;
                        value += line.at(i) == 'n' ? '\n' : line.at(i);
                    } else {
                        value += line[i];
                    }
                    ++i;
                }
                ++i;
                s.labels[key] = value;
                if (line.at(i) == ',') ++i;
            }
            ++i;
        }
        EXPECT_EQ(line.at(i), ' ');
        const std::string number = line.substr(i + 1);
        s.value = number == "+Inf" ? INFINITY : std::stod(number);
        const std::string family = family_of(s.name, e.types);
        EXPECT_TRUE(e.types.count(family)) << "sample before its TYPE: " << s.name;
        EXPECT_EQ(s.name.rfind("marin_", 0), 0u) << s.name;
        if (e.types[family] == "counter") {
            EXPECT_TRUE(s.name.size() > 6 && s.name.substr(s.name.size() - 6) == "_total") << s.name;
        }
        e.samples.push_back(std::move(s));
    }
    return e;
}

TEST(Metrics, RendersEverythingParseable) {
    Metrics m({0.1, 0.5, 1.0});
    m.set_build_info("1.2.3");
    m.record_request("/campaigns", 200, 50ms, 1000);
    m.record_request("/campaigns", 200, 300ms, 2000);
    m.record_request("/campaigns", 429, 2s, 10);
    m.record_request("/ads", 0, 1s, 0);
    m.record_retry("/campaigns", "429");
    m.record_retry("/campaigns", "429");
    m.add_rows("campaigns", RowKind::inserted, 5);
    m.add_rows("campaigns", RowKind::inserted, 7);
    m.add_rows("ads", RowKind::unchanged, 100);
    m.set_queue_depth(3);
    const auto start = std::chrono::system_clock::time_point{std::chrono::seconds(1'700'000'000)};
    m.record_run(RunMode::full, RunOutcome::succeeded, start, start + 90s);
    m.set_last_success(RunMode::full, start + 90s);
    m.set_table_last_success("campaigns", start + 90s);
    m.set_run_in_progress(RunMode::incremental, true);

    const Exposition e = parse(m.render_prometheus());
    EXPECT_EQ(e.types.at("marin_runs_total"), "counter");
    EXPECT_EQ(e.types.at("marin_request_duration_seconds"), "histogram");
    EXPECT_EQ(e.types.at("marin_writer_queue_depth"), "gauge");
    EXPECT_EQ(e.value("marin_build_info", {{"version", "1.2.3"}}), 1);
    EXPECT_EQ(e.value("marin_runs_total", {{"mode", "full"}, {"outcome", "success"}}), 1);
    EXPECT_EQ(e.value("marin_last_run_duration_seconds", {{"mode", "full"}}), 90);
    EXPECT_EQ(e.value("marin_last_success_timestamp_seconds", {{"mode", "full"}}), 1'700'000'090);
    EXPECT_EQ(e.value("marin_table_last_success_timestamp_seconds", {{"table", "campaigns"}}), 1'700'000'090);
    EXPECT_EQ(e.value("marin_run_in_progress", {{"mode", "incremental"}}), 1);
    EXPECT_EQ(e.value("marin_run_in_progress", {{"mode", "full"}}), 0);
    EXPECT_EQ(e.value("marin_rows_written_total", {{"table", "campaigns"}, {"kind", "inserted"}}), 12);
    EXPECT_EQ(e.value("marin_rows_written_total", {{"table", "ads"}, {"kind", "unchanged"}}), 100);
    EXPECT_EQ(e.value("marin_requests_total", {{"endpoint", "/campaigns"}, {"status", "200"}}), 2);
    EXPECT_EQ(e.value("marin_requests_total", {{"endpoint", "/ads"}, {"status", "0"}}), 1);
    EXPECT_EQ(e.value("marin_retries_total", {{"endpoint", "/campaigns"}, {"reason", "429"}}), 2);
    EXPECT_EQ(e.value("marin_read_bytes_total", {}), 3010);
    EXPECT_EQ(e.value("marin_writer_queue_depth", {}), 3);

    // Buckets are cumulative, le is inclusive, +Inf equals the count.
    const std::string h = "marin_request_duration_seconds";
    EXPECT_EQ(e.value(h + "_bucket", {{"endpoint", "/campaigns"}, {"le", "0.1"}}), 1);
    EXPECT_EQ(e.value(h + "_bucket", {{"endpoint", "/campaigns"}, {"le", "0.5"}}), 2);
    EXPECT_EQ(e.value(h + "_bucket", {{"endpoint", "/campaigns"}, {"le", "1"}}), 2);
    EXPECT_EQ(e.value(h + "_bucket", {{"endpoint", "/campaigns"}, {"le", "+Inf"}}), 3);
    EXPECT_EQ(e.value(h + "_count", {{"endpoint", "/campaigns"}}), 3);
    EXPECT_NEAR(e.value(h + "_sum", {{"endpoint", "/campaigns"}}), 2.35, 1e-9);
    EXPECT_EQ(e.value(h + "_bucket", {{"endpoint", "/ads"}, {"le", "1"}}), 1);  // 1 s falls in le="1"
}

TEST(Metrics, EscapesLabelValues) {
    Metrics m;
    const std::string nasty = "a\"b\\c\nd";
    m.add_rows_read(nasty, 1);
    const std::string text = m.render_prometheus();
    EXPECT_NE(text.find(R"(table="a\"b\\c\nd")"), std::string::npos) << text;
    const Exposition e = parse(text);
    EXPECT_EQ(e.value("marin_rows_read_total", {{"table", nasty}}), 1);
}

// Rows read and rows written are separate metrics: summing the written kinds
// by table never adds the rows read in (they once shared marin_rows_total).
TEST(Metrics, RowsReadAreNotABreakdownOfRowsWritten) {
    Metrics m;
    m.add_rows_read("ads", 10);
    m.add_rows("ads", RowKind::inserted, 4);
    m.add_rows("ads", RowKind::unchanged, 6);
    const Exposition e = parse(m.render_prometheus());
    double written = 0;
    for (const Sample& s : e.samples) {
        if (s.name == "marin_rows_written_total" && s.labels.at("table") == "ads") written += s.value;
        if (s.name == "marin_rows_written_total") {
            EXPECT_NE(s.labels.at("kind"), "read");
        }
    }
    EXPECT_EQ(written, 10);
    EXPECT_EQ(e.value("marin_rows_read_total", {{"table", "ads"}}), 10);
}

// The counters the alerts watch exist from the start at 0, so that their
// first increment is an increase Prometheus sees.
TEST(Metrics, AlertCountersStartAtZeroAndCount) {
    Metrics m;
    Exposition e = parse(m.render_prometheus());
    for (const char* name : {"marin_removal_guard_trips_total", "marin_figures_check_disagreements_total",
                             "marin_key_refused_runs_total"}) {
        EXPECT_EQ(e.types.at(name), "counter") << name;
        EXPECT_EQ(e.value(name, {}), 0) << name;
    }
    for (const char* mode : {"incremental", "full"}) {
        for (const char* outcome : {"success", "failed", "interrupted"})
            EXPECT_EQ(e.value("marin_runs_total", {{"mode", mode}, {"outcome", outcome}}), 0) << mode << outcome;
    }
    m.add_removal_guard_trip();
    m.add_figures_check_disagreements(3);
    m.add_figures_check_disagreements(0);
    m.add_key_refused_run();
    m.add_key_refused_run();
    e = parse(m.render_prometheus());
    EXPECT_EQ(e.value("marin_removal_guard_trips_total", {}), 1);
    EXPECT_EQ(e.value("marin_figures_check_disagreements_total", {}), 3);
    EXPECT_EQ(e.value("marin_key_refused_runs_total", {}), 2);
}

TEST(Metrics, RejectsUnsortedBuckets) { EXPECT_THROW(Metrics({1.0, 0.5}), std::invalid_argument); }

TEST(Metrics, ConcurrentUpdatesAreCounted) {
    Metrics m;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) {
                m.add_rows_read("ads", 1);
                m.record_request("/ads", 200, 10ms, 1);
            }
        });
    }
    for (auto& t : threads) t.join();
    const Exposition e = parse(m.render_prometheus());
    EXPECT_EQ(e.value("marin_rows_read_total", {{"table", "ads"}}), 4000);
    EXPECT_EQ(e.value("marin_request_duration_seconds_count", {{"endpoint", "/ads"}}), 4000);
}

}  // namespace
