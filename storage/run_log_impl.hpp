// RunLog::Impl, the run bookkeeping session: opened at the first statement, opened again once when it
// broke since (run_log.hpp says why).
#pragma once

#include <pqxx/pqxx>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "marin/storage/run_log.hpp"
#include "pg_session.hpp"

namespace marin::storage {

struct RunLog::Impl {
    std::string dsn;
    std::chrono::milliseconds timeout;
    std::string application_name;
    std::unique_ptr<pqxx::connection> conn;
    int opened = 0;

    // f(connection) on the session; `purpose` names the connection in a
    // connect error, `what` the statement in any other.
    template <class F>
    auto in_session(std::string_view purpose, std::string_view what, F&& f) {
        try {
            for (int attempt = 0;; ++attempt) {
                if (!conn || !conn->is_open()) {
                    conn.reset();
                    conn = detail::connect(dsn, purpose, timeout, application_name);
                    ++opened;
                }
                try {
                    return f(*conn);
                } catch (const std::exception& e) {
                    // The statements are reads or idempotent writes: one more
                    // try on a fresh session when this one is gone.
                    if (attempt > 0 || !session_lost(e)) throw;
                    conn.reset();
                }
            }
        } catch (...) {
            detail::rethrow_as_storage_error(what);
        }
    }

    static bool session_lost(const std::exception& e) {
        if (dynamic_cast<const pqxx::broken_connection*>(&e) || dynamic_cast<const pqxx::in_doubt_error*>(&e))
            return true;
        if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e))
            return sql->sqlstate() == "57P01" || sql->sqlstate() == "57P02" || sql->sqlstate() == "57P03";
        return false;
    }
};

}  // namespace marin::storage
