// Applies the embedded sql/ migrations in order and checks that the schema is the one this binary expects.
#include "marin/storage/migrator.hpp"

#include <pqxx/pqxx>
#include <spdlog/logger.h>

#include <map>

#include "pg_session.hpp"
#include "view_migration.hpp"

namespace marin::storage {
namespace {

// The table that records migrations exists before any of them runs.
constexpr const char* bootstrap_sql = R"sql(
CREATE SCHEMA IF NOT EXISTS marin;
CREATE TABLE IF NOT EXISTS marin.schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone NOT NULL DEFAULT now()
);
COMMENT ON TABLE marin.schema_migrations IS 'Migrations (sql/NNN_name.sql of marin-sync) applied to this database, by `marin-sync migrate`.';
COMMENT ON COLUMN marin.schema_migrations.version IS 'NNN of the migration file.';
COMMENT ON COLUMN marin.schema_migrations.name IS 'File name of the migration.';
COMMENT ON COLUMN marin.schema_migrations.checksum IS 'SHA-256 (hex) of the file as applied; marin-sync refuses to run against a different one.';
COMMENT ON COLUMN marin.schema_migrations.applied_at IS 'When it was applied.';
)sql";

struct Applied {
    std::string name;
    std::string checksum;
};

// version -> applied migration; empty when the table does not exist.
std::map<int, Applied> applied_migrations(pqxx::transaction_base& tx) {
    std::map<int, Applied> out;
    if (tx.exec1("SELECT to_regclass('marin.schema_migrations') IS NOT NULL")[0].as<bool>())
        for (const auto& row : tx.exec("SELECT version, name, checksum FROM marin.schema_migrations"))
            out[row[0].as<int>()] = Applied{row[1].as<std::string>(), row[2].as<std::string>()};
    return out;
}

// Problems that no migration can fix: a changed file, or a newer database.
void check_applied(const std::map<int, Applied>& applied) {
    std::map<int, const Migration*> embedded;
    for (const auto& m : embedded_migrations()) embedded[m.version] = &m;
    for (const auto& [version, a] : applied) {
        const auto it = embedded.find(version);
        if (it == embedded.end())
            throw SchemaError("the schema has migration " + std::to_string(version) + " (" + a.name +
                              "), which this marin-sync does not know (it knows up to version " +
                              std::to_string(latest_schema_version()) + "): upgrade marin-sync");
        if (it->second->checksum != a.checksum)
            throw SchemaError("migration " + std::string(it->second->name) +
                              " differs from the one applied to this database (checksum " + a.checksum.substr(0, 12) +
                              "... there, " + std::string(it->second->checksum.substr(0, 12)) +
                              "... here): applied migrations must never be edited");
    }
}

}  // namespace

int latest_schema_version() {
    const auto all = embedded_migrations();
    return all.empty() ? 0 : all.back().version;
}

std::vector<int> Migrator::migrate(const std::string& dsn, const std::shared_ptr<spdlog::logger>& log) {
    std::string step = "connecting";
    try {
        auto conn = detail::connect(dsn, "migrate", std::chrono::milliseconds{0}, "marin-sync migrate");
        {
            pqxx::nontransaction session(*conn);
            step = "taking the migration lock";
            // Session lock: a second `migrate` waits here, then finds nothing to do.
            session.exec_params1("SELECT pg_advisory_lock($1, $2)", detail::lock_namespace, detail::migration_lock_id);
            step = "creating marin.schema_migrations";
            session.exec(bootstrap_sql);
        }
        std::map<int, Applied> applied;
        {
            pqxx::read_transaction tx(*conn);
            applied = applied_migrations(tx);
        }
        check_applied(applied);
        std::vector<int> done;
        for (const auto& m : embedded_migrations()) {
            if (applied.count(m.version)) continue;
            step = "applying " + std::string(m.name);
            if (log) log->info("applying migration {}", m.name);
            pqxx::work tx(*conn, "migration");
            tx.exec(std::string(m.sql));
            tx.exec_params0("INSERT INTO marin.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                            m.version, std::string(m.name), std::string(m.checksum));
            tx.commit();
            done.push_back(m.version);
        }
        {
            // After every migration: they may have changed what the views read.
            step = "making the generated views";
            pqxx::work tx(*conn, "generated views");
            const int made =
                detail::apply_generated_views(tx, detail::generated_objects(), latest_schema_version(), log);
            tx.commit();
            if (log && made) log->info("made {} generated view(s) and function(s)", made);
        }
        {
            pqxx::nontransaction session(*conn);
            session.exec_params1("SELECT pg_advisory_unlock($1, $2)", detail::lock_namespace,
                                 detail::migration_lock_id);
        }
        if (log) {
            if (done.empty())
                log->info("schema is current (version {})", latest_schema_version());
            else
                log->info("schema migrated to version {}", latest_schema_version());
        }
        return done;
    } catch (...) {
        detail::rethrow_as_storage_error("migrating the schema (" + step + ")");
    }
}

int Migrator::current_version(const std::string& dsn, std::chrono::milliseconds timeout) {
    try {
        auto conn = detail::connect(dsn, "schema check", timeout, "marin-sync");
        pqxx::read_transaction tx(*conn);
        const auto applied = applied_migrations(tx);
        return applied.empty() ? 0 : applied.rbegin()->first;
    } catch (...) {
        detail::rethrow_as_storage_error("reading the schema version");
    }
}

void Migrator::check_schema(const std::string& dsn, std::chrono::milliseconds timeout) {
    std::map<int, Applied> applied;
    try {
        auto conn = detail::connect(dsn, "schema check", timeout, "marin-sync");
        pqxx::read_transaction tx(*conn);
        applied = applied_migrations(tx);
    } catch (...) {
        detail::rethrow_as_storage_error("checking the schema version");
    }
    check_applied(applied);
    const int have = applied.empty() ? 0 : applied.rbegin()->first;
    const int need = latest_schema_version();
    bool complete = true;
    for (const auto& m : embedded_migrations())
        if (!applied.count(m.version)) complete = false;
    if (have != need || !complete)
        throw SchemaError("schema is at version " + std::to_string(have) + ", this marin-sync needs " +
                          std::to_string(need) + ": run `marin-sync migrate`");
}

}  // namespace marin::storage
