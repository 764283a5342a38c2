// The writer's mirror session: connection set-up and write lock, the group's transaction, prepared statements, session
// tables.
#include "mirror_session.hpp"

#include "marin/storage/errors.hpp"
#include "merge_sql.hpp"
#include "pg_session.hpp"

namespace marin::storage::detail {

void MirrorSession::open(const WriterSettings& settings) {
    conn_ = connect(settings.dsn, "storage writer", settings.statement_timeout, "marin-sync writer");
    // The group commits do not wait for their WAL to reach the disk (a wait
    // of several ms each, which bounded short listings). That is safe for a
    // mirror: a database crash can only lose the last commits whole (rows
    // and their checkpoints together), which the next run writes again; and
    // the run's end is recorded by the run log's own, synchronous, commit,
    // whose WAL flush makes every earlier commit of this session durable
    // first.
    pqxx::nontransaction(*conn_).exec0("SET synchronous_commit = off");
    if (settings.write_lock) take_write_lock(*conn_, *settings.write_lock);
    backend_pid_ = conn_->backendpid();
}

void MirrorSession::check() const {
    if (!conn_ || !conn_->is_open()) throw pqxx::broken_connection("the session is closed");
    if (const int pid = conn_->backendpid(); pid != backend_pid_)
        throw StorageError("the PostgreSQL session was replaced (backend pid " + std::to_string(backend_pid_) + " -> " +
                           std::to_string(pid) + "): its temporary tables are gone");
}

pqxx::work& MirrorSession::tx() {
    if (!tx_) {
        check();
        tx_ = std::make_unique<pqxx::work>(*conn_, "group");
        started_ = std::chrono::steady_clock::now();
    }
    return *tx_;
}

void MirrorSession::commit() {
    tx_->commit();
    tx_.reset();
}

void MirrorSession::rollback() { tx_.reset(); }  // aborts

void MirrorSession::close() {
    tx_.reset();
    conn_.reset();
}

const std::string& MirrorSession::prepared(const std::string& sql) {
    if (const auto found = prepared_names_.find(sql); found != prepared_names_.end()) return found->second;
    std::string name = "marin_" + std::to_string(prepared_names_.size() + 1);
    conn_->prepare(name, sql);
    return prepared_names_.emplace(sql, std::move(name)).first->second;
}

void MirrorSession::ensure_session_tables(model::TableId t) {
    if (session_tables_[index(t)]) return;
    const auto& sql = table_sql(t);
    auto& w = tx();
    w.exec0(sql.create_probe);
    if (!sql.create_seen.empty()) w.exec0(sql.create_seen);
    session_tables_[index(t)] = true;
}

void MirrorSession::ensure_stage_table(model::TableId t) {
    if (stage_tables_[index(t)]) return;
    tx().exec0(table_sql(t).create_stage);
    stage_tables_[index(t)] = true;
}

void MirrorSession::ensure_gone_table(model::TableId t) {
    const auto& create = table_sql(t).create_gone;
    if (gone_tables_[index(t)] || create.empty()) return;
    tx().exec0(create);
    gone_tables_[index(t)] = true;
}

}  // namespace marin::storage::detail
