// Secrets (issue 7, item 6): full runs at debug log level with the
// simulator's faults on (so that retries, failed listings and broken bodies
// are logged, with URLs whose `next` links carry the key) are searched for
// the API key in every form it could take: every line of output, every row
// of marin.sync_runs and marin.sync_listings (and a dump of the whole
// database), `marin-sync status`, and the daemon's /metrics, /healthz and /
// answered during and after its runs. And TLS verification is off only with
// api.tls_verify = false, which is logged as a warning at every run, by the
// one-shot `sync` and by each run of the daemon.
#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "harness.hpp"

namespace marin::e2e {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Distinctive, long, and with characters URLs and JSON spell differently
// ('+', '/', '=' are percent-encoded in a query; '/' may be "\/" in JSON).
const std::string secret_key = "Qz7sEcr3t-K+eY/Wm9=Xp4Lv8Tn2";

// Every spelling of the key worth looking for, and every 10-character piece
// of the main ones (a URL or a message cut short must not show part of it).
std::vector<std::string> key_forms(const std::string& key) {
    std::set<std::string> forms;
    const auto upper = url_encode(key);
    std::string lower = upper;
    for (std::size_t i = 0; i + 2 < lower.size(); ++i)
        if (lower[i] == '%') {
            lower[i + 1] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[i + 1])));
            lower[i + 2] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[i + 2])));
        }
    std::string json = key;
    for (auto pos = json.find('/'); pos != std::string::npos; pos = json.find('/', pos + 2))
        json.replace(pos, 1, "\\/");
    for (const auto& f : {key, upper, lower, json}) {
        forms.insert(f);
        constexpr std::size_t piece = 10;
        for (std::size_t i = 0; i + piece <= f.size(); ++i) forms.insert(f.substr(i, piece));
    }
    return {forms.begin(), forms.end()};
}

// "" when `text` holds no form of the key, else where and which.
std::string find_key(const std::string& text, const std::string& where) {
    static const auto forms = key_forms(secret_key);
    for (const auto& f : forms) {
        const auto pos = text.find(f);
        if (pos == std::string::npos) continue;
        const auto from = pos > 150 ? pos - 150 : 0;
        return where + " holds the key (as '" + f + "'): ..." + text.substr(from, 300) + "...";
    }
    return {};
}

#define EXPECT_NO_KEY(text, where)                    \
    do {                                              \
        const auto leak_ = find_key((text), (where)); \
        EXPECT_TRUE(leak_.empty()) << leak_;          \
    } while (false)

// Polls f every `every` until it holds (true) or `limit` passed (false),
// calling `meanwhile` at each poll.
template <class F, class G>
bool eventually(F f, Clock::duration limit, G meanwhile, Clock::duration every = 100ms) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (f()) return true;
        meanwhile();
        std::this_thread::sleep_for(every);
    }
    return false;
}

// Everything the database holds as text: the run log row by row, and a
// plain-text dump of the whole database (any table a future change adds).
std::string database_text(const std::string& dsn) {
    std::string all;
    {
        pqxx::connection c(dsn);
        pqxx::read_transaction tx(c);
        for (const auto& r : tx.exec("SELECT row_to_json(r)::text FROM marin.sync_runs r"))
            all += r[0].c_str() + std::string("\n");
        for (const auto& r : tx.exec("SELECT row_to_json(l)::text FROM marin.sync_listings l"))
            all += r[0].c_str() + std::string("\n");
    }
    const char* bin = std::getenv("PGBIN");
    Process dump({std::string(bin ? bin : "/usr/lib/postgresql/15/bin") + "/pg_dump", "--no-owner", "-d", dsn}, {});
    const auto r = dump.wait();
    EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
    EXPECT_NE(r.output.find("COPY marin.sync_runs"), std::string::npos) << "pg_dump did not dump the run log";
    return all + r.output;
}

// The settings warning the brief asks for, as a log line at warning level.
std::size_t tls_warnings(const std::string& output) {
    // "<time> warning [marin-sync] api.tls_verify = false: ..."
    static const std::regex warning(R"((^|\n)\S+ warning +\[marin-sync\] api\.tls_verify = false)");
    std::size_t n = 0;
    for (auto it = std::sregex_iterator(output.begin(), output.end(), warning); it != std::sregex_iterator(); ++it) ++n;
    return n;
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
}

// Faults at rates where retries, failed listings and broken bodies all show up.
const std::vector<std::string> faults = {"--p429", "0.04",    "--p500", "0.04",        "--p503",
                                         "0.04",   "--pdrop", "0.03",   "--pbad-body", "0.04"};
const char* fault_query = "/_sim/faults?reset=1&p429=0.04&p500=0.04&p503=0.04&pdrop=0.03&pbad_body=0.04";

class Secrets : public ::testing::Test {
  protected:
    void start(const std::string& extra_toml, std::vector<std::string> sim_args = faults) {
        auto o = sim_options("tiny", 53, std::move(sim_args));
        o.key = secret_key;
        sim_ = std::make_unique<Simulator>(o);
        env_.api_url = sim_->url();
        env_.key = secret_key;
        env_.dsn = db_.dsn();
        env_.config_file = write_config(extra_toml);
        auto migrate = run_sync(env_, {"migrate"});
        ASSERT_EQ(migrate.exit_code, 0) << migrate.output;
        // The search must be able to fail: the simulator's own pages carry
        // the key in their `next` links, and find_key sees it there.
        // Faults are on: an answer may be refused, or a 200 whose body is
        // broken or cut short before the `next` link; ask again (one in
        // seven answers is either).
        const auto first_page = sim_->url() + "/accounts?limit=1&key=" + url_encode(secret_key);
        auto page = http_get(first_page);
        for (int i = 0; i < 50 && (page.status != 200 || find_key(page.body, "").empty()); ++i)
            page = http_get(first_page);
        ASSERT_EQ(page.status, 200) << page.body;
        ASSERT_FALSE(find_key(page.body, "a page of the simulator").empty()) << page.body;
    }

    test::TestDatabase db_{"secrets"};
    std::unique_ptr<Simulator> sim_;
    SyncEnv env_;
};

TEST_F(Secrets, DebugRunsWithFaultsNeverShowTheKey) {
    // Faults at high rates and two attempts: listings fail for good and
    // their URLs reach error messages, the summary and sync_runs.error.
    start("[api]\nmax_attempts = 2\nbackoff_initial_ms = 5\nbackoff_max_ms = 20\n");
    if (HasFatalFailure()) return;
    sim_->admin("/_sim/faults?reset=1&p429=0.1&p500=0.2&p503=0.1&pdrop=0.1&pbad_body=0.2", "POST");
    auto failing = run_sync(env_, {"sync", "--full", "--log-level", "debug"});
    EXPECT_EQ(failing.exit_code, 1) << failing.output;
    EXPECT_NO_KEY(failing.output, "the output of a run with failures");

    // The usual faults and enough attempts to get through: the next URLs of
    // every page are read.
    sim_->admin(fault_query, "POST");
    env_.config_file = write_config("[api]\nmax_attempts = 10\nbackoff_initial_ms = 5\nbackoff_max_ms = 50\n");
    auto complete = run_sync(env_, {"sync", "--full", "--log-level", "debug"});
    EXPECT_EQ(complete.exit_code, 0) << complete.output;
    EXPECT_NO_KEY(complete.output, "the output of a complete run");

    // The search looked at what matters: debug lines, requests with a next
    // URL (masked), retries, and a failed listing with its URL.
    const auto all = failing.output + complete.output;
    EXPECT_GT(count_of(all, " debug "), 100u) << "not at debug level?\n" << all.substr(0, 3000);
    EXPECT_GT(count_of(all, "key=***"), 10u) << "no masked next URL in the output\n" << all.substr(0, 3000);
    EXPECT_GT(count_of(all, "retrying"), 0u);
    EXPECT_EQ(tls_warnings(all), 0u) << "tls_verify is on by default: no warning";
    std::printf("searched %zu lines of output (%zu with a masked key), exits %d and %d\n", count_of(all, "\n"),
                count_of(all, "key=***"), failing.exit_code, complete.exit_code);

    const auto db = database_text(db_.dsn());
    EXPECT_NO_KEY(db, "the database");
    auto status = run_sync(env_, {"status", "--limit", "10"});
    EXPECT_EQ(status.exit_code, 0) << status.output;
    EXPECT_NO_KEY(status.output, "marin-sync status");
    // The failed run recorded its error, with URLs (searched above).
    pqxx::connection c(db_.dsn());
    pqxx::read_transaction tx(c);
    const auto error =
        tx.exec1("SELECT coalesce(string_agg(error, ' | '), '') FROM marin.sync_runs")[0].as<std::string>();
    EXPECT_NE(error.find("GET "), std::string::npos) << error;
}

TEST_F(Secrets, TlsVerificationOffOnlyWhenSetAndWarnedAtEveryOneShotRun) {
    TestPki pki("DNS:localhost,IP:127.0.0.1");
    start("", {"--tls-cert", pki.file("server.pem"), "--tls-key", pki.file("server.key")});
    if (HasFatalFailure()) return;
    // The system trust store does not know the test CA: refused, no warning.
    env_.api_url = sim_->url();
    env_.config_file = write_config("[api]\nmax_attempts = 2\nbackoff_initial_ms = 5\n");
    auto refused = run_sync(env_, {"sync", "--full"});
    EXPECT_EQ(refused.exit_code, 1) << refused.output;
    EXPECT_NE(refused.output.find("certificate"), std::string::npos) << refused.output;
    EXPECT_EQ(tls_warnings(refused.output), 0u) << refused.output;
    EXPECT_NO_KEY(refused.output, "a refused TLS run");

    // Only the explicit setting turns verification off, and every run says so.
    env_.config_file = write_config("[api]\ntls_verify = false\nmax_attempts = 4\nbackoff_initial_ms = 5\n");
    for (int run = 1; run <= 2; ++run) {
        auto r = run_sync(env_, {"sync", "--full"});
        EXPECT_EQ(r.exit_code, 0) << r.output;
        EXPECT_EQ(tls_warnings(r.output), 1u) << "run " << run << ": the warning, once per run\n" << r.output;
        EXPECT_NO_KEY(r.output, "a run with tls_verify = false");
    }
    const auto diff = compare_mirror(db_.dsn(), *sim_);
    EXPECT_EQ(diff.problem_count, 0u) << (diff.problems.empty() ? "" : diff.problems.front());
}

TEST_F(Secrets, DaemonWarnsAtEachRunAndItsAnswersNeverShowTheKey) {
    TestPki pki("DNS:localhost,IP:127.0.0.1");
    std::vector<std::string> args = {"--tls-cert", pki.file("server.pem"), "--tls-key", pki.file("server.key")};
    start("", args);
    if (HasFatalFailure()) return;
    const int port = free_port();
    env_.config_file = write_config(
        "[api]\ntls_verify = false\nmax_attempts = 10\nbackoff_initial_ms = 5\nbackoff_max_ms = 50\n"
        "[daemon]\nincremental_interval_min = 5\nhealth_max_age_min = 5\nretry_delay_s = 5\n"
        "[metrics]\nlisten = \"127.0.0.1:" +
        std::to_string(port) + "\"\n");
    const auto base = "http://127.0.0.1:" + std::to_string(port);
    std::vector<std::pair<std::string, std::string>> answers;  // what, body
    auto scrape = [&](const std::string& when) {
        for (const char* path : {"/metrics", "/healthz", "/"}) {
            auto a = http_get(base + path);
            if (a.status != 0) answers.emplace_back(std::string(path) + " " + when, a.body);
        }
    };

    // The first run fails for good (every request answered 500), so that the
    // daemon runs again (after its retry delay, 5 s here); the second one
    // runs with the usual faults.
    sim_->admin("/_sim/faults?reset=1&p500=1", "POST");
    auto daemon = start_sync(env_, {"daemon", "--log-level", "debug"});
    const auto nothing = [] {};
    ASSERT_TRUE(eventually([&] { return http_get(base + "/healthz").status == 503; }, 60s, nothing))
        << daemon->output();
    ASSERT_TRUE(eventually(
        [&] {
            return http_get(base + "/metrics").body.find("marin_runs_total{mode=\"full\",outcome=\"failed\"} 1") !=
                   std::string::npos;
        },
        120s, [&] { scrape("during the first run"); }))
        << daemon->output();
    // The usual faults before the daemon's retry delay is over.
    sim_->admin(fault_query, "POST");
    scrape("after the failed run");
    // Scraped every half second until the second run succeeded: some of
    // these answers are taken while it runs.
    ASSERT_TRUE(eventually([&] { return http_get(base + "/healthz").status == 200; }, 180s,
                           [&] { scrape("while waiting for the second run"); }, 500ms))
        << daemon->output();
    scrape("after the second run");
    daemon->kill(SIGTERM);
    const auto stopped = daemon->wait();
    EXPECT_EQ(stopped.exit_code, 0) << stopped.output;

    const auto runs = count_of(stopped.output, "sync started (run");
    EXPECT_EQ(runs, 2u) << stopped.output;
    EXPECT_EQ(tls_warnings(stopped.output), runs) << "one warning per run:\n" << stopped.output;
    // Each run warns before its first request, not only the first one: one
    // warning after the first run's summary, before the second run starts.
    const auto first_end = stopped.output.find("full sync failed in");
    ASSERT_NE(first_end, std::string::npos) << stopped.output;
    const auto second = stopped.output.find("sync started (run", first_end);
    ASSERT_NE(second, std::string::npos);
    EXPECT_EQ(tls_warnings(stopped.output.substr(first_end, second - first_end)), 1u)
        << stopped.output.substr(first_end);

    EXPECT_NO_KEY(stopped.output, "the daemon's output");
    EXPECT_GT(count_of(stopped.output, "key=***"), 10u) << "no masked next URL in the output";
    for (const auto& [what, body] : answers) EXPECT_NO_KEY(body, what);
    EXPECT_GE(answers.size(), 15u) << "the daemon's answers were scraped during both runs and between them";
    EXPECT_NO_KEY(database_text(db_.dsn()), "the database");
    const auto diff = compare_mirror(db_.dsn(), *sim_);
    EXPECT_EQ(diff.problem_count, 0u) << (diff.problems.empty() ? "" : diff.problems.front());
    std::printf("daemon: %zu runs, %zu warnings, %zu answers searched\n", runs, tls_warnings(stopped.output),
                answers.size());
}

}  // namespace
}  // namespace marin::e2e
