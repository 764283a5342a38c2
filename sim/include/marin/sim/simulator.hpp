#pragma once
// The simulator's request handling, apart from any I/O: a request goes in,
// a response comes out. The server (server.hpp) adds transport and faults.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "marin/sim/variants.hpp"
#include "marin/sim/world.hpp"

namespace marin::sim {

namespace detail {
struct Ctx;
}

// Faults the server injects into API answers (never into /_sim/ ones).
struct FaultSettings {
    int latency_ms = 0;      // added to every API request
    double p429 = 0;         // share answered 429 (Retry-After: seconds, HTTP date or 0)
    double p500 = 0;         // share answered 500
    double p503 = 0;         // share answered 503 (half of them with Retry-After)
    double pdrop = 0;        // share whose connection drops after half the body
    double pslow = 0;        // share whose body is trickled in small chunks
    double pbad_body = 0;    // share of 200 answers whose body is broken
    int max_concurrent = 0;  // API requests in progress beyond this get 429 (0: no cap)

    // Pagination faults, applied to list answers by Simulator::handle.
    double pnext_loop = 0;    // share of pages with a `next` whose `next` points back to page 1
    std::string next_host;    // "host:port": every `next` points at that server instead ("" = off)
    double ptotal_drift = 0;  // share of pages whose range.total is off (nb_pages/next may then
                              // promise pages past the end, which answer an empty `data`)
    double prepeat = 0;       // share of pages after the first that begin with the last
                              // `repeat_count` records of the page before
    int repeat_count = 3;     // 1..300

    // A listing that fails for good: API paths equal to `fail_prefix` or
    // under it ("" = off), from page `fail_from_page` on, answer `fail_status`.
    std::string fail_prefix;
    int fail_from_page = 1;
    int fail_status = 500;
};

struct Request {
    std::string method;  // "GET", "POST", ...
    std::string target;  // origin form: path and query, as received
    std::string host;    // the Host header, empty when absent
};

struct Response {
    unsigned status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    // When set, the body is produced by repeated calls (sent chunked); a call
    // appends the next piece to its argument and returns false when done.
    // It throws std::runtime_error when the data moved under it (an epoch).
    std::function<bool(std::string&)> stream;
    std::string route;  // endpoint template for the counters, e.g. "/clients/{id}/users"
    bool api = false;   // an API endpoint: faults may apply
};

struct SimulatorConfig {
    WorldConfig world;
    std::string key = "sim-key";
    std::string base_url;  // scheme://host:port, used when a request has no Host header
    bool tls = false;
    FaultSettings faults;
    Variants variants;
};

class Counters {
  public:
    void count(const std::string& route, unsigned status);
    // One fault injected, by its setting's name ("p503", "prepeat", ...).
    void count_fault(std::string_view fault);
    // The `limit` an API request carried ("" when it had none), by endpoint.
    void count_limit(const std::string& route, std::string_view limit);
    void reset();
    std::string json() const;

  private:
    mutable std::mutex mutex_;
    std::map<std::string, std::map<unsigned, std::uint64_t>> counts_;
    std::map<std::string, std::uint64_t, std::less<>> faults_;
    std::map<std::string, std::map<std::string, std::uint64_t, std::less<>>> limits_;
};

class Simulator {
  public:
    explicit Simulator(SimulatorConfig config);

    // Thread-safe; never blocks on I/O.
    Response handle(const Request& req);

    FaultSettings faults() const;
    Variants variants() const;
    void set_base_url(std::string base_url);
    Counters& counters() { return counters_; }

    // For tests and tools that want to look at the data directly.
    template <typename F>
    auto with_world(F&& f) const {
        std::shared_lock lock(world_mutex_);
        return f(world_);
    }

  private:
    // An API request, the world locked for reading; routes are in routes_*.cpp.
    Response handle_api(detail::Ctx& ctx, const FaultSettings& faults, const Variants& variants);
    // deny_prefix and fail_prefix: paths refused whatever they are.
    Response refuse_by_prefix(const detail::Ctx& ctx, const FaultSettings& faults, const Variants& variants,
                              Response r);
    // A uniform draw in [0, 1) for the pagination faults (thread-safe).
    double draw();
    // The /_sim/ control endpoints (admin.cpp, admin_faults.cpp).
    Response handle_admin(const Request& req, const std::vector<std::string>& segments,
                          const std::map<std::string, std::string>& params);
    Response admin_epoch(const Request& req);
    Response admin_expected(const std::map<std::string, std::string>& params);
    Response admin_faults(const std::map<std::string, std::string>& params);
    Response admin_variants(const std::map<std::string, std::string>& params);
    Response admin_state() const;

    SimulatorConfig config_;
    mutable std::shared_mutex world_mutex_;
    World world_;
    mutable std::mutex faults_mutex_;
    FaultSettings faults_;
    Variants variants_;  // guarded by faults_mutex_
    std::atomic<std::uint64_t> draws_{0};
    Counters counters_;
};

// What is wrong with fault settings (a value out of range, a next_host that
// is not host:port, ...), or "" when they are usable.
std::string fault_settings_problem(const FaultSettings& faults);

// JSON error bodies the simulator answers with.
std::string error_body(std::string_view message, bool as_array = true);

}  // namespace marin::sim
