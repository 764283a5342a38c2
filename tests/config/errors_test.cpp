// One malformed configuration per kind of mistake: each must throw a
// ConfigError naming the key, the value given and what is allowed, and none
// may ever print the API key.

#include "config_test_support.hpp"

namespace marin::config::test {
namespace {

struct BadConfig {
    const char* name;
    const char* toml;
    std::vector<std::string> expected;  // substrings of the message
};

const BadConfig bad_configs[] = {
    {"out_of_range", "[api]\nmax_in_flight = 0\n", {"api.max_in_flight = 0", "out of range", "allowed 1..256"}},
    {"out_of_range_high", "[api]\npage_limit = 301\n", {"api.page_limit = 301", "allowed 1..300"}},
    {"out_of_range_bytes", "[api]\nmax_body_bytes = 100\n", {"api.max_body_bytes = 100", "1024..1073741824"}},
    {"out_of_range_duration",
     "[daemon]\nincremental_interval_min = 1\n",
     {"daemon.incremental_interval_min = 1", "allowed 5..1440"}},
    {"out_of_range_negative", "[database]\nqueue_capacity = -4\n", {"database.queue_capacity = -4", "1..1024"}},
    {"out_of_range_ratio", "[sync]\nremoval_guard_ratio = 1.5\n", {"sync.removal_guard_ratio = 1.5", "allowed 0..1"}},
    {"out_of_range_rate", "[api]\nrequests_per_second = -1\n", {"api.requests_per_second = -1", "allowed 0..10000"}},
    {"not_a_number_rate", "[api]\nrequests_per_second = nan\n", {"api.requests_per_second = nan", "0..10000"}},
    {"wrong_type_string",
     "[api]\nmax_in_flight = \"8\"\n",
     {"api.max_in_flight = \"8\"", "wrong type", "a string", "an integer 1..256"}},
    {"wrong_type_float", "[database]\nbatch_rows = 2.5\n", {"database.batch_rows = 2.5", "wrong type", "1..100000"}},
    {"wrong_type_bool", "[api]\ntls_verify = \"no\"\n", {"api.tls_verify = \"no\"", "wrong type", "true or false"}},
    {"wrong_type_number",
     "[sync]\nremoval_guard_ratio = \"0.2\"\n",
     {"sync.removal_guard_ratio = \"0.2\"", "wrong type", "a number 0..1"}},
    {"wrong_type_url", "[api]\nbase_url = 8080\n", {"api.base_url = 8080", "wrong type", "URL"}},
    {"wrong_type_table", "api = 3\n", {"api = 3", "wrong type", "expected a table [api]"}},
    {"wrong_type_array_of_tables", "[[log]]\nlevel = \"info\"\n", {"log = ", "wrong type", "an array"}},
    {"unknown_key",
     "[api]\nmax_in_flihgt = 4\n",
     {"api.max_in_flihgt is not a known setting", "did you mean api.max_in_flight?"}},
    {"unknown_key_without_unit",
     "[api]\nconnect_timeout = 5\n",
     {"api.connect_timeout is not a known setting", "did you mean api.connect_timeout_s?"}},
    {"unknown_key_other_unit", "[api]\nbackoff_max_s = 5\n", {"api.backoff_max_s", "did you mean api.backoff_max_ms?"}},
    {"key_in_wrong_table",
     "[database]\nbase_url = \"https://x\"\n",
     {"database.base_url is not a known setting", "did you mean api.base_url?"}},
    {"unknown_key_far_off", "[log]\ncolour = true\n", {"log.colour is not a known setting"}},
    {"unknown_table",
     "[databse]\ndsn = \"x\"\n",
     {"[databse] is not a known table", "did you mean [database]?", "api, database, sync, daemon, metrics, log"}},
    {"unknown_subtable", "[api.tls]\nverify = false\n", {"api.tls is not a known setting"}},
    {"key_at_top_level", "page_limit = 3\n", {"page_limit is not a known setting", "did you mean api.page_limit?"}},
    {"bad_url_scheme",
     "[api]\nbase_url = \"ftp://api.example.com\"\n",
     {"api.base_url = \"ftp://api.example.com\"", "not a valid base URL", "http or https"}},
    {"bad_url_no_host", "[api]\nbase_url = \"https:///v1\"\n", {"api.base_url = \"https:///v1\"", "no host"}},
    {"bad_url_garbage",
     "[api]\nbase_url = \"api example com\"\n",
     {"api.base_url = \"api example com\"", "not a valid base URL"}},
    {"bad_url_query", "[api]\nbase_url = \"https://api.example.com/?x=1\"\n", {"api.base_url", "query"}},
    {"bad_url_port", "[api]\nbase_url = \"https://api.example.com:0\"\n", {"api.base_url", "port must be 1..65535"}},
    {"bad_time",
     "[daemon]\nfull_sync_time = \"25:00\"\n",
     {"daemon.full_sync_time = \"25:00\"", "not a valid time of day", "\"HH:MM\", 00:00..23:59"}},
    {"bad_time_short", "[daemon]\nfull_sync_time = \"2:30\"\n", {"daemon.full_sync_time = \"2:30\"", "HH:MM"}},
    {"bad_time_type",
     "[daemon]\nfull_sync_time = 02:30:00\n",
     {"daemon.full_sync_time = 02:30", "wrong type", "a time"}},
    {"bad_timezone",
     "[daemon]\ntimezone = \"Mars/Olympus\"\n",
     {"daemon.timezone = \"Mars/Olympus\"", "not a known time zone", "IANA name"}},
    {"bad_timezone_path",
     "[daemon]\ntimezone = \"../../etc/passwd\"\n",
     {"daemon.timezone = \"../../etc/passwd\"", "not a known time zone"}},
    {"bad_timezone_file", "[daemon]\ntimezone = \"zone1970.tab\"\n", {"daemon.timezone = \"zone1970.tab\""}},
    {"bad_listen_name",
     "[metrics]\nlisten = \"localhost:9187\"\n",
     {"metrics.listen = \"localhost:9187\"", "not a valid listen address", "\"IPV4:PORT\"", "1..65535"}},
    {"bad_listen_port", "[metrics]\nlisten = \"127.0.0.1:0\"\n", {"metrics.listen = \"127.0.0.1:0\"", "1..65535"}},
    {"bad_listen_big_port", "[metrics]\nlisten = \"127.0.0.1:65536\"\n", {"metrics.listen = \"127.0.0.1:65536\""}},
    {"bad_listen_no_port", "[metrics]\nlisten = \"127.0.0.1\"\n", {"metrics.listen = \"127.0.0.1\""}},
    {"bad_listen_v6", "[metrics]\nlisten = \"::1:9187\"\n", {"metrics.listen = \"::1:9187\"", "[IPV6]:PORT"}},
    {"bad_enum_level",
     "[log]\nlevel = \"verbose\"\n",
     {"log.level = \"verbose\" is not allowed", "\"trace\", \"debug\", \"info\", \"warn\", \"error\""}},
    {"bad_enum_close", "[log]\nlevel = \"warning\"\n", {"log.level = \"warning\"", "did you mean \"warn\"?"}},
    {"bad_enum_format", "[log]\nformat = \"json\"\n", {"log.format = \"json\"", "\"auto\", \"journald\", \"text\""}},
    {"bad_enum_lock_wait", "[sync]\nlock_wait = \"never\"\n", {"sync.lock_wait = \"never\"", "\"wait\", \"fail\""}},
    {"bad_enum_type", "[log]\nlevel = 3\n", {"log.level = 3", "wrong type", "one of \"trace\""}},
    {"malformed_toml", "[api]\nmax_in_flight = = 3\n", {":2:", "malformed TOML"}},
    {"malformed_toml_unclosed", "[api]\nbase_url = \"https://x\n", {":2:", "malformed TOML"}},
    {"malformed_toml_duplicate", "[log]\nlevel = \"info\"\nlevel = \"warn\"\n", {":3:", "malformed TOML", "level"}},
    {"stats_full_below_lookback",
     "[sync]\nstats_lookback_days = 60\nstats_full_days = 30\n",
     {"sync.stats_full_days = 30", "sync.stats_lookback_days = 60", "stats_lookback_days..1095"}},
    {"stats_lookback_above_default_full",
     "[sync]\nstats_lookback_days = 120\n",
     {"sync.stats_full_days = 90", "sync.stats_lookback_days = 120"}},
    {"backoff_max_below_initial",
     "[api]\nbackoff_initial_ms = 5000\nbackoff_max_ms = 1000\n",
     {"api.backoff_max_ms = 1000", "api.backoff_initial_ms = 5000", "backoff_initial_ms..3600000"}},
    {"health_below_interval",
     "[daemon]\nincremental_interval_min = 240\n",
     {"daemon.health_max_age_min = 180", "daemon.incremental_interval_min = 240", "incremental_interval_min..10080"}},
    {"retry_delay_zero", "[daemon]\nretry_delay_s = 0\n", {"daemon.retry_delay_s = 0", "1..3600"}},
    {"empty_dsn", "[database]\ndsn = \"\"\n", {"database.dsn = \"\"", "empty"}},
    {"missing_ca_file",
     "[api]\nca_file = \"/nonexistent/ca.pem\"\n",
     {"api.ca_file = \"/nonexistent/ca.pem\"", "No such file or directory"}},
    {"key_wrong_type", "[api]\nkey = 12345678\n", {"api.key has the wrong type", "value not printed"}},
};

// gtest prints a parameter by name rather than as bytes.
void PrintTo(const BadConfig& bad, std::ostream* out) { *out << bad.name; }

class ConfigErrors : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ConfigErrors, MessageNamesKeyValueAndAllowedButNeverTheKey) {
    const BadConfig& bad = GetParam();
    TempDir dir;
    // The key in the environment: whatever the mistake, it must not show.
    std::string message = error_of(dir, bad.toml, Environment{{"MARIN_API_KEY", secret_key}});
    std::string path = (dir.path() / "marin-sync.toml").string();
    EXPECT_TRUE(message.starts_with("config " + path + ":")) << message;
    for (const auto& part : bad.expected)
        EXPECT_NE(message.find(part), std::string::npos) << message << "\n  lacks: " << part;
    EXPECT_EQ(message.find(secret_key), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(EveryKind, ConfigErrors, ::testing::ValuesIn(bad_configs),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ConfigErrorMessage, ExactFormWithFileLineAndColumn) {
    TempDir dir;
    std::string path = (dir.path() / "marin-sync.toml").string();
    EXPECT_EQ(error_of(dir, "[api]\nmax_in_flight = 0\n"),
              "config " + path + ":2:17: api.max_in_flight = 0 is out of range (allowed 1..256)");
}

TEST(ConfigErrorMessage, MissingConfigFileNamesPathAndOsError) {
    TempDir dir;
    auto missing = dir.path() / "nope.toml";
    try {
        load_settings(missing, Environment{});
        FAIL() << "no error";
    } catch (const ConfigError& error) {
        EXPECT_EQ(std::string(error.what()), "config " + missing.string() + ": cannot open: No such file or directory");
    }
}

TEST(ConfigErrorMessage, KeyWrittenInTheFileNeverShows) {
    TempDir dir;
    std::string key_line = std::string("key = \"") + secret_key + "\"\n";
    // The key pasted into another value by mistake, then rejected.
    std::string message =
        error_of(dir, "[api]\n" + key_line + "base_url = \"https://api.example.com/?token=" + secret_key + "\"\n");
    EXPECT_NE(message.find("api.base_url"), std::string::npos) << message;
    EXPECT_EQ(message.find(secret_key), std::string::npos) << message;

    message = error_of(dir, "[api]\n" + key_line + "[log]\nlevel = \"" + secret_key + "\"\n");
    EXPECT_NE(message.find("log.level"), std::string::npos) << message;
    EXPECT_EQ(message.find(secret_key), std::string::npos) << message;

    // A key with a control character is refused without being shown.
    message = error_of(dir, std::string("[api]\nkey = \"") + secret_key + "\\u0007\"\n");
    EXPECT_NE(message.find("api.key"), std::string::npos) << message;
    EXPECT_EQ(message.find(secret_key), std::string::npos) << message;

    // Written without quotes: malformed, and still not shown.
    message = error_of(dir, std::string("[api]\nkey = ") + secret_key + "\n");
    EXPECT_NE(message.find("malformed TOML"), std::string::npos) << message;
    EXPECT_EQ(message.find(secret_key), std::string::npos) << message;

    // Under a wrong name: reported as unknown, by name only.
    message = error_of(dir, std::string("[api]\napi_key = \"") + secret_key + "\"\n");
    EXPECT_NE(message.find("api.api_key is not a known setting"), std::string::npos) << message;
    EXPECT_EQ(message.find(secret_key), std::string::npos) << message;
}

}  // namespace
}  // namespace marin::config::test
