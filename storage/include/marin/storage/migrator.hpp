// Schema migrations: the numbered files of sql/ (NNN_name.sql), embedded in
// the binary at build time, applied in order inside transactions under an
// advisory lock and recorded in marin.schema_migrations(version, name,
// checksum, applied_at); then the per-table views generated from the table
// model (view_sql.hpp, recorded in marin.schema_generated). Blocking API.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "marin/storage/errors.hpp"
#include "marin/storage/run_log.hpp"

namespace spdlog {
class logger;
}

namespace marin::storage {

struct Migration {
    int version;                // NNN of the file name
    std::string_view name;      // file name, e.g. "001_schema.sql"
    std::string_view sql;       // file contents
    std::string_view checksum;  // SHA-256 of the contents, hex
};

// The migrations this binary carries, by ascending version.
std::span<const Migration> embedded_migrations();
// Version of the newest embedded migration.
int latest_schema_version();

class Migrator {
  public:
    // Applies the pending migrations (each in its own transaction, under an
    // advisory lock so that two `marin-sync migrate` never interleave), then
    // (re)makes the generated views whose text or schema version changed
    // (one transaction).
    // Throws SchemaError when an applied migration's checksum differs from
    // the embedded one, or the database is newer than this binary. Returns
    // the versions applied (empty: already current).
    static std::vector<int> migrate(const std::string& dsn, const std::shared_ptr<spdlog::logger>& log);

    // Throws SchemaError ("schema is at version N, this marin-sync needs M:
    // run `marin-sync migrate`") unless the database holds exactly the
    // embedded migrations with equal checksums. `timeout` bounds its
    // statement (a lock held on marin.schema_migrations): a run passes
    // bookkeeping_timeout(database.statement_timeout_s).
    static void check_schema(const std::string& dsn, std::chrono::milliseconds timeout = default_bookkeeping_timeout);

    // Version recorded in the database (0 = never migrated).
    static int current_version(const std::string& dsn, std::chrono::milliseconds timeout = default_bookkeeping_timeout);
};

}  // namespace marin::storage
