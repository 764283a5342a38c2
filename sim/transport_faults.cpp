// Transport faults: 429 (with each Retry-After spelling), 500, 503, broken
// bodies, dropped and slow deliveries, and the concurrency cap.
#include "transport_faults.hpp"

#include <chrono>
#include <ctime>
#include <string>

namespace marin::sim::detail {

namespace {

using namespace std::chrono_literals;

std::string http_date(std::chrono::system_clock::time_point t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    const auto n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return std::string(buf, n);
}

// The broken bodies the reliability suite asks for (pbad_body).
std::string bad_body(std::uint64_t pick, const std::string& good) {
    switch (pick % 5) {
        case 0:
            return R"({"data": [{"id": "1", "name": "broken",]], "range": )";
        case 1:
            return good.substr(0, good.size() / 2);
        case 2:
            return "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
                   "<body><h1>Bad Gateway</h1></body></html>";
        case 3:
            return "";
        default:
            return R"({"message": "An internal error occurred, please retry later"})";
    }
}

const char* bad_body_kind(std::uint64_t pick) {
    static constexpr const char* kinds[5] = {"pbad_body:malformed", "pbad_body:truncated", "pbad_body:html",
                                             "pbad_body:empty", "pbad_body:error_object"};
    return kinds[pick % 5];
}

// Retry-After in each of its spellings: seconds, an HTTP date, 0. (Returned
// rather than assigned: GCC 12 at -O2 reports a false -Wrestrict on a
// string assigned a literal here, bug 105651.)
std::string random_retry_after(std::mt19937_64& rng) {
    switch (rng() % 3) {
        case 0:
            return std::to_string(1 + rng() % 2);
        case 1:
            return http_date(std::chrono::system_clock::now() + 2s);
        default:
            return "0";
    }
}

}  // namespace

Delivery inject_transport_faults(Response& res, const FaultSettings& faults, int in_flight, std::mt19937_64& rng,
                                 std::uniform_real_distribution<double>& draw, Counters& counters) {
    const double u = draw(rng);
    double edge = 0;
    if (faults.max_concurrent > 0 && in_flight > faults.max_concurrent) {
        res = Response{429, error_body("Too many concurrent requests"), {{"Retry-After", "1"}}, {}, res.route, true};
        counters.count_fault("max_concurrent");
    } else if (u < (edge += faults.p429)) {
        const std::string retry_after = random_retry_after(rng);
        res = Response{429, error_body("Rate limit exceeded"), {{"Retry-After", retry_after}}, {}, res.route, true};
        counters.count_fault("p429");
    } else if (u < (edge += faults.p500)) {
        res = Response{500, error_body("Internal error", false), {}, {}, res.route, true};
        counters.count_fault("p500");
    } else if (u < (edge += faults.p503)) {
        res = Response{503, error_body("Service unavailable", false), {}, {}, res.route, true};
        if (rng() % 2 == 0) res.headers.emplace_back("Retry-After", "1");
        counters.count_fault("p503");
    } else if (res.status == 200 && !res.stream) {
        if (draw(rng) < faults.pbad_body) {
            const auto pick = rng();
            res.body = bad_body(pick, res.body);
            counters.count_fault("pbad_body");
            counters.count_fault(bad_body_kind(pick));
        }
        const double d = draw(rng);
        if (d < faults.pdrop) {
            counters.count_fault("pdrop");
            return Delivery::drop;
        }
        if (d < faults.pdrop + faults.pslow) {
            counters.count_fault("pslow");
            return Delivery::slow;
        }
    }
    return Delivery::normal;
}

}  // namespace marin::sim::detail
