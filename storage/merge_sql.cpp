// Builds the SQL the writer runs on each table (stage, probe, classify, merge, removals) from model::TableSpec.
#include "merge_sql.hpp"

#include <array>
#include <stdexcept>

namespace marin::storage::detail {
namespace {

using model::ColumnSpec;
using model::TableId;

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out += sep;
        out += parts[i];
    }
    return out;
}

// sql/007_analyst_rollups.sql: (ad_ids text[], dates date[]) -> pairs refreshed.
constexpr std::string_view stats_rollup_refresh = "marin.refresh_stats_rollups";

std::string stage_column(std::size_t i) { return "c" + std::to_string(i); }
std::string key_column(std::size_t i) { return "k" + std::to_string(i); }
std::string link_column(std::size_t i) { return "l" + std::to_string(i); }

// Every stored column but the generated ones, in table order, prefixed.
std::vector<std::string> plain_columns(const model::TableSpec& spec, const std::string& prefix) {
    std::vector<std::string> out;
    for (const auto& c : spec.columns) out.push_back(prefix + quote_ident(c.name));
    for (auto b : {model::raw_column, model::hash_column, model::synced_at_column, model::removed_at_column})
        out.push_back(prefix + quote_ident(b));
    return out;
}

// What every statement of one table is built from.
struct Parts {
    const model::TableSpec& spec;
    std::string name;
    std::string seen;  // pg_temp.marin_seen_<t>: keys each listing showed
    std::string gone;  // pg_temp.marin_gone_<t>: keys to mark removed
    std::vector<const ColumnSpec*> sent;
    std::vector<const ColumnSpec*> keys;
    std::vector<std::size_t> key_pos;  // index of each key column among the sent columns
    std::vector<std::string> key_defs, key_names;
    std::vector<std::size_t> link_positions;  // among the sent columns
    bool links = false;

    explicit Parts(const model::TableSpec& s)
        : spec(s),
          name(s.name),
          seen("pg_temp.marin_seen_" + name),
          gone("pg_temp.marin_gone_" + name),
          sent(s.sent_columns()),
          keys(s.key_columns()),
          link_positions(s.link_positions()),
          links(!link_positions.empty()) {
        for (const auto* k : keys)  // keys are always sent
            for (std::size_t i = 0; i < sent.size(); ++i)
                if (sent[i] == k) key_pos.push_back(i);
        for (std::size_t j = 0; j < keys.size(); ++j) {
            key_defs.push_back(key_column(j) + " " + std::string(model::sql_type(keys[j]->type)) + " NOT NULL");
            key_names.push_back(key_column(j));
        }
    }

    // Key equality between the table (alias t) and another relation: the
    // staging table's c<i> columns or the probe's and gone table's k<j>.
    std::string key_match(const std::string& other, bool staged) const {
        std::vector<std::string> eq;
        for (std::size_t j = 0; j < keys.size(); ++j)
            eq.push_back("t." + quote_ident(keys[j]->name) + " = " + other + "." +
                         (staged ? stage_column(key_pos[j]) : key_column(j)));
        return join(eq, " AND ");
    }
};

// The staging table: the changed rows, whole, on their way to the merge.
void build_stage(TableSql& s, const Parts& p) {
    std::vector<std::string> stage_defs;
    for (std::size_t i = 0; i < p.sent.size(); ++i) {
        s.stage_copy_columns.push_back(stage_column(i));
        stage_defs.push_back(stage_column(i) + " " + std::string(model::sql_type(p.sent[i]->type)));
    }
    for (auto c : {"_raw", "_hash", "_seq", "_listing"}) s.stage_copy_columns.emplace_back(c);
    stage_defs.emplace_back("_raw text NOT NULL");
    stage_defs.emplace_back("_hash text NOT NULL");
    stage_defs.emplace_back("_seq integer NOT NULL");
    stage_defs.emplace_back("_listing integer");
    if (p.links) {
        s.stage_copy_columns.emplace_back("_keep");
        stage_defs.emplace_back("_keep boolean NOT NULL");
    }
    s.create_stage = "CREATE TEMP TABLE IF NOT EXISTS marin_stage_" + p.name + " (" + join(stage_defs, ", ") + ")";
    s.clear_stage = "DELETE FROM " + s.stage;
    s.truncate_stage = "TRUNCATE " + s.stage;
}

// The probe table (every pending row's key, hash and links) and the COPY
// columns of new rows, which go straight into the table.
void build_probe(TableSql& s, const Parts& p) {
    s.key_positions = p.key_pos;
    s.probe = "pg_temp.marin_probe_" + p.name;
    s.probe_copy_columns = p.key_names;
    s.probe_copy_columns.emplace_back("_hash");
    std::string link_defs;
    for (std::size_t j = 0; j < s.link_positions.size(); ++j) {
        s.probe_copy_columns.push_back(link_column(j));
        link_defs += ", " + link_column(j) + " " + std::string(model::sql_type(p.sent[s.link_positions[j]]->type));
    }
    if (p.links) {
        s.probe_copy_columns.emplace_back("_keep");
        link_defs += ", _keep boolean NOT NULL";
    }
    for (auto c : {"_seq", "_listing"}) s.probe_copy_columns.emplace_back(c);
    s.create_probe = "CREATE TEMP TABLE IF NOT EXISTS marin_probe_" + p.name + " (" + join(p.key_defs, ", ") +
                     ", _hash text NOT NULL" + link_defs + ", _seq integer NOT NULL, _listing integer)";
    s.clear_probe = "DELETE FROM " + s.probe;
    s.truncate_probe = "TRUNCATE " + s.probe;
    for (const auto* c : p.sent) s.table_copy_columns.push_back(quote_ident(c->name));
    for (auto b : {model::raw_column, model::hash_column, model::synced_at_column})
        s.table_copy_columns.push_back(quote_ident(b));
}

// The keys each listing showed, and the keys to mark removed (removable
// tables only).
void build_seen_and_gone(TableSql& s, const Parts& p) {
    const auto defs = join(p.key_defs, ", ");
    const auto names = join(p.key_names, ", ");
    s.create_seen = "CREATE TEMP TABLE IF NOT EXISTS marin_seen_" + p.name + " (listing_id integer NOT NULL, " + defs +
                    ", PRIMARY KEY (listing_id, " + names + "))";
    s.create_gone =
        "CREATE TEMP TABLE IF NOT EXISTS marin_gone_" + p.name + " (" + defs + ", PRIMARY KEY (" + names + "))";
    s.clear_gone = "DELETE FROM " + p.gone;
    s.record_seen = "INSERT INTO " + p.seen + " (listing_id, " + names + ") SELECT DISTINCT _listing, " + names +
                    " FROM " + s.probe + " WHERE _listing IS NOT NULL ON CONFLICT DO NOTHING";
    s.forget_seen = "DELETE FROM " + p.seen + " WHERE listing_id = ANY($1::integer[])";
    s.truncate_seen = "TRUNCATE " + p.seen;
}

// classify: a nested loop over the probe's few rows and the table's
// primary key (the join names every key column). 0 new, 1 changed, 2 unchanged.
void build_classify(TableSql& s, const Parts& p) {
    // A row that keeps its links (it does not know them) matches any stored
    // link; among duplicates, one that carries the links wins over one that
    // keeps them, so that the link is written whatever their order (both
    // are the same record read by one run; a newer one that keeps links
    // loses to it until the next run, rather than the link until the next).
    std::string probe_links_same;
    for (std::size_t j = 0; j < s.link_positions.size(); ++j) {
        const auto column = quote_ident(p.sent[s.link_positions[j]]->name);
        probe_links_same += " AND (p._keep OR t." + column + " IS NOT DISTINCT FROM p." + link_column(j) + ")";
    }
    const std::string keep_order = p.links ? "_keep, " : "";
    const auto names = join(p.key_names, ", ");
    s.classify =
        "SELECT p._seq, CASE WHEN t._hash IS NULL THEN 0\n"
        "  WHEN t._hash = p._hash AND t._removed_at IS NULL" +
        probe_links_same +
        " THEN 2 ELSE 1 END\n"
        "FROM (SELECT DISTINCT ON (" +
        names + ") * FROM " + s.probe +
        "\n"
        "      ORDER BY " +
        names + ", " + keep_order +
        "_seq DESC) p\n"
        "LEFT JOIN " +
        s.table + " t ON " + p.key_match("p", false);
}

// The column lists of the merge's upsert.
struct MergeColumns {
    std::vector<std::string> insert_cols, insert_vals, updates, conflict_keys, todo_cols, same_content;
    std::string stage_links_differ;
};

MergeColumns merge_columns(const TableSql& s, const Parts& p) {
    MergeColumns m;
    for (std::size_t j = 0; j < s.link_positions.size(); ++j)
        m.stage_links_differ += " OR (NOT src._keep AND t." + quote_ident(p.sent[s.link_positions[j]]->name) +
                                " IS DISTINCT FROM src." + stage_column(s.link_positions[j]) + ")";
    for (std::size_t i = 0; i < p.sent.size(); ++i) {
        const auto column = quote_ident(p.sent[i]->name);
        m.insert_cols.push_back(column);
        m.insert_vals.push_back(stage_column(i));
        if (p.sent[i]->role != model::ColumnRole::key) m.updates.push_back(column + " = EXCLUDED." + column);
        if (p.sent[i]->link) {
            // A row that keeps its links writes the stored ones back.
            m.todo_cols.push_back("CASE WHEN src._keep THEN t." + column + " ELSE src." + stage_column(i) + " END AS " +
                                  stage_column(i));
            // A link learnt where none was known (NULL: unknown) is no new
            // version of the object: an ad listed by its campaign only, whose
            // ad set a later run lists. The row is updated in place and keeps
            // its _synced_at, so its history has no gap (*_as_of).
            m.same_content.push_back("(src._keep OR t." + column + " IS NULL OR t." + column +
                                     " IS NOT DISTINCT FROM src." + stage_column(i) + ")");
        } else {
            m.todo_cols.push_back("src." + stage_column(i));
            if (p.sent[i]->role != model::ColumnRole::key)
                m.same_content.push_back("t." + column + " IS NOT DISTINCT FROM src." + stage_column(i));
        }
    }
    for (const auto* k : p.keys) m.conflict_keys.push_back(quote_ident(k->name));
    for (auto b : {model::raw_column, model::hash_column, model::synced_at_column, model::removed_at_column}) {
        m.insert_cols.push_back(quote_ident(b));
        m.updates.push_back(quote_ident(b) + " = EXCLUDED." + quote_ident(b));
    }
    m.insert_vals.insert(
        m.insert_vals.end(),
        {"_raw_json", "_hash", "CASE WHEN refresh_only THEN old_synced_at ELSE now() END", "NULL::timestamptz"});
    m.same_content.emplace_back("t._raw = src._raw_json");
    return m;
}

// Unchanged rows (same _hash, not removed) drop out before staging, so
// no step reads their _raw or writes their tuple: an unchanged batch
// writes nothing to the mirror or its WAL. Of the staged ones, those
// whose content equals the stored row (only the hash differs, or a link
// was learnt where none was known) are updated in place: no history
// version, their _synced_at kept (refresh_only).
void build_merge(TableSql& s, const Parts& p) {
    std::vector<std::string> src_keys;
    for (auto k : p.key_pos) src_keys.push_back("s." + stage_column(k));
    const auto hist_cols = plain_columns(p.spec, "");
    const auto old_cols = plain_columns(p.spec, "t.");
    const auto m = merge_columns(s, p);
    s.merge =
        "WITH src AS (\n"
        "  SELECT DISTINCT ON (" +
        join(src_keys, ", ") + ") s.*, s._raw::jsonb AS _raw_json FROM " + s.stage +
        " s\n"
        "  ORDER BY " +
        join(src_keys, ", ") + ", " + (p.links ? "s._keep, " : "") +
        "s._seq DESC\n"
        "), todo AS (\n"
        "  SELECT " +
        join(m.todo_cols, ", ") +
        ",\n"
        "    src._raw_json, src._hash, t._hash IS NOT NULL AS existed, t._synced_at AS old_synced_at,\n"
        "    (t._hash IS NOT NULL AND t._removed_at IS NULL AND " +
        join(m.same_content, " AND ") +
        ") AS refresh_only\n"
        "  FROM src LEFT JOIN " +
        s.table + " t ON " + p.key_match("src", true) +
        "\n"
        "  WHERE t._hash IS NULL OR t._hash <> src._hash OR t._removed_at IS NOT NULL" +
        m.stage_links_differ +
        "\n"
        "), hist AS (\n"
        "  INSERT INTO " +
        s.history + " (" + join(hist_cols, ", ") +
        ", _valid_from, _valid_to)\n"
        "  SELECT " +
        join(old_cols, ", ") +
        ", t._synced_at, now()\n"
        "  FROM " +
        s.table + " t JOIN todo ON " + p.key_match("todo", true) +
        " WHERE todo.existed AND NOT todo.refresh_only\n"
        "), up AS (\n"
        "  INSERT INTO " +
        s.table + " AS t (" + join(m.insert_cols, ", ") +
        ")\n"
        "  SELECT " +
        join(m.insert_vals, ", ") +
        " FROM todo\n"
        "  ON CONFLICT (" +
        join(m.conflict_keys, ", ") + ") DO UPDATE SET " + join(m.updates, ", ") +
        "\n"
        ")\n"
        "SELECT (SELECT count(*) FROM src)::bigint, count(*) FILTER (WHERE NOT existed)::bigint,\n"
        "  count(*) FILTER (WHERE existed AND NOT refresh_only)::bigint FROM todo";
}

// Marks the keys of the gone table removed, their previous versions to history.
void build_mark_gone(TableSql& s, const Parts& p) {
    s.mark_gone_rows =
        "WITH hist AS (\n"
        "  INSERT INTO " +
        s.history + " (" + join(plain_columns(p.spec, ""), ", ") +
        ", _valid_from, _valid_to)\n"
        "  SELECT " +
        join(plain_columns(p.spec, "t."), ", ") +
        ", t._synced_at, now()\n"
        "  FROM " +
        s.table + " t JOIN " + p.gone + " g ON " + p.key_match("g", false) +
        "\n"
        "  WHERE t._removed_at IS NULL\n"
        ")\n"
        "UPDATE " +
        s.table +
        " t SET _removed_at = now(), _synced_at = now()\n"
        "FROM " +
        p.gone + " g WHERE " + p.key_match("g", false) + " AND t._removed_at IS NULL";
}

TableSql build(const model::TableSpec& spec) {
    const Parts p(spec);
    TableSql s;
    s.spec = &spec;
    s.table = "marin." + quote_ident(p.name);
    s.history = "marin." + quote_ident(p.name + "_history");
    s.stage = "pg_temp.marin_stage_" + p.name;
    s.link_positions = p.link_positions;
    build_stage(s, p);
    build_probe(s, p);
    if (spec.removable) build_seen_and_gone(s, p);
    build_classify(s, p);
    build_merge(s, p);
    // The roll-ups are recomputed from their rows in the merge's transaction
    // (so they never disagree with them), for the keys this merge wrote.
    if (spec.id == TableId::ad_stats_daily)
        s.refresh_rollups = "SELECT " + std::string(stats_rollup_refresh) + "(array_agg(k0), array_agg(k1)) FROM " +
                            s.probe + " WHERE _seq = ANY($1::integer[])";
    s.count_live = "SELECT count(*) FROM " + s.table + " WHERE _removed_at IS NULL";
    if (spec.removable) build_mark_gone(s, p);
    return s;
}

const std::array<TableSql, model::table_count>& all_sql() {
    static const auto sql = [] {
        std::array<TableSql, model::table_count> out;
        for (const auto& spec : model::all_tables()) out[static_cast<std::size_t>(spec.id)] = build(spec);
        return out;
    }();
    return sql;
}

const model::ColumnSpec& checked_column(TableId id, std::string_view column) {
    const auto* c = model::table_spec(id).column(column);
    if (!c || c->type == model::ColumnType::json_subtree)
        throw std::invalid_argument("listing filter names column \"" + std::string(column) + "\", which marin." +
                                    std::string(model::table_spec(id).name) + " does not have");
    return *c;
}

std::string gone_insert_head(TableId id) {
    const auto& spec = model::table_spec(id);
    std::vector<std::string> names, sel;
    const auto keys = spec.key_columns();
    for (std::size_t j = 0; j < keys.size(); ++j) {
        names.push_back(key_column(j));
        sel.push_back("t." + quote_ident(keys[j]->name));
    }
    return "INSERT INTO pg_temp.marin_gone_" + std::string(spec.name) + " (" + join(names, ", ") + ") SELECT " +
           join(sel, ", ") + " FROM " + table_sql(id).table + " t WHERE t._removed_at IS NULL";
}

}  // namespace

std::string quote_ident(std::string_view name) {
    std::string out = "\"";
    for (char ch : name) {
        if (ch == '"') out += '"';
        out += ch;
    }
    return out + "\"";
}

const TableSql& table_sql(TableId id) { return all_sql()[static_cast<std::size_t>(id)]; }

std::string select_unseen_into_gone(TableId id,
                                    const std::vector<std::pair<std::string, std::optional<std::string>>>& filter) {
    const auto& spec = model::table_spec(id);
    std::string sql = gone_insert_head(id);
    int param = 2;
    for (const auto& [column, value] : filter) {
        const auto& c = checked_column(id, column);
        sql += " AND t." + quote_ident(c.name);
        if (value)
            sql += " = $" + std::to_string(param++) + "::" + std::string(model::sql_type(c.type));
        else
            sql += " IS NULL";
    }
    std::vector<std::string> eq;
    const auto keys = spec.key_columns();
    for (std::size_t j = 0; j < keys.size(); ++j)
        eq.push_back("s." + key_column(j) + " = t." + quote_ident(keys[j]->name));
    sql += " AND NOT EXISTS (SELECT 1 FROM pg_temp.marin_seen_" + std::string(spec.name) +
           " s WHERE s.listing_id = $1::integer AND " + join(eq, " AND ") + ")";
    return sql;
}

std::string select_key_into_gone(TableId id) {
    const auto keys = model::table_spec(id).key_columns();
    std::string sql = gone_insert_head(id);
    for (std::size_t j = 0; j < keys.size(); ++j)
        sql += " AND t." + quote_ident(keys[j]->name) + " = $" + std::to_string(j + 1) +
               "::" + std::string(model::sql_type(keys[j]->type));
    return sql;
}

std::string as_exists(model::TableId id, const std::string& into_gone) {
    const auto head = gone_insert_head(id);
    if (into_gone.compare(0, head.size(), head) != 0) throw std::logic_error("as_exists: not a gone-table insert");
    return "SELECT EXISTS (SELECT 1 FROM " + table_sql(id).table + " t WHERE t._removed_at IS NULL" +
           into_gone.substr(head.size()) + ")";
}

std::string cascade_into_gone(const Cascade& c) {
    return gone_insert_head(c.child) + " AND t." + quote_ident(c.child_column) +
           " IN (SELECT k0 FROM pg_temp.marin_gone_" + std::string(model::table_spec(c.parent).name) +
           ") ON CONFLICT DO NOTHING";
}

}  // namespace marin::storage::detail
