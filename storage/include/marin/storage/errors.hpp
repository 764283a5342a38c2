// Exceptions thrown by the storage library. Every message names the thing
// that failed (table, statement, setting) so that it can be printed as is.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace marin::storage {

// Any failure of the database side: connection refused or lost, a statement
// that failed or timed out, a schema that is not current. After one of these
// the MirrorWriter is failed for good: every later call throws it again.
class StorageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The schema is missing, older or newer than this binary, or a migration that
// was applied differs from the one this binary carries.
class SchemaError : public StorageError {
  public:
    using StorageError::StorageError;
};

// A listing (or a 404 on a parent) would mark more rows removed than the
// removal guard allows. Nothing was marked; the writer stays usable.
class RemovalGuardError : public StorageError {
  public:
    RemovalGuardError(std::string message, std::string table, std::int64_t would_remove, std::int64_t live_rows,
                      double share)
        : StorageError(std::move(message)),
          table_(std::move(table)),
          would_remove_(would_remove),
          live_rows_(live_rows),
          share_(share) {}

    const std::string& table() const { return table_; }
    // Rows this run would have marked removed in the table, this call included.
    std::int64_t would_remove() const { return would_remove_; }
    // Live rows of the table when this run first touched it.
    std::int64_t live_rows() const { return live_rows_; }
    double share() const { return share_; }

  private:
    std::string table_;
    std::int64_t would_remove_;
    std::int64_t live_rows_;
    double share_;
};

}  // namespace marin::storage
