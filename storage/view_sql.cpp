// Builds the per-table analyst views and as-of functions from model::TableSpec.
#include "view_sql.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "merge_sql.hpp"

namespace marin::storage::detail {
namespace {

using model::ColumnSpec;
using model::TableSpec;

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    return fmt::to_string(fmt::join(parts, sep));
}

// 'text' with its quotes doubled.
std::string literal(std::string_view text) {
    std::string out = "'";
    for (char ch : text) {
        if (ch == '\'') out += '\'';
        out += ch;
    }
    return out + "'";
}

// PostgreSQL's keywords that quote_ident quotes (reserved, column-name and
// type-or-function-name ones): the names a column could plausibly carry.
// storage_views_pgtest checks every column name of the model against
// quote_ident itself.
constexpr std::string_view quoted_keywords[] = {"all",
                                                "analyse",
                                                "analyze",
                                                "and",
                                                "any",
                                                "array",
                                                "as",
                                                "asc",
                                                "asymmetric",
                                                "authorization",
                                                "between",
                                                "bigint",
                                                "binary",
                                                "bit",
                                                "boolean",
                                                "both",
                                                "case",
                                                "cast",
                                                "char",
                                                "character",
                                                "check",
                                                "coalesce",
                                                "collate",
                                                "collation",
                                                "column",
                                                "concurrently",
                                                "constraint",
                                                "create",
                                                "cross",
                                                "current_catalog",
                                                "current_date",
                                                "current_role",
                                                "current_schema",
                                                "current_time",
                                                "current_timestamp",
                                                "current_user",
                                                "dec",
                                                "decimal",
                                                "default",
                                                "deferrable",
                                                "desc",
                                                "distinct",
                                                "do",
                                                "else",
                                                "end",
                                                "except",
                                                "exists",
                                                "extract",
                                                "false",
                                                "fetch",
                                                "float",
                                                "for",
                                                "foreign",
                                                "freeze",
                                                "from",
                                                "full",
                                                "grant",
                                                "greatest",
                                                "group",
                                                "grouping",
                                                "having",
                                                "ilike",
                                                "in",
                                                "initially",
                                                "inner",
                                                "inout",
                                                "int",
                                                "integer",
                                                "intersect",
                                                "interval",
                                                "into",
                                                "is",
                                                "isnull",
                                                "join",
                                                "lateral",
                                                "leading",
                                                "least",
                                                "left",
                                                "like",
                                                "limit",
                                                "localtime",
                                                "localtimestamp",
                                                "national",
                                                "natural",
                                                "nchar",
                                                "none",
                                                "normalize",
                                                "not",
                                                "notnull",
                                                "null",
                                                "nullif",
                                                "numeric",
                                                "offset",
                                                "on",
                                                "only",
                                                "or",
                                                "order",
                                                "out",
                                                "outer",
                                                "overlaps",
                                                "overlay",
                                                "placing",
                                                "position",
                                                "precision",
                                                "primary",
                                                "real",
                                                "references",
                                                "returning",
                                                "right",
                                                "row",
                                                "select",
                                                "session_user",
                                                "setof",
                                                "similar",
                                                "smallint",
                                                "some",
                                                "substring",
                                                "symmetric",
                                                "table",
                                                "then",
                                                "time",
                                                "timestamp",
                                                "to",
                                                "trailing",
                                                "treat",
                                                "trim",
                                                "true",
                                                "union",
                                                "unique",
                                                "user",
                                                "using",
                                                "values",
                                                "varchar",
                                                "variadic",
                                                "verbose",
                                                "when",
                                                "where",
                                                "window",
                                                "with",
                                                "system_user"};

bool is_keyword(std::string_view name) { return std::ranges::find(quoted_keywords, name) != std::end(quoted_keywords); }

std::string bookkeeping_type(std::string_view name) {
    if (name == model::raw_column) return "jsonb";
    if (name == model::hash_column) return "text";
    return "timestamp with time zone";
}

// A column of the table or a view over it: what it is called, its type, and
// the expression that gives it (its name, or a retired column's formula).
struct Item {
    std::string name;
    std::string type;
    std::string expression;
};

Item stored_item(const TableSpec& spec, std::string_view name) {
    const auto* c = spec.column(name);
    return {std::string(name), c ? std::string(model::sql_type(c->type)) : bookkeeping_type(name), sql_ident(name)};
}

std::vector<Item> stored_items(const TableSpec& spec) {
    std::vector<Item> out;
    for (auto name : spec.stored_columns()) out.push_back(stored_item(spec, name));
    return out;
}

// The two parts of T_versions' own columns: before _valid_from (its layout,
// with retired columns where they stood) and after _is_current.
std::pair<std::vector<Item>, std::vector<Item>> versions_items(const TableSpec& spec) {
    const unsigned layout = spec.versions_laid_out_in ? spec.versions_laid_out_in : spec.created_in;
    std::vector<Item> head, tail;
    for (auto name : spec.stored_columns()) {
        const auto* c = spec.column(name);
        (c && spec.added_after(*c, layout) ? tail : head).push_back(stored_item(spec, name));
        for (const auto& r : spec.retired)
            if (r.follows == name && r.removed_in > layout)
                head.push_back({std::string(r.name), std::string(model::sql_type(r.type)), std::string(r.expression)});
    }
    return {head, tail};
}

std::vector<std::string> expressions(const std::vector<Item>& items, bool aliased) {
    std::vector<std::string> out;
    for (const auto& i : items)
        out.push_back(aliased && i.expression != sql_ident(i.name) ? i.expression + " AS " + sql_ident(i.name)
                                                                   : i.expression);
    return out;
}

std::vector<ViewColumn> view_columns(const std::vector<Item>& items) {
    std::vector<ViewColumn> out;
    for (const auto& i : items) out.push_back({i.name, i.type});
    return out;
}

std::string qualified(std::string_view name) { return "marin." + sql_ident(name); }

// The table's comments on the columns the view shares with it, copied in the
// database: the text stays where sql/ wrote it (COMMENT ON COLUMN marin.T.c).
std::string copy_column_comments(const TableSpec& spec, const std::string& view) {
    std::vector<std::string> names;
    for (auto n : spec.stored_columns()) names.push_back(literal(n));
    return "DO $comments$\nDECLARE\n    col record;\nBEGIN\n"
           "    FOR col IN SELECT a.attname, col_description(a.attrelid, a.attnum) AS txt FROM pg_attribute a\n"
           "               WHERE a.attrelid = " +
           literal(qualified(spec.name)) +
           "::regclass\n"
           "                 AND a.attname = ANY (ARRAY[" +
           join(names, ", ") +
           "]::name[]) LOOP\n"
           "        EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', " +
           literal(qualified(view)) +
           ", col.attname, col.txt);\n"
           "    END LOOP;\nEND\n$comments$;\n";
}

GeneratedObject current_view(const TableSpec& spec) {
    const std::string t(spec.name);
    const auto items = stored_items(spec);
    GeneratedObject o{
        GeneratedObject::Kind::view, "current_" + t, qualified("current_" + t), view_columns(items), "", ""};
    o.create = "CREATE OR REPLACE VIEW " + o.signature + " AS SELECT " + join(expressions(items, true), ", ") +
               " FROM " + qualified(t) + " WHERE _removed_at IS NULL";
    o.comments = "COMMENT ON VIEW " + o.signature + " IS " +
                 literal("Current " + t + ": the rows of marin." + t +
                         " that the API still lists (_removed_at IS NULL). Objects flagged deleted or archived by the "
                         "API but still listed are included (see their deleted/archived columns). Same columns as "
                         "marin." +
                         t + ".") +
                 ";\n" + copy_column_comments(spec, o.name);
    return o;
}

GeneratedObject versions_view(const TableSpec& spec) {
    const std::string t(spec.name);
    const auto [head, tail] = versions_items(spec);
    std::vector<Item> all = head;
    all.push_back({"_valid_from", "timestamp with time zone", "_synced_at"});
    all.push_back({"_valid_to", "timestamp with time zone", "NULL::timestamptz"});
    all.push_back({"_is_current", "boolean", "true"});
    all.insert(all.end(), tail.begin(), tail.end());
    GeneratedObject o{
        GeneratedObject::Kind::view, t + "_versions", qualified(t + "_versions"), view_columns(all), "", ""};
    // The history branch: its names come from the first branch.
    std::vector<std::string> history = expressions(head, false);
    for (const char* e : {"_valid_from", "_valid_to", "false"}) history.emplace_back(e);
    for (const auto& e : expressions(tail, false)) history.push_back(e);
    o.create = "CREATE OR REPLACE VIEW " + o.signature + " AS SELECT " + join(expressions(all, true), ", ") + " FROM " +
               qualified(t) + " UNION ALL SELECT " + join(history, ", ") + " FROM " + qualified(t + "_history");
    o.comments =
        "COMMENT ON VIEW " + o.signature + " IS " +
        literal("Every version of the rows of marin." + t +
                " the mirror has seen: the current row (_is_current, valid from its _synced_at, _valid_to NULL) and "
                "the previous ones from marin." +
                t +
                "_history, each valid from _valid_from to _valid_to (exclusive). E.g. how a row changed: SELECT ... "
                "FROM marin." +
                t + "_versions WHERE <key> = ... ORDER BY _valid_from.") +
        ";\n" + copy_column_comments(spec, o.name);
    for (const auto& r : spec.retired)
        if (std::any_of(head.begin(), head.end(), [&](const Item& i) { return i.name == r.name; }))
            o.comments +=
                "COMMENT ON COLUMN " + o.signature + "." + sql_ident(r.name) + " IS " + literal(r.comment) + ";\n";
    const auto column_comment = [&](std::string_view column, const std::string& text) {
        o.comments += "COMMENT ON COLUMN " + o.signature + "." + std::string(column) + " IS " + literal(text) + ";\n";
    };
    column_comment("_valid_from",
                   "Start of the span this version was current: its _synced_at (for the current row too).");
    column_comment("_valid_to",
                   "End of the span (exclusive): when a run replaced this version; NULL for the current row.");
    column_comment("_is_current", "True for the row as it is now in marin." + t + ", false for a previous version.");
    return o;
}

GeneratedObject as_of_function(const TableSpec& spec) {
    const std::string t(spec.name);
    const auto cols = join(expressions(stored_items(spec), false), ", ");
    GeneratedObject o{
        GeneratedObject::Kind::function, t + "_as_of", qualified(t + "_as_of") + "(timestamptz, boolean)", {}, "", ""};
    // Returns the table's row type: its columns in the table's order.
    o.create = "CREATE OR REPLACE FUNCTION " + qualified(t + "_as_of") +
               "(at_time timestamptz, include_removed boolean DEFAULT false) RETURNS SETOF " + qualified(t) +
               " LANGUAGE sql STABLE PARALLEL SAFE AS $fn$SELECT " + cols + " FROM " + qualified(t) +
               " WHERE _synced_at <= at_time AND (include_removed OR _removed_at IS NULL) UNION ALL SELECT " + cols +
               " FROM " + qualified(t + "_history") +
               " WHERE _valid_from <= at_time AND at_time < _valid_to AND (include_removed OR _removed_at IS NULL)$fn$";
    o.comments = "COMMENT ON FUNCTION " + o.signature + " IS " +
                 literal("marin." + t +
                         " as it was at at_time, from its history: for each row, the version that was current then "
                         "(rows first seen later are absent). Rows marked removed at that time are left out unless "
                         "include_removed. For a day, pass the end of it, e.g. SELECT * FROM marin." +
                         t + "_as_of('2024-06-01 23:59:59+00').") +
                 ";\n";
    return o;
}

}  // namespace

std::string sql_ident(std::string_view name) {
    const bool plain =
        !name.empty() && !(name[0] >= '0' && name[0] <= '9') && std::all_of(name.begin(), name.end(), [](char ch) {
            return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
        });
    return plain && !is_keyword(name) ? std::string(name) : quote_ident(name);
}

std::vector<GeneratedObject> generated_objects(const TableSpec& spec) {
    std::vector<GeneratedObject> out;
    if (spec.removable) out.push_back(current_view(spec));
    out.push_back(versions_view(spec));
    out.push_back(as_of_function(spec));
    return out;
}

std::vector<GeneratedObject> generated_objects() {
    std::vector<GeneratedObject> out;
    for (const auto& spec : model::all_tables())
        for (auto& o : generated_objects(spec)) out.push_back(std::move(o));
    return out;
}

}  // namespace marin::storage::detail
