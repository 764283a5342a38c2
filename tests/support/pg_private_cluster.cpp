// A PostgreSQL cluster of one test's own, for tests that restart or stop the
// server (see pg_private_cluster.hpp).
#include "support/pg_private_cluster.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace marin::test {

namespace {

// Runs dev/pg-cluster; returns its standard output, throws on failure.
std::string pg_cluster(const std::string& command, const std::string& dir) {
    const std::string line = std::string(MARIN_SOURCE_DIR) + "/dev/pg-cluster " + command + " '" + dir + "' 2>&1";
    std::FILE* pipe = ::popen(line.c_str(), "r");
    if (!pipe) throw std::runtime_error("cannot run " + line);
    std::string out;
    char buf[512];
    while (const auto n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
    const int status = ::pclose(pipe);
    if (status != 0) throw std::runtime_error(line + " failed (status " + std::to_string(status) + "): " + out);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

}  // namespace

PrivateCluster::PrivateCluster() {
    static std::atomic<unsigned> counter{0};
    const char* tmp = std::getenv("TMPDIR");
    dir_ = std::string(tmp ? tmp : "/tmp") + "/marin-private-pg-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter++);
    std::filesystem::remove_all(dir_);
    admin_dsn_ = pg_cluster("start", dir_);
    // The last line is the DSN (the script prints nothing else on success).
    if (const auto nl = admin_dsn_.rfind('\n'); nl != std::string::npos) admin_dsn_.erase(0, nl + 1);
}

PrivateCluster::~PrivateCluster() {
    try {
        pg_cluster("stop", dir_);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "could not stop the private cluster in %s: %s\n", dir_.c_str(), e.what());
        return;
    }
    if (const char* keep = std::getenv("MARIN_KEEP_TEST_DB"); keep && std::string(keep) == "1") {
        std::fprintf(stderr, "kept private cluster %s (stopped)\n", dir_.c_str());
        return;
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

void PrivateCluster::restart() { pg_cluster("restart", dir_); }
void PrivateCluster::stop_server() { pg_cluster("stop", dir_); }
void PrivateCluster::start_server() { (void)pg_cluster("start", dir_); }

std::string PrivateCluster::server_log_tail(std::size_t bytes) const {
    std::ifstream in(dir_ + "/server.log", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const auto all = ss.str();
    return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

}  // namespace marin::test
