// A PostgreSQL cluster of one test's own, for tests that restart or stop the
// server: the shared cluster of the ctest fixture serves every other test
// running at the same time and must never be restarted.
#pragma once

#include <string>

namespace marin::test {

// dev/pg-cluster in a fresh temporary folder: initdb, start, and on
// destruction stop and remove the folder (kept, with its server.log, when
// MARIN_KEEP_TEST_DB=1). Costs a second or two of initdb.
class PrivateCluster {
  public:
    PrivateCluster();
    ~PrivateCluster();
    PrivateCluster(const PrivateCluster&) = delete;
    PrivateCluster& operator=(const PrivateCluster&) = delete;

    // The postgres database of the cluster (for TestDatabase(label, admin_dsn)).
    const std::string& admin_dsn() const { return admin_dsn_; }
    const std::string& dir() const { return dir_; }

    // pg_ctl restart -m fast: every session is terminated; returns once the
    // server accepts connections again. Throws when the script fails.
    void restart();
    // pg_ctl stop -m fast, and start again (the server down for a while).
    void stop_server();
    void start_server();
    // The server's log (for failure messages).
    std::string server_log_tail(std::size_t bytes = 4000) const;

  private:
    std::string dir_;
    std::string admin_dsn_;
};

}  // namespace marin::test
