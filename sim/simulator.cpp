// Simulator::handle: a request in, a response out, no I/O. Parses the target,
// checks the key and the method, sends /_sim/ to the control endpoints
// (admin.cpp) and the API to its routes (routes_*.cpp), then applies the
// refusals that cover whole paths (deny_prefix, fail_prefix).
#include "marin/sim/simulator.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "handling.hpp"

namespace marin::sim {

namespace urls = boost::urls;
using detail::error;

Simulator::Simulator(SimulatorConfig config)
    : config_(std::move(config)), world_(config_.world), faults_(config_.faults), variants_(config_.variants) {}

FaultSettings Simulator::faults() const {
    std::lock_guard lock(faults_mutex_);
    return faults_;
}

Variants Simulator::variants() const {
    std::lock_guard lock(faults_mutex_);
    return variants_;
}

void Simulator::set_base_url(std::string base_url) { config_.base_url = std::move(base_url); }

double Simulator::draw() {
    const auto n = draws_.fetch_add(1, std::memory_order_relaxed);
    return unit(mix64(config_.world.seed ^ mix64(n + 0x51d)));
}

namespace {

detail::Ctx parse_target(const urls::url_view& u, std::string base) {
    detail::Ctx ctx;
    ctx.base = std::move(base);
    ctx.path = std::string(u.encoded_path());
    for (auto s : u.segments()) ctx.segments.push_back(s);
    while (!ctx.segments.empty() && ctx.segments.back().empty()) ctx.segments.pop_back();
    for (auto p : u.encoded_params()) ctx.raw.emplace_back(std::string(p.key), std::string(p.value));
    for (auto p : u.params()) ctx.params.try_emplace(std::string(p.key), std::string(p.value));
    return ctx;
}

}  // namespace

Response Simulator::handle(const Request& req) {
    auto parsed = urls::parse_origin_form(req.target);
    if (!parsed) {
        Response r = error(400, "malformed request target");
        r.route = "(malformed)";
        return r;
    }
    detail::Ctx ctx = parse_target(
        *parsed, req.host.empty() ? config_.base_url : std::string(config_.tls ? "https://" : "http://") + req.host);
    const bool admin = !ctx.segments.empty() && ctx.segments[0] == "_sim";
    auto key_it = ctx.params.find("key");
    if (key_it == ctx.params.end() || key_it->second != config_.key) {
        Response r =
            error(403, key_it == ctx.params.end() ? "Access denied: missing key" : "Access denied: invalid key");
        r.route = admin ? "/_sim" : "(any)";
        r.api = !admin;
        return r;
    }
    if (admin) return handle_admin(req, ctx.segments, ctx.params);
    if (req.method != "GET") {
        Response r = error(405, "the simulator serves GET only");
        r.route = "(any)";
        r.api = true;
        return r;
    }
    const FaultSettings f = faults();
    const Variants v = variants();
    std::shared_lock lock(world_mutex_);
    Response r = handle_api(ctx, f, v);
    r.api = true;
    {
        const auto limit = ctx.params.find("limit");
        counters_.count_limit(r.route, limit == ctx.params.end() ? std::string_view() : limit->second);
    }
    return refuse_by_prefix(ctx, f, v, std::move(r));
}

Response Simulator::refuse_by_prefix(const detail::Ctx& ctx, const FaultSettings& f, const Variants& v, Response r) {
    if (!v.deny_prefix.empty() && detail::under_prefix(ctx.path, v.deny_prefix)) {
        // An account (or media plan) the agency lost access to: everything
        // under it is refused, while the parent stays in its own listing.
        const std::string route = std::move(r.route);
        r = error(403, "Access denied");
        r.route = route;
        r.api = true;
        return r;
    }
    if (!f.fail_prefix.empty() && detail::under_prefix(ctx.path, f.fail_prefix)) {
        // Fault: a listing that fails for good from a given page on.
        std::size_t page = 1;
        if (auto it = ctx.params.find("page"); it != ctx.params.end())
            if (auto n = detail::parse_uint(it->second)) page = static_cast<std::size_t>(*n);
        if (page >= static_cast<std::size_t>(f.fail_from_page)) {
            const std::string route = std::move(r.route);
            r = error(static_cast<unsigned>(f.fail_status), "This listing is failing (simulated fault)");
            counters_.count_fault("fail_prefix");
            r.route = route;
            r.api = true;
        }
    }
    return r;
}

Response Simulator::handle_api(detail::Ctx& ctx, const FaultSettings& faults, const Variants& variants) {
    ctx.faults = &faults;
    ctx.draw = [this] { return draw(); };
    ctx.counters = &counters_;
    ctx.tls = config_.tls;
    ctx.next_style = variants.next_style;
    const detail::ApiCall call{ctx, world_, variants, ctx.segments, inapplicable_status(variants)};
    const auto& s = ctx.segments;
    const std::size_t n = s.size();
    if (n == 0) return detail::route("(unknown)", error(404, "unknown path /"));
    if (s[0] == "accounts") return detail::account_routes(call);
    if (s[0] == "advertisers" && n <= 2) return detail::advertiser_routes(call);
    if (s[0] == "users" && n <= 2) return detail::user_routes(call);
    if (s[0] == "campaigns" && n == 1) return detail::all_campaigns(call);
    if (s[0] != "clients") return call.unknown_path();
    return detail::client_routes(call);
}

}  // namespace marin::sim
