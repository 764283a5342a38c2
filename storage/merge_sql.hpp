// The SQL the writer runs, built once per table from model::TableSpec (the
// only source of identifiers pasted into it; every one is quoted except in
// the COPY column list, which libpqxx 6.4 pastes as is: the staging table's
// columns are therefore named c0, c1, ... by position).
//
// Session tables (temporary: no WAL, gone with the session):
//   pg_temp.marin_stage_<t>  the rows of one merge (the writer's pending rows
//                            of the table, from one or many commands) as
//                            sent: typed sent columns c<i>, _raw text (not
//                            parsed until a row is written), _hash, _seq
//                            (arrival order across commands, so the last
//                            duplicate wins), _listing (the listing id whose
//                            keys record_seen records; NULL: none). Emptied by
//                            DELETE in the merge's transaction (TRUNCATE now
//                            and then, to drop dead tuples). Not ON COMMIT
//                            DELETE ROWS: PostgreSQL
//                            truncates every such table at the commit of any
//                            transaction that touched a temporary table,
//                            which cost 150-250 ms per commit here.
//   pg_temp.marin_probe_<t>  the key, _hash, _seq and _listing of every row
//                            of one merge: classify tells new, changed and
//                            unchanged rows apart from these few bytes, so
//                            an unchanged row's record never reaches
//                            PostgreSQL, and new rows are COPYed straight
//                            into the mirror table. Only changed rows go
//                            through the staging table and the merge (which
//                            writes their history). Emptied like the stage.
//   pg_temp.marin_seen_<t>   (listing_id, k0..) keys each open listing held.
//   pg_temp.marin_gone_<t>   keys a removal marks; emptied at the start of
//                            each removal (a rolled-back removal leaves it
//                            empty anyway).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "marin/model/object_graph.hpp"
#include "marin/model/table_spec.hpp"

namespace marin::storage::detail {

// "name" with embedded quotes doubled.
std::string quote_ident(std::string_view name);

// marin.<name>, unquoted: for messages.
inline std::string table_name(model::TableId id) { return "marin." + std::string(model::table_spec(id).name); }

struct TableSql {
    const model::TableSpec* spec = nullptr;
    std::string table;                            // marin."ads"
    std::string history;                          // marin."ads_history"
    std::string stage;                            // pg_temp.marin_stage_ads (unquoted: COPY pastes it)
    std::vector<std::string> stage_copy_columns;  // c0..cN, _raw, _hash, _seq, _listing[, _keep]
    std::string create_stage;
    std::string probe;                            // pg_temp.marin_probe_ads (unquoted: COPY pastes it)
    std::vector<std::string> probe_copy_columns;  // k0..kN, _hash[, l0..lN, _keep], _seq, _listing
    // Index among the sent columns of l0..lN: the link columns
    // (model::ColumnSpec::link). Tables with links stage and probe each
    // row's links and whether it keeps them (model::Row::keeps_links).
    std::vector<std::size_t> link_positions;
    std::vector<std::size_t> key_positions;  // index among the sent columns of k0..kN
    std::string create_probe;
    // -> one row per distinct key of the probe: _seq of the row that wins
    // (the last one sent; with links, the last one that carries them), and
    // 0 new, 1 changed (or back after a removal, or another link),
    // 2 unchanged.
    std::string classify;
    std::string clear_probe;     // DELETE FROM the probe table
    std::string truncate_probe;  // TRUNCATE it
    // The mirror table's columns for a COPY of new rows: the sent columns,
    // _raw, _hash, _synced_at (quoted: COPY pastes them as they are).
    std::vector<std::string> table_copy_columns;
    std::string create_seen;  // empty for tables that are never removed
    std::string create_gone;
    // History and upsert of the staged rows (the changed ones) -> one row:
    // distinct keys, inserted, changed. A staged row whose
    // typed values and _raw equal the stored ones (only its hash differs: a
    // hash made by an older release, or over fewer columns before a
    // migration added some) gets its new hash and nothing else: no history
    // version, no new _synced_at.
    std::string merge;
    std::string record_seen;  // the probed keys, under their rows' _listing (no parameter)
    std::string forget_seen;  // $1 = listing ids, an integer[] literal
    std::string truncate_seen;
    std::string clear_stage;     // DELETE FROM the staging table
    std::string truncate_stage;  // TRUNCATE it (drops accumulated dead tuples)
    std::string clear_gone;      // DELETE FROM marin_gone_<t> (empty for tables never removed)
    // Only for tables with roll-ups (ad_stats_daily): brings the roll-ups up
    // to date for the rows of the probe whose _seq is in $1 (an integer[]
    // literal: the rows this merge inserted or changed), by
    // marin.refresh_stats_rollups of sql/007. Empty for other tables.
    std::string refresh_rollups;
    std::string count_live;      // -> one row: live rows
    std::string mark_gone_rows;  // history + update of the rows in marin_gone_<t>
};

const TableSql& table_sql(model::TableId id);

// The parent -> child links followed when a parent row is marked removed:
// the object graph's (model/object_graph.hpp).
using model::Cascade;
using model::cascades;

// INSERT INTO marin_gone_<t> the live rows selected by `filter` (columns of
// the table: checked against the spec, throws std::invalid_argument) and not
// seen by listing $1. Non-null filter values are parameters $2, $3, ... in
// filter order; null ones become IS NULL.
std::string select_unseen_into_gone(model::TableId id,
                                    const std::vector<std::pair<std::string, std::optional<std::string>>>& filter);
// The same selection as `into_gone` (one of the two statements above, for
// table `id`) as SELECT EXISTS: whether it would select anything, without
// needing the session's gone table.
std::string as_exists(model::TableId id, const std::string& into_gone);
// INSERT INTO marin_gone_<t> the live row whose key is $1, $2, ...
std::string select_key_into_gone(model::TableId id);
// INSERT INTO marin_gone_<child> the live children of the rows in marin_gone_<parent>.
std::string cascade_into_gone(const Cascade& c);

}  // namespace marin::storage::detail
