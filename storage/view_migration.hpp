// The migrator's last step: the generated views and functions of
// view_sql.hpp (re)made where their text changed, recorded in
// marin.schema_generated (object, checksum, applied_at). Blocking; runs in
// the caller's transaction.
//
// The checksum covers the object's CREATE and COMMENT text and the schema
// version it was applied after: a migration may change what the text reads
// (a table's column comments), so each new schema version makes them again.
// CREATE OR REPLACE VIEW keeps a view's columns, grants and dependants and
// may only add columns at its end, which is how a column added to a
// TableSpec arrives. A view whose existing columns are not a prefix of the
// generated ones is dropped and created again with its grants, unless
// another object depends on it: then nothing is changed and SchemaError
// names the dependants (their owners drop them, migrate, and create them
// again: rewriting someone else's view automatically is where silent damage
// hides).
#pragma once

#include <memory>
#include <pqxx/pqxx>
#include <span>

#include "view_sql.hpp"

namespace spdlog {
class logger;
}

namespace marin::storage::detail {

// Applies the objects whose recorded checksum differs; returns how many.
int apply_generated_views(pqxx::transaction_base& tx, std::span<const GeneratedObject> objects, int schema_version,
                          const std::shared_ptr<spdlog::logger>& log);

}  // namespace marin::storage::detail
