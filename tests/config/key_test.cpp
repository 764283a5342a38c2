// Config: where the API key comes from (five sources, their order) and the
// key files' errors.
#include <unistd.h>

#include "config_test_support.hpp"

namespace marin::config::test {
namespace {

// Five sources, each with its own token; removing the winner each time must
// reveal the next in the documented order.
TEST(ConfigKey, PrecedenceOfTheFiveSources) {
    TempDir dir;
    auto env_file = dir.write("env-key", "from-env-file\n");
    dir.write("creds/marin-api-key", "from-credential\n");
    dir.write("config-key", "from-config-file\n");
    std::string toml = "[api]\nkey_file = \"config-key\"\nkey = \"from-config\"\n";
    Environment env{{"MARIN_API_KEY", "from-env"},
                    {"MARIN_API_KEY_FILE", env_file.string()},
                    {"CREDENTIALS_DIRECTORY", (dir.path() / "creds").string()}};

    Settings s = load_text(dir, toml, env);
    EXPECT_EQ(s.api.key, "from-env");
    EXPECT_EQ(s.api.key_origin, "MARIN_API_KEY");

    env.unset("MARIN_API_KEY");
    s = load_text(dir, toml, env);
    EXPECT_EQ(s.api.key, "from-env-file");
    EXPECT_NE(s.api.key_origin.find("MARIN_API_KEY_FILE"), std::string::npos);

    env.unset("MARIN_API_KEY_FILE");
    s = load_text(dir, toml, env);
    EXPECT_EQ(s.api.key, "from-credential");
    EXPECT_NE(s.api.key_origin.find("credential"), std::string::npos);

    env.unset("CREDENTIALS_DIRECTORY");
    s = load_text(dir, toml, env);
    EXPECT_EQ(s.api.key, "from-config-file");  // relative to the config file's folder
    EXPECT_EQ(s.api.key_file, (dir.path() / "config-key").string());
    EXPECT_NE(s.api.key_origin.find("api.key_file"), std::string::npos);

    s = load_text(dir, "[api]\nkey = \"from-config\"\n", env);
    EXPECT_EQ(s.api.key, "from-config");
    EXPECT_NE(s.api.key_origin.find("api.key"), std::string::npos);
}

TEST(ConfigKey, CredentialsDirectoryWithoutOurCredentialFallsThrough) {
    TempDir dir;
    dir.write("creds/some-other-credential", "x\n");
    Environment env{{"CREDENTIALS_DIRECTORY", (dir.path() / "creds").string()}};
    Settings s = load_text(dir, "[api]\nkey = \"from-config\"\n", env);
    EXPECT_EQ(s.api.key, "from-config");
    EXPECT_TRUE(load_settings(std::nullopt, env).api.key.empty());
}

TEST(ConfigKey, OnlyTheWinningSourceIsRead) {
    TempDir dir;
    Environment env{{"MARIN_API_KEY", secret_key}, {"MARIN_API_KEY_FILE", (dir.path() / "missing").string()}};
    EXPECT_EQ(load_text(dir, "[api]\nkey_file = \"also-missing\"\n", env).api.key, secret_key);
}

TEST(ConfigKey, TrailingLineBreaksAreStripped) {
    TempDir dir;
    for (const char* content : {"abc123", "abc123\n", "abc123\r\n", "abc123\n\n"}) {
        auto file = dir.write("key", content);
        EXPECT_EQ(load_settings(std::nullopt, Environment{{"MARIN_API_KEY_FILE", file.string()}}).api.key, "abc123")
            << content;
    }
}

std::string key_file_error(const std::filesystem::path& file) {
    try {
        load_settings(std::nullopt, Environment{{"MARIN_API_KEY_FILE", file.string()}});
    } catch (const ConfigError& error) {
        return error.what();
    }
    ADD_FAILURE() << "no ConfigError for " << file;
    return {};
}

TEST(ConfigKey, MissingKeyFileNamesPathAndOsError) {
    TempDir dir;
    auto missing = dir.path() / "no-such-key";
    std::string message = key_file_error(missing);
    EXPECT_NE(message.find(missing.string()), std::string::npos) << message;
    EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
    EXPECT_NE(message.find("MARIN_API_KEY_FILE"), std::string::npos) << message;
}

TEST(ConfigKey, DirectoryAsKeyFileIsAnError) {
    TempDir dir;
    std::string message = key_file_error(dir.path());
    EXPECT_NE(message.find("Is a directory"), std::string::npos) << message;
}

TEST(ConfigKey, UnreadableKeyFileNamesPathAndOsError) {
    if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
    TempDir dir;
    auto file = dir.write("key", std::string(secret_key) + "\n");
    std::filesystem::permissions(file, std::filesystem::perms::none);
    std::string message = key_file_error(file);
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
}

TEST(ConfigKey, EmptyKeyFileIsAnError) {
    TempDir dir;
    for (const char* content : {"", "\n", "\r\n"}) {
        auto file = dir.write("key", content);
        std::string message = key_file_error(file);
        EXPECT_NE(message.find(file.string()), std::string::npos) << message;
        EXPECT_NE(message.find("is empty"), std::string::npos) << message;
    }
}

TEST(ConfigKey, KeyFileWithTwoLinesIsRejectedWithoutPrintingIt) {
    TempDir dir;
    auto file = dir.write("key", std::string(secret_key) + "\n" + secret_key + "\n");
    std::string message = key_file_error(file);
    EXPECT_NE(message.find("printable ASCII"), std::string::npos) << message;
    EXPECT_EQ(message.find(secret_key), std::string::npos) << message;
}

TEST(ConfigKey, ConfigKeyFileErrorNamesTheSetting) {
    TempDir dir;
    try {
        load_text(dir, "[api]\nkey_file = \"nope\"\n");
        FAIL() << "no error";
    } catch (const ConfigError& error) {
        std::string message = error.what();
        EXPECT_NE(message.find("api.key_file"), std::string::npos) << message;
        EXPECT_NE(message.find((dir.path() / "nope").string()), std::string::npos) << message;
        EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
    }
}

TEST(ConfigKey, BrokenCredentialIsAnError) {
    TempDir dir;
    dir.write("creds/marin-api-key", "\n");
    Environment env{{"CREDENTIALS_DIRECTORY", (dir.path() / "creds").string()}};
    EXPECT_THROW(load_settings(std::nullopt, env), ConfigError);
}

TEST(ConfigKey, MissingKeyIsNotALoadError) {
    Settings s = load_settings(std::nullopt, Environment{});
    EXPECT_TRUE(s.api.key.empty());
    try {
        require_api_key(s);
        FAIL() << "no error";
    } catch (const ConfigError& error) {
        std::string message = error.what();
        EXPECT_NE(message.find("no API key"), std::string::npos);
        EXPECT_NE(message.find("MARIN_API_KEY"), std::string::npos);
        EXPECT_NE(message.find("MARIN_API_KEY_FILE"), std::string::npos);
    }
    s.api.key = secret_key;
    EXPECT_NO_THROW(require_api_key(s));
}

TEST(ConfigKey, KeyWithSpacesFromTheEnvironmentIsRejectedWithoutPrintingIt) {
    std::string key = std::string(secret_key) + " x";
    try {
        load_settings(std::nullopt, Environment{{"MARIN_API_KEY", key}});
        FAIL() << "no error";
    } catch (const ConfigError& error) {
        std::string message = error.what();
        EXPECT_NE(message.find("MARIN_API_KEY"), std::string::npos) << message;
        EXPECT_EQ(message.find(secret_key), std::string::npos) << message;
    }
}

}  // namespace
}  // namespace marin::config::test
