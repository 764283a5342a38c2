// The simulator's counters: answers by endpoint and status, faults injected,
// the `limit` API requests carried (served at /_sim/counters).
#include "marin/sim/json_writer.hpp"
#include "marin/sim/simulator.hpp"

namespace marin::sim {

void Counters::count(const std::string& route, unsigned status) {
    std::lock_guard lock(mutex_);
    ++counts_[route][status];
}

void Counters::count_fault(std::string_view fault) {
    std::lock_guard lock(mutex_);
    auto it = faults_.find(fault);
    if (it == faults_.end()) it = faults_.emplace(std::string(fault), 0).first;
    ++it->second;
}

void Counters::count_limit(const std::string& route, std::string_view limit) {
    std::lock_guard lock(mutex_);
    auto& by_limit = limits_[route];
    auto it = by_limit.find(limit);
    if (it == by_limit.end()) it = by_limit.emplace(std::string(limit), 0).first;
    ++it->second;
}

void Counters::reset() {
    std::lock_guard lock(mutex_);
    counts_.clear();
    faults_.clear();
    limits_.clear();
}

std::string Counters::json() const {
    std::lock_guard lock(mutex_);
    std::string out;
    JsonWriter w(out);
    std::uint64_t total = 0;
    w.begin_object();
    w.key("endpoints");
    w.begin_object();
    for (const auto& [route, by_status] : counts_) {
        w.key(route);
        w.begin_object();
        for (const auto& [status, n] : by_status) {
            w.key(std::to_string(status));
            w.integer(static_cast<std::int64_t>(n));
            total += n;
        }
        w.end_object();
    }
    w.end_object();
    w.key("total");
    w.integer(static_cast<std::int64_t>(total));
    w.key("faults");  // injected, by setting
    w.begin_object();
    for (const auto& [fault, n] : faults_) {
        w.key(fault);
        w.integer(static_cast<std::int64_t>(n));
    }
    w.end_object();
    w.key("limits");  // API requests by endpoint and the `limit` they carried ("" = none)
    w.begin_object();
    for (const auto& [route, by_limit] : limits_) {
        w.key(route);
        w.begin_object();
        for (const auto& [limit, n] : by_limit) {
            w.key(limit);
            w.integer(static_cast<std::int64_t>(n));
        }
        w.end_object();
    }
    w.end_object();
    w.end_object();
    return out;
}

}  // namespace marin::sim
