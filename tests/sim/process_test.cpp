// marin-sim as operators run it: one "listening" line on stdout, then serving
// until SIGTERM, exiting 0.
#include <csignal>
#include <cstdio>
#include <regex>
#include <sys/wait.h>
#include <unistd.h>

#include "sim_test_support.hpp"

namespace marin::sim::test {
namespace {

TEST(SimProcess, PrintsOneLineServesAndStopsOnSigterm) {
    int out[2];
    ASSERT_EQ(pipe(out), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        execl(MARIN_SIM_BINARY, "marin-sim", "--port", "0", "--scale", "tiny", "--key", "k1", "--today", "2024-01-31",
              static_cast<char*>(nullptr));
        _exit(127);
    }
    close(out[1]);
    FILE* f = fdopen(out[0], "r");
    char line[256] = {};
    ASSERT_NE(fgets(line, sizeof line, f), nullptr);
    std::cmatch m;
    ASSERT_TRUE(std::regex_match(line, m, std::regex(R"(marin-sim listening on http://127\.0\.0\.1:(\d+)\n)"))) << line;
    const auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
    Client c(port);
    EXPECT_EQ(c.get("/accounts?key=k1").status, 200u);
    EXPECT_EQ(c.get("/accounts?key=sim-key").status, 403u);
    const auto state = c.get("/_sim/state?key=k1").json().as_object();
    EXPECT_EQ(str(state.at("today")), "2024-01-31");
    kill(pid, SIGTERM);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    fclose(f);
}

}  // namespace
}  // namespace marin::sim::test
