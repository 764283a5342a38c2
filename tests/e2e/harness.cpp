// End-to-end harness: starts marin-sim and marin-sync, reads the mirror of
// the test's database (see harness.hpp).
#include "harness.hpp"

#include <ctime>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <mutex>
#include <thread>

#include "marin/model/table_spec.hpp"

extern char** environ;

namespace marin::e2e {

using namespace std::chrono_literals;

std::string binary(const std::string& name) {
    // A copy of the programs elsewhere, e.g. while the build directory is
    // being rebuilt under a long test.
    if (const char* dir = std::getenv("MARIN_TEST_BIN_DIR"); dir && *dir) return std::string(dir) + "/" + name;
    return std::string(MARIN_BINARY_DIR) + "/bin/" + name;
}

namespace {

std::string temp_path(const std::string& stem) {
    static int counter = 0;
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp ? tmp : "/tmp") + "/marin-e2e-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter++) + "-" + stem;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

Process::Process(std::vector<std::string> argv, std::map<std::string, std::string> env) {
    log_path_ = temp_path("proc.log");
    // Environment: ours, minus the MARIN_ variables, plus the given ones.
    std::vector<std::string> envs;
    for (char** e = environ; *e; ++e) {
        std::string kv(*e);
        if (kv.rfind("MARIN_", 0) == 0 && kv.rfind("MARIN_TEST_", 0) != 0) continue;
        if (kv.rfind("CREDENTIALS_DIRECTORY=", 0) == 0) continue;
        envs.push_back(kv);
    }
    for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
    std::vector<char*> cargv, cenv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    for (auto& e : envs) cenv.push_back(e.data());
    cenv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        std::FILE* f = std::fopen(log_path_.c_str(), "w");
        if (f) {
            ::dup2(::fileno(f), STDOUT_FILENO);
            ::dup2(::fileno(f), STDERR_FILENO);
        }
        ::execve(cargv[0], cargv.data(), cenv.data());
        std::perror("execve");
        std::_Exit(127);
    }
}

Process::~Process() {
    if (!status_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int st = 0;
        ::waitpid(pid_, &st, 0);
    }
    std::remove(log_path_.c_str());
}

void Process::kill(int signal) {
    if (!status_) ::kill(pid_, signal);
}

bool Process::running() {
    if (status_) return false;
    int st = 0;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        status_ = st;
        return false;
    }
    return true;
}

ProcessResult Process::wait() {
    if (!status_) {
        int st = 0;
        ::waitpid(pid_, &st, 0);
        status_ = st;
    }
    ProcessResult r;
    r.exit_code = WIFEXITED(*status_) ? WEXITSTATUS(*status_) : -WTERMSIG(*status_);
    r.output = output();
    return r;
}

std::string Process::output() const { return read_file(log_path_); }

Simulator::Simulator(Options options) : options_(std::move(options)) {
    std::vector<std::string> argv = {
        binary("marin-sim"),           "--port", "0",         "--scale", options_.scale, "--seed",
        std::to_string(options_.seed), "--key",  options_.key};
    argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
    process_ = std::make_unique<Process>(argv, std::map<std::string, std::string>{});
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto out = process_->output();
        const auto pos = out.find("listening on ");
        if (pos != std::string::npos) {
            const auto end = out.find_first_of(" \r\n", pos + 13);
            if (end != std::string::npos) {
                url_ = out.substr(pos + 13, end - pos - 13);
                break;
            }
        }
        if (!process_->running()) throw std::runtime_error("marin-sim exited: " + process_->output());
        std::this_thread::sleep_for(20ms);
    }
    if (url_.empty()) throw std::runtime_error("marin-sim did not start: " + process_->output());
    const auto epoch = boost::json::parse(admin("/_sim/faults"));
    (void)epoch;
}

std::string Simulator::admin(const std::string& path_and_query, const std::string& method) const {
    const auto sep = path_and_query.find('?') == std::string::npos ? "?" : "&";
    // Encoded: a key with reserved characters ('+', '/', '=') would be read
    // back as something else ('+' as a space).
    auto answer = http_get(url_ + path_and_query + sep + "key=" + url_encode(options_.key), method);
    if (answer.status != 200)
        throw std::runtime_error("simulator " + path_and_query + " answered " + std::to_string(answer.status) + ": " +
                                 answer.body.substr(0, 300));
    return answer.body;
}

std::string url_encode(const std::string& text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

Simulator::Options sim_options(std::string scale, int seed, std::vector<std::string> extra_args) {
    Simulator::Options o;
    o.scale = std::move(scale);
    o.seed = seed;
    o.extra_args = std::move(extra_args);
    return o;
}

HttpAnswer http_get(const std::string& url, const std::string& method) {
    const auto body_path = temp_path("body");
    std::vector<std::string> argv = {"/usr/bin/curl", "-s", "-k",           "-X",         method, "-o",
                                     body_path,       "-w", "%{http_code}", "--max-time", "600",  url};
    Process curl(argv, {});
    auto r = curl.wait();
    HttpAnswer a;
    a.status = std::atoi(r.output.c_str());
    a.body = read_file(body_path);
    std::remove(body_path.c_str());
    return a;
}

std::map<std::string, std::string> SyncEnv::env() const {
    std::map<std::string, std::string> e = extra;
    e["MARIN_API_URL"] = api_url;
    e["MARIN_API_KEY"] = key;
    e["MARIN_PG_DSN"] = dsn;
    return e;
}

std::unique_ptr<Process> start_sync(const SyncEnv& env, std::vector<std::string> args) {
    std::vector<std::string> argv = {binary("marin-sync")};
    argv.insert(argv.end(), args.begin(), args.end());
    if (!env.config_file.empty() && !args.empty()) {
        argv.push_back("--config");
        argv.push_back(env.config_file);
    }
    return std::make_unique<Process>(argv, env.env());
}

ProcessResult run_sync(const SyncEnv& env, std::vector<std::string> args) { return start_sync(env, args)->wait(); }

namespace {
// The configuration files written by a test binary, removed when it exits
// (not before: a process it started may still read one).
class ConfigFiles {
  public:
    ~ConfigFiles() {
        for (const auto& p : paths_) std::remove(p.c_str());
    }
    void add(std::string path) {
        std::lock_guard lock(mutex_);
        paths_.push_back(std::move(path));
    }

  private:
    std::mutex mutex_;
    std::vector<std::string> paths_;
};
}  // namespace

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

TestPki::TestPki(const std::string& names) {
    std::string pattern = temp_path("pki-XXXXXX");
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    dir_ = pattern;
    const std::string script =
        "set -e; cd '" + dir_ +
        "';"
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=marin-test-ca;"
        "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=marin-sim;"
        "printf 'subjectAltName=" +
        names +
        "' > ext;"
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 "
        "-extfile ext";
    const std::string cmd = "sh -c \"" + script + "\" >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl failed in " + dir_);
}

TestPki::~TestPki() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

std::string TestPki::file(const char* name) const { return dir_ + "/" + name; }

std::string write_config(const std::string& toml) {
    static ConfigFiles written;
    const auto path = temp_path("config.toml");
    std::ofstream(path) << toml;
    written.add(path);
    return path;
}

std::string describe(const MirrorDiff& d) {
    std::string s = std::to_string(d.problem_count) + " problems in " + std::to_string(d.rows_compared) + " rows";
    for (const auto& p : d.problems) s += "\n  " + p;
    return s;
}

const char* const fast_retries_toml = R"(
[api]
max_attempts = 10
backoff_initial_ms = 20
backoff_max_ms = 200
connect_timeout_s = 5
read_timeout_s = 5
request_timeout_s = 30
)";

std::string days_ago(int days) {
    const std::time_t t = std::time(nullptr) - static_cast<std::time_t>(days) * 86400;
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

void MirrorDiff::add(std::string p) {
    ++problem_count;
    if (problems.size() < keep) problems.push_back(std::move(p));
}

namespace {

std::string text_of(const boost::json::value& v) {
    if (v.is_string()) return std::string(v.get_string());
    if (v.is_null()) return "<null>";
    return boost::json::serialize(v);
}

// What the mirror is meant to hold for a record: the same JSON, with the NUL
// characters PostgreSQL cannot store replaced by U+FFFD (as the sync does).
void replace_nul(boost::json::value& v) {
    if (v.is_string()) {
        std::string s(v.get_string());
        for (auto pos = s.find('\0'); pos != std::string::npos; pos = s.find('\0')) s.replace(pos, 1, "\xEF\xBF\xBD");
        v = boost::json::string(s);
    } else if (v.is_array()) {
        for (auto& e : v.get_array()) replace_nul(e);
    } else if (v.is_object()) {
        for (auto& kv : v.get_object()) replace_nul(kv.value());
    }
}

// jsonb re-spells numbers (1.50 -> 1.50, 1e2 -> 100): compare numbers by value.
bool same_json(const boost::json::value& a, const boost::json::value& b) {
    if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
    if (a.kind() != b.kind()) return false;
    if (a.is_object()) {
        const auto& oa = a.get_object();
        const auto& ob = b.get_object();
        if (oa.size() != ob.size()) return false;
        for (const auto& kv : oa) {
            auto it = ob.find(kv.key());
            if (it == ob.end() || !same_json(kv.value(), it->value())) return false;
        }
        return true;
    }
    if (a.is_array()) {
        const auto& xa = a.get_array();
        const auto& xb = b.get_array();
        if (xa.size() != xb.size()) return false;
        for (std::size_t i = 0; i < xa.size(); ++i)
            if (!same_json(xa[i], xb[i])) return false;
        return true;
    }
    return a == b;
}

struct StoredRow {
    std::map<std::string, std::optional<std::string>> parents;
    bool removed = false;
    std::string raw;
};

}  // namespace

MirrorDiff compare_mirror(const std::string& dsn, const Simulator& sim, const CompareOptions& options) {
    MirrorDiff diff;
    diff.keep = options.keep_problems;
    pqxx::connection c(dsn);
    for (const auto& table : model::all_tables()) {
        const std::string name(table.name);
        std::vector<std::string> keys, parents;
        for (const auto& col : table.columns) {
            if (col.role == model::ColumnRole::key) keys.emplace_back(col.name);
            if (col.role == model::ColumnRole::parent) parents.emplace_back(col.name);
        }
        std::string select = "SELECT ";
        for (const auto& k : keys) select += c.quote_name(k) + "::text, ";
        for (const auto& p : parents) select += c.quote_name(p) + ", ";
        select += "_removed_at IS NOT NULL, _raw::text FROM marin." + c.quote_name(name);

        std::map<std::string, StoredRow> stored;
        {
            pqxx::read_transaction tx(c);
            for (const auto& row : tx.exec(select)) {
                std::string key;
                for (std::size_t i = 0; i < keys.size(); ++i)
                    key += row[static_cast<int>(i)].c_str() + std::string("|");
                StoredRow s;
                for (std::size_t i = 0; i < parents.size(); ++i) {
                    const auto& f = row[static_cast<int>(keys.size() + i)];
                    s.parents[parents[i]] = f.is_null() ? std::nullopt : std::optional<std::string>(f.c_str());
                }
                s.removed = row[static_cast<int>(keys.size() + parents.size())].as<bool>();
                s.raw = row[static_cast<int>(keys.size() + parents.size() + 1)].c_str();
                if (!stored.emplace(key, std::move(s)).second) diff.add(name + ": duplicate key " + key);
            }
        }

        std::string query = "/_sim/expected?table=" + name;
        if (!options.stats_from.empty() && name == "ad_stats_daily") query += "&stats_from=" + options.stats_from;
        const auto ndjson = sim.admin(query);
        std::istringstream lines(ndjson);
        std::string line;
        while (std::getline(lines, line)) {
            if (line.empty()) continue;
            auto expected = boost::json::parse(line).as_object();
            if (options.skip && options.skip(name, expected)) {
                std::string key;
                for (const auto& k : keys) key += text_of(expected.at("key").at(k)) + "|";
                stored.erase(key);
                continue;
            }
            ++diff.rows_compared;
            std::string key;
            for (const auto& k : keys) key += text_of(expected.at("key").at(k)) + "|";
            auto it = stored.find(key);
            if (it == stored.end()) {
                if (options.missing_ok.contains(name))
                    --diff.rows_compared;
                else
                    diff.add(name + " " + key + ": missing from the mirror");
                continue;
            }
            const auto& s = it->second;
            const bool removed = expected.at("removed").as_bool();
            if (removed != s.removed)
                diff.add(name + " " + key + ": removed is " + (s.removed ? "true" : "false") + ", expected " +
                         (removed ? "true" : "false"));
            if (auto* ps = expected.if_contains("parents"); ps && ps->is_object()) {
                for (const auto& p : parents) {
                    auto* v = ps->as_object().if_contains(p);
                    if (!v) continue;
                    const std::optional<std::string> want =
                        v->is_null() ? std::nullopt : std::optional<std::string>(text_of(*v));
                    const auto& got = s.parents.at(p);
                    if (want != got)
                        diff.add(name + " " + key + ": " + p + " is " + got.value_or("NULL") + ", expected " +
                                 want.value_or("NULL"));
                }
            }
            auto want_raw = expected.at("record");
            replace_nul(want_raw);
            if (!same_json(want_raw, boost::json::parse(s.raw)))
                diff.add(name + " " + key + ": _raw differs: mirror " + s.raw.substr(0, 300) + " expected " +
                         boost::json::serialize(want_raw).substr(0, 300));
            stored.erase(it);
        }
        for (const auto& [key, s] : stored) diff.add(name + " " + key + ": in the mirror but not expected");
    }
    return diff;
}

MirrorDiff check_history(const std::string& dsn) {
    MirrorDiff diff;
    pqxx::connection c(dsn);
    pqxx::read_transaction tx(c);
    for (const auto& table : model::all_tables()) {
        const std::string name(table.name);
        std::string keys, key_text, key_text_t, join_on;
        for (const auto& col : table.columns) {
            if (col.role != model::ColumnRole::key) continue;
            const auto q = c.quote_name(std::string(col.name));
            keys += (keys.empty() ? "" : ", ") + q;
            key_text += std::string(key_text.empty() ? "" : " || '|' || ") + q + "::text";
            key_text_t += std::string(key_text_t.empty() ? "" : " || '|' || ") + "t." + q + "::text";
            join_on += std::string(join_on.empty() ? "" : " AND ") + "h." + q + " = t." + q;
        }
        const auto history = "marin." + c.quote_name(name + "_history");
        const auto current = "marin." + c.quote_name(name);
        diff.rows_compared += tx.exec1("SELECT count(*) FROM " + history)[0].as<std::size_t>();
        // Versions in order: each starts where the previous one ended.
        for (const auto& r :
             tx.exec("SELECT " + key_text +
                     ", _valid_from::text, _valid_to::text, prev_to::text FROM (SELECT *, "
                     "lag(_valid_to) OVER (PARTITION BY " +
                     keys + " ORDER BY _valid_from, _valid_to) AS prev_to FROM " + history +
                     ") h WHERE _valid_to < _valid_from OR (prev_to IS NOT NULL AND prev_to <> _valid_from)"))
            diff.add(name + "_history " + r[0].c_str() + ": version from " + r[1].c_str() + " to " + r[2].c_str() +
                     " does not follow the previous one, which ended " + (r[3].is_null() ? "-" : r[3].c_str()));
        // The current row starts where its last version ended.
        for (const auto& r : tx.exec("SELECT " + key_text_t + ", t._synced_at::text, h.last_to::text FROM " + current +
                                     " t JOIN (SELECT " + keys + ", max(_valid_to) AS last_to FROM " + history +
                                     " GROUP BY " + keys + ") h ON " + join_on + " WHERE t._synced_at <> h.last_to"))
            diff.add(name + " " + std::string(r[0].c_str()) + ": current row synced at " + r[1].c_str() +
                     ", its last version in history ended " + r[2].c_str());
        // No version of a key the table does not hold.
        for (const auto& r : tx.exec("SELECT DISTINCT " + key_text + " FROM " + history +
                                     " h WHERE NOT EXISTS "
                                     "(SELECT 1 FROM " +
                                     current + " t WHERE " + join_on + ")"))
            diff.add(name + "_history " + std::string(r[0].c_str()) + ": versions of a key " + current +
                     " does not hold");
    }
    return diff;
}

std::int64_t data_tuple_writes(const std::string& dsn) {
    pqxx::connection c(dsn);
    pqxx::nontransaction tx(c);
    // A backend reports its counters when it ends, a moment after its client
    // disconnected: wait until marin-sync's sessions are gone.
    for (int i = 0; i < 200; ++i) {
        if (tx.exec1("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                     "AND pid <> pg_backend_pid()")[0]
                .as<int>() == 0)
            break;
        std::this_thread::sleep_for(50ms);
    }
    tx.exec("SELECT pg_stat_clear_snapshot()");
    std::string list;
    for (const auto& t : model::all_tables()) list += (list.empty() ? "'" : ",'") + std::string(t.name) + "'";
    return tx
        .exec1(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint FROM pg_stat_user_tables "
            "WHERE schemaname = 'marin' AND relname IN (" +
            list + ")")[0]
        .as<std::int64_t>();
}

std::map<std::string, std::int64_t> row_counts(const std::string& dsn) {
    pqxx::connection c(dsn);
    pqxx::read_transaction tx(c);
    std::map<std::string, std::int64_t> out;
    for (const auto& t : model::all_tables())
        out[std::string(t.name)] =
            tx.exec1("SELECT count(*) FROM marin." + c.quote_name(std::string(t.name)))[0].as<std::int64_t>();
    return out;
}

}  // namespace marin::e2e
