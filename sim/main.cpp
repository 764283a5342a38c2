// marin-sim: the Marin Social API simulator. Parses the command line and
// assembles the library; see docs/simulator.md.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>

#include "marin/sim/server.hpp"
#include "marin/sim/simulator.hpp"
#include "marin/sim/world.hpp"

using namespace marin::sim;

namespace {

// The transport and pagination faults (see docs/simulator.md, "Faults").
void add_fault_flags(CLI::App& app, FaultSettings& f) {
    const auto probability = CLI::Range(0.0, 1.0);
    app.add_option("--latency-ms", f.latency_ms, "latency added to each API request")->check(CLI::NonNegativeNumber);
    app.add_option("--p429", f.p429, "share of API requests answered 429")->check(probability);
    app.add_option("--p500", f.p500, "share answered 500")->check(probability);
    app.add_option("--p503", f.p503, "share answered 503")->check(probability);
    app.add_option("--pdrop", f.pdrop, "share whose connection drops mid-body")->check(probability);
    app.add_option("--pslow", f.pslow, "share whose body is trickled slowly")->check(probability);
    app.add_option("--pbad-body,--pbad_body", f.pbad_body, "share of 200 answers with a broken body")
        ->check(probability);
    app.add_option("--max-concurrent", f.max_concurrent, "API requests in progress beyond this get 429 (0: no cap)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--pnext-loop,--pnext_loop", f.pnext_loop, "share of pages whose next URL points back to page 1")
        ->check(probability);
    app.add_option("--next-host,--next_host", f.next_host, "host:port every next URL points at (another server)");
    app.add_option("--ptotal-drift,--ptotal_drift", f.ptotal_drift, "share of pages whose range.total is off")
        ->check(probability);
    app.add_option("--prepeat", f.prepeat, "share of pages after the first that repeat records of the page before")
        ->check(probability);
    app.add_option("--repeat-count,--repeat_count", f.repeat_count, "records a repeating page repeats")
        ->check(CLI::Range(1, 300))
        ->capture_default_str();
    app.add_option("--fail-prefix,--fail_prefix", f.fail_prefix, "API paths at or under this one fail for good");
    app.add_option("--fail-from-page,--fail_from_page", f.fail_from_page, "from this page on")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--fail-status,--fail_status", f.fail_status, "with this status")
        ->check(CLI::Range(400, 599))
        ->capture_default_str();
}

// Readings of what the reference leaves open (variants.hpp): the flags keep
// their text, validated after parsing with the same code as /_sim/variants.
using VariantFlags = std::map<std::string, std::pair<std::string, CLI::Option*>>;

void add_variant_flags(CLI::App& app, VariantFlags& variant_values) {
    const std::pair<const char*, const char*> variant_flags[] = {
        {"inapplicable_listings", "a listing that does not apply to the parent's network answers: empty|404|400"},
        {"campaign_ads", "campaigns whose ad listing is served: all|twitter-only"},
        {"deny_prefix", "API paths at or under this one answer 403 Access denied"},
        {"stats_keys", "keys statistics rows carry: full|none|no-date|no-ids"},
        {"stats_days", "the clock of a statistics day: utc|account (the account's timezone)"},
        {"stats_window", "a bucket the window cuts is served: days (whole)|seconds (its part inside)"},
        {"next_style", "what next URLs carry: reference (no limit)|full|bare (key and page only)"},
    };
    for (const auto& [name, help] : variant_flags) {
        std::string dashed = name;
        for (auto& ch : dashed)
            if (ch == '_') ch = '-';
        auto& [value, option] = variant_values[name];
        option = app.add_option("--" + dashed + ",--" + name, value, help);
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"marin-sim: a simulator of the Marin Social API"};
    ServerConfig server;
    SimulatorConfig sim;
    std::string scale = "tiny";
    std::string today;
    std::uint64_t seed = 1;
    app.add_option("--port", server.port, "TCP port (0: pick a free one)")->capture_default_str();
    app.add_option("--bind", server.bind, "address to listen on")->capture_default_str();
    app.add_option("--key", sim.key, "the agency key requests must carry")->capture_default_str();
    app.add_option("--seed", seed, "data seed")->capture_default_str();
    app.add_option("--scale", scale, "data size")
        ->check(CLI::IsMember({"tiny", "small", "medium", "large"}))
        ->capture_default_str();
    app.add_option("--today", today, "the simulated current day, YYYY-MM-DD (default: today, UTC)");
    app.add_option("--threads", server.threads, "I/O threads")->check(CLI::Range(1, 64))->capture_default_str();
    auto* cert = app.add_option("--tls-cert", server.tls_cert_file, "PEM certificate chain: serve HTTPS")
                     ->check(CLI::ExistingFile);
    auto* key = app.add_option("--tls-key", server.tls_key_file, "PEM private key")->check(CLI::ExistingFile);
    cert->needs(key);
    key->needs(cert);
    FaultSettings& f = sim.faults;
    add_fault_flags(app, f);
    VariantFlags variant_values;
    add_variant_flags(app, variant_values);
    CLI11_PARSE(app, argc, argv);
    for (const auto& [name, given] : variant_values) {
        const auto& [value, option] = given;
        if (option->count() == 0) continue;
        if (const auto problem = set_variant(sim.variants, name, value); !problem.empty()) {
            std::cerr << "marin-sim: " << problem << '\n';
            return 2;
        }
    }
    if (const auto problem = fault_settings_problem(f); !problem.empty()) {
        std::cerr << "marin-sim: " << problem << '\n';
        return 2;
    }

    sim.world.seed = seed;
    sim.world.scale = *parse_scale(scale);
    if (today.empty()) {
        const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
        sim.world.today = static_cast<Day>(now.time_since_epoch().count());
    } else if (auto d = parse_day(today)) {
        sim.world.today = *d;
    } else {
        std::cerr << "marin-sim: --today must be YYYY-MM-DD, got '" << today << "'\n";
        return 2;
    }
    sim.tls = !server.tls_cert_file.empty();

    try {
        Simulator simulator(sim);
        Server srv(simulator, server);
        std::printf("marin-sim listening on %s\n", srv.base_url().c_str());
        std::fflush(stdout);
        srv.run(true);
    } catch (const std::exception& e) {
        std::cerr << "marin-sim: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
