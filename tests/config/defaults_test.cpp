// Config: the documented defaults, the example file, and every value a file
// can set being read.
#include <fstream>
#include <sstream>

#include "config_test_support.hpp"

namespace marin::config::test {
namespace {

using namespace std::chrono_literals;

void expect_default_sections(const Settings& s) {
    Settings defaults;
    EXPECT_EQ(s.api, defaults.api);
    EXPECT_EQ(s.database, defaults.database);
    EXPECT_EQ(s.sync, defaults.sync);
    EXPECT_EQ(s.daemon, defaults.daemon);
    EXPECT_EQ(s.metrics, defaults.metrics);
    EXPECT_EQ(s.log, defaults.log);
}

TEST(ConfigDefaults, NoFileGivesTheDocumentedDefaults) {
    Settings s = load_settings(std::nullopt, Environment{});
    expect_default_sections(s);
    EXPECT_EQ(s.source, "(defaults)");
    EXPECT_TRUE(s.warnings.empty());
    EXPECT_EQ(s.api.base_url, "https://api.mysocialpixel.com");
    EXPECT_TRUE(s.api.key.empty());
    EXPECT_TRUE(s.api.key_origin.empty());
    EXPECT_TRUE(s.api.tls_verify);
    EXPECT_EQ(s.api.max_in_flight, 8u);
    EXPECT_EQ(s.api.requests_per_second, 0.0);
    EXPECT_EQ(s.api.connect_timeout, 10s);
    EXPECT_EQ(s.api.read_timeout, 30s);
    EXPECT_EQ(s.api.request_timeout, 120s);
    EXPECT_EQ(s.api.max_attempts, 6u);
    EXPECT_EQ(s.api.backoff_initial, 500ms);
    EXPECT_EQ(s.api.backoff_max, 30s);
    EXPECT_EQ(s.api.max_body_bytes, 64u * 1024 * 1024);
    EXPECT_EQ(s.api.page_limit, 300u);
    EXPECT_EQ(s.database.dsn, "postgresql:///marin");
    EXPECT_EQ(s.database.statement_timeout, 300s);
    EXPECT_EQ(s.database.queue_capacity, 8u);
    EXPECT_EQ(s.database.batch_rows, 2000u);
    EXPECT_EQ(s.sync.stats_lookback_days, 7u);
    EXPECT_EQ(s.sync.stats_full_days, 90u);
    EXPECT_EQ(s.sync.removal_guard_ratio, 0.2);
    EXPECT_EQ(s.sync.removal_guard_min_rows, 50u);
    EXPECT_EQ(s.sync.incremental_skip_ended_days, 7u);
    EXPECT_EQ(s.sync.lock_wait, SyncSection::LockWait::wait);
    EXPECT_EQ(s.sync.lock_timeout, 3600s);
    EXPECT_EQ(s.daemon.incremental_interval, 60min);
    EXPECT_EQ(s.daemon.full_sync_time, "02:30");
    EXPECT_EQ(s.daemon.full_sync_minute_of_day, 150min);
    EXPECT_EQ(s.daemon.timezone, "UTC");
    EXPECT_EQ(s.daemon.health_max_age, 180min);
    EXPECT_EQ(s.daemon.retry_delay, 60s);
    EXPECT_EQ(s.daemon.watchdog, 0us);
    EXPECT_EQ(s.metrics.listen, "127.0.0.1:9187");
    EXPECT_EQ(s.metrics.listen_host, "127.0.0.1");
    EXPECT_EQ(s.metrics.listen_port, 9187);
    EXPECT_EQ(s.log.level, LogSection::Level::info);
    EXPECT_EQ(s.log.format, LogSection::Format::automatic);
}

TEST(ConfigDefaults, EmptyFileGivesTheDefaults) {
    TempDir dir;
    Settings s = load_text(dir, "");
    expect_default_sections(s);
    EXPECT_EQ(s.source, (dir.path() / "marin-sync.toml").string());
}

TEST(ConfigExample, ExampleFileValidatesAndEqualsTheDefaults) {
    Settings s = load_settings(std::filesystem::path(MARIN_CONFIG_EXAMPLE), Environment{});
    expect_default_sections(s);
    EXPECT_TRUE(s.warnings.empty());
}

TEST(ConfigExample, ExampleFileMentionsEverySetting) {
    std::ifstream in(MARIN_CONFIG_EXAMPLE);
    std::stringstream text;
    text << in.rdbuf();
    // Every key the loader reads, in the file as "key =" (commented out for
    // the three that have no default value to show).
    for (const char* key : {"base_url =",
                            "# key_file =",
                            "# key =",
                            "# ca_file =",
                            "tls_verify =",
                            "max_in_flight =",
                            "requests_per_second =",
                            "connect_timeout_s =",
                            "read_timeout_s =",
                            "request_timeout_s =",
                            "max_attempts =",
                            "backoff_initial_ms =",
                            "backoff_max_ms =",
                            "max_body_bytes =",
                            "page_limit =",
                            "dsn =",
                            "statement_timeout_s =",
                            "queue_capacity =",
                            "batch_rows =",
                            "stats_lookback_days =",
                            "stats_full_days =",
                            "removal_guard_ratio =",
                            "removal_guard_min_rows =",
                            "incremental_skip_ended_days =",
                            "lock_wait =",
                            "lock_timeout_s =",
                            "incremental_interval_min =",
                            "full_sync_time =",
                            "timezone =",
                            "health_max_age_min =",
                            "retry_delay_s =",
                            "listen =",
                            "level =",
                            "format =",
                            "[api]",
                            "[database]",
                            "[sync]",
                            "[daemon]",
                            "[metrics]",
                            "[log]",
                            "MARIN_API_URL",
                            "MARIN_API_KEY",
                            "MARIN_API_KEY_FILE",
                            "MARIN_PG_DSN",
                            "CREDENTIALS_DIRECTORY"}) {
        EXPECT_NE(text.str().find(key), std::string::npos) << key;
    }
}

TEST(ConfigFile, EveryValueIsRead) {
    TempDir dir;
    dir.write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
    Settings s = load_text(dir, R"(
[api]
base_url = "http://127.0.0.1:8080/v2"
ca_file = "ca.pem"
tls_verify = true
max_in_flight = 256
requests_per_second = 2.5
connect_timeout_s = 3
read_timeout_s = 4
request_timeout_s = 5
max_attempts = 1
backoff_initial_ms = 10
backoff_max_ms = 20
max_body_bytes = 1024
page_limit = 1
[database]
dsn = "host=db dbname=mirror"
statement_timeout_s = 0
connect_timeout_s = 7
queue_capacity = 1024
batch_rows = 100000
[sync]
stats_lookback_days = 3
stats_full_days = 3
removal_guard_ratio = 1
removal_guard_min_rows = 0
incremental_skip_ended_days = 0
lock_wait = "fail"
lock_timeout_s = 1
[daemon]
incremental_interval_min = 5
full_sync_time = "23:59"
timezone = "Europe/Paris"
health_max_age_min = 5
retry_delay_s = 3600
[metrics]
listen = "[::1]:1"
[log]
level = "trace"
format = "journald"
)");
    EXPECT_EQ(s.api.base_url, "http://127.0.0.1:8080/v2");
    EXPECT_EQ(s.api.ca_file, (dir.path() / "ca.pem").string());
    EXPECT_EQ(s.api.max_in_flight, 256u);
    EXPECT_EQ(s.api.requests_per_second, 2.5);
    EXPECT_EQ(s.api.connect_timeout, 3s);
    EXPECT_EQ(s.api.read_timeout, 4s);
    EXPECT_EQ(s.api.request_timeout, 5s);
    EXPECT_EQ(s.api.max_attempts, 1u);
    EXPECT_EQ(s.api.backoff_initial, 10ms);
    EXPECT_EQ(s.api.backoff_max, 20ms);
    EXPECT_EQ(s.api.max_body_bytes, 1024u);
    EXPECT_EQ(s.api.page_limit, 1u);
    EXPECT_EQ(s.database.dsn, "host=db dbname=mirror");
    EXPECT_EQ(s.database.statement_timeout, 0s);
    EXPECT_EQ(s.database.connect_timeout, 7s);
    EXPECT_EQ(s.database.queue_capacity, 1024u);
    EXPECT_EQ(s.database.batch_rows, 100000u);
    EXPECT_EQ(s.sync.stats_lookback_days, 3u);
    EXPECT_EQ(s.sync.stats_full_days, 3u);
    EXPECT_EQ(s.sync.removal_guard_ratio, 1.0);
    EXPECT_EQ(s.sync.removal_guard_min_rows, 0u);
    EXPECT_EQ(s.sync.incremental_skip_ended_days, 0u);
    EXPECT_EQ(s.sync.lock_wait, SyncSection::LockWait::fail);
    EXPECT_EQ(s.sync.lock_timeout, 1s);
    EXPECT_EQ(s.daemon.incremental_interval, 5min);
    EXPECT_EQ(s.daemon.full_sync_time, "23:59");
    EXPECT_EQ(s.daemon.full_sync_minute_of_day, 23h + 59min);
    EXPECT_EQ(s.daemon.timezone, "Europe/Paris");
    EXPECT_EQ(s.daemon.health_max_age, 5min);
    EXPECT_EQ(s.daemon.retry_delay, 3600s);
    EXPECT_EQ(s.metrics.listen_host, "::1");
    EXPECT_EQ(s.metrics.listen_port, 1);
    EXPECT_EQ(s.log.level, LogSection::Level::trace);
    EXPECT_EQ(s.log.format, LogSection::Format::journald);
    EXPECT_TRUE(s.warnings.empty());  // plain http to loopback is fine
}

TEST(ConfigFile, EmptyListenTurnsMetricsOff) {
    TempDir dir;
    Settings s = load_text(dir, "[metrics]\nlisten = \"\"\n");
    EXPECT_FALSE(s.metrics.enabled());
    EXPECT_EQ(s.metrics.listen_port, 0);
}

TEST(ConfigFile, TimeZonesAreLookedUpInTzdir) {
    TempDir dir;
    dir.write("zones/Test/Zone", std::string("TZif2") + std::string(40, '\0'));
    dir.write("zones/NotAZone", "hello");
    Environment env{{"TZDIR", (dir.path() / "zones").string()}};
    EXPECT_EQ(load_text(dir, "[daemon]\ntimezone = \"Test/Zone\"\n", env).daemon.timezone, "Test/Zone");
    EXPECT_NE(error_of(dir, "[daemon]\ntimezone = \"NotAZone\"\n", env).find("not a known time zone"),
              std::string::npos);
    EXPECT_NE(error_of(dir, "[daemon]\ntimezone = \"UTC\"\n", env).find("not a known time zone"), std::string::npos);
}

TEST(ConfigWarnings, TlsVerifyOffIsFlagged) {
    TempDir dir;
    Settings s = load_text(dir, "[api]\ntls_verify = false\n");
    EXPECT_FALSE(s.api.tls_verify);
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_NE(s.warnings[0].find("api.tls_verify = false"), std::string::npos);
}

TEST(ConfigWarnings, PlainHttpToAnotherHostIsFlagged) {
    TempDir dir;
    Settings s = load_text(dir, "[api]\nbase_url = \"http://api.example.com\"\n");
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_NE(s.warnings[0].find("plain http"), std::string::npos);
    EXPECT_TRUE(load_text(dir, "[api]\nbase_url = \"http://localhost:9000\"\n").warnings.empty());
    EXPECT_TRUE(load_text(dir, "[api]\nbase_url = \"http://[::1]:9000\"\n").warnings.empty());
}

TEST(ConfigWarnings, KeyInAFileOthersCanReadIsFlagged) {
    TempDir dir;
    auto file = dir.write("marin-sync.toml", std::string("[api]\nkey = \"") + secret_key + "\"\n");
    std::filesystem::permissions(file, std::filesystem::perms(0644));
    Settings s = load_settings(file, Environment{});
    EXPECT_EQ(s.api.key, secret_key);
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_NE(s.warnings[0].find("other users can read"), std::string::npos);
    EXPECT_EQ(s.warnings[0].find(secret_key), std::string::npos);
    std::filesystem::permissions(file, std::filesystem::perms(0600));
    EXPECT_TRUE(load_settings(file, Environment{}).warnings.empty());
}

TEST(DatabaseConnectionString, CarriesTheConnectTimeoutAndKeepalivesUnlessTheDsnNamesThem) {
    DatabaseSection db;
    db.connect_timeout = std::chrono::seconds(7);
    const std::string ka = "keepalives=1&keepalives_idle=10&keepalives_interval=5&keepalives_count=3";
    const std::string ka_words = "keepalives=1 keepalives_idle=10 keepalives_interval=5 keepalives_count=3";
    db.dsn = "postgresql:///marin";
    EXPECT_EQ(db.connection_string(), "postgresql:///marin?connect_timeout=7&" + ka);
    db.dsn = "postgresql://u@db:5432/marin?sslmode=require";
    EXPECT_EQ(db.connection_string(), "postgresql://u@db:5432/marin?sslmode=require&connect_timeout=7&" + ka);
    db.dsn = "postgres://db/marin";
    EXPECT_EQ(db.connection_string(), "postgres://db/marin?connect_timeout=7&" + ka);
    db.dsn = "host=db dbname=marin";
    EXPECT_EQ(db.connection_string(), "host=db dbname=marin connect_timeout=7 " + ka_words);
    db.dsn = "host=db connect_timeout=30";
    EXPECT_EQ(db.connection_string(), "host=db connect_timeout=30 " + ka_words) << "the DSN's own timeout wins";
    db.dsn = "host=db keepalives_idle=60";
    EXPECT_EQ(db.connection_string(), "host=db keepalives_idle=60 connect_timeout=7")
        << "a DSN naming a keepalives setting keeps its own";
    db.dsn = "postgresql:///marin?keepalives=0&connect_timeout=3";
    EXPECT_EQ(db.connection_string(), "postgresql:///marin?keepalives=0&connect_timeout=3");
    db.dsn = "postgresql:///marin";
    db.connect_timeout = std::chrono::milliseconds(1500);
    EXPECT_EQ(db.connection_string(), "postgresql:///marin?connect_timeout=2&" + ka) << "whole seconds, rounded up";
}

}  // namespace
}  // namespace marin::config::test
