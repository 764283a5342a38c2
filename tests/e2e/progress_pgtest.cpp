// Progress as people see it (issue 15): `marin-sync sync --full` on a
// pseudo-terminal, and the daemon's status page rendered by headless
// Chromium during a run, after a failure, after a success and after a
// restart, its DOM checked and screenshots kept in the build folder
// (tests/e2e/progress_output/).
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "harness.hpp"

namespace marin::e2e {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

template <class F>
bool eventually(F f, std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (f()) return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

// Runs marin-sync on a pseudo-terminal (160 x 50) and returns all it wrote.
ProcessResult run_on_terminal(const SyncEnv& env, std::vector<std::string> args, std::chrono::seconds limit) {
    std::vector<std::string> argv = {binary("marin-sync")};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> envs;
    for (char** e = environ; *e; ++e) {
        std::string kv(*e);
        if (kv.rfind("MARIN_", 0) == 0 && kv.rfind("MARIN_TEST_", 0) != 0) continue;
        envs.push_back(kv);
    }
    for (const auto& [k, v] : env.env()) envs.push_back(k + "=" + v);
    envs.push_back("TERM=xterm");
    std::vector<char*> cargv, cenv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    for (auto& e : envs) cenv.push_back(e.data());
    cenv.push_back(nullptr);

    winsize size{};
    size.ws_row = 50;
    size.ws_col = 160;
    int master = -1;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
    if (pid < 0) throw std::runtime_error("forkpty failed");
    if (pid == 0) {
        ::execve(cargv[0], cargv.data(), cenv.data());
        std::perror("execve");
        std::_Exit(127);
    }
    ProcessResult result;
    const auto deadline = Clock::now() + limit;
    char buf[4096];
    for (;;) {
        pollfd p{master, POLLIN, 0};
        if (Clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            result.output += "\n[killed: over the time limit]";
            break;
        }
        if (::poll(&p, 1, 200) <= 0) continue;
        const ssize_t n = ::read(master, buf, sizeof buf);
        if (n <= 0) break;  // EIO once the child (the only slave holder) has exited
        result.output.append(buf, static_cast<std::size_t>(n));
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(master);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    return result;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        out.push_back(line);
    }
    return out;
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

std::string output_dir() {
    const std::string dir = std::string(MARIN_TEST_OUTPUT_DIR);
    std::filesystem::create_directories(dir);
    return dir;
}

class Progress : public ::testing::Test {
  protected:
    void SetUp() override {
        // Answers slow enough that a run spans several redraws (500 ms).
        sim_ = std::make_unique<Simulator>(sim_options("small", 23, {"--latency-ms", "3"}));
        env_.api_url = sim_->url();
        env_.key = sim_->key();
        env_.dsn = db_.dsn();
        auto migrate = run_sync(env_, {"migrate"});
        ASSERT_EQ(migrate.exit_code, 0) << migrate.output;
    }

    test::TestDatabase db_{"progress"};
    std::unique_ptr<Simulator> sim_;
    SyncEnv env_;
};

TEST_F(Progress, TerminalShowsTheRunFirstNeverFullWhileMoreCanComeAndOneSummary) {
    const auto first = run_on_terminal(env_, {"sync", "--full"}, 600s);
    ASSERT_EQ(first.exit_code, 0) << first.output;
    const std::string& out = first.output;
    // Kept as test output: `cat` it on a terminal to replay the frames.
    std::ofstream(output_dir() + "/terminal_full_sync.txt", std::ios::binary) << out;

    // Live frames: each line drawn starts with "clear line".
    std::vector<std::string> frame_lines;
    for (const auto& l : lines_of(out))
        for (auto at = l.find("\x1b[2K"); at != std::string::npos; at = l.find("\x1b[2K", at + 1))
            frame_lines.push_back(l.substr(at + 4, l.find("\x1b[2K", at + 4) - (at + 4)));
    ASSERT_GE(frame_lines.size(), 2u) << "no live table drawn:\n" << out;
    EXPECT_EQ(frame_lines.front().rfind("full sync: ", 0), 0u)
        << "the run-level line comes first: " << frame_lines.front();
    bool more_to_come_shown = false, run_line_has_requests = false;
    for (const auto& l : frame_lines) {
        EXPECT_EQ(l.find("100%"), std::string::npos) << "100% is never shown while reading: " << l;
        if (l.rfind("full sync: ", 0) == 0) {
            run_line_has_requests =
                run_line_has_requests || std::regex_search(l, std::regex(R"(\| [1-9][0-9]* requests \|)"));
            EXPECT_TRUE(l.find("listing objects") != std::string::npos ||
                        l.find("reading statistics") != std::string::npos || l.find("finishing") != std::string::npos ||
                        l.find("starting") != std::string::npos)
                << l;
        } else if (std::regex_search(l, std::regex(R"(\d+\+ )"))) {
            more_to_come_shown = true;
            EXPECT_EQ(l.find("done"), std::string::npos) << "a stream with more to come is not done: " << l;
        }
    }
    EXPECT_TRUE(run_line_has_requests) << out;
    EXPECT_TRUE(more_to_come_shown) << "no frame showed a stream whose parents were still being read:\n" << out;

    // The end: the live table erased, then the log line and the summary once.
    const auto erased = out.rfind("\x1b[J");
    ASSERT_NE(erased, std::string::npos);
    const std::string tail = out.substr(erased);
    EXPECT_EQ(tail.find("full sync: listing"), std::string::npos) << tail;
    EXPECT_EQ(count_of(out, "full sync succeeded"), 1u) << out;
    EXPECT_EQ(count_of(out, " time  state"), 1u) << "one summary table:\n" << out;
    const auto summary = lines_of(out.substr(out.find(" time  state")));
    std::size_t streams = 0;
    for (std::size_t i = 1; i < summary.size(); ++i) {
        const auto& l = summary[i];
        if (l.rfind("total", 0) == 0) {
            EXPECT_NE(l.find("full run ok"), std::string::npos) << l;
            break;
        }
        ++streams;
        EXPECT_TRUE(l.ends_with("  done") || l.ends_with("  skipped")) << "final state of a stream: " << l;
        EXPECT_EQ(l.find("running"), std::string::npos) << l;
    }
    EXPECT_GE(streams, 10u) << out;

    // The second full run estimates its end (from the first one's requests,
    // then from the pages known to be left).
    const auto second = run_on_terminal(env_, {"sync", "--full"}, 600s);
    ASSERT_EQ(second.exit_code, 0) << second.output;
    EXPECT_TRUE(std::regex_search(
        second.output,
        std::regex(
            R"(\| ETA \d+[hms][0-9hms]* \((previous full run: \d+ requests|every listing known: \d+ pages left)\))")))
        << second.output;
}

// --- the status page in a browser ---------------------------------------

struct Rendered {
    bool started = false;
    std::string dom;
    std::string log;
};

// Renders `url` in headless Chromium: the DOM after load, and a screenshot
// in the output folder. As root Chromium needs --no-sandbox.
Rendered render(const std::string& url, const std::string& screenshot) {
    const std::string profile = output_dir() + "/chromium-profile";
    Process p({"/usr/bin/timeout", "90", "chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
               "--no-first-run", "--user-data-dir=" + profile, "--window-size=1280,1400",
               "--screenshot=" + output_dir() + "/" + screenshot, "--dump-dom", url},
              {});
    const auto r = p.wait();
    Rendered out;
    out.log = r.output;
    const auto begin = r.output.find("<html");
    const auto end = r.output.rfind("</html>");
    if (r.exit_code == 0 && begin != std::string::npos && end != std::string::npos) {
        out.started = true;
        out.dom = r.output.substr(begin, end + 7 - begin);
    }
    return out;
}

// The text of the element with id="id" (tags removed), "" when absent.
std::string text_of(const std::string& dom, const std::string& id) {
    const auto at = dom.find("id=\"" + id + "\"");
    if (at == std::string::npos) return {};
    const auto open_end = dom.find('>', at);
    const auto tag_start = dom.rfind('<', at);
    const std::string tag = dom.substr(tag_start + 1, dom.find_first_of(" >", tag_start) - tag_start - 1);
    const auto close = dom.find("</" + tag + ">", open_end);
    std::string inner = dom.substr(open_end + 1, close - open_end - 1);
    return std::regex_replace(inner, std::regex("<[^>]*>"), " ");
}

TEST_F(Progress, StatusPageInABrowserDuringAfterFailureSuccessAndRestart) {
    if (::access("/usr/bin/chromium", X_OK) != 0) GTEST_SKIP() << "chromium is not installed (dev/packages.txt has it)";
    {
        const auto probe = render("data:text/html,<html><body><p id=\"ok\">ok</p></body></html>", "probe.png");
        if (!probe.started) GTEST_SKIP() << "headless Chromium cannot start here: " << probe.log;
    }
    const int port = free_port();
    env_.config_file = write_config(
        "[api]\nbackoff_initial_ms = 20\nbackoff_max_ms = 100\nmax_attempts = 2\n"
        "[daemon]\nincremental_interval_min = 60\nretry_delay_s = 1\n"
        "[metrics]\nlisten = \"127.0.0.1:" +
        std::to_string(port) + "\"\n");
    const std::string page = "http://127.0.0.1:" + std::to_string(port) + "/";
    // The accounts listing fails (its children are never queued): the first
    // run fails. Slow answers while the page is rendered mid-run.
    sim_->admin("/_sim/faults?fail_prefix=" + url_encode("/accounts") + "&fail_status=500&latency_ms=40");

    auto daemon = start_sync(env_, {"daemon"});
    ASSERT_TRUE(eventually([&] { return http_get(page).body.find("id=\"run-line\"") != std::string::npos; }, 60s))
        << daemon->output();
    {
        const auto during = render(page, "status_during_run.png");
        ASSERT_TRUE(during.started) << during.log;
        const std::string run_line = text_of(during.dom, "run-line");
        EXPECT_TRUE(std::regex_search(
            run_line,
            std::regex(R"(full sync: (starting|listing objects|reading statistics|finishing) \| \d+/\d+ listings)")))
            << run_line;
        EXPECT_NE(during.dom.find("id=\"streams\""), std::string::npos) << during.dom;
        // A full bar only for a stream that is done.
        const std::regex row(R"re(<tr data-stream="[^"]*" data-state="([^"]*)">.*?</tr>)re");
        std::size_t rows = 0;
        for (std::sregex_iterator it(during.dom.begin(), during.dom.end(), row), end; it != end; ++it, ++rows)
            if ((*it)[1] != "done") {
                EXPECT_EQ(it->str().find("100%"), std::string::npos) << it->str();
            }
        EXPECT_GE(rows, 10u) << during.dom;
        EXPECT_EQ(during.dom.find(sim_->key()), std::string::npos);
    }
    sim_->admin("/_sim/faults?latency_ms=3");

    // The run fails: the page says what failed.
    ASSERT_TRUE(eventually([&] { return http_get(page).body.find("id=\"last-failure\"") != std::string::npos; }, 300s))
        << daemon->output();
    sim_->admin("/_sim/faults?reset=1");
    {
        const auto failed = render(page, "status_after_failure.png");
        ASSERT_TRUE(failed.started) << failed.log;
        EXPECT_NE(text_of(failed.dom, "failure-error").find("listings failed"), std::string::npos) << failed.dom;
        const std::string listings = text_of(failed.dom, "failed-listings");
        EXPECT_NE(listings.find("accounts"), std::string::npos) << failed.dom;
        EXPECT_NE(listings.find("500"), std::string::npos) << failed.dom;
        EXPECT_EQ(failed.dom.find(sim_->key()), std::string::npos) << "the key is masked";
        EXPECT_NE(failed.dom.find("data-outcome=\"failed\""), std::string::npos);
    }

    // The retry (retry_delay_s = 1) succeeds.
    ASSERT_TRUE(eventually([&] { return http_get(page).body.find("data-outcome=\"ok\"") != std::string::npos; }, 300s))
        << daemon->output();
    {
        const auto ok = render(page, "status_after_success.png");
        ASSERT_TRUE(ok.started) << ok.log;
        EXPECT_EQ(text_of(ok.dom, "health"), "ok") << ok.dom;
        EXPECT_NE(ok.dom.find("No run in progress"), std::string::npos) << ok.dom;
        EXPECT_NE(ok.dom.find("data-outcome=\"ok\""), std::string::npos);
        EXPECT_NE(ok.dom.find("data-outcome=\"failed\""), std::string::npos) << "the failed run is still listed";
    }
    daemon->kill(SIGTERM);
    ASSERT_EQ(daemon->wait().exit_code, 0);

    // A new daemon: the runs and the failure come from sync_runs.
    auto again = start_sync(env_, {"daemon"});
    ASSERT_TRUE(eventually([&] { return http_get(page).status == 200; }, 60s)) << again->output();
    {
        const auto restarted = render(page, "status_after_restart.png");
        ASSERT_TRUE(restarted.started) << restarted.log;
        EXPECT_EQ(restarted.dom.find("none recorded"), std::string::npos) << restarted.dom;
        EXPECT_EQ(text_of(restarted.dom, "health"), "ok") << restarted.dom;
        EXPECT_EQ(count_of(restarted.dom, "data-outcome=\"ok\""), 1u) << restarted.dom;
        EXPECT_EQ(count_of(restarted.dom, "data-outcome=\"failed\""), 1u) << restarted.dom;
        EXPECT_NE(text_of(restarted.dom, "failed-listings").find("accounts"), std::string::npos) << restarted.dom;
        EXPECT_EQ(restarted.dom.find(sim_->key()), std::string::npos);
    }
    again->kill(SIGTERM);
    EXPECT_EQ(again->wait().exit_code, 0);
}

}  // namespace
}  // namespace marin::e2e
