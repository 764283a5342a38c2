// A fresh database per test on the cluster the ctest fixture started.
#include "support/pg_test_db.hpp"

#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>

namespace marin::test {

std::string admin_dsn() {
    const char* dir = std::getenv("MARIN_TEST_PG_DIR");
    const std::string path = std::string(dir ? dir : MARIN_TEST_PG_DIR) + "/dsn";
    std::ifstream in(path);
    std::string dsn;
    if (!std::getline(in, dsn) || dsn.empty())
        throw std::runtime_error("no test cluster: " + path +
                                 " is missing (run through ctest, which starts the pg_cluster fixture)");
    return dsn;
}

namespace {
std::string replace_database(const std::string& dsn, const std::string& db) {
    const auto slash = dsn.rfind('/');
    return dsn.substr(0, slash + 1) + db;
}
}  // namespace

TestDatabase::TestDatabase(const std::string& label) : TestDatabase(label, admin_dsn()) {}

TestDatabase::TestDatabase(const std::string& label, const std::string& admin) : admin_dsn_(admin) {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    name_ = label + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
            std::to_string(rd() % 100000);
    pqxx::connection c(admin);
    pqxx::nontransaction tx(c);
    tx.exec0("CREATE DATABASE " + tx.quote_name(name_));
    dsn_ = replace_database(admin, name_);
}

TestDatabase::~TestDatabase() {
    if (const char* keep = std::getenv("MARIN_KEEP_TEST_DB"); keep && std::string(keep) == "1") {
        std::fprintf(stderr, "kept test database %s\n", dsn_.c_str());
        return;
    }
    try {
        pqxx::connection c(admin_dsn_);
        pqxx::nontransaction tx(c);
        tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "could not drop test database %s: %s\n", name_.c_str(), e.what());
    }
}

}  // namespace marin::test
