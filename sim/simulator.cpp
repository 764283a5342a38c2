#include "marin/sim/simulator.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>
#include <stdexcept>

#include "marin/sim/expected.hpp"
#include "marin/sim/json_writer.hpp"
#include "marin/sim/records.hpp"
#include "marin/sim/stats.hpp"
#include "marin/sim/stats_window.hpp"

namespace marin::sim {

namespace urls = boost::urls;

std::string error_body(std::string_view message, bool as_array) {
    std::string out;
    JsonWriter w(out);
    if (as_array) w.begin_array();
    w.begin_object();
    w.field("message", message);
    w.end_object();
    if (as_array) w.end_array();
    return out;
}

std::string fault_settings_problem(const FaultSettings& f) {
    if (f.repeat_count < 1 || f.repeat_count > 300)
        return "repeat_count must be 1..300, got " + std::to_string(f.repeat_count);
    if (f.fail_from_page < 1) return "fail_from_page must be 1 or more, got " + std::to_string(f.fail_from_page);
    if (f.fail_status < 400 || f.fail_status > 599)
        return "fail_status must be an HTTP error status (400..599), got " + std::to_string(f.fail_status);
    if (!f.fail_prefix.empty() && f.fail_prefix.front() != '/')
        return "fail_prefix must be a path starting with '/', got '" + f.fail_prefix + "'";
    if (!f.next_host.empty()) {
        // host:port, nothing else: it is pasted in front of the path.
        const auto colon = f.next_host.rfind(':');
        const bool ok = colon != std::string::npos && colon > 0 && colon + 1 < f.next_host.size() &&
                        f.next_host.find_first_of("/?#@ ") == std::string::npos &&
                        f.next_host.find_first_not_of("0123456789", colon + 1) == std::string::npos;
        if (!ok) return "next_host must be host:port, got '" + f.next_host + "'";
    }
    return {};
}

// ---- counters ---------------------------------------------------------------

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

// ---- helpers ----------------------------------------------------------------

namespace {

constexpr std::size_t default_limit = 100;
constexpr std::size_t max_limit = 300;

struct Ctx {
    const Request* req;
    std::string base;                                      // scheme://host
    std::string path;                                      // encoded path
    std::vector<std::pair<std::string, std::string>> raw;  // encoded query pairs
    std::map<std::string, std::string> params;             // decoded, first wins
    const FaultSettings* faults = nullptr;                 // pagination faults; null: none
    std::function<double()> draw;                          // set with `faults`
    Counters* counters = nullptr;                          // set with `faults`
    bool tls = false;
    NextStyle next_style = NextStyle::full;

    // Whether the pagination fault `name` of probability `p` hits this
    // answer (counted when it does). Draws only when p > 0, so that answers
    // without faults never change.
    bool hit(double p, std::string_view name) const {
        if (!(p > 0 && draw && draw() < p)) return false;
        if (counters) counters->count_fault(name);
        return true;
    }
};

Response json_response(unsigned status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

Response error(unsigned status, std::string_view message) {
    return json_response(status, error_body(message, true));
}

std::optional<std::uint64_t> parse_uint(const std::string& s) {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range) {
        for (char ch : s)
            if (ch < '0' || ch > '9') return std::nullopt;
        return std::numeric_limits<std::uint64_t>::max();
    }
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<std::int64_t> parse_int(const std::string& s) {
    if (s.empty()) return std::nullopt;
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

struct Paging {
    std::size_t limit = default_limit;
    std::size_t page = 1;
    std::size_t offset() const { return (page - 1) * limit; }
};

// Validates limit and page; on failure fills `problem`.
std::optional<Paging> parse_paging(const Ctx& ctx, std::string& problem) {
    Paging p;
    if (auto it = ctx.params.find("limit"); it != ctx.params.end()) {
        const auto v = parse_uint(it->second);
        if (!v || *v == 0) {
            problem = "limit must be a positive integer, got '" + it->second + "'";
            return std::nullopt;
        }
        p.limit = static_cast<std::size_t>(std::min<std::uint64_t>(*v, max_limit));
    }
    if (auto it = ctx.params.find("page"); it != ctx.params.end()) {
        const auto v = parse_uint(it->second);
        if (!v || *v == 0) {
            problem = "page must be a positive integer, got '" + it->second + "'";
            return std::nullopt;
        }
        p.page = static_cast<std::size_t>(std::min<std::uint64_t>(*v, 1'000'000'000));
    }
    return p;
}

std::string next_url(const Ctx& ctx, const Paging& p, std::size_t target_page) {
    std::string base = ctx.base;
    if (ctx.faults && !ctx.faults->next_host.empty())  // fault: a next URL on another server
        base = std::string(ctx.tls ? "https://" : "http://") + ctx.faults->next_host;
    std::string u = base + ctx.path + "?";
    for (const auto& [k, v] : ctx.raw) {
        if (k == "key" || k == "limit" || k == "page" || ctx.next_style == NextStyle::bare) continue;
        u += k;
        u += '=';
        u += v;
        u += '&';
    }
    std::string key_encoded;
    for (const auto& [k, v] : ctx.raw)
        if (k == "key") {
            key_encoded = v;
            break;
        }
    // The reference's own next links mostly drop `limit`: a client that
    // follows one as written reads on at the default page size.
    if (ctx.next_style == NextStyle::full) u += "limit=" + std::to_string(p.limit) + "&";
    u += "key=" + key_encoded + "&page=" + std::to_string(target_page);
    return u;
}

// {"data":[...],"range":{...}}; `rows(offset, limit, writer)` writes the
// rows at those positions and returns the total.
template <typename Rows>
Response listing(const Ctx& ctx, Rows rows) {
    std::string problem;
    const auto paging = parse_paging(ctx, problem);
    if (!paging) return error(400, problem);
    const FaultSettings none;
    const FaultSettings& f = ctx.faults ? *ctx.faults : none;
    const std::size_t offset = paging->offset();
    Response r;
    r.body.reserve(4096);
    JsonWriter w(r.body);
    w.begin_object();
    w.key("data");
    w.begin_array();
    std::size_t repeated = 0;
    if (paging->page > 1 && f.prepeat > 0) {
        // Fault: the page starts with the last records of the page before, as
        // when rows were inserted ahead of the reader (only pages that have
        // rows of their own: a page past the end stays empty).
        const std::size_t total_now = rows(offset, 0, w);
        if (offset < total_now && ctx.hit(f.prepeat, "prepeat")) {
            repeated = std::min<std::size_t>(static_cast<std::size_t>(std::max(f.repeat_count, 1)), paging->limit);
            rows(offset - repeated, repeated, w);
        }
    }
    const std::size_t total = rows(offset, paging->limit, w);
    w.end_array();
    const std::size_t results = repeated + (offset < total ? std::min(paging->limit, total - offset) : 0);
    std::size_t nb_pages = (total + paging->limit - 1) / paging->limit;
    std::size_t shown_total = total;
    if (ctx.hit(f.ptotal_drift, "ptotal_drift")) {
        // Fault: the total moved while the client reads. The pages stay those
        // of the rows served; a total that grew may promise a page past the
        // end (answered with an empty `data`).
        const auto d = 1 + static_cast<std::size_t>(ctx.draw() * static_cast<double>(paging->limit));
        shown_total = (ctx.draw() < 0.5) ? total - std::min(total, d) : total + d;
        nb_pages = std::max(nb_pages, (shown_total + paging->limit - 1) / paging->limit);
    }
    w.key("range");
    w.begin_object();
    w.key("total"); w.integer(static_cast<std::int64_t>(shown_total));
    w.key("limit"); w.integer(static_cast<std::int64_t>(paging->limit));
    w.key("nb_pages"); w.integer(static_cast<std::int64_t>(nb_pages));
    w.key("page"); w.integer(static_cast<std::int64_t>(paging->page));
    w.key("results"); w.integer(static_cast<std::int64_t>(results));
    w.key("next");
    if (paging->page < nb_pages) {
        // Fault pnext_loop: back to page 1, a page the client has read.
        w.string(next_url(ctx, *paging, ctx.hit(f.pnext_loop, "pnext_loop") ? 1 : paging->page + 1));
        if (!f.next_host.empty() && ctx.counters) ctx.counters->count_fault("next_host");
    } else
        w.null();
    w.end_object();
    w.end_object();
    return r;
}

// Pages over positions [0, n) keeping those `listed`, rendering with `render`.
template <typename Listed, typename Render>
std::size_t page_over(std::size_t n, Listed listed, Render render, std::size_t offset,
                      std::size_t limit) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!listed(i)) continue;
        if (pos >= offset && pos < offset + limit) render(i);
        ++pos;
    }
    return pos;
}

template <typename Render>
Response wrapped(Render render) {
    Response r;
    JsonWriter w(r.body);
    w.begin_object();
    w.key("data");
    render(w);
    w.end_object();
    return r;
}

template <typename Render>
Response bare(Render render) {
    Response r;
    JsonWriter w(r.body);
    render(w);
    return r;
}

Response not_found(std::string_view what, const std::string& id) {
    return error(404, std::string(what) + " '" + id + "' not found");
}

// `path` is `prefix` or below it ("/clients/5" covers "/clients/5/users",
// not "/clients/50").
bool under_prefix(std::string_view path, std::string_view prefix) {
    while (prefix.size() > 1 && prefix.back() == '/') prefix.remove_suffix(1);
    if (!path.starts_with(prefix)) return false;
    return path.size() == prefix.size() || prefix == "/" || path[prefix.size()] == '/';
}

}  // namespace

// ---- simulator ----------------------------------------------------------------

Simulator::Simulator(SimulatorConfig config)
    : config_(std::move(config)),
      world_(config_.world),
      faults_(config_.faults),
      variants_(config_.variants) {}

FaultSettings Simulator::faults() const {
    std::lock_guard lock(faults_mutex_);
    return faults_;
}

Variants Simulator::variants() const {
    std::lock_guard lock(faults_mutex_);
    return variants_;
}

void Simulator::set_base_url(std::string base_url) { config_.base_url = std::move(base_url); }

Response Simulator::handle(const Request& req) {
    auto parsed = urls::parse_origin_form(req.target);
    if (!parsed) {
        Response r = error(400, "malformed request target");
        r.route = "(malformed)";
        return r;
    }
    const urls::url_view u = *parsed;
    Ctx ctx;
    ctx.req = &req;
    ctx.base = req.host.empty() ? config_.base_url
                                : std::string(config_.tls ? "https://" : "http://") + req.host;
    ctx.path = std::string(u.encoded_path());
    std::vector<std::string> segments;
    for (auto s : u.segments()) segments.push_back(s);
    while (!segments.empty() && segments.back().empty()) segments.pop_back();
    for (auto p : u.encoded_params()) {
        ctx.raw.emplace_back(std::string(p.key), std::string(p.value));
    }
    for (auto p : u.params()) ctx.params.try_emplace(std::string(p.key), std::string(p.value));

    const bool admin = !segments.empty() && segments[0] == "_sim";
    auto key_it = ctx.params.find("key");
    if (key_it == ctx.params.end() || key_it->second != config_.key) {
        Response r = error(403, key_it == ctx.params.end() ? "Access denied: missing key"
                                                           : "Access denied: invalid key");
        r.route = admin ? "/_sim" : "(any)";
        r.api = !admin;
        return r;
    }
    if (admin) {
        Response r = handle_admin(req, segments, ctx.params);
        return r;
    }
    if (req.method != "GET") {
        Response r = error(405, "the simulator serves GET only");
        r.route = "(any)";
        r.api = true;
        return r;
    }
    const FaultSettings f = faults();
    const Variants v = variants();
    std::shared_lock lock(world_mutex_);
    Response r = handle_api(req, segments, ctx.params, ctx.base, f, v);
    r.api = true;
    {
        const auto limit = ctx.params.find("limit");
        counters_.count_limit(r.route, limit == ctx.params.end() ? std::string_view() : limit->second);
    }
    if (!v.deny_prefix.empty() && under_prefix(ctx.path, v.deny_prefix)) {
        // An account (or media plan) the agency lost access to: everything
        // under it is refused, while the parent stays in its own listing.
        const std::string route = std::move(r.route);
        r = error(403, "Access denied");
        r.route = route;
        r.api = true;
        return r;
    }
    if (!f.fail_prefix.empty() && under_prefix(ctx.path, f.fail_prefix)) {
        // Fault: a listing that fails for good from a given page on.
        std::size_t page = 1;
        if (auto it = ctx.params.find("page"); it != ctx.params.end())
            if (auto v = parse_uint(it->second)) page = static_cast<std::size_t>(*v);
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

double Simulator::draw() {
    const auto n = draws_.fetch_add(1, std::memory_order_relaxed);
    return unit(mix64(config_.world.seed ^ mix64(n + 0x51d)));
}

Response Simulator::handle_api(const Request& req, const std::vector<std::string>& s,
                               const std::map<std::string, std::string>&,
                               const std::string& base, const FaultSettings& faults,
                               const Variants& variants) {
    // Rebuild the context (handle() owns the parsed pieces).
    auto parsed = urls::parse_origin_form(req.target);
    const urls::url_view u = *parsed;
    Ctx ctx;
    ctx.req = &req;
    ctx.base = base;
    ctx.path = std::string(u.encoded_path());
    for (auto p : u.encoded_params()) ctx.raw.emplace_back(std::string(p.key), std::string(p.value));
    for (auto p : u.params()) ctx.params.try_emplace(std::string(p.key), std::string(p.value));
    ctx.faults = &faults;
    ctx.draw = [this] { return draw(); };
    ctx.counters = &counters_;
    ctx.tls = config_.tls;
    ctx.next_style = variants.next_style;

    const World& world = world_;
    // A listing that does not apply to its parent's network.
    const unsigned inapplicable = inapplicable_status(variants);
    // (Worded unlike a client's own report of it, which tests grep for.)
    auto not_applicable = [&](std::string_view what, std::string_view parent) {
        return error(inapplicable ? inapplicable : 404, "no " + std::string(what) + " for " + std::string(parent));
    };
    const std::size_t n = s.size();
    auto route = [&](std::string_view tmpl, Response r) {
        r.route = std::string(tmpl);
        return r;
    };
    if (n == 0) return route("(unknown)", error(404, "unknown path /"));

    // -- accounts
    if (s[0] == "accounts") {
        if (n == 1)
            return route("/accounts", listing(ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                return page_over(world.accounts.size(),
                                 [&](std::size_t i) { return world.accounts[i].life.present(); },
                                 [&](std::size_t i) { render_account(w, world, static_cast<std::uint32_t>(i)); },
                                 off, lim);
            }));
        const auto a = index_of(Kind::account, s[1], world.accounts.size());
        if (n == 2) {
            if (!a) return route("/accounts/{id}", not_found("account", s[1]));
            return route("/accounts/{id}", wrapped([&](JsonWriter& w) { render_account(w, world, *a); }));
        }
        static constexpr std::pair<std::string_view, int> child_paths[] = {
            {"objects", 0}, {"funding-instruments", 1}, {"lead-forms", 2}, {"audiences", 3},
            {"targeting-clusters", 4}};
        for (const auto& [name, slot] : child_paths) {
            if (s[2] != name) continue;
            const std::string tmpl = "/accounts/{id}/" + std::string(name);
            if (!a) return route(tmpl, not_found("account", s[1]));
            const auto& children = world.accounts[*a].children[slot];
            // Funding instruments come "from a specific Twitter account".
            if (n == 3 && slot == 1 && inapplicable && world.accounts[*a].src != Src::tw)
                return route(tmpl, not_applicable("funding instruments", "a Facebook account"));
            if (n == 3)
                return route(tmpl, listing(ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                    return page_over(children.size(),
                                     [&](std::size_t i) { return children[i].life.present(); },
                                     [&](std::size_t i) { render_account_child(w, world, *a, slot, children[i]); },
                                     off, lim);
                }));
            if (n == 4 && slot == 4) {
                for (const auto& ch : children)
                    if (ch.life.present() && id_of(Kind::targeting_cluster, ch.serial) == s[3])
                        return route(tmpl + "/{id}", bare([&](JsonWriter& w) {
                                         render_account_child(w, world, *a, slot, ch);
                                     }));
                return route(tmpl + "/{id}", not_found("targeting cluster", s[3]));
            }
        }
        return route("(unknown)", error(404, "unknown path " + ctx.path));
    }

    // -- advertisers
    if (s[0] == "advertisers" && n <= 2) {
        if (n == 1)
            return route("/advertisers", listing(ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                return page_over(world.advertisers.size(),
                                 [&](std::size_t i) { return world.advertisers[i].life.present(); },
                                 [&](std::size_t i) { render_advertiser(w, world, static_cast<std::uint32_t>(i)); },
                                 off, lim);
            }));
        const auto i = index_of(Kind::advertiser, s[1], world.advertisers.size());
        if (!i) return route("/advertisers/{id}", not_found("advertiser", s[1]));
        return route("/advertisers/{id}", bare([&](JsonWriter& w) { render_advertiser(w, world, *i); }));
    }

    // -- users
    if (s[0] == "users" && n <= 2) {
        if (n == 1)
            return route("/users", listing(ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                return page_over(world.users.size(),
                                 [&](std::size_t i) { return world.users[i].life.present(); },
                                 [&](std::size_t i) {
                                     render_user(w, world, static_cast<std::uint32_t>(i), world.users[i].life.rev);
                                 },
                                 off, lim);
            }));
        const auto i = index_of(Kind::user, s[1], world.users.size());
        if (!i || !world.users[*i].life.present()) return route("/users/{id}", not_found("user", s[1]));
        return route("/users/{id}", wrapped([&](JsonWriter& w) {
                         render_user(w, world, *i, world.users[*i].life.rev);
                     }));
    }

    // -- all campaigns of the agency
    if (s[0] == "campaigns" && n == 1)
        return route("/campaigns", listing(ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
            return page_over(world.campaigns.size(),
                             [&](std::size_t i) { return world.campaigns[i].life.present(); },
                             [&](std::size_t i) { render_campaign(w, world, static_cast<std::uint32_t>(i)); },
                             off, lim);
        }));

    if (s[0] != "clients") return route("(unknown)", error(404, "unknown path " + ctx.path));

    // -- media plans and below
    if (n == 1)
        return route("/clients", listing(ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
            return page_over(world.media_plans.size(),
                             [&](std::size_t i) { return world.media_plans[i].life.present(); },
                             [&](std::size_t i) { render_media_plan(w, world, static_cast<std::uint32_t>(i)); },
                             off, lim);
        }));
    std::optional<std::uint32_t> mp = index_of(Kind::media_plan, s[1], world.media_plans.size());
    if (!mp && s[1].rfind("IO-", 0) == 0)  // media plans are also found by io_number
        mp = index_of(Kind::media_plan, s[1].substr(3), world.media_plans.size());
    if (n == 2) {
        if (!mp) return route("/clients/{id}", not_found("media plan", s[1]));
        return route("/clients/{id}", wrapped([&](JsonWriter& w) { render_media_plan(w, world, *mp); }));
    }

    // Statistics share their parameter handling.
    auto statistics = [&](std::string_view tmpl, StatsQuery q, StatsLevel scope_level) {
        const auto get = [&](const char* k) -> const std::string* {
            auto it = ctx.params.find(k);
            return it == ctx.params.end() ? nullptr : &it->second;
        };
        if (const auto* agg = get("aggregate")) {
            if (*agg == "period") q.aggregate = StatsAggregate::period;
            else if (*agg == "day") q.aggregate = StatsAggregate::day;
            else if (*agg == "month") q.aggregate = StatsAggregate::month;
            else return route(tmpl, error(400, "aggregate must be period, day or month, got '" + *agg + "'"));
        }
        q.level = scope_level;
        if (const auto* lvl = get("level")) {
            StatsLevel l;
            if (*lvl == "client" || *lvl == "channel_connect") l = StatsLevel::client;
            else if (*lvl == "campaign") l = StatsLevel::campaign;
            else if (*lvl == "adset") l = StatsLevel::ad_set;
            else if (*lvl == "ad") l = StatsLevel::ad;
            else return route(tmpl, error(400, "level must be client, campaign, adset, ad or channel_connect, got '" + *lvl + "'"));
            // A level coarser than the scope answers at the scope's level.
            q.level = static_cast<int>(l) < static_cast<int>(scope_level) ? scope_level : l;
        }
        WindowRequest window;
        window.first_day = world.first_stats_day();
        window.today = world.today();
        window.days = variants.stats_days;
        window.window = variants.stats_window;
        window.timezone = account_timezone(world, world.media_plans[q.media_plan].account);
        if (const auto* sd = get("start_date")) {
            const auto v = parse_int(*sd);
            if (!v || *v < 0) return route(tmpl, error(400, "start_date must be a UNIX timestamp, got '" + *sd + "'"));
            window.start = *v;
        }
        if (const auto* ed = get("end_date")) {
            const auto v = parse_int(*ed);
            if (!v || *v < 0) return route(tmpl, error(400, "end_date must be a UNIX timestamp, got '" + *ed + "'"));
            window.end = *v;
        }
        if (window.start && window.end && *window.start > *window.end)
            return route(tmpl, error(400, "start_date is after end_date"));
        const WindowDays days = window_days(window);
        q.from = days.from;
        q.to = days.to;
        q.from_share = days.first;
        q.to_share = days.last;
        q.with_date = variants.stats_keys == StatsKeys::full || variants.stats_keys == StatsKeys::no_ids;
        q.with_ids = variants.stats_keys == StatsKeys::full || variants.stats_keys == StatsKeys::no_date;
        return route(tmpl, listing(ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                         return write_stats_page(world, q, off, lim, w);
                     }));
    };

    if (s[2] == "users" && n == 3) {
        if (!mp) return route("/clients/{id}/users", not_found("media plan", s[1]));
        const auto& links = world.media_plans[*mp].users;
        return route("/clients/{id}/users", listing(ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
            return page_over(links.size(), [&](std::size_t i) { return world.user_link_listed(links[i]); },
                             [&](std::size_t i) {
                                 render_user(w, world, links[i].user, world.users[links[i].user].life.rev);
                             },
                             off, lim);
        }));
    }
    if (s[2] == "statistics" && n == 3) {
        if (!mp) return route("/clients/{id}/statistics", not_found("media plan", s[1]));
        StatsQuery q;
        q.media_plan = *mp;
        return statistics("/clients/{id}/statistics", q, StatsLevel::client);
    }
    if (s[2] != "campaigns") return route("(unknown)", error(404, "unknown path " + ctx.path));
    if (n == 3) {
        if (!mp) return route("/clients/{id}/campaigns", not_found("media plan", s[1]));
        const auto& list = world.media_plans[*mp].campaigns;
        return route("/clients/{id}/campaigns", listing(ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
            return page_over(list.size(), [&](std::size_t i) { return world.campaign_listed(list[i]); },
                             [&](std::size_t i) { render_campaign(w, world, list[i]); }, off, lim);
        }));
    }

    // Path templates below /clients/{id}/campaigns/{id}.
    std::string tmpl = "/clients/{id}/campaigns/{id}";
    for (std::size_t k = 4; k < n; ++k) tmpl += (k % 2 == 0) ? "/" + s[k] : std::string("/{id}");
    const bool known = (n == 4) ||
                       (n == 5 && (s[4] == "adsets" || s[4] == "ads" || s[4] == "statistics")) ||
                       (n == 6 && s[4] == "adsets") ||
                       (n == 7 && s[4] == "adsets" && (s[6] == "ads" || s[6] == "statistics")) ||
                       (n == 7 && s[4] == "ads" && s[6] == "statistics") ||
                       (n == 8 && s[4] == "adsets" && s[6] == "ads");
    if (!known) return route("(unknown)", error(404, "unknown path " + ctx.path));
    if (!mp) return route(tmpl, not_found("media plan", s[1]));
    const auto c = index_of(Kind::campaign, s[3], world.campaigns.size());
    if (!c || world.campaigns[*c].media_plan != *mp || !world.campaign_listed(*c))
        return route(tmpl, not_found("campaign", s[3]));
    const Campaign& camp = world.campaigns[*c];
    if (n == 4) return route(tmpl, wrapped([&](JsonWriter& w) { render_campaign(w, world, *c); }));
    // Ad sets are a Facebook thing.
    if (n == 5 && s[4] == "adsets" && inapplicable && camp.src != Src::fb)
        return route(tmpl, not_applicable("ad sets", "a Twitter campaign"));
    // Some readings serve a campaign's ad listing for Twitter campaigns only
    // (the ad sets' listings giving Facebook ones).
    if (n == 5 && s[4] == "ads" && variants.campaign_ads == CampaignAds::twitter_only && camp.src != Src::tw)
        return route(tmpl, not_applicable("ad listing", "a Facebook campaign"));
    if (n == 5 && s[4] == "adsets")
        return route(tmpl, listing(ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
            return page_over(camp.ad_sets.size(), [&](std::size_t i) { return world.ad_set_listed(camp.ad_sets[i]); },
                             [&](std::size_t i) { render_ad_set(w, world, camp.ad_sets[i]); }, off, lim);
        }));
    if (n == 5 && s[4] == "ads")
        return route(tmpl, listing(ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
            return page_over(camp.ads.size(), [&](std::size_t i) { return world.ad_listed(camp.ads[i]); },
                             [&](std::size_t i) { render_ad(w, world, camp.ads[i]); }, off, lim);
        }));
    if (n == 5) {
        StatsQuery q;
        q.media_plan = *mp;
        q.campaign = *c;
        return statistics(tmpl, q, StatsLevel::campaign);
    }
    if (s[4] == "ads") {  // .../ads/{ad}/statistics
        const auto a = index_of(Kind::ad, s[5], world.ads.size());
        if (!a || world.ads[*a].campaign != *c || !world.ad_listed(*a)) return route(tmpl, not_found("ad", s[5]));
        StatsQuery q;
        q.media_plan = *mp;
        q.campaign = *c;
        q.ad_set = world.ads[*a].ad_set >= 0 ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(world.ads[*a].ad_set)) : std::nullopt;
        q.ad = *a;
        return statistics(tmpl, q, StatsLevel::ad);
    }
    const auto as = index_of(Kind::ad_set, s[5], world.ad_sets.size());
    if (!as || world.ad_sets[*as].campaign != *c || !world.ad_set_listed(*as))
        return route(tmpl, not_found("ad set", s[5]));
    const AdSet& set = world.ad_sets[*as];
    if (n == 6) return route(tmpl, wrapped([&](JsonWriter& w) { render_ad_set(w, world, *as); }));
    if (n == 7 && s[6] == "ads")
        return route(tmpl, listing(ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
            return page_over(set.ads.size(), [&](std::size_t i) { return world.ad_listed(set.ads[i]); },
                             [&](std::size_t i) { render_ad(w, world, set.ads[i]); }, off, lim);
        }));
    if (n == 7) {
        StatsQuery q;
        q.media_plan = *mp;
        q.campaign = *c;
        q.ad_set = *as;
        return statistics(tmpl, q, StatsLevel::ad_set);
    }
    const auto a = index_of(Kind::ad, s[7], world.ads.size());
    if (!a || world.ads[*a].ad_set != static_cast<std::int32_t>(*as) || !world.ad_listed(*a))
        return route(tmpl, not_found("ad", s[7]));
    return route(tmpl, bare([&](JsonWriter& w) { render_ad(w, world, *a); }));
}

Response Simulator::handle_admin(const Request& req, const std::vector<std::string>& s,
                                 const std::map<std::string, std::string>& params) {
    const std::size_t n = s.size();
    auto route = [&](std::string_view tmpl, Response r) {
        r.route = std::string(tmpl);
        return r;
    };
    if (n == 2 && s[1] == "epoch") {
        if (req.method != "POST" && req.method != "GET")
            return route("/_sim/epoch", error(405, "use POST (or GET)"));
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
    if (n == 2 && s[1] == "expected") {
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
    if (n == 2 && s[1] == "faults") {
        FaultSettings f;
        {
            std::lock_guard lock(faults_mutex_);
            f = faults_;
        }
        if (auto r = params.find("reset"); r != params.end() && (r->second == "1" || r->second == "true"))
            f = FaultSettings{};  // first, whatever the parameters' order
        for (const auto& [k, v] : params) {
            if (k == "key" || k == "reset") continue;
            auto prob = [&](double& field) -> bool {
                try {
                    std::size_t used = 0;
                    const double d = std::stod(v, &used);
                    if (used != v.size() || !(d >= 0.0 && d <= 1.0)) return false;
                    field = d;
                    return true;
                } catch (const std::exception&) {
                    return false;
                }
            };
            auto count = [&](int& field) -> bool {
                const auto x = parse_uint(v);
                if (!x || *x > 3'600'000) return false;
                field = static_cast<int>(*x);
                return true;
            };
            bool ok = true;
            if (k == "latency_ms") ok = count(f.latency_ms);
            else if (k == "max_concurrent") ok = count(f.max_concurrent);
            else if (k == "p429") ok = prob(f.p429);
            else if (k == "p500") ok = prob(f.p500);
            else if (k == "p503") ok = prob(f.p503);
            else if (k == "pdrop") ok = prob(f.pdrop);
            else if (k == "pslow") ok = prob(f.pslow);
            else if (k == "pbad_body") ok = prob(f.pbad_body);
            else if (k == "pnext_loop") ok = prob(f.pnext_loop);
            else if (k == "ptotal_drift") ok = prob(f.ptotal_drift);
            else if (k == "prepeat") ok = prob(f.prepeat);
            else if (k == "repeat_count") ok = count(f.repeat_count);
            else if (k == "next_host") f.next_host = v;
            else if (k == "fail_prefix") f.fail_prefix = v;
            else if (k == "fail_from_page") ok = count(f.fail_from_page);
            else if (k == "fail_status") ok = count(f.fail_status);
            else return route("/_sim/faults", error(400, "unknown fault setting '" + k + "'"));
            if (!ok) return route("/_sim/faults", error(400, "bad value '" + v + "' for " + k));
        }
        if (const auto problem = fault_settings_problem(f); !problem.empty())
            return route("/_sim/faults", error(400, problem));
        {
            std::lock_guard lock(faults_mutex_);
            faults_ = f;
        }
        std::string body;
        JsonWriter w(body);
        w.begin_object();
        w.key("latency_ms"); w.integer(f.latency_ms);
        w.key("p429"); w.number(f.p429);
        w.key("p500"); w.number(f.p500);
        w.key("p503"); w.number(f.p503);
        w.key("pdrop"); w.number(f.pdrop);
        w.key("pslow"); w.number(f.pslow);
        w.key("pbad_body"); w.number(f.pbad_body);
        w.key("max_concurrent"); w.integer(f.max_concurrent);
        w.key("pnext_loop"); w.number(f.pnext_loop);
        w.field("next_host", f.next_host);
        w.key("ptotal_drift"); w.number(f.ptotal_drift);
        w.key("prepeat"); w.number(f.prepeat);
        w.key("repeat_count"); w.integer(f.repeat_count);
        w.field("fail_prefix", f.fail_prefix);
        w.key("fail_from_page"); w.integer(f.fail_from_page);
        w.key("fail_status"); w.integer(f.fail_status);
        w.end_object();
        return route("/_sim/faults", json_response(200, std::move(body)));
    }
    if (n == 2 && s[1] == "variants") {
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
    if (n == 2 && s[1] == "counters")
        return route("/_sim/counters", json_response(200, counters_.json()));
    if (n == 3 && s[1] == "counters" && s[2] == "reset") {
        counters_.reset();
        return route("/_sim/counters/reset", json_response(200, R"({"reset":true})"));
    }
    if (n == 2 && s[1] == "state") {
        std::shared_lock lock(world_mutex_);
        std::string body;
        JsonWriter w(body);
        w.begin_object();
        w.key("epoch"); w.integer(world_.epoch());
        w.field("today", format_day(world_.today()));
        w.field("first_stats_day", format_day(world_.first_stats_day()));
        w.field("scale", scale_name(world_.scale()));
        w.key("seed"); w.integer(static_cast<std::int64_t>(world_.seed()));
        w.end_object();
        return route("/_sim/state", json_response(200, std::move(body)));
    }
    return route("/_sim/(unknown)", error(404, "unknown admin path"));
}

}  // namespace marin::sim
