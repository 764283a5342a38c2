// End-to-end harness: the real marin-sim and marin-sync binaries, over
// loopback, against a database of the test cluster.
#pragma once

#include <boost/json/value.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "support/pg_test_db.hpp"

namespace marin::e2e {

std::string binary(const std::string& name);  // <build>/bin/<name>, or $MARIN_TEST_BIN_DIR/<name>

// A TCP port on loopback that was free when asked (another process may take
// it before the caller binds it).
int free_port();

// A CA and a server certificate signed by it for `names` (subjectAltName,
// e.g. "DNS:localhost,IP:127.0.0.1"), made with the openssl CLI in a
// temporary folder that goes with the object.
class TestPki {
  public:
    explicit TestPki(const std::string& names);
    ~TestPki();
    TestPki(const TestPki&) = delete;
    TestPki& operator=(const TestPki&) = delete;
    std::string file(const char* name) const;  // ca.pem, server.pem, server.key

  private:
    std::string dir_;
};

struct ProcessResult {
    int exit_code = -1;  // -signal when killed
    std::string output;  // stdout + stderr
};

// A child process with its output in a file.
class Process {
  public:
    Process(std::vector<std::string> argv, std::map<std::string, std::string> env);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    int pid() const { return pid_; }
    void kill(int signal);
    ProcessResult wait();
    std::string output() const;
    bool running();

  private:
    int pid_ = -1;
    std::string log_path_;
    std::optional<int> status_;
};

// marin-sim on a free port.
class Simulator {
  public:
    struct Options {
        std::string scale = "tiny";
        int seed = 7;
        std::string key = "test-key";
        std::vector<std::string> extra_args;
    };
    explicit Simulator(Options options);
    const std::string& url() const { return url_; }
    const std::string& key() const { return options_.key; }
    std::string admin(const std::string& path_and_query, const std::string& method = "GET") const;
    void epoch() const { admin("/_sim/epoch", "POST"); }
    std::string today() const { return today_; }

  private:
    Options options_;
    std::unique_ptr<Process> process_;
    std::string url_;
    std::string today_;
};

// Percent-encodes every byte but RFC 3986's unreserved characters.
std::string url_encode(const std::string& text);

// Options for the usual case: a scale, a seed and extra marin-sim flags.
Simulator::Options sim_options(std::string scale, int seed, std::vector<std::string> extra_args = {});

struct HttpAnswer {
    int status = 0;
    std::string body;
};
HttpAnswer http_get(const std::string& url, const std::string& method = "GET");

// marin-sync with the simulator and database in its environment.
struct SyncEnv {
    std::string api_url, key, dsn;
    std::string config_file;  // optional
    std::map<std::string, std::string> extra;
    std::map<std::string, std::string> env() const;
};
ProcessResult run_sync(const SyncEnv& env, std::vector<std::string> args);
std::unique_ptr<Process> start_sync(const SyncEnv& env, std::vector<std::string> args);

// A config file in a temporary folder, for settings the environment does
// not carry (fast retries in tests).
std::string write_config(const std::string& toml);

// Differences between the mirror and the simulator's expected state.
struct MirrorDiff {
    std::vector<std::string> problems;  // first few, human-readable
    std::size_t problem_count = 0;
    std::size_t rows_compared = 0;
    std::size_t keep = 15;  // how many problems are kept in `problems`
    void add(std::string p);
};
// "N problems in M rows" and the problems kept, one per line.
std::string describe(const MirrorDiff& diff);

// A config file body with quick retries, so that fault tests do not wait out
// production backoffs.
extern const char* const fast_retries_toml;

// YYYY-MM-DD of `days` days before today (UTC).
std::string days_ago(int days);

struct CompareOptions {
    std::string stats_from;  // YYYY-MM-DD; "" = all
    // Problems kept in MirrorDiff::problems (all are counted); raise it to
    // sort every problem by kind.
    std::size_t keep_problems = 15;
    // Rows the comparison leaves out (for what an incremental run skips).
    std::function<bool(const std::string& table, const boost::json::object& expected_line)> skip;
    // Tables where a row expected but absent is no problem (a run that
    // refused part of them); rows present must still equal their expected
    // row, and rows not expected are still problems.
    std::set<std::string> missing_ok;
};
MirrorDiff compare_mirror(const std::string& dsn, const Simulator& sim, const CompareOptions& options = {});

// The version history a crash or a lost connection could corrupt: per key of
// every mirror table, its versions in marin.<table>_history must chain (each
// version starts where the one before it ended, no two start together), and
// the current row must start where the last version ended. rows_compared
// counts the history rows checked.
MirrorDiff check_history(const std::string& dsn);

// Sum of inserted + updated + deleted tuples over the mirror's data tables.
std::int64_t data_tuple_writes(const std::string& dsn);
std::map<std::string, std::int64_t> row_counts(const std::string& dsn);

}  // namespace marin::e2e
