#include "marin/sync/content_hash.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace marin::sync {
namespace {

// The SHA-256 implementation, fetched from OpenSSL's provider once: an
// implicit fetch (EVP_sha256() handed to EVP_DigestInit_ex) looks the
// algorithm up again on every row, which profiled as most of the hash's cost.
// Immutable after the first call and safe to share between threads.
const EVP_MD* sha256() {
    static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) throw std::runtime_error("content_hash: OpenSSL SHA-256 unavailable");
    return md;
}

}  // namespace

std::string content_hash(const model::Row& row, std::span<const std::size_t> link_positions) {
    using Ctx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
    Ctx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), sha256(), nullptr) != 1)
        throw std::runtime_error("content_hash: OpenSSL SHA-256 unavailable");
    // Each value is framed by its length so that ("ab","c") and ("a","bc")
    // differ; a NULL is framed by a length no text can have. The framed
    // values go to the digest in one call (each call has a fixed cost), the
    // same bytes as feeding them one by one, so stored hashes stay valid.
    // A link column hashes as NULL, as the rows of a listing that does not
    // know the link carry it: the two then agree, and stored hashes of rows
    // whose link was NULL stay valid.
    auto value_at = [&](std::size_t i) -> const std::optional<std::string>& {
        static const std::optional<std::string> null;
        for (auto p : link_positions)
            if (p == i) return null;
        return row.values[i];
    };
    std::string framed;
    std::size_t size = 0;
    for (std::size_t i = 0; i < row.values.size(); ++i) {
        const auto& v = value_at(i);
        size += sizeof(std::uint64_t) + (v ? v->size() : 0);
    }
    framed.resize(size);
    char* out = framed.data();
    for (std::size_t i = 0; i < row.values.size(); ++i) {
        const auto& v = value_at(i);
        const std::uint64_t len = v ? v->size() : ~std::uint64_t{0};
        std::memcpy(out, &len, sizeof len);
        out += sizeof len;
        if (v) {
            std::memcpy(out, v->data(), v->size());
            out += v->size();
        }
    }
    EVP_DigestUpdate(ctx.get(), framed.data(), framed.size());
    EVP_DigestUpdate(ctx.get(), row.raw.data(), row.raw.size());
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx.get(), digest.data(), &n);
    static constexpr char hex[] = "0123456789abcdef";
    std::string hash(32, '0');
    for (std::size_t i = 0; i < 16; ++i) {
        hash[2 * i] = hex[digest[i] >> 4];
        hash[2 * i + 1] = hex[digest[i] & 0xF];
    }
    return hash;
}

}  // namespace marin::sync
