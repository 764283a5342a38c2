// Requests, row context, scope and parent of one listing, all derived from
// the object graph (model/object_graph.hpp).
#include "marin/sync/listing.hpp"

#include <array>
#include <cctype>
#include <stdexcept>

namespace marin::sync {

using model::PathId;
using model::TableId;

namespace {

// Ids are opaque text from the API; percent-encode anything that is not
// safe in a path segment so that an odd id can never change the path.
std::string segment(const std::string& id) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : id) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

std::optional<PathId> path_id_named(std::string_view name) {
    for (auto p : {PathId::account, PathId::media_plan, PathId::campaign, PathId::ad_set})
        if (model::path_id_name(p) == name) return p;
    return std::nullopt;
}

// "/clients/{media_plan}/users" -> "/clients/{id}/users": the endpoint as
// metrics and logs name it, whatever the ids.
std::string label_of(std::string_view templ) {
    std::string out;
    for (std::size_t i = 0; i < templ.size(); ++i) {
        if (templ[i] == '{') {
            out += "{id}";
            i = templ.find('}', i);
        } else {
            out += templ[i];
        }
    }
    return out;
}

const std::array<std::string, model::listing_kind_count>& labels() {
    static const auto all = [] {
        std::array<std::string, model::listing_kind_count> out;
        for (const auto& l : model::all_listings()) out[static_cast<std::size_t>(l.kind)] = label_of(l.path);
        return out;
    }();
    return all;
}

}  // namespace

const model::ListingSpec& spec_of(const Listing& l) { return model::listing_spec(l.kind); }

TableId listing_table(ListingKind kind) { return model::listing_spec(kind).table; }

std::string_view listing_stream(ListingKind kind) { return model::listing_spec(kind).stream; }

std::string_view listing_label(ListingKind kind) { return labels()[static_cast<std::size_t>(kind)]; }

std::string fill_path(std::string_view templ, const Listing& l) {
    std::string out;
    for (std::size_t i = 0; i < templ.size(); ++i) {
        if (templ[i] != '{') {
            out += templ[i];
            continue;
        }
        const auto end = templ.find('}', i);
        const auto id = path_id_named(templ.substr(i + 1, end - i - 1));
        if (!id) throw std::logic_error("object graph: unknown id in path template " + std::string(templ));
        out += segment(l.id(*id));
        i = end;
    }
    return out;
}

std::string listing_path(const Listing& l) { return fill_path(spec_of(l).path, l); }

QueryParams listing_query(const Listing& l) {
    if (!spec_of(l).statistics) return {};
    // One paginated stream gives every ad-day row of a media plan.
    return {{"level", "ad"},
            {"aggregate", "day"},
            {"start_date", std::to_string(l.stats_start)},
            {"end_date", std::to_string(l.stats_end)}};
}

RecordContext listing_context(const Listing& l) {
    const auto& spec = spec_of(l);
    RecordContext c;
    for (const auto& pc : spec.path_columns) {
        if (pc.record_first)
            c.fallback.emplace_back(pc.column, l.id(pc.id));
        else
            c.forced.emplace_back(pc.column, l.id(pc.id));
    }
    for (const auto column : spec.kept_columns) c.forced.emplace_back(column, std::nullopt);
    c.keeps_links = !spec.kept_columns.empty();
    return c;
}

model::ListingScope listing_scope(const Listing& l) {
    const auto& spec = spec_of(l);
    std::string name(spec.stream);
    if (!spec.parent) return {name, {}};
    const auto parent_id = model::object_spec(*spec.parent).id;
    if (!parent_id) throw std::logic_error("object graph: a listing's parent has no path id");
    name += "@" + std::string(model::path_id_name(*parent_id)) + ":" + l.id(*parent_id);
    for (const auto& pc : spec.path_columns)
        if (pc.id == *parent_id) return {name, {{std::string(pc.column), l.id(*parent_id)}}};
    throw std::logic_error("object graph: listing " + std::string(spec.path) + " records no parent column");
}

model::ListingScope seen_scope(const Listing& l) {
    const auto& spec = spec_of(l);
    if (!model::table_spec(spec.table).removable) return {};
    if (!spec.removals_by) return spec.removes ? listing_scope(l) : model::ListingScope{};
    Listing decider = l;
    decider.kind = *spec.removals_by;
    return listing_scope(decider);
}

std::optional<ParentRef> listing_parent(const Listing& l) {
    const auto& spec = spec_of(l);
    if (!spec.parent) return std::nullopt;
    const auto& object = model::object_spec(*spec.parent);
    const auto& id = l.id(*object.id);
    std::string noun(model::path_id_name(*object.id));
    for (auto& ch : noun)
        if (ch == '_') ch = ' ';
    return ParentRef{*spec.parent,
                     {id},
                     object.path.empty() ? std::string() : fill_path(object.path, l),
                     label_of(object.path),
                     noun + " " + id};
}

}  // namespace marin::sync
