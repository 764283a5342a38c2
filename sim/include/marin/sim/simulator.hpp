#pragma once
// The simulator's request handling, apart from any I/O: a request goes in,
// a response comes out. The server (server.hpp) adds transport and faults.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "marin/sim/world.hpp"

namespace marin::sim {

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
    std::string route;     // endpoint template for the counters, e.g. "/clients/{id}/users"
    bool api = false;      // an API endpoint: faults may apply
};

struct SimulatorConfig {
    WorldConfig world;
    std::string key = "sim-key";
    std::string base_url;  // scheme://host:port, used when a request has no Host header
    bool tls = false;
    FaultSettings faults;
};

class Counters {
public:
    void count(const std::string& route, unsigned status);
    void reset();
    std::string json() const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::map<unsigned, std::uint64_t>> counts_;
};

class Simulator {
public:
    explicit Simulator(SimulatorConfig config);

    // Thread-safe; never blocks on I/O.
    Response handle(const Request& req);

    FaultSettings faults() const;
    void set_base_url(std::string base_url);
    Counters& counters() { return counters_; }

    // For tests and tools that want to look at the data directly.
    template <typename F>
    auto with_world(F&& f) const {
        std::shared_lock lock(world_mutex_);
        return f(world_);
    }

private:
    Response handle_api(const Request& req, const std::vector<std::string>& segments,
                        const std::map<std::string, std::string>& params,
                        const std::string& base);
    Response handle_admin(const Request& req, const std::vector<std::string>& segments,
                          const std::map<std::string, std::string>& params);

    SimulatorConfig config_;
    mutable std::shared_mutex world_mutex_;
    World world_;
    mutable std::mutex faults_mutex_;
    FaultSettings faults_;
    Counters counters_;
};

// JSON error bodies the simulator answers with.
std::string error_body(std::string_view message, bool as_array = true);

}  // namespace marin::sim
