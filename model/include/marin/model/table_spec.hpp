// The mirror's tables as data: which columns each table has, which of them
// form its key, which record its parents, and where each typed column comes
// from in the API's JSON. The sync mapper, the writer and the schema test all
// read this one description, so the three cannot drift apart.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace marin::model {

enum class TableId : std::uint8_t {
    accounts,
    advertisers,
    media_plans,
    campaigns,
    ad_sets,
    ads,
    users,
    media_plan_users,
    funding_instruments,
    publisher_objects,
    lead_forms,
    audiences,
    targeting_clusters,
    ad_stats_daily,
};
inline constexpr std::size_t table_count = 14;

// How a value is carried from the API's JSON to PostgreSQL.
enum class ColumnType : std::uint8_t {
    text,          // strings; numbers are written in their JSON spelling
    numeric,       // exact decimal (money, budgets, bids): JSON number or numeric string
    bigint,        // counts: JSON integer or integer string
    float8,        // rates (ctr, cpc, ...): double precision
    boolean,       // JSON true/false (also "true"/"false", 0/1)
    timestamptz,   // ISO 8601 with an offset, in either of the API's two spellings
    date,          // YYYY-MM-DD
    json_subtree,  // an object or array kept as jsonb, derived inside PostgreSQL
                   // from _raw (a generated column), so the client never
                   // sends the same JSON twice
};

// Where a column's value comes from.
enum class ColumnRole : std::uint8_t {
    key,     // part of the primary key
    parent,  // an ancestor's id, from the record or from the request path
    field,   // a documented field of the record
    // The sum of `number` over the entries of the record's main_metrics array
    // named json_field (0 when none), computed by the mapper so that roll-ups
    // add a column instead of unnesting JSON at query time. A function of
    // _raw, which the row hash covers already: it is left out of the hash, so
    // adding such a column does not make every stored row look changed.
    // These columns come last among the sent columns (the mapper appends
    // them after hashing).
    main_metric,
};

struct ColumnSpec {
    std::string_view name;        // column name in PostgreSQL (snake_case)
    std::string_view json_field;  // field name in the API record ("" = not from the record body)
    ColumnType type;
    ColumnRole role;
    // A link that only some listings know (an ad's ad set: the campaign's
    // ads listing does not say it). Left out of the row's hash and compared
    // on its own, so that a row from a listing that does not know the link
    // leaves it as stored instead of clearing it (object_graph.hpp).
    bool link = false;
    // The migration (sql/NNN) that added the column to an existing table;
    // 0: the table's CREATE TABLE made it. ALTER TABLE ADD COLUMN cannot
    // place a column, so PostgreSQL keeps it after the bookkeeping columns:
    // the generated views (storage/view_sql.hpp) must list it there.
    std::uint8_t added_in = 0;
};

// A column a table lost that a view still shows, computed, where it stood
// (sql/007 dropped ad_stats_daily.main_metrics; ad_stats_daily_versions
// keeps it as _raw -> 'main_metrics', so the view's columns never moved).
struct RetiredColumn {
    std::string_view name;
    ColumnType type;
    std::string_view expression;  // SQL over the table's columns
    std::string_view follows;     // the column it came after
    std::uint8_t removed_in;      // the migration that dropped it
    std::string_view comment;     // on the view column (the table has none left)
};

struct TableSpec {
    TableId id;
    std::string_view name;  // table name in schema "marin"
    std::span<const ColumnSpec> columns;
    // Rows can be marked removed when a complete listing no longer holds them.
    // Statistics rows are never removed: a restated day overwrites its row.
    bool removable;
    // The migration whose CREATE TABLE laid the columns out: those it made
    // stand in spec order, the later ones after the bookkeeping columns.
    std::uint8_t created_in = 1;
    // The migration whose CREATE VIEW fixed <table>_versions: columns added
    // after it follow _is_current there (CREATE OR REPLACE VIEW can only
    // append). 0: created_in.
    std::uint8_t versions_laid_out_in = 0;
    std::span<const RetiredColumn> retired = {};

    // Columns the client sends (everything but json_subtree), in order.
    [[nodiscard]] std::vector<const ColumnSpec*> sent_columns() const;
    [[nodiscard]] std::vector<const ColumnSpec*> key_columns() const;
    [[nodiscard]] const ColumnSpec* column(std::string_view name) const;
    // Positions among sent_columns() of the link columns.
    [[nodiscard]] std::vector<std::size_t> link_positions() const;
    // Every column of the table in PostgreSQL's order (attnum): the ones
    // its CREATE TABLE made, the bookkeeping columns, then the ones added
    // later (by migration, then spec order).
    [[nodiscard]] std::vector<std::string_view> stored_columns() const;
    // Whether the column came after `version` (a later migration added it).
    [[nodiscard]] bool added_after(const ColumnSpec& column, unsigned version) const;
};

[[nodiscard]] const TableSpec& table_spec(TableId id);
[[nodiscard]] std::span<const TableSpec> all_tables();
[[nodiscard]] std::optional<TableId> table_by_name(std::string_view name);
[[nodiscard]] std::string_view sql_type(ColumnType type);

// Bookkeeping columns every mirror table carries after its own columns.
inline constexpr std::string_view raw_column = "_raw";
inline constexpr std::string_view hash_column = "_hash";
inline constexpr std::string_view synced_at_column = "_synced_at";
inline constexpr std::string_view removed_at_column = "_removed_at";

}  // namespace marin::model
