// API faults (issue 7, item 3): the real marin-sync against the real
// marin-sim over loopback and a database of the test cluster, with every
// fault the simulator offers. After each scenario the mirror equals the
// simulator's expected state (once the fault is off, when the fault prevents
// it), nothing is written twice, nothing is removed that is still listed, and
// retries stay within their count, their time and the request budget.
//
// Most scenarios use the `tiny` agency with small pages (api.page_limit) so
// that every kind of listing spans several pages at little cost.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "marin/model/table_spec.hpp"

namespace marin::e2e {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// A key that cannot appear in a log line by chance.
const std::string api_key = "k3y-ApiFaults-9f1c2e";

// Fast retries (tests must not wait out production backoffs), small pages.
std::string config_toml(int page_limit, const std::string& more_api = "", int max_attempts = 10) {
    return "[api]\nmax_attempts = " + std::to_string(max_attempts) +
           "\nbackoff_initial_ms = 20\nbackoff_max_ms = 200\nconnect_timeout_s = 5\nread_timeout_s = 5\n"
           "request_timeout_s = 30\npage_limit = " +
           std::to_string(page_limit) + "\n" + more_api;
}

// A number of the run's summary line (not of a progress line before it, which
// a run longer than ten seconds logs too).
std::int64_t summary_number(const std::string& output, const std::string& what) {
    std::size_t from = 0;
    for (const char* end : {" sync succeeded in ", " sync failed in ", " sync interrupted in "})
        if (const auto at = output.rfind(end); at != std::string::npos) from = std::max(from, at);
    std::smatch m;
    const std::regex re("([0-9]+) " + what);
    const std::string summary = output.substr(from);
    return std::regex_search(summary, m, re) ? std::stoll(m[1]) : -1;
}

// ---- plain sockets: polling the simulator often, and a foreign server ------

std::uint16_t port_of(const std::string& url) {
    return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

// GET over HTTP/1.0 (the server closes after the answer): cheap enough to
// poll the counters every few milliseconds during a run.
std::string quick_get(std::uint16_t port, const std::string& target) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("connect failed");
    }
    const std::string req = "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
        ::close(fd);
        throw std::runtime_error("send failed");
    }
    std::string answer;
    char buf[16384];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) answer.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    const auto body = answer.find("\r\n\r\n");
    return body == std::string::npos ? std::string() : answer.substr(body + 4);
}

// A server on another port that never answers: it records whether anyone
// connects and what they send (a `next` URL pointing here must never be
// requested, least of all with the key).
class ForeignListener {
  public:
    ForeignListener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = 0;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 16) != 0)
            throw std::runtime_error("cannot listen");
        socklen_t len = sizeof addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~ForeignListener() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    std::uint16_t port() const { return port_; }
    int connections() const { return connections_; }
    std::string received() const {
        std::lock_guard lock(mutex_);
        return received_;
    }

  private:
    void serve() {
        std::vector<int> clients;
        while (!stop_) {
            std::vector<pollfd> fds{{fd_, POLLIN, 0}};
            for (int c : clients) fds.push_back({c, POLLIN, 0});
            if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
            if (fds[0].revents & POLLIN) {
                const int c = ::accept(fd_, nullptr, nullptr);
                if (c >= 0) {
                    ++connections_;
                    clients.push_back(c);
                }
            }
            for (std::size_t i = 1; i < fds.size(); ++i) {
                if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
                char buf[4096];
                const auto n = ::recv(fds[i].fd, buf, sizeof buf, 0);
                if (n > 0) {
                    std::lock_guard lock(mutex_);
                    received_.append(buf, static_cast<std::size_t>(n));
                } else {
                    ::close(fds[i].fd);
                    std::erase(clients, fds[i].fd);
                }
            }
        }
        for (int c : clients) ::close(c);
    }

    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    mutable std::mutex mutex_;
    std::string received_;
    std::thread thread_;
};

// ---- what the simulator counted ---------------------------------------------

struct SimCounts {
    std::int64_t api_requests = 0;  // every API answer (not /_sim)
    std::map<std::string, std::map<int, std::int64_t>> by_route;
    std::map<std::string, std::int64_t> faults;  // injected, by setting
    std::int64_t status(int code) const {
        std::int64_t n = 0;
        for (const auto& [route, statuses] : by_route)
            if (auto it = statuses.find(code); it != statuses.end()) n += it->second;
        return n;
    }
    std::int64_t fault(const std::string& name) const {
        auto it = faults.find(name);
        return it == faults.end() ? 0 : it->second;
    }
    std::string text() const {
        std::string s = std::to_string(api_requests) + " API requests; faults:";
        for (const auto& [k, v] : faults) s += " " + k + "=" + std::to_string(v);
        return s;
    }
};

SimCounts parse_counts(const std::string& body) {
    SimCounts c;
    const auto doc = json::parse(body).as_object();
    for (const auto& [route, statuses] : doc.at("endpoints").as_object()) {
        if (route.starts_with("/_sim")) continue;
        for (const auto& [status, n] : statuses.as_object()) {
            c.by_route[std::string(route)][std::stoi(std::string(status))] = n.as_int64();
            c.api_requests += n.as_int64();
        }
    }
    for (const auto& [name, n] : doc.at("faults").as_object()) c.faults[std::string(name)] = n.as_int64();
    return c;
}

// ---- checks on the mirror --------------------------------------------------

struct TableKeys {
    std::string name;
    std::vector<std::string> keys;
};

std::vector<TableKeys> table_keys() {
    std::vector<TableKeys> out;
    for (const auto& table : model::all_tables()) {
        TableKeys t{std::string(table.name), {}};
        for (const auto& col : table.columns)
            if (col.role == model::ColumnRole::key) t.keys.emplace_back(col.name);
        out.push_back(std::move(t));
    }
    return out;
}

std::string key_select(pqxx::connection& c, const TableKeys& t) {
    std::string s;
    for (const auto& k : t.keys) s += (s.empty() ? "" : " || '|' || ") + c.quote_name(k) + "::text";
    return s + " || '|'";
}

std::string expected_key(const json::object& line, const TableKeys& t) {
    std::string key;
    for (const auto& k : t.keys) {
        const auto& v = line.at("key").at(k);
        key += (v.is_string() ? std::string(v.as_string()) : json::serialize(v)) + "|";
    }
    return key;
}

struct RemovalAudit {
    std::vector<std::string> wrong;  // removed in the mirror, still listed by the API
    std::size_t removed_rows = 0;    // rows the mirror marks removed
    std::size_t pending = 0;         // gone from the API, not (yet) marked in the mirror
};

// Every row the mirror marks removed must be one the simulator no longer lists.
RemovalAudit audit_removals(const std::string& dsn, const Simulator& sim) {
    RemovalAudit audit;
    pqxx::connection c(dsn);
    for (const auto& t : table_keys()) {
        std::set<std::string> removed, live;
        {
            pqxx::read_transaction tx(c);
            for (const auto& row :
                 tx.exec("SELECT " + key_select(c, t) + ", _removed_at IS NOT NULL FROM marin." + c.quote_name(t.name)))
                (row[1].as<bool>() ? removed : live).insert(row[0].c_str());
        }
        audit.removed_rows += removed.size();
        std::istringstream lines(sim.admin("/_sim/expected?table=" + t.name));
        for (std::string line; std::getline(lines, line);) {
            if (line.empty()) continue;
            const auto expected = json::parse(line).as_object();
            const auto key = expected_key(expected, t);
            const bool gone = expected.at("removed").as_bool();
            if (!gone && removed.contains(key)) audit.wrong.push_back(t.name + " " + key);
            if (gone && live.contains(key)) ++audit.pending;
        }
    }
    return audit;
}

// Versions written twice: two history rows of one key with the same start.
std::int64_t duplicate_versions(const std::string& dsn) {
    pqxx::connection c(dsn);
    pqxx::read_transaction tx(c);
    std::int64_t n = 0;
    for (const auto& t : table_keys()) {
        std::string keys;
        for (const auto& k : t.keys) keys += c.quote_name(k) + ", ";
        n += tx.exec1("SELECT count(*) FROM (SELECT 1 FROM marin." + c.quote_name(t.name + "_history") + " GROUP BY " +
                      keys + "_valid_from HAVING count(*) > 1) d")[0]
                 .as<std::int64_t>();
    }
    return n;
}

std::int64_t history_rows(const std::string& dsn) {
    pqxx::connection c(dsn);
    pqxx::read_transaction tx(c);
    std::int64_t n = 0;
    for (const auto& t : table_keys())
        n += tx.exec1("SELECT count(*) FROM marin." + c.quote_name(t.name + "_history"))[0].as<std::int64_t>();
    return n;
}

// Faults the simulator injected (the pbad_body kinds are details of pbad_body).
std::int64_t injected(const SimCounts& counts) {
    std::int64_t n = 0;
    for (const auto& [k, v] : counts.faults)
        if (k.find(':') == std::string::npos) n += v;
    return n;
}

// The figures the report asks for, printed by each scenario.
void record(const std::string& scenario, const SimCounts& counts, std::size_t rows_compared, double seconds) {
    std::printf("[api-faults] %s: %lld faults injected (%s), %zu rows compared, %.1f s\n", scenario.c_str(),
                static_cast<long long>(injected(counts)), counts.text().c_str(), rows_compared, seconds);
    std::fflush(stdout);
    ::testing::Test::RecordProperty(scenario + "_faults", std::to_string(injected(counts)));
    ::testing::Test::RecordProperty(scenario + "_rows_compared", std::to_string(rows_compared));
}

class ApiFaults : public ::testing::Test {
  protected:
    void start(Simulator::Options options, const std::string& toml) {
        options.key = api_key;
        sim_ = std::make_unique<Simulator>(std::move(options));
        env_.api_url = sim_->url();
        env_.key = sim_->key();
        env_.dsn = db_.dsn();
        env_.config_file = write_config(toml);
        auto migrate = run_sync(env_, {"migrate"});
        ASSERT_EQ(migrate.exit_code, 0) << migrate.output;
        started_ = Clock::now();
    }
    void reconfigure(const std::string& toml) { env_.config_file = write_config(toml); }

    ProcessResult sync(std::vector<std::string> args = {"sync", "--full"}) {
        auto r = run_sync(env_, args);
        // The key never reaches the output, whatever the fault.
        EXPECT_EQ(r.output.find(api_key), std::string::npos) << "the key leaked:\n" << r.output;
        return r;
    }
    void faults(const std::string& query) { sim_->admin("/_sim/faults?" + query, "POST"); }
    SimCounts counts() const { return parse_counts(sim_->admin("/_sim/counters")); }
    void reset_counts() const { sim_->admin("/_sim/counters/reset", "POST"); }

    // Nothing removed that the API still lists, no version written twice.
    void expect_no_wrong_removal() {
        const auto audit = audit_removals(db_.dsn(), *sim_);
        std::string list;
        for (const auto& w : audit.wrong) list += "\n  " + w;
        EXPECT_TRUE(audit.wrong.empty()) << audit.wrong.size() << " rows wrongly marked removed:" << list;
        EXPECT_EQ(duplicate_versions(db_.dsn()), 0);
    }
    std::size_t expect_equal() {
        const auto diff = compare_mirror(db_.dsn(), *sim_);
        EXPECT_EQ(diff.problem_count, 0u) << describe(diff);
        EXPECT_GT(diff.rows_compared, 0u);
        // An exact mirror has no wrong removal; look for them only otherwise.
        if (diff.problem_count > 0) expect_no_wrong_removal();
        EXPECT_EQ(duplicate_versions(db_.dsn()), 0);
        rows_compared_ += diff.rows_compared;
        return diff.rows_compared;
    }
    // The last run in marin.sync_runs: outcome and error.
    std::pair<std::string, std::string> last_run() {
        pqxx::connection c(db_.dsn());
        pqxx::read_transaction tx(c);
        const auto row =
            tx.exec1("SELECT outcome::text, coalesce(error, '') FROM marin.sync_runs ORDER BY run_id DESC LIMIT 1");
        return {row[0].c_str(), row[1].c_str()};
    }
    double seconds() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }

    test::TestDatabase db_{"apifaults"};
    std::unique_ptr<Simulator> sim_;
    SyncEnv env_;
    Clock::time_point started_;
    std::size_t rows_compared_ = 0;
};

// ---- every server fault at high rates, within the request budget -------------

TEST_F(ApiFaults, EveryServerFaultAtHighRatesStaysWithinAttemptsTimeAndBudget) {
    // Nearly half of all answers are faulty; every attempt still starts within
    // the request budget, no request takes more than max_attempts, no wait is
    // longer than backoff_max, and the mirror comes out exact.
    //
    // The simulator draws its faults at random and a run at `tiny` makes about
    // a hundred and fifty requests, so one run may by chance miss a kind
    // (max_concurrent needs slow answers holding their slots: at pslow 3% both
    // were missing from one run in five). Full runs repeat, each checked on
    // its own, until every kind has been injected; at pslow 8% one run seldom
    // misses any, and six runs all missing one are out of reach.
    constexpr int attempts = 20;
    constexpr double budget = 40;  // requests per second
    constexpr int max_runs = 6;
    start(sim_options("tiny", 21,
                      {"--p429", "0.08", "--p500", "0.06", "--p503", "0.06", "--pdrop", "0.06", "--pslow", "0.08",
                       "--pbad-body", "0.08", "--max-concurrent", "2", "--latency-ms", "25"}),
          config_toml(4, "requests_per_second = 40\nmax_in_flight = 4\n", attempts));
    const std::vector<std::string> kinds = {"p429", "p500", "p503", "pdrop", "pslow", "pbad_body", "max_concurrent"};
    SimCounts total;
    std::int64_t refused = 0;  // answers other than 200
    const auto every_kind_seen = [&] {
        return std::all_of(kinds.begin(), kinds.end(), [&](const std::string& f) { return total.fault(f) > 0; });
    };
    int runs = 0;
    while (runs < max_runs && !(runs > 0 && every_kind_seen())) {
        ++runs;
        SCOPED_TRACE("full run " + std::to_string(runs));
        reset_counts();
        // Poll the simulator's counters while the run goes. The count was
        // taken between the two times around its request (the poller or the
        // simulator may stall in between).
        struct Sample {
            double asked, answered;
            std::int64_t api_answers;
        };
        std::vector<Sample> samples;
        std::atomic<bool> running{true};
        const auto port = port_of(sim_->url());
        std::thread poller([&] {
            const auto t0 = Clock::now();
            while (running) {
                try {
                    const double asked = std::chrono::duration<double>(Clock::now() - t0).count();
                    const auto c = parse_counts(quick_get(port, "/_sim/counters?key=" + api_key));
                    samples.push_back(
                        {asked, std::chrono::duration<double>(Clock::now() - t0).count(), c.api_requests});
                } catch (const std::exception&) {}
                std::this_thread::sleep_for(50ms);
            }
        });
        const auto t0 = Clock::now();
        auto r = sync();
        const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
        running = false;
        poller.join();
        ASSERT_EQ(r.exit_code, 0) << r.output;
        const auto c = counts();
        total.api_requests += c.api_requests;
        for (const auto& [k, v] : c.faults) total.faults[k] += v;
        refused += c.api_requests - c.status(200);

        // Every attempt the simulator answered is one marin-sync counted, and
        // no more were made than max_attempts per request.
        const auto requests = summary_number(r.output, "requests");
        EXPECT_EQ(requests, c.api_requests) << r.output;
        const auto successes = c.status(200) - c.fault("pbad_body") - c.fault("pdrop");
        EXPECT_LE(c.api_requests, successes * attempts) << c.text();
        int max_attempt_seen = 0;
        double longest_wait = 0;
        const std::regex retry_line(R"(\(attempt ([0-9]+)/([0-9]+)\); retrying in ([0-9]+) ms)");
        for (auto it = std::sregex_iterator(r.output.begin(), r.output.end(), retry_line); it != std::sregex_iterator();
             ++it) {
            max_attempt_seen = std::max(max_attempt_seen, std::stoi((*it)[1]));
            EXPECT_EQ(std::stoi((*it)[2]), attempts);
            longest_wait = std::max(longest_wait, std::stod((*it)[3]));
        }
        EXPECT_GT(max_attempt_seen, 0) << "no retry was logged";
        EXPECT_LT(max_attempt_seen, attempts);
        EXPECT_EQ(r.output.find("gave up"), std::string::npos) << r.output;
        EXPECT_LE(longest_wait, 200) << "a wait longer than backoff_max (Retry-After is up to 2 s)";

        // The budget, as the simulator saw it: in any window of at least a
        // second, no more answers than the budget allows, plus those that
        // were in flight when the window opened (max_in_flight) and one for
        // rounding. A window is taken at its longest: from before the first
        // count was asked to after the second one was answered.
        ASSERT_GE(samples.size(), 10u);
        double worst = 0;
        for (std::size_t i = 0; i < samples.size(); ++i)
            for (std::size_t j = i + 1; j < samples.size(); ++j) {
                const double dt = samples[j].answered - samples[i].asked;
                if (dt < 1.0) continue;
                const double n = static_cast<double>(samples[j].api_answers - samples[i].api_answers);
                EXPECT_LE(n, budget * (dt + 0.1) + 4 + 1)
                    << "between " << samples[i].asked << " s and " << samples[j].answered << " s";
                worst = std::max(worst, n / dt);
            }
        EXPECT_GE(wall, static_cast<double>(c.api_requests - 4) / budget) << "the budget was not applied";
        std::printf("[api-faults] run %d, budget %.0f/s: busiest window %.1f/s, %lld answers in %.1f s (%s)\n", runs,
                    budget, worst, static_cast<long long>(c.api_requests), wall, c.text().c_str());
        expect_equal();
    }
    // The runs above proved something only if the faults were there.
    for (const auto& f : kinds)
        EXPECT_GE(total.fault(f), 1) << f << " was never injected in " << runs << " runs: " << total.text();
    EXPECT_GE(refused, 10) << total.text();
    record("high_rates", total, rows_compared_, seconds());
}

// ---- bursts -------------------------------------------------------------------

TEST_F(ApiFaults, BurstsOfEachFaultAreRiddenOut) {
    // Each burst turns one fault on for every request for 150 ms, then all
    // off for 250 ms (longer than backoff_max): a retried request always has
    // an attempt in a pause, so the run succeeds and the mirror is exact. The
    // request budget keeps requests flowing through every burst (the run
    // lasts 3 s or more however fast the machine).
    start(sim_options("tiny", 22, {"--latency-ms", "3"}), config_toml(3, "requests_per_second = 30\n", 15));
    std::atomic<bool> running{true};
    std::atomic<int> bursts{0};
    const auto port = port_of(sim_->url());
    std::thread toggler([&] {
        const std::vector<std::string> kinds = {
            "p503=1", "p429=1", "pdrop=1", "pbad_body=1", "p500=1", "max_concurrent=1&latency_ms=30", "pslow=1"};
        // From the run's first API request on.
        while (running) {
            try {
                if (parse_counts(quick_get(port, "/_sim/counters?key=" + api_key)).api_requests > 0) break;
            } catch (const std::exception&) {}
            std::this_thread::sleep_for(10ms);
        }
        for (std::size_t i = 0; running; ++i) {
            try {
                quick_get(port, "/_sim/faults?reset=1&" + kinds[i % kinds.size()] + "&key=" + api_key);
                ++bursts;
                std::this_thread::sleep_for(150ms);
                quick_get(port, "/_sim/faults?reset=1&key=" + api_key);
            } catch (const std::exception&) {}
            std::this_thread::sleep_for(250ms);
        }
    });
    auto r = sync();
    running = false;
    toggler.join();
    faults("reset=1");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    const auto c = counts();
    EXPECT_GE(bursts.load(), 7) << "the run ended before every kind of burst";
    std::size_t kinds_seen = 0;
    for (const char* f : {"p503", "p429", "pdrop", "pbad_body", "p500", "max_concurrent", "pslow"})
        kinds_seen += c.fault(f) > 0;
    EXPECT_GE(kinds_seen, 5u) << c.text();
    EXPECT_GE(injected(c), 10) << c.text();
    std::printf("[api-faults] %d bursts during the run, %zu kinds of fault\n", bursts.load(), kinds_seen);
    if (r.exit_code != 0) {  // never expected; at least the next run must converge
        EXPECT_EQ(sync().exit_code, 0);
    }
    expect_equal();
    record("bursts", c, rows_compared_, seconds());
}

// ---- broken bodies --------------------------------------------------------------

TEST_F(ApiFaults, BrokenBodiesAreAskedAgainAndAlwaysBrokenOnesFailTheRunWithoutRemoving) {
    start(sim_options("tiny", 23, {"--pbad-body", "0.3"}), config_toml(3, "", 12));
    // Each kind of broken body is one draw in five of the broken ones: a run
    // may miss one by chance (one in five hundred). Runs repeat, each checked,
    // until every kind was served.
    const std::vector<std::string> kinds = {"pbad_body:malformed", "pbad_body:truncated", "pbad_body:html",
                                            "pbad_body:empty", "pbad_body:error_object"};
    std::map<std::string, std::int64_t> served;
    SimCounts c;
    for (int run = 1; run <= 3; ++run) {
        reset_counts();
        auto r = sync();
        ASSERT_EQ(r.exit_code, 0) << r.output;
        c = counts();
        for (const auto& kind : kinds) served[kind] += c.fault(kind);
        EXPECT_GE(summary_number(r.output, "retries"), c.fault("pbad_body")) << r.output;
        expect_equal();
        if (std::all_of(kinds.begin(), kinds.end(), [&](const std::string& k) { return served[k] > 0; })) break;
    }
    for (const auto& kind : kinds) EXPECT_GE(served[kind], 1) << kind << ": " << c.text();

    // Every body broken: each listing fails after its attempts, the run
    // says why and exits 1, and nothing is marked removed.
    sim_->epoch();
    faults("reset=1&pbad_body=1");
    reconfigure(config_toml(3, "", 4));
    auto r = sync();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("unusable body"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("gave up after 4 attempts"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("listings failed"), std::string::npos) << r.output;
    EXPECT_EQ(last_run().first, "failed");
    expect_no_wrong_removal();
    EXPECT_GT(audit_removals(db_.dsn(), *sim_).pending, 0u) << "the epoch removed nothing: the check proves nothing";
    const auto all = counts();
    faults("reset=1");
    r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_equal();
    record("bad_bodies", all, rows_compared_, seconds());
}

// ---- a body over the configured maximum ---------------------------------------------

TEST_F(ApiFaults, BodyOverTheConfiguredMaximumFailsItsListingOnlyThenConverges) {
    const std::string small_limit = "max_body_bytes = 4096\n";
    start(sim_options("tiny", 24), config_toml(300));
    ASSERT_EQ(sync().exit_code, 0);
    sim_->epoch();
    reconfigure(config_toml(300, small_limit));
    reset_counts();
    auto r = sync();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("larger than the limit (body limit exceeded): 4096 bytes allowed (api.max_body_bytes)"),
              std::string::npos)
        << r.output;
    const auto failed_listings = summary_number(r.output, "listings failed");
    EXPECT_GE(failed_listings, 1) << r.output;
    // Too large is not worth another attempt: no retry at all.
    EXPECT_EQ(summary_number(r.output, "retries"), 0) << r.output;
    const auto c = counts();
    EXPECT_EQ(c.api_requests, c.status(200));
    expect_no_wrong_removal();
    // Listings with small pages completed: some of the epoch's removals are in.
    const auto audit = audit_removals(db_.dsn(), *sim_);
    std::printf(
        "[api-faults] body limit: %lld listings over it, %zu rows marked removed by the others, %zu "
        "removals left for the next run\n",
        static_cast<long long>(failed_listings), audit.removed_rows, audit.pending);
    reconfigure(config_toml(300));
    r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_equal();
    record("body_too_large", c, rows_compared_, seconds());
}

// ---- a listing that fails for good -------------------------------------------------

TEST_F(ApiFaults, ListingFailingForGoodMidwayIsReportedAndRemovesNothingFromIt) {
    constexpr int attempts = 5;
    start(sim_options("tiny", 25), config_toml(1, "", attempts));
    ASSERT_EQ(sync().exit_code, 0);
    sim_->epoch();
    // The account-child listing that lost a record in the epoch.
    const std::map<std::string, std::string> segment = {{"publisher_objects", "objects"},
                                                        {"funding_instruments", "funding-instruments"},
                                                        {"lead_forms", "lead-forms"},
                                                        {"audiences", "audiences"},
                                                        {"targeting_clusters", "targeting-clusters"}};
    std::string table, account, path;
    std::size_t listed = 0;
    for (const auto& [t, seg] : segment) {
        std::map<std::string, std::pair<bool, std::size_t>> by_account;  // account -> (lost one, still listed)
        std::istringstream lines(sim_->admin("/_sim/expected?table=" + t));
        for (std::string line; std::getline(lines, line);) {
            if (line.empty()) continue;
            const auto e = json::parse(line).as_object();
            const auto& a = e.at("key").at("account_id");
            auto& entry = by_account[a.is_string() ? std::string(a.as_string()) : json::serialize(a)];
            if (e.at("removed").as_bool())
                entry.first = true;
            else
                ++entry.second;
        }
        for (const auto& [acc, e] : by_account)
            if (e.first && e.second >= listed) {
                table = t, account = acc, path = "/accounts/" + acc + "/" + seg, listed = e.second;
            }
    }
    ASSERT_FALSE(path.empty()) << "the epoch removed no account child";
    const int from_page = listed >= 2 ? 2 : 1;  // one record a page: fail in the middle when there is one
    faults("fail_prefix=" + path + "&fail_from_page=" + std::to_string(from_page) + "&fail_status=500");
    reset_counts();
    const auto t0 = Clock::now();
    auto r = sync();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("1 listings failed"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(table + "@account:" + account), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("gave up after " + std::to_string(attempts) + " attempts"), std::string::npos) << r.output;
    const auto [outcome, error] = last_run();
    EXPECT_EQ(outcome, "failed");
    EXPECT_NE(error.find("listings failed"), std::string::npos) << error;
    EXPECT_EQ(error.find(api_key), std::string::npos) << error;
    const auto c = counts();
    EXPECT_EQ(c.fault("fail_prefix"), attempts)
        << "the failing page was asked max_attempts times, no more: " << c.text();
    EXPECT_LT(wall, 60) << "retries are bounded in time";

    // Nothing of that listing was marked removed; every other listing is exact.
    expect_no_wrong_removal();
    CompareOptions others;
    others.skip = [&](const std::string& t, const json::object& e) {
        const auto& a = e.at("key").as_object().if_contains("account_id");
        return t == table && a && (a->is_string() ? std::string(a->as_string()) : json::serialize(*a)) == account;
    };
    const auto diff = compare_mirror(db_.dsn(), *sim_, others);
    EXPECT_EQ(diff.problem_count, 0u) << describe(diff);
    {
        pqxx::connection conn(db_.dsn());
        pqxx::read_transaction tx(conn);
        EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM marin." + conn.quote_name(table) +
                                      " WHERE account_id = $1 AND _removed_at IS NOT NULL",
                                  account)[0]
                      .as<int>(),
                  0)
            << "a listing that failed marks nothing removed";
    }
    faults("reset=1");
    r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_equal();
    record("listing_fails_for_good", c, rows_compared_ + diff.rows_compared, seconds());
}

// ---- pagination faults -------------------------------------------------------

TEST_F(ApiFaults, NextLoopingBackOrToAnotherHostFailsTheListingRemovesNothingSendsNothing) {
    // After a clean run every row is in the mirror: a listing wrongly taken
    // as ended after its first page would mark the rest of it removed.
    ForeignListener foreign;
    start(sim_options("tiny", 26), config_toml(3));
    ASSERT_EQ(sync().exit_code, 0);
    sim_->epoch();

    // A next URL back to page 1: the loop is seen before it is followed.
    faults("pnext_loop=1");
    reset_counts();
    auto r = sync();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("pagination loop"), std::string::npos) << r.output;
    const auto loop = counts();
    EXPECT_GE(loop.fault("pnext_loop"), 5) << loop.text();
    EXPECT_EQ(loop.api_requests, loop.status(200)) << "no page was asked twice";
    EXPECT_EQ(last_run().first, "failed");
    expect_no_wrong_removal();

    // A next URL on another server: refused, never connected to.
    const auto foreign_host = "127.0.0.1:" + std::to_string(foreign.port());
    faults("reset=1&next_host=" + foreign_host);
    reset_counts();
    r = sync();
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("refusing to follow next URL 'http://" + foreign_host), std::string::npos) << r.output;
    const auto elsewhere = counts();
    EXPECT_GE(elsewhere.fault("next_host"), 5) << elsewhere.text();
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(foreign.connections(), 0) << "someone connected to the foreign host and sent:\n" << foreign.received();
    EXPECT_EQ(foreign.received().find(api_key), std::string::npos);
    expect_no_wrong_removal();
    EXPECT_GT(audit_removals(db_.dsn(), *sim_).pending, 0u) << "the epoch removed nothing: the check proves nothing";

    faults("reset=1");
    r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_equal();
    SimCounts both = loop;
    for (const auto& [k, v] : elsewhere.faults) both.faults[k] += v;
    both.api_requests += elsewhere.api_requests;
    record("next_loop_and_foreign_next", both, rows_compared_, seconds());
}

TEST_F(ApiFaults, ListingsMovingWhileReadCauseNoDuplicateAndNoWrongRemoval) {
    // Rows inserted ahead of the reader: every page's total drifts (some
    // promise a page past the end, some fall) and every page after the first
    // repeats the last records of the page before.
    start(sim_options("tiny", 28, {"--ptotal-drift", "1", "--prepeat", "1", "--repeat-count", "2"}), config_toml(3));
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_equal();
    // Each row inserted once, never updated: a repeat is no new version.
    std::int64_t rows = 0;
    for (const auto& [table, n] : row_counts(db_.dsn())) rows += n;
    EXPECT_EQ(data_tuple_writes(db_.dsn()), rows);
    EXPECT_EQ(history_rows(db_.dsn()), 0);
    EXPECT_GT(summary_number(r.output, "rows read"), rows) << "the repeats reached marin-sync: " << r.output;
    // Repeats within one batch of the writer above; across batches here
    // (one row a batch), with removals and changes from an epoch.
    sim_->epoch();
    reconfigure(config_toml(3) + "[database]\nbatch_rows = 1\n");
    r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // A listing whose total fell while it was read may have had records
    // moved past the reader: it is read a second time, and only rows neither
    // read showed are marked removed. The simulator's records never really
    // move, so the mirror comes out exact.
    const auto reread = summary_number(r.output, "listings read twice");
    EXPECT_GT(reread, 0) << r.output;
    EXPECT_NE(r.output.find("shrank while it was read"), std::string::npos) << r.output;
    std::printf("[api-faults] %lld listings read twice\n", static_cast<long long>(reread));
    expect_equal();
    const auto c = counts();
    EXPECT_GE(c.fault("ptotal_drift"), 50) << c.text();
    EXPECT_GE(c.fault("prepeat"), 20) << c.text();
    record("total_drift_and_repeats", c, rows_compared_, seconds());
}

}  // namespace
}  // namespace marin::e2e
