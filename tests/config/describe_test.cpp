// Config: describe() lists every setting with the key and the DSN's password
// masked.
#include "config_test_support.hpp"

namespace marin::config::test {
namespace {

TEST(ConfigDescribe, ListsEverySettingAndMasksTheKey) {
    TempDir dir;
    Environment env{{"MARIN_API_KEY", secret_key}, {"MARIN_PG_DSN", "postgresql://marin:pg-PASSWORD-1@db:5432/marin"}};
    Settings s = load_settings(std::nullopt, env);
    std::string text = describe(s);
    EXPECT_EQ(text.find(secret_key), std::string::npos) << text;
    EXPECT_EQ(text.find("pg-PASSWORD-1"), std::string::npos) << text;
    EXPECT_NE(text.find("api.key = *** (from MARIN_API_KEY)"), std::string::npos) << text;
    EXPECT_NE(text.find("database.dsn = \"postgresql://marin:***@db:5432/marin\""), std::string::npos) << text;
    EXPECT_NE(text.find("# settings from (defaults)"), std::string::npos) << text;
    for (const char* key :
         {"api.base_url = \"https://api.mysocialpixel.com\"", "api.max_in_flight = 8", "api.connect_timeout_s = 10",
          "api.backoff_initial_ms = 500", "api.max_body_bytes = 67108864", "database.statement_timeout_s = 300",
          "sync.stats_full_days = 90", "sync.lock_wait = \"wait\"", "daemon.incremental_interval_min = 60",
          "daemon.full_sync_time = \"02:30\"", "daemon.timezone = \"UTC\"", "metrics.listen = \"127.0.0.1:9187\"",
          "log.level = \"info\"", "log.format = \"auto\""}) {
        EXPECT_NE(text.find(key), std::string::npos) << key << "\n" << text;
    }
}

TEST(ConfigDescribe, SaysWhenThereIsNoKey) {
    std::string text = describe(load_settings(std::nullopt, Environment{}));
    EXPECT_NE(text.find("api.key = (not set)"), std::string::npos) << text;
}

TEST(ConfigDescribe, MasksAKeyReadFromAFile) {
    TempDir dir;
    auto file = dir.write("key", std::string(secret_key) + "\n");
    std::string text = describe(load_settings(std::nullopt, Environment{{"MARIN_API_KEY_FILE", file.string()}}));
    EXPECT_EQ(text.find(secret_key), std::string::npos) << text;
    EXPECT_NE(text.find(file.string()), std::string::npos) << text;
}

TEST(ConfigMaskDsn, Uri) {
    EXPECT_EQ(mask_dsn("postgresql:///marin"), "postgresql:///marin");
    EXPECT_EQ(mask_dsn("postgresql://marin@db/marin"), "postgresql://marin@db/marin");
    EXPECT_EQ(mask_dsn("postgresql://marin:s3cret@db/marin"), "postgresql://marin:***@db/marin");
    EXPECT_EQ(mask_dsn("postgres://marin:s3cret@db"), "postgres://marin:***@db");
    EXPECT_EQ(mask_dsn("postgresql://marin:s3@cret@h1:5432,h2/marin"), "postgresql://marin:***@h1:5432,h2/marin");
    EXPECT_EQ(mask_dsn("postgresql://db/marin?sslmode=require&password=s3cret&application_name=x"),
              "postgresql://db/marin?sslmode=require&password=***&application_name=x");
    EXPECT_EQ(mask_dsn("postgresql://db?password=s3cret"), "postgresql://db?password=***");
}

TEST(ConfigMaskDsn, KeyValue) {
    EXPECT_EQ(mask_dsn("host=db dbname=marin"), "host=db dbname=marin");
    EXPECT_EQ(mask_dsn("host=db password=s3cret dbname=marin"), "host=db password=*** dbname=marin");
    EXPECT_EQ(mask_dsn("host=db password = 's3 cr\\'et' dbname=marin"), "host=db password=*** dbname=marin");
    EXPECT_EQ(mask_dsn("password=s3\\ cret"), "password=***");
    EXPECT_EQ(mask_dsn("password='unterminated s3cret"), "password=***");
}

}  // namespace
}  // namespace marin::config::test
