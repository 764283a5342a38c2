// Helpers for the storage tests: a migrated database, rows built by column
// name, and running a coroutine to its end.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <pqxx/pqxx>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <functional>
#include <map>

#include "marin/model/row.hpp"
#include "marin/storage/migrator.hpp"
#include "marin/storage/mirror_writer.hpp"
#include "support/pg_test_db.hpp"

namespace marin::test {

// Silent unless MARIN_TEST_LOG=1 (then everything goes to stderr).
inline std::shared_ptr<spdlog::logger> quiet_logger() {
    if (const char* v = std::getenv("MARIN_TEST_LOG"); v && std::string(v) == "1") {
        auto l = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        l->set_level(spdlog::level::debug);
        return l;
    }
    return std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
}

// Runs an awaitable on a private io_context until it finishes; rethrows.
template <class T>
T run(boost::asio::awaitable<T> aw) {
    boost::asio::io_context ioc;
    auto fut = boost::asio::co_spawn(ioc, std::move(aw), boost::asio::use_future);
    ioc.run();
    return fut.get();
}

inline std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (unsigned char ch : s) {
        switch (ch) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (ch < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", ch);
                    out += buf;
                } else {
                    out += static_cast<char>(ch);
                }
        }
    }
    return out + "\"";
}

// A row of `table` from column -> value (missing columns are NULL). _raw is
// a JSON object of the given values (plus `extra_raw` members); the hash is
// derived from all of it, as the mapper's would be.
inline model::Row make_row(model::TableId table, const std::map<std::string, std::optional<std::string>>& values,
                           const std::string& extra_raw = "") {
    model::Row row;
    std::string raw = "{";
    for (const auto* c : model::table_spec(table).sent_columns()) {
        const auto it = values.find(std::string(c->name));
        row.values.push_back(it == values.end() ? std::nullopt : it->second);
        if (it != values.end() && it->second) {
            if (raw.size() > 1) raw += ",";
            raw += json_string(std::string(c->name)) + ":" + json_string(*it->second);
        }
    }
    if (!extra_raw.empty()) raw += (raw.size() > 1 ? "," : "") + extra_raw;
    row.raw = raw + "}";
    row.hash = std::to_string(std::hash<std::string>{}(row.raw));
    return row;
}

inline storage::WriterSettings settings_for(const std::string& dsn) {
    storage::WriterSettings s;
    s.dsn = dsn;
    s.channel_capacity = 4;
    s.statement_timeout = std::chrono::seconds{30};
    s.removal_guard_ratio = 1.0;
    s.removal_guard_min_rows = 1000;
    return s;
}

// A fresh database with the schema applied.
class MigratedDatabase : public TestDatabase {
  public:
    explicit MigratedDatabase(const std::string& label) : TestDatabase(label) {
        storage::Migrator::migrate(dsn(), quiet_logger());
    }
    // The same on another cluster (a PrivateCluster's admin DSN).
    MigratedDatabase(const std::string& label, const std::string& admin_dsn) : TestDatabase(label, admin_dsn) {
        storage::Migrator::migrate(dsn(), quiet_logger());
    }
    // One value of a query, as text ("" for NULL).
    std::string value(const std::string& sql) {
        pqxx::connection c(dsn());
        pqxx::nontransaction tx(c);
        const auto r = tx.exec1(sql);
        return r[0].is_null() ? std::string() : r[0].as<std::string>();
    }
    long count(const std::string& sql) { return std::stol(value("SELECT count(*) FROM (" + sql + ") q")); }
};

}  // namespace marin::test
