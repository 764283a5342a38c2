// The /_sim/ control endpoints (never faulted): epoch, expected state,
// variants, counters, state; /_sim/faults is in admin_faults.cpp.
#include <stdexcept>

#include "handling.hpp"
#include "marin/sim/expected.hpp"

namespace marin::sim {

using detail::error;
using detail::json_response;
using detail::route;

Response Simulator::handle_admin(const Request& req, const std::vector<std::string>& s,
                                 const std::map<std::string, std::string>& params) {
    const std::size_t n = s.size();
    if (n == 2 && s[1] == "epoch") return admin_epoch(req);
    if (n == 2 && s[1] == "expected") return admin_expected(params);
    if (n == 2 && s[1] == "faults") return admin_faults(params);
    if (n == 2 && s[1] == "variants") return admin_variants(params);
    if (n == 2 && s[1] == "counters") return route("/_sim/counters", json_response(200, counters_.json()));
    if (n == 3 && s[1] == "counters" && s[2] == "reset") {
        counters_.reset();
        return route("/_sim/counters/reset", json_response(200, R"({"reset":true})"));
    }
    if (n == 2 && s[1] == "state") return admin_state();
    return route("/_sim/(unknown)", error(404, "unknown admin path"));
}

Response Simulator::admin_epoch(const Request& req) {
    if (req.method != "POST" && req.method != "GET") return route("/_sim/epoch", error(405, "use POST (or GET)"));
    std::unique_lock lock(world_mutex_);
    world_.advance_epoch();
    std::string body;
    JsonWriter w(body);
    w.begin_object();
    w.key("epoch");
    w.integer(world_.epoch());
    w.field("today", format_day(world_.today()));
    w.end_object();
    return route("/_sim/epoch", json_response(200, std::move(body)));
}

Response Simulator::admin_expected(const std::map<std::string, std::string>& params) {
    auto t = params.find("table");
    if (t == params.end()) return route("/_sim/expected", error(400, "table is required"));
    const auto table = parse_expected_table(t->second);
    if (!table) return route("/_sim/expected", error(400, "unknown table '" + t->second + "'"));
    ExpectedCursor cursor{*table};
    cursor.campaign_ads = variants().campaign_ads;  // expected follows the current settings
    if (auto f = params.find("stats_from"); f != params.end()) {
        const auto d = parse_day(f->second);
        if (!d) return route("/_sim/expected", error(400, "stats_from must be YYYY-MM-DD, got '" + f->second + "'"));
        cursor.stats_from = *d;
    }
    int epoch = 0;
    {
        std::shared_lock lock(world_mutex_);
        epoch = world_.epoch();
    }
    Response r;
    r.route = "/_sim/expected";
    r.headers.emplace_back("Content-Type", "application/x-ndjson");
    auto shared_cursor = std::make_shared<ExpectedCursor>(cursor);
    r.stream = [this, shared_cursor, epoch](std::string& out) {
        std::shared_lock lock(world_mutex_);
        if (world_.epoch() != epoch)
            throw std::runtime_error("an epoch moved the data while the expected state was streamed");
        return write_expected_chunk(world_, *shared_cursor, out, 64 * 1024);
    };
    return r;
}

Response Simulator::admin_variants(const std::map<std::string, std::string>& params) {
    Variants v = variants();
    if (auto r = params.find("reset"); r != params.end() && (r->second == "1" || r->second == "true"))
        v = Variants{};  // first, whatever the parameters' order
    for (const auto& [k, value] : params) {
        if (k == "key" || k == "reset") continue;
        if (auto problem = set_variant(v, k, value); !problem.empty())
            return route("/_sim/variants", error(400, problem));
    }
    {
        std::lock_guard lock(faults_mutex_);
        variants_ = v;
    }
    return route("/_sim/variants", json_response(200, variants_json(v)));
}

Response Simulator::admin_state() const {
    std::shared_lock lock(world_mutex_);
    std::string body;
    JsonWriter w(body);
    w.begin_object();
    w.key("epoch");
    w.integer(world_.epoch());
    w.field("today", format_day(world_.today()));
    w.field("first_stats_day", format_day(world_.first_stats_day()));
    w.field("scale", scale_name(world_.scale()));
    w.key("seed");
    w.integer(static_cast<std::int64_t>(world_.seed()));
    w.end_object();
    return route("/_sim/state", json_response(200, std::move(body)));
}

}  // namespace marin::sim
