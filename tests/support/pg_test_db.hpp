// A fresh database per test on the cluster the ctest fixture started.
#pragma once

#include <string>

namespace marin::test {

// The cluster's admin DSN (postgres database). Fails the test when the
// fixture did not run: run the test through ctest, or start the cluster with
// `dev/pg-cluster start <build>/pg-test` and write its DSN to pg-test/dsn.
std::string admin_dsn();

// Creates a uniquely named empty database and drops it on destruction,
// unless MARIN_KEEP_TEST_DB=1 (kept for inspection; its name is printed).
class TestDatabase {
  public:
    explicit TestDatabase(const std::string& label = "t");
    // The same on another cluster (a PrivateCluster's admin DSN).
    TestDatabase(const std::string& label, const std::string& admin_dsn);
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    const std::string& name() const { return name_; }
    const std::string& dsn() const { return dsn_; }

  private:
    std::string name_;
    std::string dsn_;
    std::string admin_dsn_;
};

}  // namespace marin::test
