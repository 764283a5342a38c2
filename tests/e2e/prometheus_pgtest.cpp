// The alerting rules on a real Prometheus: it scrapes a real daemon whose key
// the simulator refuses, evaluates monitoring/alerts.yml, and fires the alert.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "harness.hpp"

namespace marin::e2e {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Debian's prometheus package (dev/packages.txt).
const char* const prometheus_binary = "/usr/bin/prometheus";

// A folder for Prometheus' configuration and storage, removed with the object.
class TempDir {
  public:
    TempDir() {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp ? tmp : "/tmp") + "/marin-prometheus-XXXXXX";
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// The alerts Prometheus reports, by name, with their state ("pending", "firing").
boost::json::array alerts(int port) {
    const auto answer = http_get("http://127.0.0.1:" + std::to_string(port) + "/api/v1/alerts");
    if (answer.status != 200) return {};
    boost::system::error_code ec;
    const auto json = boost::json::parse(answer.body, ec);
    if (ec || !json.is_object()) return {};
    const auto* data = json.as_object().if_contains("data");
    if (!data || !data->is_object()) return {};
    const auto* list = data->as_object().if_contains("alerts");
    return list && list->is_array() ? list->as_array() : boost::json::array{};
}

const boost::json::object* find_alert(const boost::json::array& list, const std::string& name) {
    for (const auto& a : list) {
        const auto& labels = a.at("labels").as_object();
        if (const auto* n = labels.if_contains("alertname"); n && n->as_string() == name) return &a.as_object();
    }
    return nullptr;
}

TEST(Prometheus, ScrapesTheDaemonAndFiresTheKeyRefusedAlert) {
    if (::access(prometheus_binary, X_OK) != 0)
        GTEST_SKIP() << prometheus_binary << " not found: install Debian's prometheus package (dev/packages.txt)";

    test::TestDatabase db{"prom"};
    Simulator sim(sim_options("tiny", 5, {}));
    SyncEnv env;
    env.api_url = sim.url();
    env.key = "a-key-the-simulator-refuses";
    env.dsn = db.dsn();
    const int metrics_port = free_port();
    env.config_file = write_config(
        "[daemon]\nincremental_interval_min = 60\n"
        "[metrics]\nlisten = \"127.0.0.1:" +
        std::to_string(metrics_port) + "\"\n");
    const auto migrate = run_sync(env, {"migrate"});
    ASSERT_EQ(migrate.exit_code, 0) << migrate.output;

    // The daemon's catch-up run starts at once and is refused (exit code 3);
    // the daemon keeps serving /metrics.
    auto daemon = start_sync(env, {"daemon"});

    TempDir dir;
    const int prometheus_port = free_port();
    {
        std::ofstream config(dir.path() + "/prometheus.yml");
        config << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
               << "rule_files:\n  - " << MARIN_MONITORING_DIR << "/alerts.yml\n"
               << "scrape_configs:\n  - job_name: marin-sync\n    static_configs:\n"
               << "      - targets: ['127.0.0.1:" << metrics_port << "']\n";
    }
    Process prometheus({prometheus_binary, "--config.file=" + dir.path() + "/prometheus.yml",
                        "--storage.tsdb.path=" + dir.path() + "/data",
                        "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port)},
                       {});

    // Generous limit: it normally fires within a few seconds (for: 0m, 1 s
    // scrapes and evaluations); the limit only bounds a broken set-up.
    const boost::json::object* firing = nullptr;
    boost::json::array seen;
    const auto deadline = Clock::now() + 45s;
    while (Clock::now() < deadline && prometheus.running()) {
        seen = alerts(prometheus_port);
        firing = find_alert(seen, "MarinSyncKeyRefused");
        if (firing && firing->at("state").as_string() == "firing") break;
        firing = nullptr;
        std::this_thread::sleep_for(250ms);
    }
    ASSERT_NE(firing, nullptr) << "alerts: " << boost::json::serialize(seen) << "\nprometheus:\n"
                               << prometheus.output() << "\ndaemon:\n"
                               << daemon->output();
    const auto& labels = firing->at("labels").as_object();
    EXPECT_EQ(labels.at("severity").as_string(), "critical");
    EXPECT_EQ(labels.at("job").as_string(), "marin-sync");
    EXPECT_NE(firing->at("annotations").as_object().at("description").as_string().find("exit code 3"),
              std::string::npos);
    // The daemon said why, and still runs.
    EXPECT_TRUE(daemon->running()) << daemon->output();
    const auto metrics = http_get("http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics");
    EXPECT_NE(metrics.body.find("marin_key_refused_runs_total 1\n"), std::string::npos) << metrics.body;
    // None of the other alerts fires for a daemon that is merely refused.
    for (const auto& a : seen) {
        const auto name = a.at("labels").at("alertname").as_string();
        if (name != "MarinSyncKeyRefused") {
            EXPECT_NE(a.at("state").as_string(), "firing") << name;
        }
    }

    prometheus.kill(SIGTERM);
    const auto stopped = prometheus.wait();
    EXPECT_EQ(stopped.exit_code, 0) << stopped.output;
    daemon->kill(SIGTERM);
    const auto daemon_stopped = daemon->wait();
    EXPECT_EQ(daemon_stopped.exit_code, 0) << daemon_stopped.output;
}

}  // namespace
}  // namespace marin::e2e
