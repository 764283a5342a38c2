// The command line and settings, through the real binary: bad input gets
// exit 2 and a message that names the problem, and nothing is written.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "harness.hpp"

namespace marin::e2e {
namespace {

ProcessResult marin_sync(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    std::vector<std::string> argv = {binary("marin-sync")};
    argv.insert(argv.end(), args.begin(), args.end());
    return Process(argv, env).wait();
}

TEST(CommandLine, BadUsageExitsTwo) {
    EXPECT_EQ(marin_sync({}).exit_code, 2);
    EXPECT_EQ(marin_sync({"frobnicate"}).exit_code, 2);
    EXPECT_EQ(marin_sync({"sync", "--fulll"}).exit_code, 2);
    EXPECT_EQ(marin_sync({"sync", "--config", "/nonexistent/marin.toml"}).exit_code, 2);
    EXPECT_EQ(marin_sync({"--version"}).exit_code, 0);
}

TEST(CommandLine, MalformedSettingsExitTwoAndNameTheKey) {
    const std::map<std::string, std::string> env = {{"MARIN_API_KEY", "secret-key-123"},
                                                    {"MARIN_PG_DSN", "postgresql://127.0.0.1:1/none"}};
    struct Case {
        const char* toml;
        const char* must_name;
    };
    for (const auto& c : std::initializer_list<Case>{
             {"[api]\nmax_in_flight = 0\n", "api.max_in_flight"},
             {"[api]\nmax_in_flight = \"eight\"\n", "api.max_in_flight"},
             {"[api]\nbase_url = \"ftp://x\"\n", "api.base_url"},
             {"[api]\nno_such_key = 1\n", "no_such_key"},
             {"[nope]\n", "nope"},
             {"[daemon]\nfull_sync_time = \"25:00\"\n", "daemon.full_sync_time"},
             {"[daemon]\ntimezone = \"Mars/Olympus\"\n", "daemon.timezone"},
             {"[metrics]\nlisten = \"nowhere\"\n", "metrics.listen"},
             {"[log]\nlevel = \"loud\"\n", "log.level"},
             {"[sync]\nremoval_guard_ratio = 2.0\n", "sync.removal_guard_ratio"},
             {"[api\n", "config"},
         }) {
        const auto file = write_config(c.toml);
        for (const char* command : {"sync", "daemon", "migrate"}) {
            auto r = marin_sync({command, "--config", file}, env);
            EXPECT_EQ(r.exit_code, 2) << command << " with " << c.toml << r.output;
            EXPECT_NE(r.output.find(c.must_name), std::string::npos) << c.toml << r.output;
            EXPECT_EQ(r.output.find("secret-key-123"), std::string::npos) << "the key leaked";
        }
    }
}

TEST(CommandLine, MissingOrUnreadableKeyExitsTwo) {
    auto none = marin_sync({"sync"}, {{"MARIN_PG_DSN", "postgresql://127.0.0.1:1/none"}});
    EXPECT_EQ(none.exit_code, 2) << none.output;
    EXPECT_NE(none.output.find("key"), std::string::npos) << none.output;
    auto missing = marin_sync(
        {"sync"}, {{"MARIN_API_KEY_FILE", "/nonexistent/key"}, {"MARIN_PG_DSN", "postgresql://127.0.0.1:1/none"}});
    EXPECT_EQ(missing.exit_code, 2) << missing.output;
    EXPECT_NE(missing.output.find("/nonexistent/key"), std::string::npos) << missing.output;
}

TEST(CommandLine, DatabaseThatAcceptsButNeverAnswersFailsWithinTheConnectTimeout) {
    // A listening socket nobody serves: the kernel completes the TCP
    // handshake, and the server's answer to the start-up message never comes.
    // Without database.connect_timeout_s reaching libpq, marin-sync would
    // wait for as long as TCP lets it (ctest's timeout ends this test then).
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(fd, 16), 0);
    socklen_t len = sizeof a;
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    const auto dsn = "postgresql://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/none";
    const auto config = write_config("[database]\nconnect_timeout_s = 2\n");
    const auto started = std::chrono::steady_clock::now();
    auto r = marin_sync({"migrate", "--config", config}, {{"MARIN_PG_DSN", dsn}});
    const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ::close(fd);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("timeout expired"), std::string::npos) << r.output;
    EXPECT_LT(took, 60) << "2 s of connect timeout, with a wide margin for a loaded machine";
}

TEST(CommandLine, UnreachableDatabaseExitsOneWithTheReason) {
    auto r = marin_sync({"sync"}, {{"MARIN_API_KEY", "k"}, {"MARIN_PG_DSN", "postgresql://127.0.0.1:1/none"}});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("127.0.0.1"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace marin::e2e
