// Opening a connection the way every storage connection needs it, and
// turning libpqxx exceptions into messages that say what failed.
#pragma once

#include <pqxx/pqxx>

#include <chrono>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "marin/storage/run_lock.hpp"

namespace marin::storage::detail {

// Advisory lock keys (two-int form: classid = namespace, objid = id).
inline constexpr int lock_namespace = 0x4D52494E;          // "MRIN"
inline constexpr int run_lock_id = 1;                      // RunLock
inline constexpr int migration_lock_id = 2;                // Migrator
inline constexpr int write_lock_id = 3;                    // the writer's session (run_lock.hpp)
inline constexpr int run_liveness_namespace = 0x4D525255;  // "MRRU", objid = run_id

// Connects; sets client_encoding UTF8, statement_timeout (0 = none),
// lock_timeout, idle_session_timeout and idle_in_transaction_session_timeout
// 0 (whatever the database or role sets for people's sessions) and, when
// the DSN leaves it empty, application_name. Never reconnects on its
// own (libpqxx 6.4's silent reactivation is inhibited). Throws StorageError
// naming `purpose`.
std::unique_ptr<pqxx::connection> connect(const std::string& dsn, std::string_view purpose,
                                          std::chrono::milliseconds statement_timeout,
                                          std::string_view application_name);

// Takes the write lock (run_lock.hpp) on `conn`, the writer's session:
// throws RunLockBusy when another session holds it (after waiting, in wait
// mode), StorageError on other failures.
void take_write_lock(pqxx::connection& conn, const WriteLockPolicy& policy);

// "<what>: <error>" with the SQLSTATE and a hint for the common cases
// (statement timeout, lost connection).
std::string describe(std::string_view what, const std::exception& e);

// Rethrows the current exception as a StorageError described by `what`
// (RemovalGuardError and StorageError pass unchanged).
[[noreturn]] void rethrow_as_storage_error(std::string_view what);

}  // namespace marin::storage::detail
