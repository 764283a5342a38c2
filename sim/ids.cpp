// Object ids: decimal strings with a per-kind base, and back to indexes.
#include <charconv>

#include "marin/sim/records.hpp"

namespace marin::sim {

std::uint64_t id_base(Kind kind) {
    switch (kind) {
        case Kind::account:
            return 1001;
        case Kind::advertiser:
            return 3001;
        case Kind::user:
            return 4001;
        case Kind::media_plan:
            return 50001;
        case Kind::campaign:
            return 700001;
        case Kind::ad_set:
            return 8000001;
        case Kind::ad:
            return 90000001;
        case Kind::publisher_object:
            return 100001;
        case Kind::funding_instrument:
            return 200001;
        case Kind::lead_form:
            return 300001;
        case Kind::audience:
            return 400001;
        case Kind::targeting_cluster:
            return 2001;
    }
    return 1;
}

std::string id_of(Kind kind, std::uint32_t index) { return std::to_string(id_base(kind) + index); }

std::optional<std::uint32_t> index_of(Kind kind, std::string_view id, std::size_t count) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
    if (ec != std::errc{} || p != id.data() + id.size() || id.empty() || id[0] == '0') return std::nullopt;
    const auto base = id_base(kind);
    if (v < base || v - base >= count) return std::nullopt;
    return static_cast<std::uint32_t>(v - base);
}

}  // namespace marin::sim
