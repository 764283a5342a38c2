// HTTPS end to end: marin-sim behind TLS with a CA this test makes.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace marin::e2e {
namespace {

class Https : public ::testing::Test {
  protected:
    ProcessResult sync_with(const Simulator& sim, const std::string& url, const std::string& extra_toml) {
        SyncEnv env;
        env.api_url = url;
        env.key = sim.key();
        env.dsn = db_.dsn();
        env.config_file = write_config("[api]\nmax_attempts = 2\nbackoff_initial_ms = 10\n" + extra_toml);
        auto migrate = run_sync(env, {"migrate"});
        EXPECT_EQ(migrate.exit_code, 0) << migrate.output;
        return run_sync(env, {"sync", "--full"});
    }
    static std::string https_url(const Simulator& sim, const std::string& host) {
        const auto port = sim.url().substr(sim.url().rfind(':') + 1);
        return "https://" + host + ":" + port;
    }
    test::TestDatabase db_{"tls"};
};

TEST_F(Https, TrustedCertificateWorksAndMirrors) {
    TestPki pki("DNS:localhost,IP:127.0.0.1");
    Simulator sim(sim_options("tiny", 21, {"--tls-cert", pki.file("server.pem"), "--tls-key", pki.file("server.key")}));
    ASSERT_EQ(sim.url().rfind("https://", 0), 0u) << sim.url();
    auto r = sync_with(sim, https_url(sim, "localhost"), "ca_file = \"" + pki.file("ca.pem") + "\"\n");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto diff = compare_mirror(db_.dsn(), sim);
    EXPECT_EQ(diff.problem_count, 0u) << (diff.problems.empty() ? "" : diff.problems.front());
}

TEST_F(Https, UntrustedCertificateIsRefusedClearly) {
    TestPki pki("DNS:localhost,IP:127.0.0.1");
    Simulator sim(sim_options("tiny", 21, {"--tls-cert", pki.file("server.pem"), "--tls-key", pki.file("server.key")}));
    auto r = sync_with(sim, https_url(sim, "localhost"), "");  // system trust store: our CA is not in it
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("certificate"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find(sim.key()), std::string::npos) << "the key leaked";
}

TEST_F(Https, WrongHostNameIsRefusedClearly) {
    TestPki pki("DNS:api.example.invalid");
    Simulator sim(sim_options("tiny", 21, {"--tls-cert", pki.file("server.pem"), "--tls-key", pki.file("server.key")}));
    auto r = sync_with(sim, https_url(sim, "localhost"), "ca_file = \"" + pki.file("ca.pem") + "\"\n");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("certificate"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace marin::e2e
