// Daemon: the log formats (journald priorities, text with timestamps) and
// the journal detection.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cctype>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/sinks/ostream_sink.h>

#include "marin/daemon/logging.hpp"

namespace {

using namespace marin::daemon;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

TEST(Logging, JournaldPrefixesPriorityWithoutTimestamp) {
    std::ostringstream out;
    auto logger = make_logger("sync", spdlog::level::trace, LogFormat::journald,
                              std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    logger->trace("t");
    logger->debug("d");
    logger->info("i {}", 1);
    logger->warn("w");
    logger->error("e");
    logger->critical("c");
    EXPECT_EQ(lines_of(out.str()), (std::vector<std::string>{"<7>[sync] t", "<7>[sync] d", "<6>[sync] i 1",
                                                             "<4>[sync] w", "<3>[sync] e", "<2>[sync] c"}));
}

TEST(Logging, TextHasIsoTimestampAndLevel) {
    std::ostringstream out;
    auto logger = make_logger("daemon", spdlog::level::info, LogFormat::text,
                              std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    logger->debug("hidden");
    logger->warn("careful");
    const auto lines = lines_of(out.str());
    ASSERT_EQ(lines.size(), 1u);
    // "2024-05-01T12:34:56.789+02:00 warning [daemon] careful": '9' stands for a digit.
    const std::string shape = "9999-99-99T99:99:99.999+99:99 warning [daemon] careful";
    ASSERT_EQ(lines[0].size(), shape.size()) << lines[0];
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == '9') {
            EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(lines[0][i]))) << lines[0];
        } else if (shape[i] == '+') {
            EXPECT_TRUE(lines[0][i] == '+' || lines[0][i] == '-') << lines[0];
        } else {
            EXPECT_EQ(lines[0][i], shape[i]) << lines[0];
        }
    }
}

TEST(Logging, PriorityTable) {
    EXPECT_EQ(syslog_priority(spdlog::level::trace), 7);
    EXPECT_EQ(syslog_priority(spdlog::level::info), 6);
    EXPECT_EQ(syslog_priority(spdlog::level::warn), 4);
    EXPECT_EQ(syslog_priority(spdlog::level::err), 3);
    EXPECT_EQ(syslog_priority(spdlog::level::critical), 2);
}

TEST(Logging, JournalStreamDetection) {
    struct stat st {};
    ASSERT_EQ(::fstat(STDERR_FILENO, &st), 0);
    const std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    const char* saved = std::getenv("JOURNAL_STREAM");
    const std::string saved_value = saved ? saved : "";

    ::setenv("JOURNAL_STREAM", mine.c_str(), 1);
    EXPECT_TRUE(stderr_is_journal());
    EXPECT_EQ(resolve_log_format(LogFormat::automatic), LogFormat::journald);
    EXPECT_EQ(resolve_log_format(LogFormat::text), LogFormat::text);
    // Inherited by a child whose stderr was redirected elsewhere: not ours.
    ::setenv("JOURNAL_STREAM", (std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1)).c_str(), 1);
    EXPECT_FALSE(stderr_is_journal());
    ::setenv("JOURNAL_STREAM", "garbage", 1);
    EXPECT_FALSE(stderr_is_journal());
    ::unsetenv("JOURNAL_STREAM");
    EXPECT_FALSE(stderr_is_journal());
    EXPECT_EQ(resolve_log_format(LogFormat::automatic), LogFormat::text);

    if (saved) ::setenv("JOURNAL_STREAM", saved_value.c_str(), 1);
}

TEST(Logging, ParsesNames) {
    EXPECT_EQ(parse_log_level("debug"), spdlog::level::debug);
    EXPECT_EQ(parse_log_level("error"), spdlog::level::err);
    EXPECT_THROW(parse_log_level("loud"), std::invalid_argument);
    EXPECT_EQ(parse_log_format("auto"), LogFormat::automatic);
    EXPECT_EQ(parse_log_format("journald"), LogFormat::journald);
    EXPECT_THROW(parse_log_format("xml"), std::invalid_argument);
}

}  // namespace
