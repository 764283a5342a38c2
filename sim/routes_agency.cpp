// API routes at the agency level: /accounts (and the account's children),
// /advertisers, /users, /campaigns.
#include "handling.hpp"
#include "marin/sim/records.hpp"

namespace marin::sim::detail {

namespace {

// /accounts/{id}/<child>[/{id}]: `slot` is the child's kind.
Response account_child_routes(const ApiCall& call, std::uint32_t a, std::string_view name, int slot) {
    const World& world = call.world;
    const auto& s = call.s;
    const std::size_t n = call.n();
    const std::string tmpl = "/accounts/{id}/" + std::string(name);
    const auto& children = world.accounts[a].children[slot];
    // Funding instruments come "from a specific Twitter account".
    if (n == 3 && slot == 1 && call.inapplicable && world.accounts[a].src != Src::tw)
        return route(tmpl, call.not_applicable("funding instruments", "a Facebook account"));
    if (n == 3)
        return route(tmpl, listing(call.ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                         return page_over(
                             children.size(), [&](std::size_t i) { return children[i].life.present(); },
                             [&](std::size_t i) { render_account_child(w, world, a, slot, children[i]); }, off, lim);
                     }));
    if (n == 4 && slot == 4) {
        for (const auto& ch : children)
            if (ch.life.present() && id_of(Kind::targeting_cluster, ch.serial) == s[3])
                return route(tmpl + "/{id}", bare([&](JsonWriter& w) { render_account_child(w, world, a, slot, ch); }));
        return route(tmpl + "/{id}", not_found("targeting cluster", s[3]));
    }
    return call.unknown_path();
}

}  // namespace

Response account_routes(const ApiCall& call) {
    const World& world = call.world;
    const auto& s = call.s;
    const std::size_t n = call.n();
    if (n == 1)
        return route("/accounts", listing(call.ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                         return page_over(
                             world.accounts.size(), [&](std::size_t i) { return world.accounts[i].life.present(); },
                             [&](std::size_t i) { render_account(w, world, static_cast<std::uint32_t>(i)); }, off, lim);
                     }));
    const auto a = index_of(Kind::account, s[1], world.accounts.size());
    if (n == 2) {
        if (!a) return route("/accounts/{id}", not_found("account", s[1]));
        return route("/accounts/{id}", wrapped([&](JsonWriter& w) { render_account(w, world, *a); }));
    }
    static constexpr std::pair<std::string_view, int> child_paths[] = {
        {"objects", 0}, {"funding-instruments", 1}, {"lead-forms", 2}, {"audiences", 3}, {"targeting-clusters", 4}};
    for (const auto& [name, slot] : child_paths) {
        if (s[2] != name) continue;
        if (!a) return route("/accounts/{id}/" + std::string(name), not_found("account", s[1]));
        return account_child_routes(call, *a, name, slot);
    }
    return call.unknown_path();
}

Response advertiser_routes(const ApiCall& call) {
    const World& world = call.world;
    if (call.n() == 1)
        return route(
            "/advertisers", listing(call.ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                return page_over(
                    world.advertisers.size(), [&](std::size_t i) { return world.advertisers[i].life.present(); },
                    [&](std::size_t i) { render_advertiser(w, world, static_cast<std::uint32_t>(i)); }, off, lim);
            }));
    const auto i = index_of(Kind::advertiser, call.s[1], world.advertisers.size());
    if (!i) return route("/advertisers/{id}", not_found("advertiser", call.s[1]));
    return route("/advertisers/{id}", bare([&](JsonWriter& w) { render_advertiser(w, world, *i); }));
}

Response user_routes(const ApiCall& call) {
    const World& world = call.world;
    if (call.n() == 1)
        return route("/users", listing(call.ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                         return page_over(
                             world.users.size(), [&](std::size_t i) { return world.users[i].life.present(); },
                             [&](std::size_t i) {
                                 render_user(w, world, static_cast<std::uint32_t>(i), world.users[i].life.rev);
                             },
                             off, lim);
                     }));
    const auto i = index_of(Kind::user, call.s[1], world.users.size());
    if (!i || !world.users[*i].life.present()) return route("/users/{id}", not_found("user", call.s[1]));
    return route("/users/{id}", wrapped([&](JsonWriter& w) { render_user(w, world, *i, world.users[*i].life.rev); }));
}

Response all_campaigns(const ApiCall& call) {
    const World& world = call.world;
    return route("/campaigns", listing(call.ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                     return page_over(
                         world.campaigns.size(), [&](std::size_t i) { return world.campaigns[i].life.present(); },
                         [&](std::size_t i) { render_campaign(w, world, static_cast<std::uint32_t>(i)); }, off, lim);
                 }));
}

}  // namespace marin::sim::detail
