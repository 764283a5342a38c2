// Config: the environment variables over the file and the defaults.
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

#include "config_test_support.hpp"

namespace marin::config::test {
namespace {

using namespace std::chrono_literals;

TEST(ConfigEnvironment, VariablesOverrideTheFile) {
    TempDir dir;
    std::string toml = "[api]\nbase_url = \"https://file.example.com\"\n[database]\ndsn = \"host=file\"\n";
    Environment env{{"MARIN_API_URL", "https://env.example.com/api"}, {"MARIN_PG_DSN", "postgresql://env/db"}};
    Settings s = load_text(dir, toml, env);
    EXPECT_EQ(s.api.base_url, "https://env.example.com/api");
    EXPECT_EQ(s.database.dsn, "postgresql://env/db");

    Settings file_only = load_text(dir, toml);
    EXPECT_EQ(file_only.api.base_url, "https://file.example.com");
    EXPECT_EQ(file_only.database.dsn, "host=file");
}

TEST(ConfigEnvironment, VariablesOverrideTheDefaultsWithoutAFile) {
    Environment env{{"MARIN_API_URL", "http://127.0.0.1:8443"}, {"MARIN_PG_DSN", "dbname=x"}};
    Settings s = load_settings(std::nullopt, env);
    EXPECT_EQ(s.api.base_url, "http://127.0.0.1:8443");
    EXPECT_EQ(s.database.dsn, "dbname=x");
}

TEST(ConfigEnvironment, EmptyVariablesCountAsUnset) {
    Environment env{{"MARIN_API_URL", ""}, {"MARIN_PG_DSN", ""}, {"MARIN_API_KEY", ""}};
    Settings s = load_settings(std::nullopt, env);
    EXPECT_EQ(s.api.base_url, Settings{}.api.base_url);
    EXPECT_EQ(s.database.dsn, Settings{}.database.dsn);
    EXPECT_TRUE(s.api.key.empty());
}

TEST(ConfigEnvironment, BadUrlInTheEnvironmentNamesTheVariable) {
    try {
        load_settings(std::nullopt, Environment{{"MARIN_API_URL", "ftp://files.example.com"}});
        FAIL() << "no error";
    } catch (const ConfigError& error) {
        std::string message = error.what();
        EXPECT_NE(message.find("MARIN_API_URL"), std::string::npos) << message;
        EXPECT_NE(message.find("\"ftp://files.example.com\""), std::string::npos) << message;
        EXPECT_NE(message.find("http or https"), std::string::npos) << message;
    }
}

TEST(ConfigEnvironment, WatchdogComesFromSystemd) {
    std::string pid = std::to_string(::getpid());
    EXPECT_EQ(load_settings(std::nullopt, Environment{{"WATCHDOG_USEC", "30000000"}}).daemon.watchdog, 30s);
    EXPECT_EQ(
        load_settings(std::nullopt, Environment{{"WATCHDOG_USEC", "5000000"}, {"WATCHDOG_PID", pid}}).daemon.watchdog,
        5s);
    // Meant for another process.
    EXPECT_EQ(load_settings(std::nullopt, Environment{{"WATCHDOG_USEC", "5000000"}, {"WATCHDOG_PID", pid + "0"}})
                  .daemon.watchdog,
              0s);
    EXPECT_THROW(load_settings(std::nullopt, Environment{{"WATCHDOG_USEC", "soon"}}), ConfigError);
}

TEST(ConfigEnvironment, FromProcessReadsEnviron) {
    ::setenv("MARIN_CONFIG_TEST_VARIABLE", "a=b", 1);
    Environment env = Environment::from_process();
    EXPECT_EQ(env.get("MARIN_CONFIG_TEST_VARIABLE"), std::optional<std::string>("a=b"));
    EXPECT_EQ(env.get("MARIN_CONFIG_TEST_UNSET_VARIABLE"), std::nullopt);
    ::unsetenv("MARIN_CONFIG_TEST_VARIABLE");
}

TEST(ConfigEnvironment, LogFormatFollowsJournalStream) {
    LogSection automatic;
    EXPECT_EQ(effective_log_format(automatic, Environment{}), LogSection::Format::text);
    struct stat status {};
    ASSERT_EQ(::fstat(STDERR_FILENO, &status), 0);
    std::string ours = std::to_string(status.st_dev) + ":" + std::to_string(status.st_ino);
    EXPECT_EQ(effective_log_format(automatic, Environment{{"JOURNAL_STREAM", ours}}), LogSection::Format::journald);
    EXPECT_EQ(effective_log_format(automatic, Environment{{"JOURNAL_STREAM", ours + "1"}}), LogSection::Format::text);
    EXPECT_EQ(effective_log_format(automatic, Environment{{"JOURNAL_STREAM", "garbage"}}), LogSection::Format::text);
    LogSection text;
    text.format = LogSection::Format::text;
    EXPECT_EQ(effective_log_format(text, Environment{{"JOURNAL_STREAM", ours}}), LogSection::Format::text);
}

}  // namespace
}  // namespace marin::config::test
